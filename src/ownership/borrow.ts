/**
 * Borrows with lifetime brands: {@link Borrowed}, the {@link NoEscape} check for closure results,
 * and {@link withBorrow}/{@link withScope} for building closure-scoped APIs.
 *
 * @remarks
 * **Encoding.** A lifetime is a type parameter that exists only inside one closure. A scoped API is
 * declared as
 *
 * ```ts
 * withX<Result>(f: <Lifetime>(guard: Guard<Lifetime>) => NoEscape<Result, Lifetime>): Result
 * ```
 *
 * `Result` is inferred from what the closure returns. If the guard (or anything carrying a lifetime
 * brand) is returned, or stored in an object, array, tuple or promise that is returned, the inferred
 * `Result` contains a lifetime brand and `NoEscape` turns the expected return type into a
 * {@link TypeErrorText} whose key is the sentence "a borrow cannot outlive its closure" — the
 * compiler prints it. Closures that *capture* the guard (assign it to an outer variable) are not
 * visible to types; the run time catches those when the scope's exit hook invalidates the guard.
 *
 * The check is conservative: any lifetime brand in the result is rejected, including a borrow from
 * an enclosing scope returned through an inner one.
 *
 * @module
 */
import { checkFunction, checkSyncResult, isThenable as argsIsThenable } from "../args.js";
import { lifetimeBrand } from "./capabilities.js";
import type { ResourceOf } from "./capabilities.js";
import type { TypeErrorText } from "./TypeErrorText.js";

// A module-local copy of the kit's one thenable test (src/args.ts): optimised code calls a module's
// own constant directly, where an imported binding is loaded on every use (withBorrow with an exit
// hook measured about 0.7 ns, 17%, slower with the import used directly).
const isThenable = argsIsThenable;

/**
 * The brand that ties a value to a lifetime; exists in the type only.
 *
 * @remarks
 * The lifetime appears in both argument and result position, so `LifetimeBrand<A>` and
 * `LifetimeBrand<B>` are not assignable to each other (invariance).
 *
 * @typeParam Lifetime - The lifetime (a closure's type parameter).
 */
export interface LifetimeBrand<Lifetime> {
  /** The brand; exists in the type only. */
  readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
}

/**
 * The brand of a {@link Borrowed} view: a lifetime brand whose lifetime is not recorded.
 *
 * @remarks
 * {@link NoEscape} rejects any lifetime brand in a closure's result, whatever its lifetime, so the
 * brand of a borrowed resource does not need to carry the closure's lifetime. Without it, every
 * closure borrow of one resource type shares one type instead of building an intersection (and
 * instantiating the whole class for it) per call site.
 */
export interface BorrowBrand {
  /** The brand; exists in the type only. */
  readonly [lifetimeBrand]: unknown;
}

/**
 * A resource seen through a borrow: its class type and the {@link BorrowBrand}.
 *
 * @typeParam Resource - The resource's class type.
 */
export type BorrowedResource<Resource> = Resource & BorrowBrand;

/**
 * A borrowed view of a resource, valid for `Lifetime`: the resource's own members, without
 * `release`, `put`, `clone` or disposal.
 *
 * @remarks
 * `Resource` may be the class type or a handle type (`Owned<X>`, `ARef<X>`); either way the view is
 * the class type `X` (see {@link ResourceOf}) plus the {@link BorrowBrand}, and the class type
 * carries no ownership operation, so a borrower cannot free what it borrowed.
 *
 * `Lifetime` names the closure the borrow belongs to in a signature
 * (`<Lifetime>(view: Borrowed<X, Lifetime>) => NoEscape<Result, Lifetime>`); the type itself does not
 * record it (it is the same {@link BorrowedResource} for every closure), which keeps a program of
 * many closure borrows as cheap to check as one with plain classes. Escapes are found by the brand,
 * whatever the lifetime.
 *
 * @invariant A `Borrowed` value is only used while the scope that created it runs.
 *
 * @typeParam Resource - The borrowed resource (class or handle type).
 * @typeParam Lifetime - The lifetime of the borrow.
 */
// Written as a one-element tuple's element so that the compiler does not attach `Borrowed` and its
// arguments (with each closure's fresh `Lifetime`) to the intersection as its alias, which would make
// it a new type for every call site.
export type Borrowed<Resource, Lifetime> = [BorrowedResource<ResourceOf<Resource>>, Lifetime][0];

/** The steps of {@link BorrowSearch}: five levels of nesting, then the end. */
export type BorrowSearchStep = "1" | "2" | "3" | "4" | "5" | "end";

/** The types that hold nothing: the search stops at them. */
export type BorrowSearchLeaf = string | number | bigint | boolean | symbol | null | undefined | void | ArrayBufferView;

/**
 * One level of {@link BorrowSearch}: `true` for each member of `Value` that is a borrow or holds one
 * where the `Next` step finds it.
 *
 * @remarks
 * Distributes over unions, so `Borrow | null` is found. Searched: object and class members (public
 * ones), array and tuple elements, what a promise settles to, what a function returns (`() => view`,
 * `{ get: () => view }`), the elements of a `Set` and the keys and values of a `Map` (a `WeakRef`'s
 * target and a `WeakMap`'s values are what their `deref`/`get` return). Primitives and plain typed
 * arrays end the search at once.
 *
 * The search is unrolled by step names instead of one recursive alias with a tuple depth counter:
 * relating two still-generic `NoEscape` results (as a closure-scoped API does when it forwards its
 * callback) then stays cheap, where a counter made the compiler give up with TS2589.
 *
 * @typeParam Value - The type searched at this level.
 * @typeParam Next - The step that searches one level deeper.
 */
export type BorrowSearchLevel<Value, Next extends BorrowSearchStep> = Value extends {
  /** Any lifetime brand. */
  readonly [lifetimeBrand]: unknown;
}
  ? true
  : Value extends BorrowSearchLeaf
    ? false
    : Next extends "end"
      ? false
      : Value extends PromiseLike<infer Settled>
        ? BorrowSearch<Settled, Next>
        : Value extends (...args: never[]) => infer Returned
          ? BorrowSearch<Returned, Next>
          : Value extends ReadonlySet<infer Element>
            ? BorrowSearch<Element, Next>
            : Value extends ReadonlyMap<infer Key, infer Item>
              ? BorrowSearch<Key | Item, Next>
              : Value extends object
                ? { [Key in keyof Value]-?: BorrowSearch<Value[Key], Next> }[keyof Value]
                : false;
/**
 * The search behind {@link ContainsBorrow}: whether `Value` carries a lifetime brand within the
 * levels left from `Step`.
 *
 * @typeParam Value - The type to search.
 * @typeParam Step - The level being searched.
 */
export type BorrowSearch<Value, Step extends BorrowSearchStep> = Step extends "1"
  ? BorrowSearchLevel<Value, "2">
  : Step extends "2"
    ? BorrowSearchLevel<Value, "3">
    : Step extends "3"
      ? BorrowSearchLevel<Value, "4">
      : Step extends "4"
        ? BorrowSearchLevel<Value, "5">
        : Step extends "5"
          ? BorrowSearchLevel<Value, "end">
          : false;

/**
 * `true` when `Value` carries a lifetime brand, directly or nested in objects, class instances,
 * arrays, tuples, promises, function results, `Map`s and `Set`s (to a depth of 5), also as one
 * member of a union (`Borrow | null`); `false` otherwise.
 *
 * @typeParam Value - The type to search.
 */
export type ContainsBorrow<Value> = true extends BorrowSearch<Value, "1"> ? true : false;

/**
 * The sentence printed when a borrow escapes the closure it was lent to.
 */
export type BorrowEscapeError = TypeErrorText<"a borrow cannot outlive its closure: do not return or store a guard or borrowed view in the closure's result">;

/**
 * A closure's return type that rejects any borrow in `Result`: `Result` itself, or
 * {@link BorrowEscapeError} when `Result` contains a lifetime brand.
 *
 * @typeParam Result - The closure's result, inferred from what it returns.
 * @typeParam Lifetime - The closure's lifetime parameter (documents which borrow must not escape).
 *
 * @example
 * ```ts
 * declare abstract class GpuBuffer extends OwnableResource {
 *   static alloc(size: number): Owned<GpuBuffer>;
 *   readonly size: number;
 *   fill(value: number): void;
 * }
 * declare const buffer: Owned<GpuBuffer>;
 *
 * const size = withBorrow(buffer, (view) => view.size); // ok: number
 * const leak = withBorrow(buffer, (view) => ({ view }));
 * // error TS2741: Property '"a borrow cannot outlive its closure: ..."' is missing in type '{ view: BorrowedResource<GpuBuffer>; }' ...
 * ```
 */
// The lifetime is not inspected: the caller's closure cannot name it in its result, so a borrow that
// shows up there (as `Borrowed<X, unknown>` after inference) is always an escape.
// The sentence is written out rather than named through BorrowEscapeError: the compiler prints an
// alias by its name, and "Type 'null' is not assignable to type 'BorrowEscapeError'" (a result that
// may be null) would not say what is wrong. Printed as TypeErrorText<"...">, every message has it.
export type NoEscape<Result, Lifetime> =
  ContainsBorrow<Result> extends true
    ? TypeErrorText<"a borrow cannot outlive its closure: do not return or store a guard or borrowed view in the closure's result">
    : Result;

/**
 * Runs `body` and then `onExit`, also when `body` throws; when `body` returns a promise, `onExit`
 * runs once the promise settles.
 *
 * @remarks
 * When `body` throws and `onExit` throws too, the error of `body` is the one that propagates (it is
 * the cause; the failed exit is usually its consequence), with the exit's error attached to it as a
 * non-enumerable `suppressed` property, as `SuppressedError` would hold it.
 *
 * @typeParam Result - What `body` returns.
 * @param body - The scoped work.
 * @param onExit - The end of the scope (invalidate guards, unmap, unlock).
 * @returns What `body` returned.
 */
export function runScope<Result>(body: () => Result, onExit: () => void): Result {
  checkFunction("runScope", "body", body);
  checkFunction("runScope", "onExit", onExit);
  return runScopeWith(body, undefined, onExit);
}

/**
 * Lends `resource` to `body` for the duration of the call, as a {@link Borrowed} view that must not
 * escape; the generic building block of closure-scoped APIs.
 *
 * @typeParam Resource - The lent resource (class or handle type; the borrow has no ownership
 * operation either way).
 * @typeParam Result - What `body` returns; must not contain the borrow.
 * @param resource - The resource to lend.
 * @param body - The closure that uses the borrow.
 * @param onExit - Optional end of the scope, run after `body` (also on throw or promise settle).
 * @returns What `body` returned.
 *
 * @example
 * ```ts
 * declare abstract class GpuBuffer extends OwnableResource {
 *   static alloc(size: number): Owned<GpuBuffer>;
 *   readonly size: number;
 *   fill(value: number): void;
 * }
 * declare const buffer: Owned<GpuBuffer>;
 *
 * function withBuffer<Result>(
 *   owner: Owned<GpuBuffer>,
 *   body: <Lifetime>(view: Borrowed<GpuBuffer, Lifetime>) => NoEscape<Result, Lifetime>,
 * ): Result {
 *   return withBorrow(owner, body, () => console.log("returned"));
 * }
 * withBuffer(buffer, (view) => view.size);  // ok
 * withBuffer(buffer, (view) => view);
 * // error TS2741: Property '"a borrow cannot outlive its closure: ..."' is missing ...
 * // error[tsgo-7.0] TS2322: Type 'Borrowed<GpuBuffer, Lifetime>' is not assignable to type 'TypeErrorText<"a borrow ...">'.
 * ```
 */
export function withBorrow<Resource, Result>(
  resource: Resource,
  body: <Lifetime>(borrow: Borrowed<Resource, Lifetime>) => NoEscape<Result, Lifetime>,
  onExit?: (resource: Resource) => void,
): Result {
  checkFunction("withBorrow", "body", body);
  if (onExit !== undefined) checkFunction("withBorrow", "onExit", onExit);
  // SAFETY: By the definition of Borrowed (the resource's class type plus a type-only brand) the
  // borrow is the resource itself, and by the definition of NoEscape<Result, Lifetime> it is Result
  // except for results that carry a borrow, which the compiler rejected at the call site. No
  // closure is allocated per call: the body is called directly.
  const lend = body as unknown as (borrow: Resource) => Result;
  return onExit === undefined ? lend(resource) : runScopeWith(lend, resource, onExit);
}

/**
 * Calls a closure-scoped API's callback with a guard the API made, and strips the {@link NoEscape}
 * wrapper from its result; the building block when the guard is not a plain {@link Borrowed} view.
 *
 * @typeParam Guard - The guard type the API lends (for example `MapGuard<Lifetime>`).
 * @typeParam Result - The API's result type.
 * @param guard - The guard to lend.
 * @param body - The caller's closure (declared by the API with `NoEscape<Result, Lifetime>`).
 * @param onExit - The end of the scope, run after `body` (also on throw or promise settle).
 * @returns What `body` returned.
 *
 * @example
 * ```ts no-compile: a method of a resource class, shown without its class
 * withMapped<Result>(body: <Lifetime>(view: View<Lifetime>) => NoEscape<Result, Lifetime>): Result {
 *   const view = this.map();
 *   return withScope(view, body, () => view.invalidate());
 * }
 * ```
 */
export function withScope<Guard, Result>(
  guard: Guard,
  body: (guard: Guard) => NoEscape<Result, unknown>,
  onExit?: (guard: Guard) => void,
): Result {
  checkFunction("withScope", "body", body);
  if (onExit !== undefined) checkFunction("withScope", "onExit", onExit);
  // SAFETY: By the definition of NoEscape<Result, Lifetime>, it is Result except for results that
  // carry a borrow, which the compiler rejected where the caller's closure was written.
  const lend = body as unknown as (guard: Guard) => Result;
  return onExit === undefined ? lend(guard) : runScopeWith(lend, guard, onExit);
}

/**
 * {@link runScope} for a body and an exit hook that take the same argument, without allocating a
 * closure for either (the hot path of {@link withBorrow} and {@link withScope}).
 */
function runScopeWith<Argument, Result>(body: (argument: Argument) => Result, argument: Argument, onExit: (argument: Argument) => void): Result {
  let result: Result;
  try {
    result = body(argument);
  } catch (error) {
    try {
      onExit(argument);
    } catch (exitError) {
      attachSuppressed(error, exitError);
    }
    throw error;
  }
  if (isThenable(result)) {
    // SAFETY: By the isThenable test `result` is the promise `body` returned; by the semantics of
    // Promise.prototype.finally the chained promise settles with the same value after onExit ran,
    // so it has the same type.
    return Promise.resolve(result).finally(() => onExit(argument)) as Result;
  }
  checkSyncResult("runScope", onExit(argument), "an onExit cleanup", "the scope has already ended");
  return result;
}

/**
 * Records `exitError` as `error.suppressed`, best effort: a thrown value that is a revoked Proxy,
 * or a Proxy whose traps throw, keeps the body's error as it was (its traps' errors are dropped).
 */
function attachSuppressed(error: unknown, exitError: unknown): void {
  try {
    if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
      Object.defineProperty(error, "suppressed", { value: exitError, configurable: true });
    }
  } catch {
    // The body's error is what the caller sees either way.
  }
}
