/**
 * Moves as free functions: {@link release}, {@link put} and {@link drop} consume their argument and
 * narrow the caller's binding to `never`, with no type annotation needed.
 *
 * @remarks
 * **Why free functions.** TypeScript applies an assertion signature only when it can resolve the call
 * target without inference. For a method (`page.release()`) the target is the binding itself, so an
 * unannotated `const page = Page.alloc(...)` makes the call error TS2775, and `pages[i]!.release()`
 * is error TS2776. For a function (`release(page)`) the target is the function, declared once with
 * its type: the call always type-checks, and the argument, if it is a narrowable reference (a
 * `const`/`let`/`using` binding, a parameter, a `for…of` or destructured binding), is `never` from
 * there on, so any later member access on it is a compile error:
 *
 * ```ts
 * const page = Page.alloc(GFP_KERNEL);
 * release(page);
 * page.read(0, 1); // error TS2339: Property 'read' does not exist on type 'never'.
 * ```
 *
 * The methods (`release()`, `put()`, `[Symbol.dispose]()`) remain and do the same at run time; they
 * do not narrow. **What the compiler cannot see** (`never` is assignable to every type, so passing,
 * storing or returning a moved value compiles; moves in a branch, a loop or a callback; the method
 * forms), the lint rule `ownkit/no-use-after-move` reports, and the run time catches the rest
 * (`EALREADY`, `EFAULT`).
 *
 * **Why `never`, not a branded "moved" type.** An assertion's type must be assignable to the
 * parameter's type (TS2677), and when it is not a subtype of the binding's type the compiler narrows
 * to the intersection of both, which keeps every member of a class with private fields. So a
 * branded type could neither reject `usePage(page)` nor carry a sentence on member access; `never`
 * at least rejects every member access.
 *
 * @module
 */
import { checkSyncResult } from "../args.js";
import { kernelError } from "../errors.js";
import type { TypeErrorText } from "./TypeErrorText.js";

/** Anything with a `release()` method: an `Owned<…>` owner, a `UniqueFolio`. */
export interface Releasable {
  /** Gives the resource back. */
  release(): void;
}

/** Anything with a `put()` method: an `ARef<…>` counted reference. */
export interface Puttable {
  /** Drops the reference. */
  put(): void;
}

/**
 * The extra parameter a move function demands when its argument is already `never`, that is, a
 * binding that was moved before: none for a live value, one impossible argument for a moved one, so
 * `release(page); release(page);` is a compile error (TS2554 "Expected 2 arguments, but got 1.",
 * about the missing `valueWasAlreadyMoved`).
 *
 * @typeParam Value - The argument's type as the caller's binding has it.
 */
export type IfAlreadyMoved<Value> = [Value] extends [never] ? [valueWasAlreadyMoved: ValueWasAlreadyMoved] : [];

/** The sentence of {@link IfAlreadyMoved}: the value was moved before this call. */
export type ValueWasAlreadyMoved = TypeErrorText<"use of moved value: this binding was already moved (released, put, dropped or converted)">;

/** Describes a value for an error message without calling into it. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" || typeof value === "function") return typeof value;
  return typeof value === "symbol" ? "symbol" : `${typeof value} ${String(value)}`;
}

/** Reads `value[name]` as a method, or throws `EINVAL` naming the operation. */
function methodOf(op: string, value: unknown, name: PropertyKey): (this: unknown) => unknown {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) {
    throw kernelError("EINVAL", op, "argument is not a handle", { value: describe(value) });
  }
  let method: unknown;
  try {
    method = (value as Record<PropertyKey, unknown>)[name];
  } catch (error) {
    // The caller's thrown value goes in raw: kernelError describes it without running its code
    // (`String(error)` throws for a null-prototype object or a revoked Proxy).
    throw kernelError("EINVAL", op, "argument could not be read", { value: describe(value), error });
  }
  if (typeof method !== "function") {
    throw kernelError("EINVAL", op, "argument has no such method", { value: describe(value), method: String(name) });
  }
  // SAFETY: By the typeof check above `method` is a function, read once from `value`; every caller
  // calls it with `value` as `this`, so the `this: unknown` signature holds.
  return method as (this: unknown) => unknown;
}

/**
 * Gives an owned resource back, like its `release()` method, and consumes the binding: with no
 * annotation needed, any later use of `owner` does not compile.
 *
 * @typeParam Owner - The owner's type.
 * @param owner - The owner (`Owned<…>`, `UniqueFolio`).
 * @param moved - Nothing; demanded only when `owner` was already moved (see {@link IfAlreadyMoved}).
 * @throws KernelError as the owner's `release()` does (`EALREADY` through an alias, `EPERM` for a
 *   borrower's view); `EINVAL` when `owner` has no `release` method.
 *
 * @example
 * ```ts
 * declare const bytes: Uint8Array;
 *
 * const page = Page.alloc(GFP_KERNEL);
 * page.write(0, bytes);
 * release(page);
 * page.read(0, 1); // error TS2339: Property 'read' does not exist on type 'never'.
 * ```
 */
export function release<Owner extends Releasable>(owner: Owner, ...moved: IfAlreadyMoved<Owner>): asserts owner is never {
  void moved;
  methodOf("release", owner, "release").call(owner);
}

/**
 * Drops a counted reference, like its `put()` method, and consumes the binding: with no annotation
 * needed, any later use of `reference` does not compile.
 *
 * @typeParam Reference - The reference's type.
 * @param reference - The counted reference (`ARef<…>`, a folio after `intoShared`).
 * @param moved - Nothing; demanded only when `reference` was already moved.
 * @throws KernelError as the reference's `put()` does (`EALREADY` through an alias, `EINVAL` on
 *   underflow); `EINVAL` when `reference` has no `put` method.
 *
 * @example
 * ```ts
 * declare abstract class SharedTexture extends RefCountedResource {
 *   static create(size: number): ARef<SharedTexture>;
 * }
 *
 * const texture = SharedTexture.create(256);
 * const second = texture.clone();
 * put(texture);
 * texture.clone(); // error TS2339: Property 'clone' does not exist on type 'never'.
 * put(second);
 * ```
 */
export function put<Reference extends Puttable>(reference: Reference, ...moved: IfAlreadyMoved<Reference>): asserts reference is never {
  void moved;
  methodOf("put", reference, "put").call(reference);
}

/**
 * Disposes of any disposable early, exactly as leaving its `using` scope would (Rust's
 * `drop(x)`), and consumes the binding: any later use of `value` does not compile.
 *
 * @remarks
 * A kit owner or reference that was already consumed is left alone, as `using` does; a guard
 * (`KmapLocal`, `LockedFolio`) ends as its `[Symbol.dispose]()` says.
 *
 * @typeParam Value - The disposable's type.
 * @param value - Any `Disposable`.
 * @param moved - Nothing; demanded only when `value` was already moved.
 * @throws KernelError as `value[Symbol.dispose]()` does; `EINVAL` when `value` is not disposable.
 *
 * @example
 * ```ts
 * declare const folio: ARef<Folio>;
 *
 * using locked = folio.lock();
 * locked.markUptodate();
 * drop(locked);                 // unlocked here, not at the end of the block
 * locked.markUptodate(); // error TS2339: Property 'markUptodate' does not exist on type 'never'.
 * ```
 */
export function drop<Value extends Disposable>(value: Value, ...moved: IfAlreadyMoved<Value>): asserts value is never {
  void moved;
  checkSyncResult("drop", methodOf("drop", value, Symbol.dispose).call(value), "[Symbol.dispose]", "drop() disposes synchronously, as `using` does");
}
