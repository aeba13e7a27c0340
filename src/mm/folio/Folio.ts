/**
 * The folio handles: {@link Folio} (a refcounted group of contiguous pages, `struct folio`, held as
 * `ARef<Folio>`), {@link UniqueFolio} (fresh from {@link Folio.alloc}, writable without a lock) with
 * its move {@link intoShared}, and {@link LockedFolio} (the guard of a locked folio, the only writer
 * of a shared folio).
 *
 * @remarks
 * One file because the three are one concept whose types name each other: `Folio.alloc` returns a
 * `UniqueFolio`, which extends `Folio`; `folio.lock()` returns a `LockedFolio`, whose `folio` is a
 * `Folio`. Split into files, they would import each other in a circle.
 *
 * A folio is `AlwaysRefCounted`: every handle object is one counted reference (`clone()` is
 * `folio_get`, `put()` and disposal are `folio_put`). The class type has no way to write: the
 * page cache shares folios, and the thread settled that only a locked folio may be brought uptodate
 * (`write`, `zeroOut`, `markUptodate` exist only on {@link LockedFolio}, M7) and that a freshly
 * allocated folio nobody else can see may be written through {@link UniqueFolio}. There is no error
 * flag (`PG_error` was removed from the kernel; M13).
 *
 * **UniqueFolio.**
 *
 * **Unique aliasing, not refcount 1.** The thread asked "How do we know it only has a single
 * reference?" and settled that `UniqueFolio` means no other *handle* aliases the folio: it comes only
 * from {@link Folio.alloc}, and the kernel "can make temporary spurious references to folios
 * appear", so the refcount may be above 1 while the folio is still unique in this sense.
 *
 * **Exclusive at run time.** Rust's borrow checker stops `sb.sread(..., folio)` while a mapping `a`
 * of the folio is live. Here the handle tracks its mappings: any number of read mappings, or one
 * write mapping; a write mapping or an exclusive operation (`write`, `zeroOut`, `memcpyToFolio`,
 * `intoShared`) while another mapping is live is `EBUSY` naming the live borrow (M17, M29).
 *
 * **`intoShared()`: the binding becomes the shared handle.** TypeScript assertion functions return
 * `void`, so a method cannot both return the `ARef<Folio>` and consume its receiver. Instead
 * `intoShared()` is a `this`-assertion that narrows the (annotated) binding from `UniqueFolio` to
 * {@link SharedFolio}: the same object, now an `ARef<Folio>` (`clone`, `put`, `lock`, read
 * mappings), whose unique members all demand a `this` of type {@link UniqueFolioWasConsumed}, so
 * calling any of them is a compile error whose text says the UniqueFolio was consumed (M12):
 *
 * ```ts
 * const unique: UniqueFolio = Folio.alloc(0);
 * unique.write(0, header);
 * unique.intoShared();
 * const shared: ARef<Folio> = unique;            // ok: the binding is the shared handle now
 * unique.write(0, header);
 * // error TS2684: The 'this' context of type 'SharedFolio' is not assignable to method's 'this' of
 * //   type 'UniqueFolioWasConsumed'. Property '"this UniqueFolio was consumed by intoShared(): ..."' is missing ...
 * ```
 *
 * An alias kept from before (`const alias = unique`) is not tracked by the compiler; it fails at
 * run time with `EALREADY` "consumed by intoShared()". The reverse, {@link Folio.intoUnique}, is
 * allowed only for the last reference (`EBUSY` naming the count otherwise).
 *
 * **LockedFolio.**
 *
 * In the thread: "if the folio is !uptodate then you must have the lock to write to the folio in
 * order to bring it uptodate (so we have a single writer rule in that regard)", and the folio lock
 * bit is "a reasonable use -- preventing two threads from modifying the same folio at the same
 * time". So `write`, `zeroOut` and `markUptodate` exist only here (M7), and the guard is the lock:
 * disposing it unlocks (`using locked = folio.lock()`).
 *
 * Lock order (M32): folios of one mapping are locked in ascending index order, as the kernel's
 * filemap code does; locking a folio while a folio of the same mapping with a higher index is held
 * by the kit is `EDEADLK` naming the rule and both indexes. A simulator has no sleeping, so locking
 * a folio that is already locked is `EBUSY` rather than a wait.
 *
 * @module
 */
import { isU32 } from "../../args.js";
import { GFP_KERNEL, MAX_PAGE_ORDER, PG_locked, PG_uptodate, __GFP_COMP, type Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import { RefCountedResource, notOwnableBecause, refCountOf, type ARef, type TypeErrorText } from "../../ownership/index.js";
import { adoptARefUnchecked } from "../../ownership/ARef.js";
import { machineArg, privateConstructor } from "../internal/mm-args.js";
import { toPhysAddr, type PhysAddr } from "../units/addr.js";
import type { Gfp } from "../units/gfp.js";
import { loff, type Loff } from "../units/loff.js";
import { MappingRegistry, checkedChunks, copyFromFolio, copyToFolio, FolioState, zeroFolioRange, type MapAccess } from "./folio-state.js";
import type { FolioView, ReadonlyFolioView } from "./folio-view.js";
import { mapGuardFriend, type MapBody } from "./MapGuard.js";

/** The engine of every `map`/`mapMut` method, copied into a module-local constant. */
const { mapWith } = mapGuardFriend;

/**
 * What the static blocks of `Folio` and `LockedFolio` grant to `AddressSpace` (through
 * {@link folioFriend}) and to each other in this file.
 */
interface FolioFriend {
  /** Takes a new counted reference to the folio at `pfn` (`folio_get`) and returns its handle. */
  readonly get: (machine: Machine, pfn: number) => ARef<Folio>;
  /** Whether a folio handle still holds its reference (not put, disposed or converted). */
  readonly isLive: (folio: Folio) => boolean;
  /** The first page of a genuine folio handle's folio (the caller checked the handle). */
  readonly pfn: (folio: Folio) => number;
  /** Fails when locking index `index` of `mapping` would break the ascending-index rule (M32). */
  readonly checkLockOrder: (machine: Machine, mapping: number, index: number) => void;
  /** `LockedFolio.prototype[Symbol.dispose]` as the class defined it: unlocks unless already unlocked. */
  readonly unlock: (this: LockedFolio) => void;
}

/** The key of `Folio`'s constructor: module-local, so only this file constructs a folio handle. */
const FOLIO_KEY: unique symbol = Symbol("Folio");
/** The key of `LockedFolio`'s constructor: module-local, so only `lockFolio` constructs a guard. */
const LOCKED_KEY: unique symbol = Symbol("LockedFolio");

/** Set by `Folio`'s static block. */
let folioAccess: Pick<FolioFriend, "get" | "isLive" | "pfn">;

/**
 * The state of the next handle `Folio.#make` constructs, read by `Folio`'s field initialiser: set
 * only by `#make`, on the line before its `new Folio(FOLIO_KEY)`, and emptied right after (the key
 * refuses any other construction).
 */
let nextState: FolioState | undefined;

/** Set by `LockedFolio`'s static block: locks a folio and returns its guard; the engine of `Folio.lock()`. */
let lockFolio: (folio: Folio, state: FolioState) => LockedFolio;
/** Set by `LockedFolio`'s static block. */
let lockAccess: Pick<FolioFriend, "checkLockOrder" | "unlock">;

/**
 * The `this` that `markUptodate` demands of a shared folio: a sentence naming the fix, which the
 * compiler prints instead of "Did you mean 'uptodate'?" (M7).
 */
export type FolioNeedsLock = TypeErrorText<"lock() the folio first: only a LockedFolio may markUptodate(), write() or zeroOut() a shared folio">;

// Declaration merging: a member that exists in the type only, so that calling it on a folio handle
// is an error whose text says what to do.
export interface Folio {
  /**
   * Not on a folio handle: `lock()` the folio and call `markUptodate()` on the {@link LockedFolio}
   * guard. Exists in the type only (no value satisfies its `this`), so the compiler's error says so.
   */
  markUptodate(this: FolioNeedsLock): never;
}

/**
 * A folio: `2^order` contiguous pages with one refcount, flags and a place in a file; the class type
 * is the borrower's view, `ARef<Folio>` a counted reference.
 *
 * @invariant A live handle names the folio by `(pfn, gen)`; once the folio is freed every handle
 *   is rejected (`EFAULT`), even after its pages are reused.
 * @invariant The folio's refcount is at least the number of live handles to it.
 * @invariant A `Folio` handle never writes the folio's bytes or flags; writers are
 *   {@link UniqueFolio} and {@link LockedFolio}.
 *
 * @example
 * ```ts
 * declare const space: AddressSpace;
 * declare function fill(locked: LockedFolio): void;
 *
 * using shared: ARef<Folio> = space.readFolio(0, fill);
 * shared.size;                           // 4096
 * shared.map(0, ({ view }) => view[0]);  // read
 * shared.markUptodate();
 * // error TS2684: The 'this' context of type 'ARef<Folio>' is not assignable to method's 'this' of type
 * //   'FolioNeedsLock' ... Property '"lock() the folio first: only a LockedFolio may markUptodate(), ..."' is missing
 * shared.setError();
 * // error TS2339: Property 'setError' does not exist on type 'ARef<Folio>'.
 * ```
 */
export class Folio extends RefCountedResource {
  /** Why `Owned<Folio>` does not compile; exists in the type only. */
  declare readonly [notOwnableBecause]: "a folio is shared by the page cache; hold ARef<Folio>, or a UniqueFolio from Folio.alloc";
  /**
   * The state every handle of this folio shares; also the brand of a genuine folio handle
   * (`Object.create(Folio.prototype)` and Proxies lack it). Private: a handle's state reached by
   * `Object.getOwnPropertySymbols` could be given another folio's pfn, or be marked unique while
   * shared. Defined with its value (from {@link nextState}, set on the line before `new Folio`), so
   * V8 tracks its type.
   */
  // SAFETY: By the contract of nextState (set by Folio's factories on the line before their
  // `new Folio(FOLIO_KEY)`, emptied only after it), it holds this handle's state while this runs.
  readonly #state: FolioState = nextState as FolioState;

  private constructor(key: typeof FOLIO_KEY) {
    // `private` binds the type only: the module-local key refuses `Reflect.construct(Folio, ...)`
    // and subclasses, which would make a handle to any state.
    if (key !== FOLIO_KEY) throw privateConstructor("Folio", "Folio.alloc or AddressSpace");
    super();
  }

  /** Makes a handle on `state` (the private constructor, with the state passed through {@link nextState}). */
  static #make(state: FolioState): Folio {
    nextState = state;
    // Nothing runs between the store above and the field initialiser that reads it (the base
    // constructors call no code outside ownership/), so it is this handle's.
    const folio = new Folio(FOLIO_KEY);
    // Emptied again: kept, it would hold the last folio's state (and its machine) alive.
    nextState = undefined;
    return folio;
  }

  /**
   * Allocates a folio of `2^order` pages (`folio_alloc`), unique: no other handle aliases it.
   *
   * @remarks
   * Unique means no other handle aliases the folio, not that its refcount is 1: the kernel may take
   * spurious references that appear and go away again.
   *
   * @param order - 0..10 (`MAX_PAGE_ORDER` inclusive).
   * @param gfp - GFP flags chosen by the caller; `__GFP_COMP` is added (a folio is compound).
   * @param machine - The machine; the default machine when omitted.
   * @returns The new folio, refcount 1.
   * @throws KernelError `EINVAL` for an order that is not an integer or bad GFP flags; `EDOM` for an
   *   order above 10 (M26); `ENOMEM` when no block is free (allocator unchanged, M26).
   *
   * @example
   * ```ts
   * const unique: UniqueFolio = Folio.alloc(2);
   * Folio.alloc(11); // KernelError EDOM: folio_alloc: order above MAX_PAGE_ORDER (order=11, max=10)
   * ```
   */
  static alloc(order: number, gfp: Gfp = GFP_KERNEL, machine?: Machine): UniqueFolio {
    const op = "folio_alloc";
    const target = machineArg(op, machine);
    // Type first: `gfp | __GFP_COMP` below would coerce a string, an object or NaN into flags.
    if (!isU32(gfp)) throw kernelError("EINVAL", op, "gfp is not a set of GFP flags", { gfp });
    if (typeof order !== "number" || !Number.isInteger(order) || order < 0) {
      throw kernelError("EINVAL", op, "order is not a non-negative integer", { order: order });
    }
    if (order > MAX_PAGE_ORDER) throw kernelError("EDOM", op, "order above MAX_PAGE_ORDER", { order, max: MAX_PAGE_ORDER });
    const pfn = target.allocPages(gfp | __GFP_COMP, order);
    // INVARIANT: the new folio has one reference, held by this handle, and no other handle exists.
    const folio = adoptARefUnchecked(Folio.#make(new FolioState(target, pfn, target.pageGen(pfn), true)));
    // SAFETY: By Folio's static block, the UniqueFolioMembers are defined on Folio.prototype; by
    // the INVARIANT just established this is the folio's only handle, and its state is unique: the
    // UniqueFolio invariants.
    return folio as unknown as UniqueFolio;
  }

  /**
   * Tells whether a value is a genuine folio handle (a brand check: not `instanceof`, which
   * `Object.create(Folio.prototype)` and a `Proxy` pass).
   *
   * @param value - Any value.
   * @returns `true` for a handle made by this class.
   */
  static isFolio(value: unknown): value is Folio {
    return typeof value === "object" && value !== null && #state in value;
  }

  /**
   * Turns the last counted reference back into a {@link UniqueFolio}, consuming `shared`.
   *
   * @param shared - The reference; it must be the folio's only one (not cached, no clones) and
   *   not locked (a LockedFolio guard would be a second writer).
   * @returns A new unique handle; `shared` is consumed (`put()` on it throws `EALREADY`).
   * @throws KernelError `EBUSY` naming the count when other references exist, when the folio
   *   is locked, or naming the mapping while a mapping of it is live (M46); `EALREADY` when `shared` was already put; `EINVAL` when it is not a folio.
   */
  static intoUnique(shared: ARef<Folio>): UniqueFolio {
    const op = "folio_into_unique";
    if (!Folio.isFolio(shared)) throw kernelError("EINVAL", op, "not a Folio", { shared });
    if (!shared.isLive) throw kernelError("EALREADY", op, "reference was already dropped", { folio: shared.describeResource() });
    const { machine, pfn, gen } = shared.#state;
    // testPageFlag also rejects a handle whose folio was freed (EFAULT).
    if (machine.testPageFlag(pfn, gen, PG_locked)) throw kernelError("EBUSY", op, "folio is locked", { folio: shared.describeResource() });
    // A live mapping of this handle (a shared map closure, chunk iteration) would read under the
    // new unique handle's writes: EBUSY naming the mapping.
    shared.#state.mappings.exclusive(op);
    // A mapping made through another handle of the folio (a second lookup of the same index has its
    // own borrows) is seen by the core: any live local mapping or kmap of its pages is EBUSY.
    machine.checkUnmapped(op, pfn, machine.pageOrder(pfn));
    const count = refCountOf(shared);
    if (count !== 1) throw kernelError("EBUSY", op, "other references exist", { folio: shared.describeResource(), count });
    const next = shared.clone();
    shared.put();
    // INVARIANT: the count is back to 1, held by `next`, the only live handle object.
    next.#state.unique = true;
    // SAFETY: By Folio's static block the UniqueFolioMembers are on the prototype, and by the
    // INVARIANT just established `next` is the only handle: the UniqueFolio invariants, as in alloc().
    return next as unknown as UniqueFolio;
  }

  /** The size in bytes (`folio_size`): `PAGE_SIZE << order`. */
  get size(): number {
    Folio.#live(this, "folio_size");
    return this.#state.size();
  }

  /** Checks this handle, and that its folio was not freed, in the name of `op`; returns its state. */
  /**
   * Checks that `folio` is a genuine, live folio handle: a method called with another `this`
   * (`const { lock } = folio; lock()`, `Reflect.apply`) is `EINVAL`, never a `TypeError`.
   */
  static #live(folio: unknown, op: string): Folio {
    if (!Folio.isFolio(folio)) throw kernelError("EINVAL", op, "not a Folio", { folio });
    folio.assertLive(op);
    return folio;
  }

  static #checked(folio: Folio, op: string): FolioState {
    const state = Folio.#live(folio, op).#state;
    state.machine.checkHandle(op, state.pfn, state.gen);
    return state;
  }

  /** The order (`folio_order`): the folio has `2^order` pages. */
  get order(): number {
    const { machine, pfn } = Folio.#checked(this, "folio_order");
    return machine.pageOrder(pfn);
  }

  /** The index in its file, in pages (`folio->index`); 0 when not in a page cache. */
  get index(): number {
    const { machine, pfn } = Folio.#checked(this, "folio_index");
    return Math.max(0, machine.pageCache.indexOf(pfn));
  }

  /** The byte position in its file (`folio_pos`): `index * PAGE_SIZE`, as a {@link Loff}. */
  get pos(): Loff {
    Folio.#live(this, "folio_pos");
    const index = this.index;
    return loff(BigInt(index) * BigInt(this.#state.machine.pageSize));
  }

  /** Whether the contents are valid (`folio_test_uptodate`); set only through a {@link LockedFolio}. */
  get uptodate(): boolean {
    Folio.#live(this, "folio_test_uptodate");
    const { machine, pfn, gen } = this.#state;
    return machine.testPageFlag(pfn, gen, PG_uptodate);
  }

  /** Whether the folio is locked (`folio_test_locked`). */
  get locked(): boolean {
    Folio.#live(this, "folio_test_locked");
    const { machine, pfn, gen } = this.#state;
    return machine.testPageFlag(pfn, gen, PG_locked);
  }

  /**
   * The physical address of the folio's first byte (`PFN_PHYS(folio_pfn(folio))`).
   *
   * @remarks
   * A folio is physically contiguous and naturally aligned to its size, so `[phys, phys + size)` is
   * one range a device can be pointed at (through an IOMMU mapping, for example).
   *
   * @returns The folio's physical address.
   * @throws KernelError `EFAULT` for a handle whose folio was freed.
   */
  phys(): PhysAddr {
    const state = Folio.#checked(this, "folio_phys");
    return toPhysAddr(state.pfn * state.machine.pageSize);
  }

  /** Whether the folio lies in HIGHMEM (`folio_test_highmem`): mappings then end at page ends. */
  get highmem(): boolean {
    const { machine, pfn } = Folio.#checked(this, "folio_test_highmem");
    return machine.isHighmem(pfn);
  }

  /**
   * Flushes the data cache for the folio's pages (`flush_dcache_folio`); a no-op on the simulated
   * machine, which has no aliasing caches, but it checks the handle.
   *
   * @throws KernelError `EFAULT` for a dropped or freed folio.
   */
  flushDcache(): void {
    Folio.#checked(this, "flush_dcache_folio");
  }

  /**
   * Locks the folio (`folio_lock`) and returns the guard that may write it; disposing unlocks.
   *
   * @returns The guard: bind it with `using locked = folio.lock()`.
   * @throws KernelError `EBUSY` when the folio is already locked (a simulator cannot sleep);
   *   `EDEADLK` naming the rule and both indexes when a folio of the same mapping with a higher
   *   index is locked (M32: lock in ascending index order).
   *
   * @example
   * ```ts
   * declare const folio: ARef<Folio>;
   *
   * {
   *   using locked = folio.lock();
   *   locked.zeroOut(0, locked.size);
   *   locked.markUptodate();
   * } // unlocked
   * ```
   */
  lock(): LockedFolio {
    Folio.#live(this, "folio_lock");
    return lockFolio(this, this.#state);
  }

  /**
   * Maps the folio for reading at byte `offset` (`kmap_local_folio`) and lends the guard to `body`.
   *
   * @remarks
   * The view reaches the end of the page on HIGHMEM and in force-map mode, and the end of the folio
   * otherwise; use {@link Folio.forEachChunk} or {@link Folio.memcpyFromFolio} to cover a range the
   * same way on every machine. The view is read-only by type (M6).
   *
   * @typeParam Result - What `body` returns; must not contain the guard or its view (M8).
   * @param offset - `0 <= offset < size`.
   * @param body - Receives a `"read"` {@link MapGuard}.
   * @returns What `body` returned.
   * @throws KernelError `EINVAL` for a bad offset (M25); `ENOSPC` when the CPU's slots are full;
   *   `EBUSY` on a UniqueFolio with a live write mapping (M29); `EINVAL` when `body` returns a
   *   promise (a mapping closure must be synchronous), after releasing the mapping.
   */
  map<Result>(offset: number, body: MapBody<"read", Result>): Result {
    Folio.#live(this, "folio_map");
    const state = this.#state;
    // A shared mapping registers its borrow too: intoUnique must see it (EBUSY naming the mapping).
    return mapWith(state, state.mappings, "read", "folio_map", offset, body);
  }

  /**
   * Calls `body` once per mapped chunk of `[offset, offset + length)`, read-only: once without
   * HIGHMEM, once per page on HIGHMEM and in force-map mode.
   *
   * @param offset - The first byte.
   * @param length - The number of bytes; `offset + length <= size`.
   * @param body - Receives each chunk (exactly its bytes) and its folio offset.
   * @throws KernelError `EINVAL` for a range outside the folio (M25); `EINVAL` when `body` returns
   *   a promise (a mapping closure must be synchronous), after releasing the mapping.
   *
   * @remarks
   * `body` must not keep a chunk view after it returns: the mapping is released at once and a
   * JavaScript view cannot be revoked (with `debug.views` a kept view fails at its next use).
   */
  forEachChunk(offset: number, length: number, body: <Lifetime>(view: ReadonlyFolioView<Lifetime>, offset: number) => void): void {
    Folio.#live(this, "folio_chunks");
    const state = this.#state;
    const token = state.mappings.begin("folio_chunks", "read", "read chunks", offset);
    try {
      checkedChunks(state, "folio_chunks", offset, length, body, "read");
    } finally {
      state.mappings.end(token);
    }
  }

  /**
   * Copies `dst.length` folio bytes from `offset` into `dst`, chunk by chunk (`memcpy_from_folio`).
   *
   * @remarks
   * On HIGHMEM and in force-map mode each chunk is a `kmap_local` mapping of one page; a folio in
   * the direct map is copied in one step and takes no mapping slot.
   *
   * @param dst - Receives the bytes.
   * @param offset - The first folio byte; `offset + dst.length <= size`.
   * @throws KernelError `EINVAL` for a range outside the folio (M25); `EBUSY` on a UniqueFolio with
   *   a live write mapping.
   */
  memcpyFromFolio(dst: Uint8Array, offset: number): void {
    Folio.#live(this, "memcpy_from_folio");
    const state = this.#state;
    // The copy runs no caller code, so nothing can start a mapping while it runs: it only needs
    // no write mapping to be live, and registers no borrow.
    if (state.unique) state.mappings.readable("memcpy_from_folio", "memcpy_from_folio", offset);
    copyFromFolio(state, "memcpy_from_folio", dst, offset);
  }

  protected override incRef(): void {
    const { machine, pfn, gen } = this.#state;
    machine.folioGet(pfn, gen);
  }

  protected override decRef(): void {
    const state = this.#state;
    if (state.unique) state.mappings.exclusive("folio_put");
    state.machine.folioPut(state.pfn, state.gen);
    // INVARIANT: a dropped unique handle leaves no unique handle behind.
    state.unique = false;
  }

  protected override refCount(): number {
    const { machine, pfn, gen } = this.#state;
    // A stale handle counts as zero references, so a put through it is a refcount underflow (M21).
    return machine.isAllocated(pfn) && machine.pageGen(pfn) === gen ? machine.refCount(pfn) : 0;
  }

  /** A new handle for `clone()`; refused for a UniqueFolio, which no other handle may alias. */
  protected override newHandle(): this {
    const state = this.#state;
    if (state.unique) {
      throw kernelError("EBUSY", "folio_get", "a UniqueFolio has no other handle; intoShared() it before cloning", { folio: this.describeResource() });
    }
    // SAFETY: By its private constructor, Folio has no subclasses, so a Folio is `this`.
    return Folio.#make(state) as this;
  }

  protected override describeResource(): string {
    const { pfn, gen } = this.#state;
    return `Folio(pfn=${pfn}, gen=${gen})`;
  }

  static {
    // The unique members live on the prototype but not in the class type, so `Folio` and
    // `ARef<Folio>` have no writing member (M7) while a `UniqueFolio` does.
    for (const [name, value] of Object.entries(uniqueMembers((folio, op) => Folio.#live(folio, op), (folio) => folio.#state))) {
      Object.defineProperty(Folio.prototype, name, { value, writable: true, configurable: true });
    }
    folioAccess = {
      isLive: (folio) => folio.isLive,
      pfn: (folio) => folio.#state.pfn,
      get: (machine, pfn) => {
        const gen = machine.pageGen(pfn);
        machine.folioGet(pfn, gen);
        // INVARIANT: the reference just taken belongs to the new handle.
        return adoptARefUnchecked(Folio.#make(new FolioState(machine, pfn, gen, false)));
      },
    };
  }
}

/**
 * The run-time members of a {@link UniqueFolio}, which `Folio`'s static block defines on
 * `Folio.prototype`, outside the class type.
 *
 * @param assertLive - The handle's liveness check (`EFAULT` after put).
 * @returns The members by name.
 */
function uniqueMembers(assertLive: (folio: Folio, op: string) => void, stateOf: (folio: Folio) => FolioState): Record<string, (this: Folio, ...args: never[]) => unknown> {
  const unique = (folio: Folio, op: string): FolioState => {
    assertLive(folio, op);
    const state = stateOf(folio);
    if (!state.unique) throw kernelError("EALREADY", op, "UniqueFolio was consumed by intoShared(); lock() the shared folio to write", { folio: `pfn=${state.pfn}` });
    return state;
  };
  const exclusive = (folio: Folio, op: string): FolioState => {
    const state = unique(folio, op);
    state.mappings.exclusive(op);
    return state;
  };
  const members: Record<string, (this: Folio, ...args: never[]) => unknown> = {
    mapMut<Result>(this: Folio, offset: number, body: MapBody<"write", Result>): Result {
      const state = unique(this, "folio_map_mut");
      return mapWith(state, state.mappings, "write", "folio_map_mut", offset, body);
    },
    write(this: Folio, offset: number, src: Uint8Array): void {
      copyToFolio(exclusive(this, "memcpy_to_folio"), "memcpy_to_folio", offset, src);
    },
    memcpyToFolio(this: Folio, offset: number, src: Uint8Array): void {
      copyToFolio(exclusive(this, "memcpy_to_folio"), "memcpy_to_folio", offset, src);
    },
    zeroOut(this: Folio, offset: number, length: number): void {
      zeroFolioRange(exclusive(this, "folio_zero_range"), "folio_zero_range", offset, length);
    },
    forEachChunkMut(this: Folio, offset: number, length: number, body: <Lifetime>(view: FolioView<Lifetime>, offset: number) => void): void {
      const state = unique(this, "folio_chunks_mut");
      const token = state.mappings.begin("folio_chunks_mut", "write", "write chunks", offset);
      try {
        checkedChunks(state, "folio_chunks_mut", offset, length, body, "write");
      } finally {
        state.mappings.end(token);
      }
    },
    intoShared(this: Folio): void {
      const state = exclusive(this, "folio_into_shared");
      // INVARIANT: from here on the handle is an ordinary ARef<Folio>; aliases of the unique handle fail.
      state.unique = false;
    },
  };
  return members;
}

/**
 * The `this` type that every unique member demands after `intoShared()`: a sentence saying the
 * UniqueFolio was consumed, which the compiler prints.
 */
export type UniqueFolioWasConsumed = TypeErrorText<"this UniqueFolio was consumed by intoShared(): the binding is now an ARef<Folio>; lock() it to write">;

/**
 * What a {@link UniqueFolio} adds to the {@link Folio} members: writing without a lock, and the
 * conversions that end uniqueness.
 */
export interface UniqueFolioMembers {
  /**
   * Maps the folio for writing at byte `offset` and lends the guard to `body`.
   *
   * @typeParam Result - What `body` returns; must not contain the guard or its view (M8).
   * @param offset - `0 <= offset < size`.
   * @param body - Receives a `"write"` guard.
   * @returns What `body` returned.
   * @throws KernelError `EBUSY` naming the live borrow when another mapping is live (M29);
   *   `EINVAL` for a bad offset (M25); `EALREADY` after `intoShared()` (through an alias);
   *   `EINVAL` when `body` returns a promise (a mapping closure must be synchronous), after
   *   releasing the mapping.
   */
  mapMut<Result>(offset: number, body: MapBody<"write", Result>): Result;
  /**
   * Copies `src` into the folio at byte `offset`, page by page (`memcpy_to_folio`).
   *
   * @param offset - The first byte.
   * @param src - The bytes; `offset + src.length <= size`.
   * @throws KernelError `EINVAL` for a range outside the folio (nothing written, M25); `EBUSY` while
   *   a mapping is live (M17); `EALREADY` after `intoShared()`.
   */
  write(offset: number, src: Uint8Array): void;
  /**
   * The C name of {@link UniqueFolioMembers.write}.
   *
   * @param offset - The first byte.
   * @param src - The bytes.
   * @throws KernelError as for `write`.
   */
  memcpyToFolio(offset: number, src: Uint8Array): void;
  /**
   * Zeroes `[offset, offset + length)` (`folio_zero_range`).
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @throws KernelError as for `write`.
   */
  zeroOut(offset: number, length: number): void;
  /**
   * Calls `body` once per writable mapped chunk of `[offset, offset + length)`: once on machines
   * without HIGHMEM, once per page on HIGHMEM and in force-map mode.
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @param body - Receives each chunk (exactly its bytes) and the chunk's folio offset.
   * @throws KernelError as for `write`; `EINVAL` when `body` returns a promise (a mapping closure
   *   must be synchronous), after releasing the mapping.
   *
   * @remarks
   * `body` must not keep a chunk view after it returns: the mapping is released at once and a
   * JavaScript view cannot be revoked (with `debug.views` a kept view fails at its next use).
   */
  forEachChunkMut(offset: number, length: number, body: <Lifetime>(view: FolioView<Lifetime>, offset: number) => void): void;
  /**
   * Ends uniqueness: the binding becomes the shared {@link ARef} of the folio (see the module notes).
   *
   * @throws KernelError `EBUSY` naming the live borrow while a mapping is live; `EALREADY` when
   *   already consumed (an alias).
   */
  intoShared(): asserts this is SharedFolio;
  /**
   * Drops the folio's reference (frees it unless spurious references exist).
   *
   * @remarks
   * Does not narrow the binding; `release(unique)` does.
   *
   * @throws KernelError `EBUSY` while mapped or locked; `EALREADY` when already consumed.
   */
  release(): void;
}

/**
 * The unique members as they are after `intoShared()`: each demands a `this` of type
 * {@link UniqueFolioWasConsumed}, so every call is a compile error that says so.
 */
export interface ConsumedUniqueMembers {
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  mapMut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  write(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  memcpyToFolio(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  zeroOut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  forEachChunkMut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  intoShared(this: UniqueFolioWasConsumed): asserts this is SharedFolio;
  /** Consumed: see {@link UniqueFolioWasConsumed}; drop the shared handle with `put()`. */
  release(this: UniqueFolioWasConsumed): void;
}

/**
 * What a `UniqueFolio` binding is after `intoShared()`: an `ARef<Folio>` whose unique members no
 * longer compile.
 */
export type SharedFolio = ARef<Folio> & ConsumedUniqueMembers;

/**
 * A folio that no other handle aliases: the {@link Folio} members plus writing without a lock.
 *
 * @remarks
 * Only {@link Folio.alloc} and {@link Folio.intoUnique} make one. Bind it with an explicit type
 * (`const unique: UniqueFolio = Folio.alloc(0)`) so `intoShared()` and `release()` narrow it.
 *
 * @invariant No other handle object of the folio exists while the UniqueFolio is live (unique
 *   aliasing; the refcount may still be above 1 through spurious references).
 * @invariant At most one write mapping, or any number of read mappings, is live; no exclusive
 *   operation runs while any mapping is live.
 *
 * @example
 * ```ts
 * declare const superblock: Uint8Array, header: Uint8Array;
 *
 * using unique: UniqueFolio = Folio.alloc(2, GFP_KERNEL | __GFP_ZERO);
 * unique.mapMut(0, ({ view }) => view.set(superblock));
 * unique.map(0, (a) => unique.write(0, header));
 * // KernelError EBUSY: memcpy_to_folio: exclusive use while a read mapping is live (liveBorrow="read mapping at offset 0")
 * ```
 */
export interface UniqueFolio extends Folio, UniqueFolioMembers, Disposable {
  /** Drops the reference unless the handle was already consumed; called by `using`. */
  [Symbol.dispose](): void;
}

/**
 * Ends a folio's uniqueness, like `unique.intoShared()`, and narrows the binding: from here on it is
 * the shared handle (`ARef<Folio>`: `clone`, `put`, `lock`, read mappings), and every unique member
 * (`write`, `mapMut`, `zeroOut`, `release`) is a compile error saying it was consumed (M12).
 *
 * @remarks
 * Unlike the method form, the free function needs no annotation on the binding: the call target is
 * the function, so TypeScript applies its assertion to `const unique = Folio.alloc(0)` too.
 *
 * A second `intoShared(unique)` compiles (a shared folio still has the unique folio's shape); the
 * lint rule `ownkit/no-use-after-move` reports it and the run time throws `EALREADY`.
 *
 * @param unique - The unique folio.
 * @throws KernelError `EBUSY` naming the live borrow while a mapping is live; `EALREADY` when
 *   already consumed (an alias); `EINVAL` when `unique` is not a folio.
 *
 * @example
 * ```ts
 * declare const header: Uint8Array;
 *
 * const unique = Folio.alloc(0);
 * unique.write(0, header);
 * intoShared(unique);
 * unique.write(0, header); // error TS2684: ... 'this' of type 'UniqueFolioWasConsumed' ...
 * using locked = unique.lock();
 * locked.markUptodate();
 * ```
 */
export function intoShared(unique: UniqueFolio): asserts unique is SharedFolio {
  if (!Folio.isFolio(unique)) {
    throw kernelError("EINVAL", "intoShared", "not a folio", { value: unique === null ? "null" : typeof unique });
  }
  unique.intoShared();
}

/**
 * The locks of page-cache folios each machine's code currently holds through the kit, in locking
 * order; the lock-order rule (M32) concerns only folios in a mapping, so others are not listed.
 */
const held = new WeakMap<Machine, LockedFolio[]>();

/** `LockedFolio.prototype.unlock`, captured once the class exists (see `[Symbol.dispose]`). */
let unlockMethod: () => void;

/**
 * A locked folio: the guard that may write a shared folio and mark it uptodate; disposing unlocks.
 *
 * @invariant While the guard is live, the folio's lock bit is set and this guard is its only holder.
 * @invariant At most one write mapping, or any number of read mappings, of the guard is live, and
 *   no write operation runs while any of them is.
 * @invariant Locks of one mapping's folios are held in ascending index order.
 *
 * @example
 * ```ts
 * declare const shared: ARef<Folio>, space: AddressSpace, bytes: Uint8Array;
 *
 * {
 *   using locked = shared.lock();
 *   locked.write(0, bytes);
 *   locked.markUptodate();
 * } // folio_unlock
 *
 * using a = space.lookup(5)!.lock();
 * using b = space.lookup(2)!.lock();
 * // KernelError EDEADLK: folio_lock: folios of one mapping must be locked in ascending index order
 * //   (mapping=1, held=5, locking=2)
 * ```
 */
export class LockedFolio implements Disposable {
  readonly #folio: Folio;
  readonly #state: FolioState;
  readonly #mapping: number;
  readonly #index: number;
  /**
   * The guard's live mappings while the folio is shared; made by the first mapping, since most
   * guards only copy. While the folio is unique its mappings go to the unique handle's borrows.
   */
  #mappings: MappingRegistry | null = null;
  /**
   * How many mappings and chunk iterations of this guard are live, wherever they are registered:
   * what blocks `unlock`. The unique handle's own mappings, among the same borrows while the folio
   * is unique, do not.
   */
  #mapped = 0;
  #live = true;

  private constructor(key: typeof LOCKED_KEY, folio: Folio, state: FolioState, mapping: number, index: number) {
    // `private` binds the type only: a guard made without taking the lock would write a shared folio.
    if (key !== LOCKED_KEY) throw privateConstructor("LockedFolio", "folio.lock()");
    this.#folio = folio;
    this.#state = state;
    this.#mapping = mapping;
    this.#index = index;
  }

  /**
   * The locked folio, as a borrower's view (no `put`); read-only, like the lock itself: a guard
   * always names the folio it locked.
   *
   * @throws KernelError `EINVAL` when `this` is not a `LockedFolio`.
   */
  get folio(): Folio {
    return LockedFolio.#guard(this, "locked_folio").#folio;
  }

  /** The folio's size in bytes. */
  get size(): number {
    return LockedFolio.#guard(this, "folio_size").#check("folio_size").size();
  }

  /** The folio's index in its file, in pages. */
  get index(): number {
    const guard = LockedFolio.#guard(this, "folio_index");
    guard.#check("folio_index");
    return guard.#folio.index;
  }

  /** The folio's byte position in its file. */
  get pos(): Loff {
    const guard = LockedFolio.#guard(this, "folio_pos");
    guard.#check("folio_pos");
    return guard.#folio.pos;
  }

  /** Whether the folio is uptodate. */
  get uptodate(): boolean {
    const guard = LockedFolio.#guard(this, "folio_test_uptodate");
    guard.#check("folio_test_uptodate");
    return guard.#folio.uptodate;
  }

  /**
   * Marks the folio's contents valid (`folio_mark_uptodate`).
   *
   * @throws KernelError `EFAULT` after unlock.
   */
  markUptodate(): void {
    const { machine, pfn, gen } = LockedFolio.#guard(this, "folio_mark_uptodate").#check("folio_mark_uptodate");
    machine.setPageFlag(pfn, gen, PG_uptodate);
  }

  /**
   * Copies `src` into the folio at byte `offset`, page by page (`memcpy_to_folio`).
   *
   * @param offset - The first byte.
   * @param src - The bytes; `offset + src.length <= size`.
   * @throws KernelError `EINVAL` for a range outside the folio, nothing written (M25); `EBUSY`
   *   while a mapping of this guard is live; `EFAULT` after unlock.
   */
  write(offset: number, src: Uint8Array): void {
    copyToFolio(LockedFolio.#guard(this, "memcpy_to_folio").#exclusive("memcpy_to_folio"), "memcpy_to_folio", offset, src);
  }

  /**
   * The C name of {@link LockedFolio.write}.
   *
   * @param offset - The first byte.
   * @param src - The bytes.
   * @throws KernelError as for `write`.
   */
  memcpyToFolio(offset: number, src: Uint8Array): void {
    copyToFolio(LockedFolio.#guard(this, "memcpy_to_folio").#exclusive("memcpy_to_folio"), "memcpy_to_folio", offset, src);
  }

  /**
   * Zeroes `[offset, offset + length)` (`folio_zero_range`).
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @throws KernelError as for `write`.
   */
  zeroOut(offset: number, length: number): void {
    zeroFolioRange(LockedFolio.#guard(this, "folio_zero_range").#exclusive("folio_zero_range"), "folio_zero_range", offset, length);
  }

  /**
   * Copies folio bytes from `offset` into `dst`, chunk by chunk (`memcpy_from_folio`).
   *
   * @param dst - Receives `dst.length` bytes.
   * @param offset - The first folio byte.
   * @throws KernelError `EINVAL` for a range outside the folio (M25); `EFAULT` after unlock.
   */
  memcpyFromFolio(dst: Uint8Array, offset: number): void {
    copyFromFolio(LockedFolio.#guard(this, "memcpy_from_folio").#check("memcpy_from_folio"), "memcpy_from_folio", dst, offset);
  }

  /**
   * Maps the folio for reading at byte `offset` and lends the guard to `body`.
   *
   * @typeParam Result - What `body` returns; must not contain the guard (M8).
   * @param offset - `0 <= offset < size`.
   * @param body - Receives a `"read"` guard.
   * @returns What `body` returned.
   * @throws KernelError `EINVAL` for a bad offset; `EBUSY` while a write mapping is live;
   *   `EINVAL` when `body` returns a promise (a mapping closure must be synchronous), after
   *   releasing the mapping.
   */
  map<Result>(offset: number, body: MapBody<"read", Result>): Result {
    const state = LockedFolio.#guard(this, "folio_map").#check("folio_map");
    this.#mapped++;
    try {
      return mapWith(state, this.#mappingsFor(state), "read", "folio_map", offset, body);
    } finally {
      this.#mapped--;
    }
  }

  /**
   * Maps the folio for writing at byte `offset` and lends the guard to `body`.
   *
   * @typeParam Result - What `body` returns; must not contain the guard (M8).
   * @param offset - `0 <= offset < size`.
   * @param body - Receives a `"write"` guard.
   * @returns What `body` returned.
   * @throws KernelError `EINVAL` for a bad offset; `EBUSY` naming the live borrow while another
   *   mapping of this guard is live (M29); `EINVAL` when `body` returns a promise (a mapping
   *   closure must be synchronous), after releasing the mapping.
   */
  mapMut<Result>(offset: number, body: MapBody<"write", Result>): Result {
    const state = LockedFolio.#guard(this, "folio_map_mut").#check("folio_map_mut");
    this.#mapped++;
    try {
      return mapWith(state, this.#mappingsFor(state), "write", "folio_map_mut", offset, body);
    } finally {
      this.#mapped--;
    }
  }

  /**
   * Calls `body` once per read-only mapped chunk of `[offset, offset + length)`.
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @param body - Receives each chunk and its folio offset.
   * @throws KernelError `EINVAL` for a range outside the folio; `EBUSY` while a write mapping is
   *   live; `EINVAL` when `body` returns a promise (a mapping closure must be synchronous), after
   *   releasing the mapping.
   *
   * @remarks
   * `body` must not keep a chunk view after it returns: the mapping is released at once and a
   * JavaScript view cannot be revoked (with `debug.views` a kept view fails at its next use).
   */
  forEachChunk(offset: number, length: number, body: <Lifetime>(view: ReadonlyFolioView<Lifetime>, offset: number) => void): void {
    LockedFolio.#guard(this, "folio_chunks").#chunks("folio_chunks", "read", offset, length, body);
  }

  /**
   * Calls `body` once per writable mapped chunk of `[offset, offset + length)`.
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @param body - Receives each chunk and its folio offset.
   * @throws KernelError `EINVAL` for a range outside the folio; `EBUSY` while a mapping is live;
   *   `EINVAL` when `body` returns a promise (a mapping closure must be synchronous), after
   *   releasing the mapping.
   *
   * @remarks
   * `body` must not keep a chunk view after it returns: the mapping is released at once and a
   * JavaScript view cannot be revoked (with `debug.views` a kept view fails at its next use).
   */
  forEachChunkMut(offset: number, length: number, body: <Lifetime>(view: FolioView<Lifetime>, offset: number) => void): void {
    LockedFolio.#guard(this, "folio_chunks_mut").#chunks("folio_chunks_mut", "write", offset, length, body);
  }

  /**
   * Unlocks the folio (`folio_unlock`).
   *
   * @remarks
   * Does not narrow the binding (an assertion method would reject unannotated bindings, TS2775);
   * `drop(locked)` does, and `using` needs neither.
   *
   * @throws KernelError `EALREADY` when already unlocked (an alias); `EBUSY` while a mapping or
   *   chunk iteration of the guard is live. Mappings made through a {@link UniqueFolio} handle
   *   of the folio do not block its unlock: they are the unique handle's.
   */
  unlock(): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "folio_unlock", "not a LockedFolio", {});
    if (!this.#live) throw kernelError("EALREADY", "folio_unlock", "folio was already unlocked by this guard", { index: this.#index });
    // Only the guard's own mappings count: while the folio is unique they share the unique
    // handle's borrows with that handle's mappings, which may outlive the lock.
    if (this.#mapped !== 0) throw kernelError("EBUSY", "folio_unlock", "unlock while a mapping of this guard is live", { liveMappings: this.#mapped, index: this.#index });
    const { machine, pfn, gen } = this.#state;
    machine.folioUnlock(pfn, gen);
    // INVARIANT: the guard dies with the lock and leaves the held list.
    this.#live = false;
    if (this.#mapping !== 0) {
      const list = held.get(machine);
      const at = list === undefined ? -1 : list.lastIndexOf(this);
      if (at >= 0) list!.splice(at, 1);
    }
  }

  /** Unlocks unless already unlocked; called by `using`. */
  [Symbol.dispose](): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "dispose", "not a LockedFolio", { self: this });
    // The class's own unlock, not a property the holder may have redefined on the instance.
    if (this.#live) Reflect.apply(unlockMethod, this, []);
  }

  /** The brand check of every method: another `this` (`const { write } = locked`) is EINVAL, not a TypeError. */
  static #guard(value: unknown, op: string): LockedFolio {
    if (typeof value !== "object" || value === null || !(#live in value)) throw kernelError("EINVAL", op, "not a LockedFolio", {});
    return value as LockedFolio;
  }

  #check(op: string): FolioState {
    if (!this.#live) throw kernelError("EFAULT", op, "use of a LockedFolio after unlock", { index: this.#index });
    return this.#state;
  }

  /**
   * The borrows this guard's mappings register in: the unique handle's while the folio is unique,
   * so that neither of the two handles that may write maps or writes over the other's mapping.
   */
  #mappingsFor(state: FolioState): MappingRegistry {
    return state.unique ? state.mappings : (this.#mappings ??= new MappingRegistry());
  }

  /** Runs a chunk iteration as one borrow of the guard, so no write overlaps it. */
  #chunks(op: string, access: MapAccess, offset: number, length: number, body: (view: never, at: number) => unknown): void {
    const state = this.#check(op);
    const borrows = this.#mappingsFor(state);
    const token = borrows.begin(op, access, access === "write" ? "write chunks" : "read chunks", offset);
    this.#mapped++;
    try {
      checkedChunks(state, op, offset, length, body, access);
    } finally {
      this.#mapped--;
      borrows.end(token);
    }
  }

  #exclusive(op: string): FolioState {
    const state = this.#check(op);
    this.#mappings?.exclusive(op);
    if (state.unique) state.mappings.exclusive(op);
    return state;
  }

  static {
    unlockMethod = LockedFolio.prototype.unlock;
    const checkLockOrder = (machine: Machine, mapping: number, index: number): void => {
      if (mapping === 0) return;
      const list = held.get(machine);
      if (list === undefined) return;
      for (const guard of list) {
        if (guard.#mapping === mapping && guard.#index > index) {
          throw kernelError("EDEADLK", "folio_lock", "folios of one mapping must be locked in ascending index order", { mapping, held: guard.#index, locking: index });
        }
      }
    };
    lockFolio = (folio, state) => {
      const { machine, pfn, gen } = state;
      const mapping = machine.pageCache.mappingOf(pfn);
      if (mapping === 0) {
        // Outside a page cache the lock-order rule does not apply: nothing to check or record.
        if (!machine.folioTrylock(pfn, gen)) throw kernelError("EBUSY", "folio_lock", "folio is already locked", { pfn, index: -1 });
        return new LockedFolio(LOCKED_KEY, folio, state, 0, -1);
      }
      const index = machine.pageCache.indexOf(pfn);
      // An already locked folio is EBUSY, the truthful answer, before the order rule can say EDEADLK.
      if (machine.testPageFlag(pfn, gen, PG_locked)) throw kernelError("EBUSY", "folio_lock", "folio is already locked", { pfn, index });
      checkLockOrder(machine, mapping, index);
      if (!machine.folioTrylock(pfn, gen)) throw kernelError("EBUSY", "folio_lock", "folio is already locked", { pfn, index });
      const guard = new LockedFolio(LOCKED_KEY, folio, state, mapping, index);
      let list = held.get(machine);
      if (list === undefined) held.set(machine, (list = []));
      list.push(guard);
      return guard;
    };
    lockAccess = { checkLockOrder, unlock: LockedFolio.prototype[Symbol.dispose] };
  }
}

/**
 * Friend access to the private state of {@link Folio} and {@link LockedFolio} for the files of
 * `mm/folio` (`AddressSpace`; see CONTRIBUTING.md, "Friend access").
 *
 * @internal
 */
export const folioFriend: FolioFriend = {
  // SAFETY: By ECMAScript class evaluation, the static blocks of Folio and LockedFolio above ran
  // when the classes were defined, before this line, so both slots are assigned.
  get: folioAccess!.get,
  isLive: folioAccess!.isLive,
  pfn: folioAccess!.pfn,
  checkLockOrder: lockAccess!.checkLockOrder,
  unlock: lockAccess!.unlock,
};
