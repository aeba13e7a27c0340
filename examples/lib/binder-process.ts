/**
 * One binder process: its mapped region, the range allocator over it, the lazily allocated pages
 * and the queue of incoming transactions. Generic over how a page is stored ({@link PageStore}),
 * so the same logic runs on the kit's `Owned<Page>` and on plain `ArrayBuffer`s.
 *
 * @module
 */
import { kernelError } from "ownkit";
import type { LruOwner, PageLru } from "./binder-lru.js";
import { RangeAllocator } from "./range-allocator.js";

/**
 * How the workload stores and touches pages: the strategy the copy loop is written against.
 *
 * @typeParam Handle - What one page is (`Owned<Page>`, a `Uint8Array`, ...).
 */
export interface PageStore<Handle> {
  /** A short name for reports. */
  readonly kind: string;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Allocates one page (binder: when a range first uses it). */
  alloc(): Handle;
  /** Frees one page (the shrinker, or process exit). */
  free(page: Handle): void;
  /** Copies `src[srcStart, srcStart + len)` to `offset` in the page; the range stays in the page. */
  copyIn(page: Handle, offset: number, src: Uint8Array, srcStart: number, len: number): void;
  /** Folds `len` bytes of the page from `offset` into a running checksum and returns it. */
  checksum(page: Handle, offset: number, len: number, sum: number): number;
}

/** The checksum's start value (FNV-1a offset basis). */
export const CHECKSUM_SEED = 0x811c9dc5;

/**
 * Folds bytes into a running FNV-1a checksum.
 *
 * @param bytes - The bytes.
 * @param start - The first byte.
 * @param end - One past the last byte.
 * @param sum - The running checksum.
 * @returns The new checksum.
 */
export function fnv1a(bytes: ArrayLike<number>, start: number, end: number, sum: number): number {
  let h = sum;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** A transaction waiting in its receiver's queue. */
export interface Transaction {
  /** The start of its range in the receiver's region. */
  readonly start: number;
  /** Its length in bytes. */
  readonly length: number;
  /** The checksum the sender computed over its own buffer. */
  readonly sum: number;
}

/** Page counters shared by every process of one run. */
export interface PageCounters {
  /** Pages allocated because a range first used them. */
  allocated: number;
  /** Pages taken back off the LRU list (no allocation needed). */
  reusedFromLru: number;
  /** Pages currently allocated (in use or on the LRU list). */
  live: number;
  /** Pages used by at least one range. */
  inUse: number;
}

/**
 * A process with a binder region.
 *
 * @typeParam Handle - How a page is stored.
 * @invariant `pages[i]` is present exactly when `users[i] > 0` or page `i` is on the LRU list.
 */
export class BinderProcess<Handle> implements LruOwner {
  /** The range allocator over the region. */
  readonly ranges: RangeAllocator;
  /** Transactions delivered but not yet read. */
  readonly pending: Transaction[] = [];
  /** The process's own (user-space) buffer that it sends transactions from. */
  readonly userBuffer: Uint8Array;
  readonly #pages: (Handle | undefined)[];
  readonly #users: Int32Array;

  /**
   * Creates a process whose region has no pages yet.
   *
   * @param id - The process number.
   * @param name - A name for reports.
   * @param regionSize - The region size in bytes (binder: usually 4 MiB).
   * @param store - The page store.
   * @param lru - The driver's list of unused pages.
   * @param counters - The run's page counters.
   * @param userBuffer - The bytes this process sends from.
   */
  constructor(
    readonly id: number,
    readonly name: string,
    regionSize: number,
    readonly store: PageStore<Handle>,
    readonly lru: PageLru,
    readonly counters: PageCounters,
    userBuffer: Uint8Array,
  ) {
    if (regionSize % store.pageSize !== 0) throw kernelError("EINVAL", "binder_mmap", "region is not a whole number of pages", { regionSize });
    this.ranges = new RangeAllocator(regionSize);
    this.#pages = new Array<Handle | undefined>(regionSize / store.pageSize).fill(undefined);
    this.#users = new Int32Array(regionSize / store.pageSize);
    this.userBuffer = userBuffer;
    lru.register(this);
  }

  /** The number of pages the region holds now (in use or on the LRU list). */
  get presentPages(): number {
    let n = 0;
    for (const page of this.#pages) if (page !== undefined) n++;
    return n;
  }

  /**
   * Marks the pages under `[start, start + length)` used, allocating missing ones and taking unused
   * ones off the LRU list.
   *
   * @param start - The range start.
   * @param length - The range length.
   */
  usePages(start: number, length: number): void {
    const shift = Math.log2(this.store.pageSize);
    const last = (start + length - 1) >> shift;
    for (let index = start >> shift; index <= last; index++) {
      if (this.#users[index]!++ > 0) continue;
      this.counters.inUse++;
      if (this.#pages[index] !== undefined) {
        this.lru.remove(this, index);
        this.counters.reusedFromLru++;
      } else {
        this.#pages[index] = this.store.alloc();
        this.counters.allocated++;
        this.counters.live++;
      }
    }
  }

  /**
   * Drops the use of the pages under a range; pages no range uses any more go on the LRU list.
   *
   * @param start - The range start.
   * @param length - The range length.
   */
  unusePages(start: number, length: number): void {
    const shift = Math.log2(this.store.pageSize);
    const last = (start + length - 1) >> shift;
    for (let index = start >> shift; index <= last; index++) {
      if (--this.#users[index]! > 0) continue;
      this.counters.inUse--;
      this.lru.add(this, index);
    }
  }

  /**
   * The page at `index`, which a live range uses.
   *
   * @param index - The page index.
   * @throws KernelError `EFAULT` when the page is not present.
   */
  page(index: number): Handle {
    const page = this.#pages[index];
    if (page === undefined) throw kernelError("EFAULT", "binder_page", "no page at this index of the region", { process: this.name, index });
    return page;
  }

  /**
   * Frees the page at `index`; called by the shrinker for a page on the LRU list.
   *
   * @param index - The page index.
   */
  reclaimPage(index: number): void {
    const page = this.#pages[index];
    if (page === undefined || this.#users[index] !== 0) throw kernelError("EINVAL", "binder_shrink", "page is absent or in use", { process: this.name, index });
    this.#pages[index] = undefined;
    this.store.free(page);
    this.counters.live--;
  }
}
