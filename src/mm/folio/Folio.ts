/**
 * {@link Folio}: a refcounted group of contiguous pages (`struct folio`), held as `ARef<Folio>`.
 *
 * @remarks
 * A folio is `AlwaysRefCounted`: every handle object is one counted reference (`clone()` is
 * `folio_get`, `put()` and disposal are `folio_put`). The class type has no way to write: the
 * page cache shares folios, and the thread settled that only a locked folio may be brought uptodate
 * (`write`, `zeroOut`, `markUptodate` exist only on {@link LockedFolio}, M7) and that a freshly
 * allocated folio nobody else can see may be written through {@link UniqueFolio}. There is no error
 * flag (`PG_error` was removed from the kernel; M13).
 *
 * @module
 */
import { isU32 } from "../args.js";
import { GFP_KERNEL, MAX_PAGE_ORDER, PG_locked, PG_uptodate, __GFP_COMP, type Machine } from "../core/index.js";
import { kernelError } from "../errors.js";
import { RefCountedResource, notOwnableBecause, refCountOf, adoptARef, type ARef, type TypeErrorText } from "../ownership/index.js";
import { toPhysAddr, type PhysAddr } from "./addr.js";
import { machineArg } from "./consts.js";
import { checkedChunks, copyFromFolio, folioState, FolioState } from "./internal/folio-state.js";
import { installUniqueMembers } from "./internal/folio-unique.js";
import type { Gfp } from "./gfp.js";
import { lockFolio, type LockedFolio } from "./LockedFolio.js";
import { loff, type Loff } from "./loff.js";
import { mapWith, type MapBody, type ReadonlyFolioView } from "./MapGuard.js";
import type { UniqueFolio } from "./UniqueFolio.js";

/**
 * Takes a new counted reference to the folio at `pfn` (`folio_get`) and returns its handle; used by
 * {@link AddressSpace} for page-cache lookups.
 *
 * @internal
 */
export let getFolio: (machine: Machine, pfn: number) => ARef<Folio>;

/** Whether a folio handle still holds its reference (not put, disposed or converted); for mm's modules. */
export let folioIsLive: (folio: Folio) => boolean;

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
 * using shared: ARef<Folio> = space.readFolio(0, fill);
 * shared.size;                           // 4096
 * shared.map(0, ({ view }) => view[0]);  // read
 * shared.markUptodate();
 * // error TS2684: The 'this' context of type 'ARef<Folio>' is not assignable to method's 'this' of type
 * //   'FolioNeedsLock'. Property '"lock() the folio first: only a LockedFolio may markUptodate(), ..."' is missing ...
 * shared.setError();
 * // error TS2339: Property 'setError' does not exist on type 'ARef<Folio>'.
 * ```
 */
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

export class Folio extends RefCountedResource {
  /** Why `Owned<Folio>` does not compile; exists in the type only. */
  declare readonly [notOwnableBecause]: "a folio is shared by the page cache; hold ARef<Folio>, or a UniqueFolio from Folio.alloc";
  /** @internal The state every handle of this folio shares. */
  readonly [folioState]: FolioState;
  /** The brand of a genuine folio handle (`Object.create(Folio.prototype)` and Proxies lack it). */
  readonly #folio = true;

  private constructor(state: FolioState) {
    super();
    this[folioState] = state;
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
    const folio = adoptARef(new Folio(new FolioState(target, pfn, target.pageGen(pfn), true)));
    // SAFETY: the unique members are installed on Folio.prototype (static block below), and the
    // handle is the only one of this folio.
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
    return typeof value === "object" && value !== null && #folio in value;
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
    const { machine, pfn, gen } = shared[folioState];
    // testPageFlag also rejects a handle whose folio was freed (EFAULT).
    if (machine.testPageFlag(pfn, gen, PG_locked)) throw kernelError("EBUSY", op, "folio is locked", { folio: shared.describeResource() });
    // A live mapping of this handle (a shared map closure, chunk iteration) would read under the
    // new unique handle's writes: EBUSY naming the mapping.
    shared[folioState].borrows.exclusive(op);
    // A mapping made through another handle of the folio (a second lookup of the same index has its
    // own borrows) is seen by the core: any live local mapping or kmap of its pages is EBUSY.
    machine.checkUnmapped(op, pfn, machine.pageOrder(pfn));
    const count = refCountOf(shared);
    if (count !== 1) throw kernelError("EBUSY", op, "other references exist", { folio: shared.describeResource(), count });
    const next = shared.clone();
    shared.put();
    // INVARIANT: the count is back to 1, held by `next`, the only live handle object.
    next[folioState].unique = true;
    // SAFETY: as in alloc(): the unique members are on the prototype and `next` is the only handle.
    return next as unknown as UniqueFolio;
  }

  /** The size in bytes (`folio_size`): `PAGE_SIZE << order`. */
  get size(): number {
    Folio.#live(this, "folio_size");
    return this[folioState].size();
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
    const state = Folio.#live(folio, op)[folioState];
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
    return loff(BigInt(index) * BigInt(this[folioState].machine.pageSize));
  }

  /** Whether the contents are valid (`folio_test_uptodate`); set only through a {@link LockedFolio}. */
  get uptodate(): boolean {
    Folio.#live(this, "folio_test_uptodate");
    const { machine, pfn, gen } = this[folioState];
    return machine.testPageFlag(pfn, gen, PG_uptodate);
  }

  /** Whether the folio is locked (`folio_test_locked`). */
  get locked(): boolean {
    Folio.#live(this, "folio_test_locked");
    const { machine, pfn, gen } = this[folioState];
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
   * {
   *   using locked = folio.lock();
   *   locked.zeroOut(0, locked.size);
   *   locked.markUptodate();
   * } // unlocked
   * ```
   */
  lock(): LockedFolio {
    Folio.#live(this, "folio_lock");
    return lockFolio(this, this[folioState]);
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
    const state = this[folioState];
    // A shared mapping registers its borrow too: intoUnique must see it (EBUSY naming the mapping).
    return mapWith(state, state.borrows, "read", "folio_map", offset, body);
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
   * @safety
   * - `body` must not keep a chunk view after it returns: the mapping is released at once and a
   *   JavaScript view cannot be revoked.
   */
  forEachChunk(offset: number, length: number, body: <Lifetime>(view: ReadonlyFolioView<Lifetime>, offset: number) => void): void {
    Folio.#live(this, "folio_chunks");
    const state = this[folioState];
    const token = state.borrows.begin("folio_chunks", "read", "read chunks", offset);
    try {
      checkedChunks(state, "folio_chunks", offset, length, body, "read");
    } finally {
      state.borrows.end(token);
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
    const state = this[folioState];
    // The copy runs no caller code, so nothing can start a mapping while it runs: it only needs
    // no write mapping to be live, and registers no borrow.
    if (state.unique) state.borrows.readable("memcpy_from_folio", "memcpy_from_folio", offset);
    copyFromFolio(state, "memcpy_from_folio", dst, offset);
  }

  protected override incRef(): void {
    const { machine, pfn, gen } = this[folioState];
    machine.folioGet(pfn, gen);
  }

  protected override decRef(): void {
    const state = this[folioState];
    if (state.unique) state.borrows.exclusive("folio_put");
    state.machine.folioPut(state.pfn, state.gen);
    // INVARIANT: a dropped unique handle leaves no unique handle behind.
    state.unique = false;
  }

  protected override refCount(): number {
    const { machine, pfn, gen } = this[folioState];
    // A stale handle counts as zero references, so a put through it is a refcount underflow (M21).
    return machine.isAllocated(pfn) && machine.pageGen(pfn) === gen ? machine.refCount(pfn) : 0;
  }

  /** A new handle for `clone()`; refused for a UniqueFolio, which no other handle may alias. */
  protected override newHandle(): this {
    const state = this[folioState];
    if (state.unique) {
      throw kernelError("EBUSY", "folio_get", "a UniqueFolio has no other handle; intoShared() it before cloning", { folio: this.describeResource() });
    }
    // SAFETY: Folio has no subclasses, so a Folio is `this`.
    return new Folio(state) as this;
  }

  protected override describeResource(): string {
    const { pfn, gen } = this[folioState];
    return `Folio(pfn=${pfn}, gen=${gen})`;
  }

  static {
    installUniqueMembers(Folio.prototype, (folio, op) => Folio.#live(folio, op));
    folioIsLive = (folio) => folio.isLive;
    getFolio = (machine, pfn) => {
      const gen = machine.pageGen(pfn);
      machine.folioGet(pfn, gen);
      // INVARIANT: the reference just taken belongs to the new handle.
      return adoptARef(new Folio(new FolioState(machine, pfn, gen, false)));
    };
  }
}
