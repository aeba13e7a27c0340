/**
 * {@link Arc}: user-level shared ownership of any value, such as an `Owned<GpuBuffer>`.
 *
 * @remarks
 * `Arc<Owned<X>>` lets code share a resource that has no refcount of its own: every `Arc` handle
 * counts one share, and disposing the last one disposes the value (releasing the owner). The shared
 * value is reached through {@link Arc.value}, typed without its ownership operations, so a sharer
 * cannot release it behind the others' backs. {@link Arc.tryUnwrap} gives the value back to a single
 * owner when the handle is the last one.
 *
 * @module
 */
import { checkSyncResult } from "../args.js";
import { kernelError } from "../errors.js";
import type { ResourceOf } from "./capabilities.js";

interface Shared<Value> {
  count: number;
  value: Value;
  /** The value's `[Symbol.dispose]`, read once by `Arc.new` (no getter runs at the last drop). */
  dispose: ((this: never) => void) | undefined;
}

/**
 * One share of a value; `clone()` adds a share, `drop()` or disposal removes it, and removing the
 * last share disposes the value.
 *
 * @invariant `strongCount` equals the number of live `Arc` handles for the value.
 * @invariant The value is disposed exactly once, when the last share is dropped (unless unwrapped).
 *
 * @typeParam Value - The shared value (often `Owned<Resource>`).
 *
 * @example
 * ```ts
 * declare abstract class GpuBuffer extends OwnableResource {
 *   static alloc(size: number): Owned<GpuBuffer>;
 *   readonly size: number;
 *   fill(value: number): void;
 * }
 *
 * using first: Arc<Owned<GpuBuffer>> = Arc.new(GpuBuffer.alloc(64));
 * using second: Arc<Owned<GpuBuffer>> = first.clone();
 * second.value.fill(1);     // the buffer's own members
 * second.value.release();   // error TS2339: Property 'release' does not exist on type 'GpuBuffer'.
 * ```
 */
export class Arc<Value> implements Disposable {
  #shared: Shared<Value> | undefined;

  private constructor(shared: Shared<Value>) {
    this.#shared = shared;
  }

  /**
   * Starts sharing `value`; the `Arc` takes it over (for an owner: do not release it yourself).
   *
   * @typeParam Value - The shared value's type.
   * @param value - The value to share.
   * @returns The first share (count 1).
   */
  static new<Value>(value: Value): Arc<Value> {
    return new Arc({ count: 1, value, dispose: disposerOf(value) });
  }

  /**
   * The number of live shares of the value behind `arc`.
   *
   * @param arc - A live share.
   * @returns The share count.
   * @throws KernelError `EALREADY` when `arc` was dropped; `EINVAL` when it is not an `Arc`.
   */
  static strongCount(arc: Arc<unknown>): number {
    return Arc.#check(arc, "strongCount").#live("strongCount").count;
  }

  /**
   * Gives the value back when `arc` is its last share; otherwise returns `null` and leaves `arc` as
   * it was.
   *
   * @typeParam Value - The shared value's type.
   * @param arc - A live share; consumed on success.
   * @returns The value (for an `Owned`, the owner again), or `null` when other shares exist.
   * @throws KernelError `EALREADY` when `arc` was dropped; `EINVAL` when it is not an `Arc`.
   */
  static tryUnwrap<Value>(arc: Arc<Value>): Value | null {
    const shared = Arc.#check(arc, "tryUnwrap").#live("tryUnwrap");
    if (shared.count !== 1) return null;
    shared.count = 0;
    arc.#shared = undefined;
    return shared.value;
  }

  /**
   * The shared value, without its ownership operations.
   *
   * @throws KernelError `EALREADY` when this share was dropped.
   */
  get value(): ResourceOf<Value> {
    // SAFETY: By the definition of ResourceOf (capabilities.ts), ResourceOf<Value> is Value seen
    // through its class type, without release/put/dispose: the same object.
    return Arc.#check(this, "value").#live("value").value as unknown as ResourceOf<Value>;
  }

  /**
   * Adds a share.
   *
   * @returns A new handle for the same value.
   * @throws KernelError `EALREADY` when this share was dropped.
   */
  clone(): Arc<Value> {
    const shared = Arc.#check(this, "clone").#live("clone");
    shared.count += 1;
    return new Arc(shared);
  }

  /**
   * Removes this share; the binding is consumed. Removing the last share disposes the value.
   *
   * @throws KernelError `EALREADY` when this share was already dropped (an alias).
   */
  drop(): asserts this is never {
    Arc.#check(this, "drop").#drop("drop");
  }

  /** Removes this share unless it was already dropped; called by `using`. */
  [Symbol.dispose](): void {
    if (Arc.#check(this, "dispose").#shared !== undefined) this.#drop("dispose");
  }

  /** Checks that a static method's argument is an `Arc` (JavaScript callers pass anything). */
  static #check<Value>(arc: Arc<Value>, op: string): Arc<Value> {
    if (typeof arc !== "object" || arc === null || !(#shared in arc)) {
      throw kernelError("EINVAL", `Arc.${op}`, "not an Arc", { arc: arc });
    }
    return arc;
  }

  #live(op: string): Shared<Value> {
    // A method called on something that is not an Arc (`Arc.prototype.clone.call({})`) is EINVAL.
    const shared = Arc.#check(this, op).#shared;
    if (shared === undefined) throw kernelError("EALREADY", `Arc.${op}`, "share was already dropped", {});
    return shared;
  }

  #drop(op: string): void {
    const shared = this.#live(op);
    // INVARIANT: the share is dead before the value's dispose runs, so a drop re-entered from it is
    // EALREADY and the value is disposed once; a dispose that throws restores the share (retry).
    this.#shared = undefined;
    shared.count -= 1;
    if (shared.count === 0 && shared.dispose !== undefined) {
      let result: unknown;
      try {
        result = Reflect.apply(shared.dispose, shared.value, []);
      } catch (error) {
        shared.count += 1;
        this.#shared = shared;
        throw error;
      }
      // The value was disposed (once); an async dispose is refused after the fact, its promise observed.
      checkSyncResult(`Arc.${op}`, result, "the value's [Symbol.dispose]", "an Arc disposes its value synchronously");
    }
  }
}

/**
 * Reads a value's `[Symbol.dispose]` once, for {@link Arc.new}.
 *
 * @param value - The value the Arc will own.
 * @returns The method, or `undefined` for a value that is not disposable.
 * @throws KernelError `EINVAL` when reading it throws or it is present but not a function.
 */
function disposerOf(value: unknown): ((this: never) => void) | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  let dispose: unknown;
  try {
    dispose = (value as Partial<Disposable>)[Symbol.dispose];
  } catch {
    throw kernelError("EINVAL", "Arc.new", "reading the value's [Symbol.dispose] threw", { value });
  }
  if (dispose === undefined) return undefined;
  if (typeof dispose !== "function") throw kernelError("EINVAL", "Arc.new", "the value's [Symbol.dispose] is not a function", { dispose });
  // SAFETY: By the typeof check above `dispose` is a function; the Arc calls it with the value as
  // `this` only, so the `this: never` signature holds.
  return dispose as (this: never) => void;
}
