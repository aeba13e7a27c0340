/**
 * Counted references: {@link ARef} handles, the {@link RefCountedResource} base class and the
 * conversions between {@link Owned} and {@link ARef}.
 *
 * @remarks
 * **Encoding.** As for {@link Owned}, there is no wrapper: a counted resource is a class that
 * extends {@link RefCountedResource} and implements four hooks (`incRef`, `decRef`, `refCount`,
 * `newHandle`). Each JavaScript object is one counted reference; `clone()` takes another reference
 * and returns a new handle object for the same underlying resource (made by `newHandle()`), so each
 * handle can be put exactly once and a second `put()` through an alias is detected. The class type
 * is the borrower's view; `ARef<Texture>` adds `clone()`, `put()` and disposal.
 *
 * The free function {@link put} is declared `asserts reference is never`: after `put(texture)` the
 * binding cannot be used again, with no annotation needed; the method `texture.put()` does the same
 * at run time without narrowing. Disposal puts a live handle and does nothing on a consumed one, so
 * `using` composes with an explicit `put`.
 *
 * **Conversions.** {@link intoARef} turns the owner of a resource that is both {@link Ownable} and
 * {@link AlwaysRefCounted} into a counted reference; {@link intoOwned} turns a counted reference back
 * into the owner, only when it is the last reference (checked at run time, `EBUSY` otherwise). Both
 * consume their argument at run time; since they return a new handle, the compiler cannot also
 * narrow the argument, so later use of it is caught at run time (`EALREADY` from `put`/`release`,
 * `EFAULT` from methods that call `assertLive`).
 *
 * @module
 */
import { checkSyncResult } from "../args.js";
import { kernelError } from "../errors.js";
import {
  handledResource,
  ownableCapability,
  refCountedCapability,
  type AlwaysRefCounted,
  type CapabilityChecks,
  type Ownable,
} from "./capabilities.js";
import { CONSUMED, DISPOSED, FRESH, LIVE, RELEASING } from "./internal/handle-state.js";
import { FieldStamp, type StateBrand, type StateReader, type StateWriter } from "./internal/handle-state.js";
import type { put } from "./moves.js";
import type { Owned, OwnedHandle } from "./Owned.js";
import { assertUnsafe, type Unsafe } from "./Unsafe.js";

/**
 * The operations an {@link ARef} handle adds to its resource.
 *
 * @typeParam Resource - The resource type the reference counts.
 */
export interface ARefHandle<Resource> extends Disposable {
  /**
   * Takes another reference: increments the count and returns a new, independent handle.
   *
   * @throws KernelError `EALREADY` when this handle was already put.
   */
  clone(): this;
  /**
   * Drops this reference.
   *
   * @remarks
   * The method does not narrow the binding; the free function {@link put} does (see `release` on
   * {@link OwnedHandle} for why).
   *
   * @throws KernelError `EALREADY` when this handle was already put (an alias); `EINVAL` when the
   * count is already zero (underflow).
   */
  put(): void;
  /** Puts the reference unless the handle was already consumed; called by `using`. */
  [Symbol.dispose](): void;
  /** Phantom: the counted resource type; never present at run time. */
  readonly [handledResource]?: Resource;
}

/**
 * One counted reference to a resource: the resource's own members plus `clone()`, `put()` and
 * disposal.
 *
 * @remarks
 * `Resource` must be {@link AlwaysRefCounted}; anything else fails with a sentence saying the type
 * has no refcount and to use `Owned<...>` (a resource can declare its own sentence under
 * {@link notRefCountedBecause}).
 *
 * @invariant The resource's count is at least the number of live `ARef` handles to it.
 *
 * @typeParam Resource - The counted resource type (the class type, without handle methods).
 *
 * @example
 * ```ts
 * declare abstract class SharedTexture extends RefCountedResource {
 *   static create(size: number): ARef<SharedTexture>;
 * }
 * declare abstract class GpuBuffer extends OwnableResource {}
 *
 * {
 *   using texture: ARef<SharedTexture> = SharedTexture.create(256);
 *   using second: ARef<SharedTexture> = texture.clone(); // count 2
 * } // both put here
 *
 * type Bad = ARef<GpuBuffer>;
 * // error TS2344: Type 'GpuBuffer' does not satisfy the constraint 'AlwaysRefCounted |
 * //   TypeErrorText<"ARef needs an AlwaysRefCounted resource: this type has no refcount ...">'.
 * ```
 */
export type ARef<Resource extends CapabilityChecks<Resource>["refCounted"]> = Resource & ARefHandle<Resource>;


// Set by RefCountedResource's static block, which alone may touch the private state.
let transfer: (handle: RefCountedResource, op: string) => RefCountedResource;
let assertHeld: (handle: RefCountedResource, op: string) => void;
let adopt: (handle: RefCountedResource, op: string) => void;
let readCount: (resource: RefCountedResource) => number;
let describe: (resource: RefCountedResource) => string;

// Set by HandleState's static block: the only access to the state field.
let stateOf: StateReader<RefCountedResource>;
let hasState: StateBrand;
let setState: StateWriter<RefCountedResource>;

/**
 * The handle state of a {@link RefCountedResource}: a private field stamped onto the handle itself
 * by `new HandleState(handle)`, distinct from `Owned`'s. See `internal/handle-state.ts` for why a
 * leaf class holds it and why each module declares its own.
 */
class HandleState extends FieldStamp {
  #state: number = FRESH;

  static {
    hasState = (value) => typeof value === "object" && value !== null && #state in value;
    stateOf = (handle) => (handle as unknown as HandleState).#state;
    setState = (handle, state) => {
      (handle as unknown as HandleState).#state = state;
    };
  }
}

/**
 * Base class of an {@link AlwaysRefCounted} resource: implements `clone()`, `put()` and disposal on
 * top of four hooks, with detection of a second put through an alias and of count underflow.
 *
 * @remarks
 * The count itself belongs to the subclass (a field, a slot in a typed array, a kernel object): the
 * base only calls the hooks. `decRef()` frees the resource when it drops the last reference.
 *
 * **A borrower's view can clone.** A never-adopted instance (a borrower's view, typed as the class
 * without `clone`) holds no reference: `put`, `intoARef` and `intoOwned` on it are `EPERM`. Its
 * `clone()`, reachable at run time through a cast, is deliberately allowed: it takes a new counted
 * reference on a new handle, exactly as Rust's `ARef::from(&T)` does, so the count stays correct
 * and the view itself stays a view. The type does not offer it, since a borrower that wants a
 * reference should be handed an `ARef`; a view of a resource whose count is already zero is
 * refused (`EINVAL`, as for any clone).
 *
 * @invariant Each handle object calls `decRef()` at most once.
 *
 * @example
 * ```ts
 * class SharedTexture extends RefCountedResource {
 *   private constructor(private readonly shared: { count: number; pixels: Uint8Array }) { super(); }
 *   static create(size: number): ARef<SharedTexture> {
 *     return unsafe("SAFETY: the texture was just created with a count of 1, held here", (token) =>
 *       adoptARef(token, new SharedTexture({ count: 1, pixels: new Uint8Array(size) })));
 *   }
 *   protected override incRef(): void { this.shared.count += 1; }
 *   protected override decRef(): void { this.shared.count -= 1; }
 *   protected override refCount(): number { return this.shared.count; }
 *   protected override newHandle(): this {
 *     // SAFETY: By its private constructor, SharedTexture has no subclasses, so a SharedTexture is `this`.
 *     return new SharedTexture(this.shared) as this;
 *   }
 * }
 * ```
 */
export abstract class RefCountedResource implements AlwaysRefCounted {
  declare readonly [refCountedCapability]: true;

  /** Gives the handle its state (fresh: not adopted as a counted reference yet). */
  constructor() {
    new HandleState(this);
  }

  /** Takes one more reference to the underlying resource. */
  protected abstract incRef(): void;
  /** Drops one reference; frees the underlying resource when it was the last. */
  protected abstract decRef(): void;
  /** The current number of references to the underlying resource. */
  protected abstract refCount(): number;
  /** Creates another handle object for the same underlying resource, without touching the count. */
  protected abstract newHandle(): this;

  /** Names the resource in error messages; defaults to the class name. */
  protected describeResource(): string {
    return this.constructor.name;
  }

  /** `true` until this handle was put, disposed or converted. */
  protected get isLive(): boolean {
    if (!hasState(this)) return false;
    const state = stateOf(this);
    return state === FRESH || state === LIVE;
  }

  /**
   * Throws unless this handle is live; resource methods call it to reject use after put.
   *
   * @param op - The operation being attempted, for the message.
   * @throws KernelError `EFAULT` when this handle was already put.
   */
  protected assertLive(op: string): void {
    if (!this.isLive) {
      if (!hasState(this)) throw kernelError("EINVAL", op, "not a RefCountedResource", { resource: this });
      throw kernelError("EFAULT", op, "use of a reference that was already dropped", {
        resource: this.describeResource(),
      });
    }
  }

  static {
    const brand = (handle: unknown, op: string): void => {
      if (!hasState(handle)) throw kernelError("EINVAL", op, "not a RefCountedResource", { resource: handle });
    };
    const check = (handle: RefCountedResource, op: string): void => {
      brand(handle, op);
      const state = stateOf(handle);
      if (state === RELEASING) {
        throw kernelError("EALREADY", op, "reference is being dropped (called again from its own decrement)", { resource: handle.describeResource() });
      }
      if (state !== FRESH && state !== LIVE) {
        throw kernelError("EALREADY", op, "reference was already dropped", { resource: handle.describeResource() });
      }
    };
    // Put and the conversions need a handle that holds a reference: adopted and not consumed.
    const held = (handle: RefCountedResource, op: string): void => {
      brand(handle, op);
      if (stateOf(handle) === FRESH) {
        // A never-adopted instance is a borrower's view: it holds no reference to drop or convert.
        throw kernelError("EPERM", op, "a borrowed view holds no reference", { resource: handle.describeResource() });
      }
      check(handle, op);
    };
    const put = (handle: RefCountedResource, op: string, disposing: boolean): void => {
      brand(handle, op);
      if (disposing && stateOf(handle) === CONSUMED) return;
      held(handle, op);
      const count = handle.refCount();
      if (typeof count !== "number" || count < 1) {
        throw kernelError("EINVAL", op, "refcount underflow", { resource: handle.describeResource(), count });
      }
      // INVARIANT: the handle is dead (RELEASING) while decRef() runs, so a put re-entered from the
      // decrement is EALREADY and each handle drops once; a decRef() that throws restores it.
      setState(handle, RELEASING);
      let result: unknown;
      try {
        result = handle.decRef() as unknown;
      } catch (error) {
        setState(handle, LIVE);
        throw error;
      }
      setState(handle, disposing ? DISPOSED : CONSUMED);
      // An async decRef() ran once, up to its first await: the reference is dropped, the promise refused.
      if (result !== undefined) checkSyncResult(op, result, "decRef()", "a reference is dropped synchronously");
    };
    adopt = (handle, op) => {
      brand(handle, op);
      if (stateOf(handle) !== FRESH) {
        throw kernelError("EBUSY", op, "reference is already held by a handle", { resource: handle.describeResource() });
      }
      setState(handle, LIVE);
    };
    readCount = (resource) => {
      brand(resource, "refCountOf");
      return resource.refCount();
    };
    describe = (resource) => resource.describeResource();
    assertHeld = held;
    transfer = (handle, op) => {
      held(handle, op);
      const next = handle.newHandle();
      brand(next, op);
      setState(next, LIVE);
      setState(handle, CONSUMED);
      return next;
    };
    const clone = function clone(this: RefCountedResource): RefCountedResource {
      check(this, "clone");
      const count = this.refCount();
      if (count < 1 || count >= Number.MAX_SAFE_INTEGER) {
        throw kernelError("EINVAL", "clone", "refcount out of range", { resource: this.describeResource(), count });
      }
      const next = this.newHandle();
      brand(next, "clone");
      this.incRef();
      setState(next, LIVE);
      return next;
    };
    // The handle operations live on the prototype but not in the class type, so `SharedTexture`
    // (the borrower's view) has no `put` or `clone` while `ARef<SharedTexture>` does.
    const method = (value: (this: RefCountedResource) => unknown): PropertyDescriptor => ({
      value,
      writable: true,
      configurable: true,
    });
    Object.defineProperties(RefCountedResource.prototype, {
      clone: method(clone),
      put: method(function put_(this: RefCountedResource) {
        put(this, "put", false);
      }),
      release: method(function release(this: RefCountedResource) {
        put(this, "release", false);
      }),
      [Symbol.dispose]: method(function dispose(this: RefCountedResource) {
        put(this, "dispose", true);
      }),
    });
  }
}

/**
 * Base class of a resource that is both {@link Ownable} and {@link AlwaysRefCounted}: it can be held
 * as `Owned<Self>` (releasing drops the last reference) or as `ARef<Self>`.
 *
 * @remarks
 * The hooks are those of {@link RefCountedResource}. An `Owned` handle of such a resource is one
 * reference that no other handle shares; {@link intoARef} and {@link intoOwned} convert between the
 * two views.
 */
export abstract class OwnableRefCountedResource extends RefCountedResource implements Ownable {
  declare readonly [ownableCapability]: true;
}

/**
 * Makes a newly created resource the value of a counted reference; the reference it already holds
 * (count 1 for a new resource) moves into the handle (the kernel's `unsafe { ARef::from_raw(...) }`):
 * a raw operation, so it takes the token of an `unsafe` block.
 *
 * @remarks
 * A second adoption of the same object is refused at run time (`EBUSY`); the rest of the contract
 * is the caller's.
 *
 * @safety
 * - The caller holds one reference to `resource` that no other handle accounts for, and gives it up.
 * - `resource` was just created by the caller (it never was a handle before).
 *
 * @typeParam Resource - The resource class.
 * @typeParam Lifetime - The `unsafe` block's lifetime.
 * @param token - Proof of an `unsafe(reason, ...)` block.
 * @param resource - The new resource.
 * @returns The resource as a counted reference.
 * @throws KernelError `EPERM` for a token whose block ended; `EBUSY` when `resource` already is a handle.
 *
 * @example
 * ```ts
 * declare class SharedTexture extends RefCountedResource {
 *   constructor(size: number); // starts with a count of 1
 *   protected incRef(): void;
 *   protected decRef(): void;
 *   protected refCount(): number;
 *   protected newHandle(): this;
 * }
 *
 * function createTexture(size: number): ARef<SharedTexture> {
 *   return unsafe("SAFETY: the texture was just created with a count of 1, held here", (token) =>
 *     adoptARef(token, new SharedTexture(size)));
 * }
 * adoptARef(new SharedTexture(64));
 * // error TS2554: Expected 2 arguments, but got 1.
 * ```
 */
export function adoptARef<Resource extends RefCountedResource, Lifetime = unknown>(token: Unsafe<Lifetime>, resource: Resource): ARef<Resource> {
  assertUnsafe(token, "adoptARef");
  return adoptARefUnchecked(resource);
}

/**
 * {@link adoptARef} without the token, for the kit's own factories (`Folio.alloc`, page-cache
 * lookups), which take the reference on the line before; not exported from the package.
 *
 * @remarks
 * Does no checking beyond the run-time `EBUSY` of a second adoption: the caller guarantees the
 * contract of {@link adoptARef} (it holds one reference no other handle accounts for).
 *
 * @internal
 *
 * @typeParam Resource - The resource class.
 * @param resource - The new resource.
 * @returns The resource as a counted reference.
 * @throws KernelError `EBUSY` when `resource` already is a handle.
 */
export function adoptARefUnchecked<Resource extends RefCountedResource>(resource: Resource): ARef<Resource> {
  adopt(resource, "adoptARef");
  // SAFETY: By RefCountedResource's static block, every RefCountedResource carries `clone`, `put`
  // and `[Symbol.dispose]` on its prototype; the caller hands over one reference no other handle
  // accounts for (the contract above), which keeps the ARef invariant (count >= live handles).
  return resource as ARef<Resource>;
}

/**
 * Adopts a newly created {@link OwnableRefCountedResource} as its single owner (the kernel's
 * `unsafe { Owned::from_raw(...) }` for a refcounted object): a raw operation, so it takes the token
 * of an `unsafe` block.
 *
 * @remarks
 * Checked at run time: the object must never have been a handle and its count must be 1. That does
 * not prove the reference is the caller's: a borrower's view (a never-adopted instance, see
 * {@link RefCountedResource}) of a resource whose one reference an `ARef` or `Owned` holds passes
 * both checks, and adopting it would make a second owner that frees the resource under the first.
 *
 * @safety
 * - `resource` was just created by the caller with a count of 1, and that reference is the caller's.
 * - No other handle or view accounts for the reference.
 *
 * @typeParam Resource - The resource class.
 * @typeParam Lifetime - The `unsafe` block's lifetime.
 * @param token - Proof of an `unsafe(reason, ...)` block.
 * @param resource - The new resource.
 * @returns The resource as its owner.
 * @throws KernelError `EPERM` for a token whose block ended or that is not a token; `EBUSY` when
 *   `resource` already is a handle; `EINVAL` when its count is not 1.
 */
export function adoptOwnedRefCounted<Resource extends OwnableRefCountedResource, Lifetime = unknown>(token: Unsafe<Lifetime>, resource: Resource): Owned<Resource> {
  assertUnsafe(token, "adoptOwned");
  const count = readCount(resource);
  if (count !== 1) {
    throw kernelError("EINVAL", "adoptOwned", "a new owner needs a count of 1", { resource: describe(resource), count });
  }
  adopt(resource, "adoptOwned");
  // SAFETY: By RefCountedResource's static block, a RefCountedResource carries `release` (drops the
  // reference) and `[Symbol.dispose]` on its prototype; the count checked above is 1 and adopt()
  // moved the handle from FRESH, so the owner holds the only reference (the Owned invariant).
  return resource as unknown as Owned<Resource>;
}

/**
 * Turns the owner of a resource that is also refcounted into a counted reference, consuming the owner.
 *
 * @remarks
 * The count does not change: the owner's reference becomes the `ARef`'s. The argument is consumed at
 * run time (a later `release()` on it throws `EALREADY`).
 *
 * @typeParam Resource - A resource class extending {@link OwnableRefCountedResource}.
 * @param owner - The owner to convert.
 * @returns A new handle holding the owner's reference.
 * @throws KernelError `EALREADY` when `owner` was already consumed; `EPERM` when `owner` is a
 * borrower's view that was never adopted (it holds no reference).
 */
export function intoARef<Resource extends OwnableRefCountedResource>(owner: Owned<Resource>): ARef<Resource> {
  // SAFETY: By the contract of RefCountedResource.newHandle (it returns `this` type), `transfer`
  // returns a handle of the resource's own class, holding the owner's reference.
  return transfer(owner, "intoARef") as ARef<Resource>;
}

/**
 * Turns a counted reference back into the single owner, only when it is the last reference.
 *
 * @typeParam Resource - A resource class extending {@link OwnableRefCountedResource}.
 * @param reference - The reference to convert; consumed on success, untouched on failure.
 * @returns A new handle that owns the resource.
 * @throws KernelError `EALREADY` when `reference` was already put; `EPERM` when it is a borrower's
 * view that was never adopted; `EBUSY` naming the count when other references exist.
 */
export function intoOwned<Resource extends OwnableRefCountedResource>(reference: ARef<Resource>): Owned<Resource> {
  assertHeld(reference, "intoOwned");
  const count = refCountOf(reference);
  if (count !== 1) {
    throw kernelError("EBUSY", "intoOwned", "other references exist", {
      resource: describe(reference),
      count,
    });
  }
  // SAFETY: By the check above (count 1, held by `reference`) and the contract of newHandle (same
  // class), the new handle holds the only reference: the Owned invariant of a single owner.
  return transfer(reference, "intoOwned") as unknown as Owned<Resource>;
}

/**
 * Reads the reference count of a counted resource, for diagnostics and tests.
 *
 * @param resource - Any handle or view of a {@link RefCountedResource}.
 * @returns The current count.
 */
export function refCountOf(resource: RefCountedResource): number {
  return readCount(resource);
}
