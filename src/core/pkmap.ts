/**
 * The permanent `kmap` pool (`LAST_PKMAP` entries), kept for completeness; prefer `kmap_local`.
 *
 * @module
 */

/** Entries in the permanent mapping pool (`LAST_PKMAP`). */
export const LAST_PKMAP = 1024;

/**
 * The pool behind `kmap`/`kunmap`: one entry per mapped page, shared and counted.
 *
 * @remarks
 * Discouraged, as upstream: permanent maps are global, can run out, and (in the kernel) may sleep.
 * `kmap_local` is the replacement. The core routes every page through the pool, lowmem included,
 * so unbalanced `kunmap` calls are caught on every configuration.
 *
 * @invariant `byPfn` maps each mapped pfn to the entry holding it; that entry's count is positive.
 * @invariant `used` equals the number of entries with a positive count.
 */
export class Pkmap {
  private readonly counts = new Int32Array(LAST_PKMAP);
  private readonly byPfn = new Map<number, number>();
  private nextFree = 0;
  /** Entries in use. */
  used = 0;

  /**
   * The number of `kmap` calls not yet balanced by `kunmap` for a page.
   *
   * @param pfn - A page frame.
   * @returns The count (0 when unmapped).
   */
  count(pfn: number): number {
    const entry = this.byPfn.get(pfn);
    return entry === undefined ? 0 : this.counts[entry]!;
  }

  /**
   * Whether a new page could be mapped.
   *
   * @param pfn - The page to map.
   * @returns `true` when the page is already mapped or an entry is free.
   */
  canMap(pfn: number): boolean {
    return this.byPfn.has(pfn) || this.used < LAST_PKMAP;
  }

  /**
   * Maps a page (or takes another count on its entry).
   *
   * @param pfn - The page.
   * @remarks Does no checking: the caller checked that `canMap(pfn)` is true.
   */
  map(pfn: number): void {
    const existing = this.byPfn.get(pfn);
    if (existing !== undefined) {
      this.counts[existing]!++;
      return;
    }
    let entry = this.nextFree;
    while (this.counts[entry] !== 0) entry = (entry + 1) % LAST_PKMAP;
    // INVARIANT: the entry is free (count 0) and now holds pfn with count 1.
    this.counts[entry] = 1;
    this.byPfn.set(pfn, entry);
    this.nextFree = (entry + 1) % LAST_PKMAP;
    this.used++;
  }

  /**
   * Drops one count of a page's entry, freeing the entry at zero.
   *
   * @param pfn - The page.
   * @remarks Does no checking: the caller checked that `count(pfn) > 0`.
   */
  unmap(pfn: number): void {
    // SAFETY: By the caller's check count(pfn) > 0 and the type invariant (byPfn maps each mapped
    // pfn to its entry), the entry exists.
    const entry = this.byPfn.get(pfn)!;
    if (--this.counts[entry]! === 0) {
      this.byPfn.delete(pfn);
      this.used--;
    }
  }

  /**
   * Every mapped page with its count.
   *
   * @returns Pairs of pfn and count.
   */
  entries(): [pfn: number, count: number][] {
    return [...this.byPfn].map(([pfn, entry]) => [pfn, this.counts[entry]!]);
  }
}
