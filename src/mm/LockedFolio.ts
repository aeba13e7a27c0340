/**
 * {@link LockedFolio}: the guard of a locked folio, the only handle of a shared folio that may write.
 *
 * @remarks
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
import { PG_locked, PG_uptodate, type Machine } from "../core/index.js";
import { kernelError } from "../errors.js";
import { Borrows, checkedChunks, copyFromFolio, copyToFolio, zeroFolioRange, type FolioState, type MapAccess } from "./internal/folio-state.js";
import type { Folio } from "./Folio.js";
import type { Loff } from "./loff.js";
import { mapWith, type FolioView, type MapBody, type ReadonlyFolioView } from "./MapGuard.js";

/**
 * The locks of page-cache folios each machine's code currently holds through the kit, in locking
 * order; the lock-order rule (M32) concerns only folios in a mapping, so others are not listed.
 */
const held = new WeakMap<Machine, LockedFolio[]>();

/**
 * Locks `folio` and returns its guard; the engine of `Folio.lock()`.
 *
 * @internal
 */
export let lockFolio: (folio: Folio, state: FolioState) => LockedFolio;

/**
 * Fails when locking index `index` of `mapping` would break the ascending-index rule (M32).
 *
 * @internal
 */
/** `LockedFolio.prototype.unlock`, captured once the class exists (see `[Symbol.dispose]`). */
let unlockMethod: () => void;

export let checkLockOrder: (machine: Machine, mapping: number, index: number) => void;

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
  /** The locked folio, as a borrower's view (no `put`). */
  readonly folio: Folio;
  readonly #state: FolioState;
  readonly #mapping: number;
  readonly #index: number;
  /**
   * The guard's live mappings while the folio is shared; made by the first mapping, since most
   * guards only copy. While the folio is unique its mappings go to the unique handle's borrows.
   */
  #borrows: Borrows | null = null;
  /**
   * How many mappings and chunk iterations of this guard are live, wherever they are registered:
   * what blocks `unlock`. The unique handle's own mappings, among the same borrows while the folio
   * is unique, do not.
   */
  #mapped = 0;
  #live = true;

  private constructor(folio: Folio, state: FolioState, mapping: number, index: number) {
    this.folio = folio;
    this.#state = state;
    this.#mapping = mapping;
    this.#index = index;
  }

  /** The folio's size in bytes. */
  get size(): number {
    return LockedFolio.#guard(this, "folio_size").#check("folio_size").size();
  }

  /** The folio's index in its file, in pages. */
  get index(): number {
    LockedFolio.#guard(this, "folio_index").#check("folio_index");
    return this.folio.index;
  }

  /** The folio's byte position in its file. */
  get pos(): Loff {
    LockedFolio.#guard(this, "folio_pos").#check("folio_pos");
    return this.folio.pos;
  }

  /** Whether the folio is uptodate. */
  get uptodate(): boolean {
    LockedFolio.#guard(this, "folio_test_uptodate").#check("folio_test_uptodate");
    return this.folio.uptodate;
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
      return mapWith(state, this.#borrowsFor(state), "read", "folio_map", offset, body);
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
      return mapWith(state, this.#borrowsFor(state), "write", "folio_map_mut", offset, body);
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
   * @safety
   * - `body` must not keep a chunk view after it returns: the mapping is released at once and a
   *   JavaScript view cannot be revoked.
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
   * @safety
   * - `body` must not keep a chunk view after it returns: the mapping is released at once and a
   *   JavaScript view cannot be revoked.
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
  #borrowsFor(state: FolioState): Borrows {
    return state.unique ? state.borrows : (this.#borrows ??= new Borrows());
  }

  /** Runs a chunk iteration as one borrow of the guard, so no write overlaps it. */
  #chunks(op: string, access: MapAccess, offset: number, length: number, body: (view: never, at: number) => unknown): void {
    const state = this.#check(op);
    const borrows = this.#borrowsFor(state);
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
    this.#borrows?.exclusive(op);
    if (state.unique) state.borrows.exclusive(op);
    return state;
  }

  static {
    unlockMethod = LockedFolio.prototype.unlock;
    checkLockOrder = (machine, mapping, index) => {
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
        return new LockedFolio(folio, state, 0, -1);
      }
      const index = machine.pageCache.indexOf(pfn);
      // An already locked folio is EBUSY, the truthful answer, before the order rule can say EDEADLK.
      if (machine.testPageFlag(pfn, gen, PG_locked)) throw kernelError("EBUSY", "folio_lock", "folio is already locked", { pfn, index });
      checkLockOrder(machine, mapping, index);
      if (!machine.folioTrylock(pfn, gen)) throw kernelError("EBUSY", "folio_lock", "folio is already locked", { pfn, index });
      const guard = new LockedFolio(folio, state, mapping, index);
      let list = held.get(machine);
      if (list === undefined) held.set(machine, (list = []));
      list.push(guard);
      return guard;
    };
  }
}
