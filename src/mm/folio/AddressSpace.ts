/**
 * {@link AddressSpace}: a file's page cache (`struct address_space`), enough for a read-only
 * filesystem's `read_folio` path.
 *
 * @remarks
 * The folio patch provided "the minimum needed to implement `read_folio` (part of `struct
 * address_space_operations`) in read-only file systems". {@link AddressSpace.readFolio} is that
 * path: on a miss it allocates a folio, adds it to the cache (the cache takes a reference), locks
 * it and hands the {@link LockedFolio} to the filesystem's `fill`, which writes the contents and
 * marks the folio uptodate; a hit returns another reference to the cached folio. `pos` of a cached
 * folio is `index * PAGE_SIZE`, a {@link Loff}.
 *
 * @module
 */
import { checkFunction, checkOptions, isU32, readOption } from "../../args.js";
import { GFP_KERNEL, MAX_PAGE_ORDER, PG_locked, PG_uptodate, type Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import type { ARef } from "../../ownership/index.js";
import { checkSynchronous, machineArg } from "../internal/mm-args.js";
import type { Gfp } from "../units/gfp.js";
import { loff, type Loff } from "../units/loff.js";
import { Folio, folioFriend, type LockedFolio, type UniqueFolio } from "./Folio.js";

/**
 * The friend access of the folio handles, copied into module-local constants. `unlockGuard` is the
 * guard's own release, captured at load: the fill holds the guard and may redefine its
 * `[Symbol.dispose]` or `unlock` on the instance, which must not keep the folio locked.
 */
const { get: getFolio, isLive: folioIsLive, pfn: folioPfn, checkLockOrder, unlock: unlockGuard } = folioFriend;

/** Options of {@link AddressSpace.readFolio}. */
export interface ReadFolioOptions {
  /** The order of a folio allocated on a miss; 0 by default. */
  readonly order?: number;
  /** GFP flags of that allocation; `GFP_KERNEL` by default. */
  readonly gfp?: Gfp;
}

/**
 * A file's page cache: folios by index, each holding one reference owned by the cache.
 *
 * @invariant Every cached folio is uptodate and holds exactly one reference owned by the cache.
 * @invariant After teardown the mapping caches nothing and every method fails with `EFAULT`.
 *
 * @example
 * ```ts
 * import type { Machine } from "ownkit/core";
 * declare const machine: Machine, blockBytes: Uint8Array;
 *
 * using space = AddressSpace.create(machine);
 * using folio: ARef<Folio> = space.readFolio(0, (locked) => {
 *   locked.write(0, blockBytes);
 *   locked.markUptodate();
 * });
 * folio.pos;                    // 0n
 * space.lookupPos(loff(4096));  // the folio at index 1, or null
 * space.lookupPos(4096);
 * // error TS2345: Argument of type 'number' is not assignable to parameter of type 'Loff'.
 * ```
 */
export class AddressSpace implements Disposable {
  /** The machine whose page cache holds the folios. */
  readonly machine: Machine;
  /** The core's mapping id. */
  readonly id: number;
  #live = true;

  private constructor(machine: Machine, id: number) {
    this.machine = machine;
    this.id = id;
    // INVARIANT: `machine` and `id` name this file's page cache for the space's whole life: a space
    // whose `id` could be reassigned would read and fill another file's cache. Spaces are made
    // rarely, so freezing costs nothing that matters; `#live` stays writable.
    Object.freeze(this);
  }

  /**
   * Creates an empty address space.
   *
   * @param machine - The machine; the default machine when omitted.
   * @returns The address space; dispose it (or call `teardown()`) to drop the cache's references.
   * @throws KernelError `EINVAL` when `machine` is not a Machine.
   */
  static create(machine?: Machine): AddressSpace {
    const target = machineArg("address_space_create", machine);
    return new AddressSpace(target, target.pageCache.createMapping());
  }

  /**
   * Returns the uptodate folio at `index`, reading it through `fill` on a miss (`read_folio`).
   *
   * @param index - The index in pages.
   * @param fill - The filesystem's `read_folio`: gets the new folio locked and not uptodate, must
   *   write it and call `markUptodate()`; it runs synchronously and must not keep the guard.
   * @param options - Order and GFP flags of the folio allocated on a miss.
   * @returns A new counted reference to the cached folio.
   * @throws KernelError `EINVAL` for a bad index, order, `fill` or `options`; `EIO` when `fill` did not mark
   *   the folio uptodate (the folio is removed and freed); `EDEADLK` when a folio of this mapping
   *   with a higher index is locked (M32); whatever `fill` threw, after the same clean-up.
   */
  readFolio(index: number, fill: (folio: LockedFolio) => void, options: ReadFolioOptions = {}): ARef<Folio> {
    const op = "read_folio";
    const cached = AddressSpace.#lookupIn(this, op, index);
    if (cached >= 0) {
      const gen = this.machine.pageGen(cached);
      // A cached folio that is locked and not uptodate is being read by a fill on this stack (only a
      // fill sees it so): the kernel would wait on its lock forever. Never hand out unread bytes.
      if (this.machine.testPageFlag(cached, gen, PG_locked) && !this.machine.testPageFlag(cached, gen, PG_uptodate)) {
        throw kernelError("EDEADLK", op, "read_folio re-entered for a folio that is being read (its fill is still running)", { mapping: this.id, index });
      }
      return getFolio(this.machine, cached);
    }
    // Phase 1: every argument is checked, each option read once, before anything changes.
    checkFunction(op, "fill", fill);
    checkOptions(op, "options", options);
    const order = readOption(op, options, "order") ?? 0;
    const gfp = readOption(op, options, "gfp") ?? GFP_KERNEL;
    if (!isU32(gfp)) throw kernelError("EINVAL", op, "options.gfp is not a set of GFP flags", { gfp });
    if (!isU32(order)) throw kernelError("EINVAL", op, "options.order is not a non-negative integer", { order });
    // A folio of order n at index i covers i … i + 2^n − 1: i must be a multiple of 2^n, and no index
    // it covers may be cached already (EDOM for a too-large order comes from Folio.alloc, unchanged).
    if (order <= MAX_PAGE_ORDER) this.machine.pageCache.checkAdd(this.id, index, order);
    checkLockOrder(this.machine, this.id, index);
    // Phase 2: the folio is allocated and cached; Folio.alloc and pageCache.add check before they change.
    const unique: UniqueFolio = Folio.alloc(order, gfp, this.machine);
    unique.intoShared();
    const folio: ARef<Folio> = unique;
    const { machine } = this;
    const pfn = folioPfn(folio);
    try {
      machine.pageCache.add(this.id, index, pfn, machine.pageGen(pfn));
    } catch (error) {
      folio.put();
      throw error;
    }
    try {
      const locked = folio.lock();
      try {
        checkSynchronous(op, fill(locked), "the read_folio fill");
      } finally {
        Reflect.apply(unlockGuard, locked, []);
      }
      // The fill may have torn the space down or removed the folio itself: then nothing is cached.
      if (!this.#live || machine.pageCache.lookup(this.id, index) !== pfn) {
        throw kernelError("EFAULT", op, "the folio left the page cache while it was being read", { mapping: this.id, index });
      }
      if (!folio.uptodate) throw kernelError("EIO", op, "read_folio did not mark the folio uptodate", { index });
    } catch (error) {
      // Undo what this call did, and only that: the cache entry if it is still ours, then our reference.
      if (this.#live && machine.pageCache.lookup(this.id, index) === pfn) machine.pageCache.remove(this.id, index);
      // A fill that dropped this call's reference itself (through `locked.folio`) already gave it
      // back: the fill's failure is the error to report, not a second put's EALREADY.
      if (folioIsLive(folio)) folio.put();
      throw error;
    }
    return folio;
  }

  /**
   * Returns another reference to the folio cached at `index` (`filemap_get_folio`), or `null`.
   *
   * @param index - The index in pages.
   * @returns A new counted reference, or `null` on a miss.
   * @throws KernelError `EINVAL` for a bad index; `EFAULT` after teardown.
   */
  lookup(index: number): ARef<Folio> | null {
    const pfn = AddressSpace.#lookupIn(this, "filemap_get_folio", index);
    return pfn < 0 ? null : getFolio(this.machine, pfn);
  }

  /**
   * Returns another reference to the folio holding byte `pos`, or `null`.
   *
   * @param pos - A file position.
   * @returns A new counted reference, or `null`.
   * @throws KernelError `EOVERFLOW` for a position beyond the 32-bit index range; `EFAULT` after teardown.
   */
  lookupPos(pos: Loff): ARef<Folio> | null {
    AddressSpace.#checkIn(this, "filemap_get_folio");
    return this.lookup(this.indexForPos(pos));
  }

  /**
   * The page index holding byte `pos` (`pos >> PAGE_SHIFT`).
   *
   * @param pos - A file position.
   * @returns The index.
   * @throws KernelError `EINVAL` for a value that is not a Loff; `EOVERFLOW` when the index does
   *   not fit the page cache's 32-bit indexes.
   */
  indexForPos(pos: Loff): number {
    AddressSpace.#brand(this, "index_for_pos");
    if (typeof pos !== "bigint" || pos < 0n) throw kernelError("EINVAL", "index_for_pos", "not a file position", { pos: pos });
    const index = pos >> BigInt(this.machine.pageShift);
    if (index > 0xffffffffn) throw kernelError("EOVERFLOW", "index_for_pos", "position beyond the page cache's index range", { pos });
    return Number(index);
  }

  /**
   * The file position of a page index (`index << PAGE_SHIFT`).
   *
   * @param index - A non-negative integer index.
   * @returns The position.
   * @throws KernelError `EINVAL` for a bad index.
   */
  posOfIndex(index: number): Loff {
    AddressSpace.#brand(this, "pos_of_index");
    if (!isU32(index)) throw kernelError("EINVAL", "pos_of_index", "index is not a 32-bit non-negative integer", { index: index });
    return loff(BigInt(index) << BigInt(this.machine.pageShift));
  }

  /**
   * The cached indexes, ascending.
   *
   * @returns The indexes.
   * @throws KernelError `EFAULT` after teardown.
   */
  indexes(): number[] {
    AddressSpace.#checkIn(this, "mapping_indexes");
    return this.machine.pageCache.indexes(this.id);
  }

  /**
   * Drops the cache's reference to every folio and deletes the mapping (`truncate_inode_pages`
   * then inode eviction); folios still referenced elsewhere stay alive.
   *
   * @throws KernelError `EBUSY` naming the index when a cached folio is locked (nothing removed);
   *   `EALREADY` when already torn down.
   */
  teardown(): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "address_space_teardown", "not an AddressSpace", {});
    if (!this.#live) throw kernelError("EALREADY", "address_space_teardown", "address space was already torn down", { mapping: this.id });
    const cache = this.machine.pageCache;
    for (const index of cache.indexes(this.id)) {
      const pfn = cache.lookup(this.id, index);
      if (this.machine.testPageFlag(pfn, this.machine.pageGen(pfn), PG_locked)) {
        throw kernelError("EBUSY", "address_space_teardown", "a cached folio is locked", { mapping: this.id, index });
      }
    }
    // Two phases inside: every folio is checked before the first leaves the cache, so a folio
    // still mapped fails the teardown with every index still cached.
    cache.removeAll(this.id);
    // INVARIANT: the mapping is gone; every later call fails.
    this.#live = false;
  }

  /** Tears down unless already torn down; called by `using`. */
  [Symbol.dispose](): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "dispose", "not a AddressSpace", { self: this });
    if (this.#live) this.teardown();
  }

  /** The brand check of every method: another `this` (`const { lookup } = space`) is EINVAL, not a TypeError. */
  static #brand(space: unknown, op: string): asserts space is AddressSpace {
    if (typeof space !== "object" || space === null || !(#live in space)) throw kernelError("EINVAL", op, "not an AddressSpace", { space });
  }

  static #checkIn(space: unknown, op: string): asserts space is AddressSpace {
    AddressSpace.#brand(space, op);
    space.#check(op);
  }

  static #lookupIn(space: unknown, op: string, index: number): number {
    AddressSpace.#brand(space, op);
    return space.#lookup(op, index);
  }

  #check(op: string): void {
    if (!this.#live) throw kernelError("EFAULT", op, "address space was torn down", { mapping: this.id });
  }

  #lookup(op: string, index: number): number {
    this.#check(op);
    if (!isU32(index)) throw kernelError("EINVAL", op, "index is not a 32-bit non-negative integer", { index: index });
    return this.machine.pageCache.lookup(this.id, index);
  }
}
