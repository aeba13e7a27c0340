/**
 * Single ownership: {@link Owned} handles and the {@link OwnableResource} base class.
 *
 * @remarks
 * **Encoding.** A resource class (say `GpuBuffer`) extends {@link OwnableResource} and implements
 * one hook, `drop()`, that gives the resource back. The class's own type, `GpuBuffer`, is the
 * resource's API without any ownership operation: it is what a borrower sees. `Owned<GpuBuffer>` is
 * `GpuBuffer & OwnedHandle<GpuBuffer>`: the same members plus `release()` and `[Symbol.dispose]()`.
 * There is no wrapper object: `release` and `[Symbol.dispose]` are real methods on
 * `OwnableResource.prototype` that the class type does not list, so an owned buffer is a plain class
 * instance and a borrowed one is the same instance seen through a smaller type.
 *
 * **Moves.** The free function {@link release} is declared `asserts owner is never`, so after
 * `release(buffer)` the binding has type `never` and any later member access is a compile error
 * (`Property 'size' does not exist on type 'never'`), with no type annotation needed. The method
 * `buffer.release()` does the same at run time but does not narrow: an assertion method needs an
 * annotated binding (TS2775) and a plain name as its target (TS2776), which rejects correct code
 * such as `pages[i]!.release()`. Passing, storing or returning a moved value, moves in a branch or a
 * loop, and the method forms are reported by the lint rule `ownkit/no-use-after-move`; the run time
 * catches the rest: a second release through an alias is a `KernelError` with errno `EALREADY`
 * naming the resource.
 *
 * **Disposal.** `[Symbol.dispose]()` releases a live owner and does nothing on one that was already
 * consumed (released or converted), so `using` composes with an explicit `release()`. Disposing twice
 * through two `using` aliases is `EALREADY`.
 *
 * @module
 */
import { checkSyncResult } from "../args.js";
import { kernelError } from "../errors.js";
import { handledResource, ownableCapability, type CapabilityChecks, type Ownable } from "./capabilities.js";
import { assertUnsafe, type Unsafe } from "./Unsafe.js";
import { CONSUMED, DISPOSED, FRESH, LIVE, RELEASING } from "./internal/handle-state.js";
import type { release } from "./moves.js";
import { FieldStamp, type StateBrand, type StateReader, type StateWriter } from "./internal/handle-state.js";

/**
 * The ownership operations an {@link Owned} handle adds to its resource.
 *
 * @typeParam Resource - The resource type the handle owns.
 */
export interface OwnedHandle<Resource> extends Disposable {
  /**
   * Gives the resource back.
   *
   * @remarks
   * The method does not narrow the binding (an assertion method would need an annotated binding,
   * error TS2775, and a plain name, error TS2776); the free function {@link release} does, so
   * prefer `release(owner)` where the binding is used afterwards.
   *
   * @throws KernelError `EALREADY` when this handle was already released or disposed (an alias).
   */
  release(): void;
  /** Releases the resource unless the handle was already consumed; called by `using`. */
  [Symbol.dispose](): void;
  /** Phantom: the owned resource type; never present at run time. */
  readonly [handledResource]?: Resource;
}

/**
 * The single owner of a resource: the resource's own members plus `release()` and disposal, and no
 * `clone()`.
 *
 * @remarks
 * `Resource` must be {@link Ownable}; anything else fails with a sentence naming the missing
 * capability. Move it with the free function {@link release} (or `drop`), which narrows the binding.
 *
 * @invariant At most one live `Owned` handle exists per resource; releasing it gives the resource
 * back exactly once.
 *
 * @typeParam Resource - The owned resource type (the class type, without ownership methods).
 *
 * @example
 * ```ts
 * declare abstract class GpuBuffer extends OwnableResource {
 *   static alloc(size: number): Owned<GpuBuffer>;
 *   readonly size: number;
 *   fill(value: number): void;
 * }
 * declare class PlainObject { size: number }
 *
 * {
 *   using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
 *   buffer.fill(0);
 * } // released here
 *
 * const buffer = GpuBuffer.alloc(64);
 * buffer.clone(); // error TS2339: Property 'clone' does not exist on type 'Owned<GpuBuffer>'.
 * release(buffer);
 * buffer.fill(0); // error TS2339: Property 'fill' does not exist on type 'never'.
 * type Bad = Owned<PlainObject>; // error TS2344: ... "Owned needs an Ownable resource: ..."
 * ```
 */
export type Owned<Resource extends CapabilityChecks<Resource>["ownable"]> = Resource & OwnedHandle<Resource>;


// Set by OwnableResource's static block, which alone may touch the private state.
let adopt: (handle: OwnableResource, op: string) => void;

// Set by OwnerState's static block: the only access to the state field.
let stateOf: StateReader<OwnableResource>;
let hasState: StateBrand;
let setState: StateWriter<OwnableResource>;

/**
 * The owner state of an {@link OwnableResource}: a private field stamped onto the handle itself by
 * `new OwnerState(handle)`. See `internal/handle-state.ts` for why a leaf class holds it and
 * why each module declares its own.
 */
class OwnerState extends FieldStamp {
  #state: number = FRESH;

  static {
    hasState = (value) => typeof value === "object" && value !== null && #state in value;
    stateOf = (handle) => (handle as unknown as OwnerState).#state;
    setState = (handle, state) => {
      (handle as unknown as OwnerState).#state = state;
    };
  }
}

/**
 * Base class of an {@link Ownable} resource: implements `release()` and disposal on top of one
 * `drop()` hook, with double-release detection.
 *
 * @remarks
 * Subclasses implement {@link OwnableResource.drop} and hand out their instances as `Owned<Self>`
 * through {@link adoptOwned}. Resource methods that must not run after release call
 * {@link OwnableResource.assertLive} first.
 *
 * @invariant `drop()` runs at most once per instance.
 *
 * @example
 * ```ts
 * class GpuBuffer extends OwnableResource {
 *   private constructor(readonly size: number) { super(); }
 *   static alloc(size: number): Owned<GpuBuffer> {
 *     return unsafe("SAFETY: the buffer was just created and nobody else holds it", (token) => adoptOwned(token, new GpuBuffer(size)));
 *   }
 *   fill(value: number): void {
 *     this.assertLive("fill"); // ...
 *   }
 *   protected override drop(): void {
 *     // give the memory back
 *   }
 * }
 * ```
 */
export abstract class OwnableResource implements Ownable {
  declare readonly [ownableCapability]: true;

  /** Gives the instance its owner state (fresh: not adopted by an owner yet). */
  constructor() {
    new OwnerState(this);
  }

  /**
   * Gives the resource back; called exactly once, by the first `release()` or disposal.
   *
   * @remarks
   * If it throws, the handle stays live (the caller may retry), matching the kit's rule that a
   * failed call changes nothing.
   */
  protected abstract drop(): void;

  /** Names the resource in error messages; defaults to the class name. */
  protected describeResource(): string {
    return this.constructor.name;
  }

  /**
   * Called when `release()` or disposal reaches a handle that was already released; may throw a
   * more specific error than the default `EALREADY` (for example one carrying a debugger's report
   * of the first free). Returning lets the default error be thrown.
   *
   * @param op - `"release"` or `"dispose"`.
   */
  protected releasedAgain(op: string): void {
    void op;
  }

  /** `true` until the owner released, disposed or converted this handle. */
  protected get isLive(): boolean {
    if (!hasState(this)) return false;
    const state = stateOf(this);
    return state === FRESH || state === LIVE;
  }

  /**
   * Throws unless the handle is live; resource methods call it to reject use after release.
   *
   * @param op - The operation being attempted, for the message.
   * @throws KernelError `EFAULT` when the resource was already released.
   */
  protected assertLive(op: string): void {
    if (!this.isLive) {
      if (!hasState(this)) throw kernelError("EINVAL", op, "not an OwnableResource", { resource: this });
      throw kernelError("EFAULT", op, "use of a released resource", { resource: this.describeResource() });
    }
  }

  static {
    // Runs drop() with the handle already dead (RELEASING): a release re-entered from drop() is
    // EALREADY and drop runs once; a drop() that throws puts the handle back, so nothing changed.
    const dropOnce = (handle: OwnableResource, done: typeof CONSUMED | typeof DISPOSED): void => {
      setState(handle, RELEASING);
      let result: unknown;
      try {
        result = handle.drop() as unknown;
      } catch (error) {
        setState(handle, LIVE);
        throw error;
      }
      setState(handle, done);
      // An async drop() (allowed by the types: a Promise is assignable to void) ran once, up to its
      // first await: the handle is released, and the promise is observed and refused.
      if (result !== undefined) dropResult(done, result);
    };
    const finish = (handle: OwnableResource, op: string, disposing: boolean): void => {
      if (!hasState(handle)) throw kernelError("EINVAL", op, "not an owned resource", { resource: handle });
      const state = stateOf(handle);
      if (state === CONSUMED && disposing) return;
      if (state === FRESH) {
        // A never-adopted instance is a borrower's view: only an owner may give the resource back.
        throw kernelError("EPERM", op, "resource is borrowed, not owned", { resource: handle.describeResource() });
      }
      if (state === RELEASING) {
        throw kernelError("EALREADY", op, "resource is being released (called again from its own drop)", { resource: handle.describeResource() });
      }
      if (state !== LIVE) {
        handle.releasedAgain(op);
        throw kernelError("EALREADY", op, "resource was already released", { resource: handle.describeResource() });
      }
      dropOnce(handle, disposing ? DISPOSED : CONSUMED);
    };
    const alreadyOwned = (handle: OwnableResource, op: string): Error =>
      kernelError("EBUSY", op, "resource already has an owner", { resource: handle.describeResource() });
    adopt = (handle, op) => {
      if (!hasState(handle)) throw kernelError("EINVAL", op, "not an OwnableResource", { resource: handle });
      // The error is built out of line: adopt is inlined into every factory.
      if (stateOf(handle) !== FRESH) throw alreadyOwned(handle, op);
      setState(handle, LIVE);
    };
    // The owner operations live on the prototype but not in the class type, so `GpuBuffer` (the
    // borrower's view) has no `release` while `Owned<GpuBuffer>` does. See the module docs.
    Object.defineProperties(OwnableResource.prototype, {
      release: {
        value: function release(this: OwnableResource): void {
          // The common case inline; finish() has every other state (and the brand check) and its errors.
          if (hasState(this) && stateOf(this) === LIVE) {
            dropOnce(this, CONSUMED);
            return;
          }
          finish(this, "release", false);
        },
        writable: true,
        configurable: true,
      },
      [Symbol.dispose]: {
        value: function dispose(this: OwnableResource): void {
          if (hasState(this) && stateOf(this) === LIVE) {
            dropOnce(this, DISPOSED);
            return;
          }
          finish(this, "dispose", true);
        },
        writable: true,
        configurable: true,
      },
    });
  }
}

/**
 * Refuses what an async `drop()` returned (a promise: the resource must be given back
 * synchronously); out of line, so that `release()` and disposal, inlined into their callers, stay
 * within V8's inlining budget (docs/performance-notes.md).
 *
 * @param done - The state the handle went to: which operation ran.
 * @param result - What `drop()` returned, not `undefined`.
 * @throws KernelError `EINVAL` for a thenable.
 */
function dropResult(done: typeof CONSUMED | typeof DISPOSED, result: unknown): void {
  checkSyncResult(done === DISPOSED ? "dispose" : "release", result, "drop()", "a resource is given back synchronously");
}

/**
 * Makes a newly created resource the value of its single owner handle (the kernel's
 * `unsafe { Owned::from_raw(...) }`): a raw operation, so it takes the token of an `unsafe` block.
 *
 * @remarks
 * This is how a factory hands out its instances:
 * `unsafe("SAFETY: the buffer was just created here", (token) => adoptOwned(token, new GpuBuffer(size)))`.
 * It does not copy or wrap: the result is the same object, typed as its owner. A second adoption
 * of the same object is refused at run time (`EBUSY`); the rest of the contract is the caller's.
 *
 * @safety
 * - `resource` was just created by the caller, and no other code holds it as an owner.
 * - The caller keeps no other reference through which it releases the resource.
 *
 * @typeParam Resource - The resource class.
 * @typeParam Lifetime - The `unsafe` block's lifetime.
 * @param token - Proof of an `unsafe(reason, ...)` block.
 * @param resource - The new resource.
 * @returns The resource as its owner.
 * @throws KernelError `EPERM` for a token whose block ended; `EBUSY` when `resource` already has
 *   an owner (it was adopted before).
 *
 * @example
 * ```ts
 * class GpuBuffer extends OwnableResource {
 *   constructor(readonly size: number) { super(); }
 *   static alloc(size: number): Owned<GpuBuffer> {
 *     return unsafe("SAFETY: the buffer was just created and nobody else holds it", (token) => adoptOwned(token, new GpuBuffer(size)));
 *   }
 *   protected override drop(): void {}
 * }
 * adoptOwned(new GpuBuffer(64));
 * // error TS2554: Expected 2 arguments, but got 1.
 * ```
 */
export function adoptOwned<Resource extends OwnableResource, Lifetime = unknown>(token: Unsafe<Lifetime>, resource: Resource): Owned<Resource> {
  assertUnsafe(token, "adoptOwned");
  adopt(resource, "adoptOwned");
  // SAFETY: By OwnableResource's static block, every OwnableResource carries `release` and
  // `[Symbol.dispose]` on its prototype, and adopt() just moved the handle from FRESH to LIVE, so
  // this is its first and only owner (the Owned invariant).
  return resource as Owned<Resource>;
}

/**
 * {@link adoptOwned} without the token or the check, for the kit's own factories (`Page.alloc`),
 * which construct the resource on the same line; not exported from the package.
 *
 * @remarks
 * Does no checking: the caller guarantees the contract of {@link adoptOwned} (the resource is new
 * and has no other owner), and that `resource` is an `OwnableResource` it has just constructed,
 * with no code run on it since (so it is `FRESH`). One store: this is inlined into every kit
 * factory, within V8's inlining budget of the allocation paths (docs/performance-notes.md).
 *
 * @internal
 *
 * @typeParam Resource - The resource class.
 * @param resource - The new resource.
 * @returns The resource as its owner.
 */
export function adoptOwnedUnchecked<Resource extends OwnableResource>(resource: Resource): Owned<Resource> {
  // SAFETY: By this function's contract the caller has just constructed `resource`, so it carries
  // its owner state (OwnableResource's constructor) and is FRESH; this store is its one adoption,
  // and by OwnableResource's static block its prototype carries `release` and `[Symbol.dispose]`
  // (the Owned invariant).
  setState(resource, LIVE);
  return resource as Owned<Resource>;
}
