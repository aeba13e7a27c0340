/**
 * Binder's list of unused pages and the shrinker that frees them (thread 001: "When the range
 * allocator stops using a page, it is marked as unused and put on an LRU list. There's a custom
 * shrinker that can free pages not currently used by any allocation.").
 *
 * @remarks
 * The list is global (one per driver, like the kernel's `binder_freelist`), ordered from the
 * least recently unused page to the most recent. It stores keys, not pages: the page itself stays
 * in its process's page array, so a range that needs the page again takes it off the list without
 * a new allocation. The shrinker follows the kernel's `count_objects`/`scan_objects` split.
 *
 * @module
 */

/** Who owns an unused page: the hooks the shrinker calls to free it. */
export interface LruOwner {
  /** A small integer naming the owner in LRU keys. */
  readonly id: number;
  /**
   * Frees the page at `index` of the owner's region; called by the shrinker only for pages on the
   * list (no range uses them).
   */
  reclaimPage(index: number): void;
}

/**
 * The least-recently-unused list of pages no range uses.
 *
 * @invariant A page is on the list exactly when it is allocated and no range of its region uses it.
 */
export class PageLru {
  readonly #owners = new Map<number, LruOwner>();
  // Insertion order is LRU order: Map iteration starts at the oldest entry.
  readonly #list = new Map<number, true>();
  readonly #stride: number;

  /**
   * Creates an empty list.
   *
   * @param pagesPerOwner - The number of pages in each owner's region (keys are `id * stride + index`).
   */
  constructor(pagesPerOwner: number) {
    this.#stride = pagesPerOwner;
  }

  /**
   * Registers a region whose unused pages may go on the list.
   *
   * @param owner - The region.
   */
  register(owner: LruOwner): void {
    this.#owners.set(owner.id, owner);
  }

  /** The number of pages on the list. */
  get length(): number {
    return this.#list.size;
  }

  /**
   * Puts a page that no range uses any more at the young end of the list.
   *
   * @param owner - The region.
   * @param index - The page index in the region.
   */
  add(owner: LruOwner, index: number): void {
    this.#list.set(owner.id * this.#stride + index, true);
  }

  /**
   * Takes a page off the list because a range uses it again.
   *
   * @param owner - The region.
   * @param index - The page index in the region.
   * @returns Whether the page was on the list.
   */
  remove(owner: LruOwner, index: number): boolean {
    return this.#list.delete(owner.id * this.#stride + index);
  }

  /**
   * Removes and frees up to `count` pages, oldest first.
   *
   * @param count - The most pages to free.
   * @returns The number freed.
   */
  reclaimOldest(count: number): number {
    let freed = 0;
    for (const key of this.#list.keys()) {
      if (freed >= count) break;
      this.#list.delete(key);
      const owner = this.#owners.get(Math.floor(key / this.#stride));
      owner?.reclaimPage(key % this.#stride);
      freed++;
    }
    return freed;
  }
}

/**
 * The shrinker: the memory-pressure callback that frees unused binder pages.
 *
 * @remarks
 * `count()` reports how many pages could be freed (`count_objects`); `scan(n)` frees up to `n` of
 * them (`scan_objects`). Pages that a range still uses are never on the list, so they are never
 * reclaimed.
 */
export class BinderShrinker {
  /** The number of `scan` calls that freed at least one page. */
  runs = 0;
  /** Pages freed by every `scan`. */
  reclaimed = 0;
  readonly #lru: PageLru;

  /**
   * Creates the shrinker over a list.
   *
   * @param lru - The list of unused pages.
   */
  constructor(lru: PageLru) {
    this.#lru = lru;
  }

  /** How many pages a scan could free now. */
  count(): number {
    return this.#lru.length;
  }

  /**
   * Frees up to `nrToScan` unused pages, oldest first.
   *
   * @param nrToScan - The most pages to free.
   * @returns The number freed.
   */
  scan(nrToScan: number): number {
    const freed = this.#lru.reclaimOldest(nrToScan);
    if (freed > 0) this.runs++;
    this.reclaimed += freed;
    return freed;
  }
}
