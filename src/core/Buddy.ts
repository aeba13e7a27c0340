/**
 * The buddy allocator: per-zone free lists of orders 0..10 and a per-zone hot list for order 0.
 *
 * @module
 */
import { hex, isU32 } from "../args.js";
import { kernelError } from "../errors.js";
import { MAX_PAGE_ORDER, NR_PAGE_ORDERS } from "./config.js";
import { FLAGS_MASK, NO_PFN, ORDER_MASK, ORDER_SHIFT, PG_buddy, PG_free, type MemMap } from "./MemMap.js";

/** The zone of lowmem pages, which have a direct mapping. */
export const ZONE_NORMAL = 0;
/** The zone of HIGHMEM pages, reachable only through mapping slots. */
export const ZONE_HIGHMEM = 1;
/** Number of zones. */
export const NR_ZONES = 2;
/** Most pages kept on a zone's order-0 hot list before a batch goes back to the buddy lists. */
export const PCP_HIGH = 64;
/** Pages moved at once between a hot list and the buddy lists. */
export const PCP_BATCH = 16;

/**
 * The order-0 hot list of one zone (the kernel's per-CPU page list): a stack of free pages.
 *
 * @remarks A small object with a plain count, so the machine's order-0 fast paths push and pop it
 * with one field update and one element access.
 *
 * @invariant `0 <= count <= PCP_HIGH`; `pages[0..count)` are free order-0 pages of the zone.
 */
export class HotList {
  /** The pages, oldest first; only the first `count` entries are meaningful. */
  readonly pages: Int32Array = new Int32Array(PCP_HIGH);
  /** Number of pages on the list. */
  count = 0;
}

/**
 * Free memory of one machine: doubly linked free lists threaded through the page metadata, plus an
 * order-0 hot list per zone in the manner of the kernel's per-CPU page lists (`pcp`).
 *
 * @remarks
 * Order-0 allocation and free are O(1) in the common case: they pop and push the hot list. The hot
 * list is refilled from, and drained to, the buddy lists a batch at a time; merging happens then.
 * A higher-order request that the buddy lists cannot meet drains the hot list first, but only when
 * that is certain to help, so a failing request leaves every list as it was.
 *
 * The methods do no argument checking: the machine validates first.
 *
 * @invariant Every block on list `(zone, order)` is `2^order`-aligned, lies in `zone`, has
 *   `PG_buddy` and `order` on its first page and `PG_free` on all of its pages.
 * @invariant No two free blocks overlap, and no page is both on a list and allocated.
 * @invariant Two free buddies of the same order never coexist on the lists (they are merged).
 * @invariant Hot-list pages have `PG_free` and are not `PG_buddy`.
 */
export class Buddy {
  /** Head pfn of each free list, indexed `zone * NR_PAGE_ORDERS + order`; `NO_PFN` when empty. */
  readonly heads: Uint32Array = new Uint32Array(NR_ZONES * NR_PAGE_ORDERS).fill(NO_PFN);
  /** Number of blocks on each free list. */
  readonly nrBlocks: Uint32Array = new Uint32Array(NR_ZONES * NR_PAGE_ORDERS);
  /** The order-0 hot list of each zone. */
  readonly pcp: readonly HotList[] = [new HotList(), new HotList()];
  /** Free pages per zone on the buddy free lists (hot-list pages are counted by their lists). */
  readonly nrFree: Float64Array = new Float64Array(NR_ZONES);
  /** Pages per zone that the allocator manages. */
  readonly managed: Float64Array = new Float64Array(NR_ZONES);
  /** The order found by the last successful {@link Buddy.pick}. */
  private pickedOrder = 0;
  /** The machine's page metadata. */
  declare private readonly mem: MemMap;
  /** The first HIGHMEM frame. */
  declare readonly highmemPfn: number;

  /**
   * Creates empty free lists over `mem`.
   *
   * @param mem - The machine's page metadata.
   * @param highmemPfn - The first HIGHMEM frame.
   */
  constructor(mem: MemMap, highmemPfn: number) {
    this.mem = mem;
    this.highmemPfn = highmemPfn;
  }

  /**
   * The zone of a page frame.
   *
   * @param pfn - A page frame.
   * @returns `ZONE_NORMAL` or `ZONE_HIGHMEM`.
   */
  zoneOf(pfn: number): number {
    return pfn < this.highmemPfn ? ZONE_NORMAL : ZONE_HIGHMEM;
  }

  /**
   * Hands the RAM frames `[startPfn, endPfn)` to the allocator as maximal aligned blocks.
   *
   * @param startPfn - First frame.
   * @param endPfn - One past the last frame.
   * @safety
   * - The frames are RAM, in one zone, not yet managed and not allocated.
   */
  addRange(startPfn: number, endPfn: number): void {
    // Internal, but checked: a non-integer or out-of-range bound would loop forever (Infinity) or
    // corrupt the metadata.
    const limit = this.mem.flagsGen.length;
    if (!isU32(startPfn) || !isU32(endPfn) || startPfn > endPfn || endPfn > limit) {
      throw kernelError("EINVAL", "buddy_add_range", "not a range of page frames", { startPfn, endPfn, nrPages: limit });
    }
    const zone = this.zoneOf(startPfn);
    // INVARIANT: every page handed to the allocator is marked free; its generation is still 0
    // (the frames were never allocated), so the whole word can be written.
    this.mem.flagsGen.fill(PG_free, startPfn, endPfn);
    let pfn = startPfn;
    while (pfn < endPfn) {
      let order = MAX_PAGE_ORDER;
      while (order > 0 && ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > endPfn)) order--;
      this.merge(zone, pfn, order);
      pfn += 1 << order;
    }
    this.managed[zone]! += endPfn - startPfn;
  }

  /**
   * Finds, without changing anything, the first page of the block a request would get.
   *
   * @param zone - The zone to allocate from.
   * @param order - The order wanted, 0..10.
   * @returns The pfn, or `NO_PFN` when the zone cannot satisfy the request.
   * @remarks For order 0 this may refill an empty hot list from the buddy lists, and for a higher
   * order it may drain the hot list when that makes the request succeed; neither changes which
   * pages are free.
   */
  pick(zone: number, order: number): number {
    if (order === 0) {
      // SAFETY: zone is 0 or 1, and pcp has NR_ZONES entries.
      const hot = this.pcp[zone]!;
      if (hot.count === 0) this.refill(zone);
      return hot.count === 0 ? NO_PFN : hot.pages[hot.count - 1]!;
    }
    let found = this.findOrder(zone, order);
    if (found < 0 && this.pcp[zone]!.count > 0 && this.pcpCouldSatisfy(zone, order)) {
      this.drainPcp(zone, this.pcp[zone]!.count);
      found = this.findOrder(zone, order);
    }
    if (found < 0) return NO_PFN;
    this.pickedOrder = found;
    // SAFETY: found indexes a non-empty list.
    return this.heads[zone * NR_PAGE_ORDERS + found]!;
  }

  /**
   * Takes the block found by the immediately preceding {@link Buddy.pick} off the free lists.
   *
   * @param zone - The zone given to `pick`.
   * @param order - The order given to `pick`.
   * @returns The block's first pfn (the one `pick` returned).
   * @safety
   * - `pick(zone, order)` was the last call on this allocator and did not return `NO_PFN`.
   */
  commit(zone: number, order: number): number {
    if (order === 0) {
      const hot = this.pcp[zone]!;
      const count = --hot.count;
      // SAFETY: pick found count > 0.
      return hot.pages[count]!;
    }
    return this.take(zone, order, this.pickedOrder);
  }

  /**
   * Pops a page off a zone's order-0 hot list, without refilling it.
   *
   * @param zone - The zone.
   * @returns The page, or `NO_PFN` when the hot list is empty.
   * @remarks The page keeps `PG_free`; the caller gives it allocated metadata at once.
   */
  pcpPop(zone: number): number {
    const hot = this.pcp[zone]!;
    const count = hot.count - 1;
    if (count < 0) return NO_PFN;
    hot.count = count;
    // SAFETY: 0 <= count < PCP_HIGH.
    return hot.pages[count]!;
  }

  /**
   * Returns a block to the allocator: order 0 goes to the hot list, larger blocks merge with buddies.
   *
   * @param pfn - The block's first page; its pages already carry `PG_free`.
   * @param order - The block's order.
   * @safety
   * - The block was allocated with this order and every page of it is marked `PG_free`.
   */
  free(pfn: number, order: number): void {
    const zone = pfn < this.highmemPfn ? ZONE_NORMAL : ZONE_HIGHMEM;
    if (order === 0) {
      const hot = this.pcp[zone]!;
      if (hot.count === PCP_HIGH) this.drainPcp(zone, PCP_BATCH);
      // SAFETY: count < PCP_HIGH after the drain.
      hot.pages[hot.count++] = pfn;
      return;
    }
    this.merge(zone, pfn, order);
  }

  /**
   * Moves the oldest `count` hot-list pages of a zone back to the buddy lists, merging them.
   *
   * @param zone - The zone.
   * @param count - How many pages, at most the hot list's length.
   */
  drainPcp(zone: number, count: number): void {
    const hot = this.pcp[zone]!;
    const list = hot.pages;
    for (let i = 0; i < count; i++) this.merge(zone, list[i]!, 0);
    list.copyWithin(0, count, hot.count);
    hot.count -= count;
  }

  /**
   * Whether draining the zone's hot list would produce a free block of `order`.
   *
   * @param zone - The zone.
   * @param order - The order wanted.
   * @returns `true` when some aligned block of that order containing a hot-list page is entirely free.
   */
  private pcpCouldSatisfy(zone: number, order: number): boolean {
    const flags = this.mem.flagsGen;
    const size = 1 << order;
    const { pages: list, count } = this.pcp[zone]!;
    for (let i = 0; i < count; i++) {
      const start = list[i]! & ~(size - 1);
      if (start + size > this.mem.nrPages || this.zoneOf(start) !== zone || this.zoneOf(start + size - 1) !== zone) continue;
      let all = true;
      for (let p = start; p < start + size && all; p++) all = (flags[p]! & PG_free) !== 0;
      if (all) return true;
    }
    return false;
  }

  private refill(zone: number): void {
    const hot = this.pcp[zone]!;
    while (hot.count < PCP_BATCH) {
      const found = this.findOrder(zone, 0);
      if (found < 0) break;
      hot.pages[hot.count++] = this.take(zone, 0, found);
    }
  }

  private findOrder(zone: number, order: number): number {
    const base = zone * NR_PAGE_ORDERS;
    for (let o = order; o <= MAX_PAGE_ORDER; o++) if (this.heads[base + o] !== NO_PFN) return o;
    return -1;
  }

  private take(zone: number, order: number, from: number): number {
    const pfn = this.heads[zone * NR_PAGE_ORDERS + from]!;
    this.unlink(zone, from, pfn);
    this.nrFree[zone]! -= 1 << order;
    // INVARIANT: the upper halves split off go back on the lists, still marked free.
    for (let o = from - 1; o >= order; o--) this.push(zone, o, pfn + (1 << o));
    return pfn;
  }

  private merge(zone: number, pfn: number, order: number): void {
    this.nrFree[zone]! += 1 << order;
    const flags = this.mem.flagsGen;
    const limit = this.mem.nrPages;
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= limit || this.zoneOf(buddy) !== zone) break;
      // SAFETY: buddy < nrPages was checked above.
      const f = flags[buddy]!;
      if ((f & PG_buddy) === 0 || (f & ORDER_MASK) >>> ORDER_SHIFT !== order) break;
      this.unlink(zone, order, buddy);
      pfn &= ~(1 << order);
      order++;
    }
    this.push(zone, order, pfn);
  }

  private push(zone: number, order: number, pfn: number): void {
    const { flagsGen: flags, links0: link0, links1: link1 } = this.mem;
    const index = zone * NR_PAGE_ORDERS + order;
    const head = this.heads[index]!;
    link0[pfn] = head;
    link1[pfn] = NO_PFN;
    if (head !== NO_PFN) link1[head] = pfn;
    this.heads[index] = pfn;
    // INVARIANT: a listed block's first page carries PG_buddy and its order.
    flags[pfn] = (flags[pfn]! & ~ORDER_MASK) | PG_buddy | PG_free | (order << ORDER_SHIFT);
    this.nrBlocks[index]!++;
  }

  private unlink(zone: number, order: number, pfn: number): void {
    const { flagsGen: flags, links0: link0, links1: link1 } = this.mem;
    const index = zone * NR_PAGE_ORDERS + order;
    const next = link0[pfn]!;
    const prev = link1[pfn]!;
    if (prev === NO_PFN) this.heads[index] = next;
    else link0[prev] = next;
    if (next !== NO_PFN) link1[next] = prev;
    link0[pfn] = 0;
    link1[pfn] = 0;
    flags[pfn] = flags[pfn]! & ~(PG_buddy | ORDER_MASK);
    this.nrBlocks[index]!--;
  }

  /**
   * Walks every free list and hot list, checking the invariants and marking the free pages.
   *
   * @param seen - One byte per page, zeroed; set to 1 for every page found free.
   * @returns A description of each violation found (empty when consistent).
   */
  check(seen: Uint8Array): string[] {
    const problems: string[] = [];
    const { flagsGen: flags, links0: link0, links1: link1 } = this.mem;
    const mark = (pfn: number, size: number, what: string): void => {
      for (let p = pfn; p < pfn + size; p++) {
        if (seen[p] !== 0) problems.push(`${what}: page ${hex(p)} is free twice`);
        seen[p] = 1;
        if ((flags[p]! & PG_free) === 0) problems.push(`${what}: page ${hex(p)} lacks PG_free`);
      }
    };
    for (let zone = 0; zone < NR_ZONES; zone++) {
      let pages = 0;
      for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
        const what = `zone ${zone} order ${order}`;
        let prev = NO_PFN;
        let count = 0;
        for (let pfn = this.heads[zone * NR_PAGE_ORDERS + order]!; pfn !== NO_PFN; pfn = link0[pfn]!) {
          if (pfn >= this.mem.nrPages || count > this.mem.nrPages) {
            problems.push(`${what}: list runs off the memory map at ${hex(pfn)}`);
            break;
          }
          const f = flags[pfn]! & FLAGS_MASK;
          if ((f & PG_buddy) === 0 || f >>> ORDER_SHIFT !== order) problems.push(`${what}: block ${hex(pfn)} has flags ${f}`);
          if ((pfn & ((1 << order) - 1)) !== 0) problems.push(`${what}: block ${hex(pfn)} is unaligned`);
          if (this.zoneOf(pfn) !== zone || this.zoneOf(pfn + (1 << order) - 1) !== zone) {
            problems.push(`${what}: block ${hex(pfn)} is outside its zone`);
          }
          if (link1[pfn] !== prev) problems.push(`${what}: block ${hex(pfn)} has a wrong prev link`);
          const buddy = pfn ^ (1 << order);
          if (order < MAX_PAGE_ORDER && buddy < this.mem.nrPages && (flags[buddy]! & PG_buddy) !== 0 &&
              (flags[buddy]! & ORDER_MASK) >>> ORDER_SHIFT === order && this.zoneOf(buddy) === zone) {
            problems.push(`${what}: block ${hex(pfn)} and its buddy ${hex(buddy)} are both free and unmerged`);
          }
          mark(pfn, 1 << order, what);
          pages += 1 << order;
          prev = pfn;
          count++;
        }
        if (count !== this.nrBlocks[zone * NR_PAGE_ORDERS + order]) problems.push(`${what}: count ${count} != ${this.nrBlocks[zone * NR_PAGE_ORDERS + order]}`);
      }
      const hot = this.pcp[zone]!;
      if (hot.count < 0 || hot.count > PCP_HIGH) problems.push(`zone ${zone} pcp: count ${hot.count} out of range`);
      for (let i = 0; i < Math.min(hot.count, PCP_HIGH); i++) {
        const pfn = hot.pages[i]!;
        if ((flags[pfn]! & PG_buddy) !== 0 || this.zoneOf(pfn) !== zone) problems.push(`zone ${zone} pcp: page ${hex(pfn)} misplaced`);
        mark(pfn, 1, `zone ${zone} pcp`);
      }
      if (pages !== this.nrFree[zone]) problems.push(`zone ${zone}: ${pages} pages listed but nrFree=${this.nrFree[zone]}`);
    }
    return problems;
  }
}
