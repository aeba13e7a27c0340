/**
 * The buddy allocator: per-zone free lists of orders 0..10 and a per-zone hot list for order 0.
 *
 * @module
 */
import { hex, isAddress } from "../args.js";
import { kernelError } from "../errors.js";
import { MAX_PAGE_ORDER, NR_PAGE_ORDERS } from "./config.js";
import { FLAGS_MASK, NO_PFN, ORDER_MASK, ORDER_SHIFT, PG_buddy, PG_free, SECTION_PAGES, type MemMap } from "./memmap.js";

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
 * @invariant `pages` is an `Int32Array` only on a machine of at most 2^31 frames (every pfn of it
 *   below 2^31), else a `Float64Array`.
 * @invariant `pages` has exactly `PCP_HIGH` elements.
 */
export class HotList {
  /**
   * The pages, oldest first; only the first `count` entries are meaningful. An `Int32Array` when
   * every pfn of the machine fits one (below 2^31 frames), else a `Float64Array` (pfns reach 2^34).
   */
  declare readonly pages: Int32Array | Float64Array;
  /** Number of pages on the list. */
  declare count: number;

  /**
   * Makes an empty hot list for a machine of `nrPages` frames.
   *
   * @param nrPages - The machine's frames: at most 2^31 gives an `Int32Array` (its pfns then come
   *   out as small integers, which the order-0 row measures; docs/performance-notes.md).
   */
  constructor(nrPages: number) {
    // INVARIANT: an Int32Array only when every pfn of the machine (< nrPages <= 2^31) is exact in it.
    this.pages = nrPages <= 2 ** 31 ? new Int32Array(PCP_HIGH) : new Float64Array(PCP_HIGH);
    this.count = 0;
  }
}

/**
 * Free memory of one machine: doubly linked free lists threaded through the page metadata, plus an
 * order-0 hot list per zone in the manner of the kernel's per-CPU page lists (`pcp`), over RAM
 * that is threaded onto the lists lazily (the kernel's `DEFERRED_STRUCT_PAGE_INIT`).
 *
 * @remarks
 * Order-0 allocation and free are O(1) in the common case: they pop and push the hot list. The hot
 * list is refilled from, and drained to, the buddy lists a batch at a time; merging happens then.
 * A higher-order request that the buddy lists cannot meet drains the hot list first, but only when
 * that is certain to help, so a failing request leaves every list as it was.
 *
 * {@link Buddy.addRange} only records RAM as pending: its pages read `PG_free` by default (see
 * `MemMap.defaultWord`) and count as managed and free, but no metadata is written. When a zone's
 * lists cannot meet a request, the lowest pending section of the zone is threaded onto them
 * (`deferred_grow_zone`), then the next, until the request can be met; when even all pending
 * memory could not meet it, nothing is threaded and the request fails with the lists unchanged.
 *
 * A free-list link holds `pfn + 1` (0 ends the list), so the default link 0 of untouched metadata
 * is already an empty link and no pfn, 0 included, is mistaken for the end.
 *
 * The methods do no argument checking beyond `addRange`: the machine validates first.
 *
 * @invariant Every block on list `(zone, order)` is `2^order`-aligned, lies in `zone`, has
 *   `PG_buddy` and `order` on its first page and `PG_free` on all of its pages.
 * @invariant No two free blocks overlap, and no page is both on a list and allocated.
 * @invariant Two free buddies of the same order never coexist on the lists (they are merged).
 * @invariant Hot-list pages have `PG_free` and are not `PG_buddy`.
 * @invariant `pending[zone]` ranges are sorted, disjoint, RAM of `zone`, on no list, never
 *   allocated, with default metadata; `nrFree[zone]` counts them, and `pendingPages[zone]` is their size.
 * @invariant A pending range that starts inside a section starts at the range's own start or at the
 *   boundary where threading stopped, which is a section boundary; so no aligned block of order up
 *   to `MAX_PAGE_ORDER` holds both threaded and pending pages.
 * @invariant `pcp` has `NR_ZONES` hot lists, and `heads` has `NR_ZONES * NR_PAGE_ORDERS` list heads
 *   (`NO_PFN` for an empty list).
 */
export class Buddy {
  /** Head pfn of each free list, indexed `zone * NR_PAGE_ORDERS + order`; `NO_PFN` when empty. */
  readonly heads: Float64Array = new Float64Array(NR_ZONES * NR_PAGE_ORDERS).fill(NO_PFN);
  /** Number of blocks on each free list. */
  readonly nrBlocks: Float64Array = new Float64Array(NR_ZONES * NR_PAGE_ORDERS);
  /** The order-0 hot list of each zone. */
  declare readonly pcp: readonly HotList[];
  /** Free pages per zone: on the buddy free lists or pending (hot-list pages are counted by their lists). */
  readonly nrFree: Float64Array = new Float64Array(NR_ZONES);
  /** Pages per zone that the allocator manages (threaded or pending). */
  readonly managed: Float64Array = new Float64Array(NR_ZONES);
  /** Pages per zone recorded by `addRange` and not yet threaded onto the lists. */
  readonly pendingPages: Float64Array = new Float64Array(NR_ZONES);
  /** The pending RAM of each zone as `[start, end)` pairs, lowest first. */
  readonly #pending: [number, number][][] = [[], []];
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
    this.pcp = [new HotList(mem.nrPages), new HotList(mem.nrPages)];
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
   * Hands the RAM frames `[startPfn, endPfn)` to the allocator; they are threaded onto the free
   * lists when first needed.
   *
   * @param startPfn - First frame.
   * @param endPfn - One past the last frame.
   * @throws KernelError `EINVAL` when the bounds are not a range of the machine's frames in one zone.
   * @remarks Does no further checking: the caller guarantees the frames are RAM, not yet managed,
   *   never allocated, with untouched metadata, and handed over in ascending order per zone before
   *   the first allocation; a range that starts where the zone's last one ends joins it.
   */
  addRange(startPfn: number, endPfn: number): void {
    // Internal, but checked: a non-integer or out-of-range bound would corrupt the lists.
    const limit = this.mem.nrPages;
    if (!isAddress(startPfn) || !isAddress(endPfn) || startPfn > endPfn || endPfn > limit ||
        (endPfn > startPfn && this.zoneOf(startPfn) !== this.zoneOf(endPfn - 1))) {
      throw kernelError("EINVAL", "buddy_add_range", "not a range of page frames in one zone", { startPfn, endPfn, nrPages: limit });
    }
    if (startPfn === endPfn) return;
    const zone = this.zoneOf(startPfn);
    const pending = this.#pending[zone]!;
    const last = pending[pending.length - 1];
    // INVARIANT: pending pages read PG_free by default and are counted as managed and free. A range
    // that continues the last one (two RAM segments that touch) extends it, so an aligned block
    // across the seam is found as one (the pending invariant: no block holds threaded and pending pages).
    if (last !== undefined && last[1] === startPfn) last[1] = endPfn;
    else pending.push([startPfn, endPfn]);
    this.pendingPages[zone]! += endPfn - startPfn;
    this.managed[zone]! += endPfn - startPfn;
    this.nrFree[zone]! += endPfn - startPfn;
  }

  /**
   * Adds to `counts[order]` the free blocks the zone's pending RAM will be threaded into: what
   * `/proc/buddyinfo` shows for it, computed without threading anything.
   *
   * @param zone - `ZONE_NORMAL` or `ZONE_HIGHMEM`.
   * @param counts - `NR_PAGE_ORDERS` block counts, added to.
   * @remarks Threading cuts a range into the largest aligned blocks from its start (section by
   *   section, and sections are aligned to the largest block), and none of them merges with a
   *   threaded block (the pending invariant), so the counts are exact. O(orders) per range.
   */
  addPendingBlocks(zone: number, counts: number[]): void {
    const max = 1 << MAX_PAGE_ORDER;
    const greedy = (from: number, to: number): void => {
      let pfn = from;
      while (pfn < to) {
        let order = MAX_PAGE_ORDER;
        while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > to)) order--;
        counts[order]! += 1;
        pfn += 1 << order;
      }
    };
    for (const [start, end] of this.#pending[zone]!) {
      // The unaligned head and tail give at most MAX_PAGE_ORDER blocks each; the middle is whole
      // largest blocks.
      const first = Math.min(end, Math.ceil(start / max) * max);
      const last = Math.max(first, Math.floor(end / max) * max);
      greedy(start, first);
      counts[MAX_PAGE_ORDER]! += (last - first) / max;
      greedy(last, end);
    }
  }

  /**
   * Whether a frame is pending: managed RAM not yet threaded onto the free lists.
   *
   * @param pfn - A page frame.
   * @returns `true` when `addRange` recorded it and no request has needed it yet.
   */
  isPending(pfn: number): boolean {
    for (const [start, end] of this.#pending[this.zoneOf(pfn)]!) if (pfn >= start && pfn < end) return true;
    return false;
  }

  /**
   * The pending ranges of a zone, lowest first.
   *
   * @param zone - The zone.
   * @returns `[start, end)` pairs (copies).
   */
  pendingRanges(zone: number): (readonly [number, number])[] {
    return this.#pending[zone]!.map(([start, end]) => [start, end] as const);
  }

  /**
   * Finds, without changing anything, the first page of the block a request would get.
   *
   * @param zone - The zone to allocate from.
   * @param order - The order wanted, 0..10.
   * @returns The pfn, or `NO_PFN` when the zone cannot satisfy the request.
   * @remarks For order 0 this may refill an empty hot list from the buddy lists, and for a higher
   * order it may drain the hot list when that makes the request succeed; either may first thread
   * pending sections onto the lists. None of this changes which pages are free, and a request that
   * fails changes nothing.
   */
  pick(zone: number, order: number): number {
    if (order === 0) {
      // SAFETY: By the invariant of Buddy (`pcp` has NR_ZONES entries) and the caller's zone <
      // NR_ZONES (the machine validates first; class remarks), zone indexes pcp.
      const hot = this.pcp[zone]!;
      if (hot.count === 0) this.refill(zone);
      return hot.count === 0 ? NO_PFN : hot.pages[hot.count - 1]!;
    }
    let found = this.findOrder(zone, order);
    if (found < 0 && this.pcp[zone]!.count > 0 && this.pcpCouldSatisfy(zone, order)) {
      this.drainPcp(zone, this.pcp[zone]!.count);
      found = this.findOrder(zone, order);
    }
    if (found < 0 && this.grow(zone, order)) found = this.findOrder(zone, order);
    if (found < 0) return NO_PFN;
    this.pickedOrder = found;
    // SAFETY: By the check in Buddy.findOrder (o <= MAX_PAGE_ORDER and heads[base + o] !== NO_PFN)
    // and the invariant of Buddy (`heads` has NR_ZONES * NR_PAGE_ORDERS entries), the index is a
    // non-empty list.
    return this.heads[zone * NR_PAGE_ORDERS + found]!;
  }

  /**
   * Takes the block found by the immediately preceding {@link Buddy.pick} off the free lists.
   *
   * @param zone - The zone given to `pick`.
   * @param order - The order given to `pick`.
   * @returns The block's first pfn (the one `pick` returned).
   * @remarks Does no checking: the caller guarantees `pick(zone, order)` was the last call on this
   *   allocator and did not return `NO_PFN`.
   */
  commit(zone: number, order: number): number {
    if (order === 0) {
      const hot = this.pcp[zone]!;
      const count = --hot.count;
      // SAFETY: By the caller's contract (commit's remarks: the last pick(zone, 0) did not return
      // NO_PFN, so its check left count > 0) and the invariant of HotList (0 <= count <= PCP_HIGH,
      // `pages` has PCP_HIGH elements), the decremented count indexes pages.
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
    // SAFETY: By the check above (count >= 0) and the invariant of HotList (count <= PCP_HIGH,
    // `pages` has PCP_HIGH elements), 0 <= count < PCP_HIGH indexes pages.
    return hot.pages[count]!;
  }

  /**
   * Returns a block to the allocator: order 0 goes to the hot list, larger blocks merge with buddies.
   *
   * @param pfn - The block's first page; its pages already carry `PG_free`.
   * @param order - The block's order.
   * @remarks Does no checking: the caller guarantees the block was allocated with this order and
   *   every page of it is marked `PG_free`.
   */
  free(pfn: number, order: number): void {
    const zone = pfn < this.highmemPfn ? ZONE_NORMAL : ZONE_HIGHMEM;
    if (order === 0) {
      const hot = this.pcp[zone]!;
      if (hot.count === PCP_HIGH) this.drainPcp(zone, PCP_BATCH);
      // SAFETY: By the check above (count === PCP_HIGH drains PCP_BATCH > 0 pages) and the
      // invariant of HotList (0 <= count <= PCP_HIGH, `pages` has PCP_HIGH elements), count <
      // PCP_HIGH indexes pages.
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
    const mem = this.mem;
    const size = 1 << order;
    const { pages: list, count } = this.pcp[zone]!;
    for (let i = 0; i < count; i++) {
      const page = list[i]!;
      // `&` with a mask below 2^31 reads exact low bits of any pfn below 2^53.
      const start = page - (page & (size - 1));
      if (start + size > mem.nrPages || this.zoneOf(start) !== zone || this.zoneOf(start + size - 1) !== zone) continue;
      let all = true;
      // A block holding a hot-list page holds no pending page (by the pending invariant), so
      // PG_free here means listed or on the hot list.
      for (let p = start; p < start + size && all; p++) all = (mem.word(p) & PG_free) !== 0;
      if (all) return true;
    }
    return false;
  }

  /**
   * Threads pending sections of a zone onto the free lists, lowest first, until a block of
   * `order` is listed; does nothing when all pending memory could not provide one.
   *
   * @param zone - The zone.
   * @param order - The order wanted.
   * @returns Whether anything was threaded.
   */
  private grow(zone: number, order: number): boolean {
    const pending = this.#pending[zone]!;
    const size = 1 << order;
    // Threaded pages never merge with pending ones (see the pending invariant), so the pending
    // memory can provide a block exactly when one of its ranges holds an aligned block.
    if (!pending.some(([start, end]) => Math.ceil(start / size) * size + size <= end)) return false;
    while (this.findOrder(zone, order) < 0) this.growSection(zone);
    return true;
  }

  /**
   * Threads every pending page of every zone onto the free lists at once, as an allocator without
   * deferred initialisation does at start-up (the kernel's boot-time `deferred_init_memmap`).
   *
   * @remarks Costs metadata for every managed section; for references, tests and benchmarks.
   */
  threadAll(): void {
    for (let zone = 0; zone < NR_ZONES; zone++) while (this.#pending[zone]!.length > 0) this.growSection(zone);
  }

  /** Threads the lowest pending piece of a zone, up to the next section boundary, onto the lists. */
  private growSection(zone: number): void {
    const pending = this.#pending[zone]!;
    // SAFETY: By the callers' checks (Buddy.grow: some pending range holds an aligned block and
    // none is listed yet; Buddy.threadAll: `pending[zone].length > 0`), pending is not empty.
    const range = pending[0]!;
    const start = range[0];
    const end = Math.min(range[1], (Math.floor(start / SECTION_PAGES) + 1) * SECTION_PAGES);
    if (end === range[1]) pending.shift();
    // INVARIANT: the rest of the range starts at a section boundary.
    else range[0] = end;
    this.pendingPages[zone]! -= end - start;
    this.nrFree[zone]! -= end - start;
    let pfn = start;
    while (pfn < end) {
      let order = MAX_PAGE_ORDER;
      while (order > 0 && ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > end)) order--;
      // INVARIANT: the pages read PG_free by default; merge marks the block's head and lists it.
      this.merge(zone, pfn, order);
      pfn += 1 << order;
    }
  }

  private refill(zone: number): void {
    const hot = this.pcp[zone]!;
    while (hot.count < PCP_BATCH) {
      let found = this.findOrder(zone, 0);
      if (found < 0 && this.grow(zone, 0)) found = this.findOrder(zone, 0);
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
    const mem = this.mem;
    const limit = mem.nrPages;
    while (order < MAX_PAGE_ORDER) {
      const size = 1 << order;
      // The buddy differs in bit `order`: tested with `&` on that low bit (exact for any pfn below
      // 2^53), not with `^`, which would truncate pfns >= 2^31, nor `%`, which V8 compiles to a
      // call on a double (the free lists' pfns are doubles).
      const buddy = (pfn & size) === 0 ? pfn + size : pfn - size;
      if (buddy >= limit || this.zoneOf(buddy) !== zone) break;
      const f = mem.word(buddy);
      if ((f & PG_buddy) === 0 || (f & ORDER_MASK) >>> ORDER_SHIFT !== order) break;
      this.unlink(zone, order, buddy);
      if (buddy < pfn) pfn = buddy;
      order++;
    }
    this.push(zone, order, pfn);
  }

  private push(zone: number, order: number, pfn: number): void {
    const mem = this.mem;
    const index = zone * NR_PAGE_ORDERS + order;
    const head = this.heads[index]!;
    // INVARIANT: links hold pfn + 1, 0 for none.
    mem.setLink0(pfn, head + 1);
    mem.setLink1(pfn, 0);
    if (head !== NO_PFN) mem.setLink1(head, pfn + 1);
    this.heads[index] = pfn;
    // INVARIANT: a listed block's first page carries PG_buddy and its order.
    mem.setWord(pfn, (mem.word(pfn) & ~ORDER_MASK) | PG_buddy | PG_free | (order << ORDER_SHIFT));
    this.nrBlocks[index]!++;
  }

  private unlink(zone: number, order: number, pfn: number): void {
    const mem = this.mem;
    const index = zone * NR_PAGE_ORDERS + order;
    const next = mem.link0(pfn) - 1;
    const prev = mem.link1(pfn) - 1;
    if (prev === NO_PFN) this.heads[index] = next;
    else mem.setLink0(prev, next + 1);
    if (next !== NO_PFN) mem.setLink1(next, prev + 1);
    mem.setLink0(pfn, 0);
    mem.setLink1(pfn, 0);
    mem.setWord(pfn, mem.word(pfn) & ~(PG_buddy | ORDER_MASK));
    this.nrBlocks[index]!--;
  }

  /**
   * Walks every free list and hot list, checking the invariants and marking the free pages.
   *
   * @param seen - Empty; receives every page found on a list or hot list.
   * @returns A description of each violation found (empty when consistent).
   */
  check(seen: PfnMarks): string[] {
    const problems: string[] = [];
    const mem = this.mem;
    const nrPages = mem.nrPages;
    const mark = (pfn: number, size: number, what: string): void => {
      for (let p = pfn; p < pfn + size; p++) {
        if (!seen.add(p)) problems.push(`${what}: page ${hex(p)} is free twice`);
        if ((mem.word(p) & PG_free) === 0) problems.push(`${what}: page ${hex(p)} lacks PG_free`);
        if (this.isPending(p)) problems.push(`${what}: page ${hex(p)} is listed and pending`);
      }
    };
    for (let zone = 0; zone < NR_ZONES; zone++) {
      let pages = 0;
      for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
        const what = `zone ${zone} order ${order}`;
        let prev = NO_PFN;
        let count = 0;
        for (let pfn = this.heads[zone * NR_PAGE_ORDERS + order]!; pfn !== NO_PFN; pfn = mem.link0(pfn) - 1) {
          if (!Number.isInteger(pfn) || pfn < 0 || pfn >= nrPages || count > nrPages) {
            problems.push(`${what}: list runs off the memory map at ${hex(pfn)}`);
            break;
          }
          const f = mem.word(pfn) & FLAGS_MASK;
          if ((f & PG_buddy) === 0 || f >>> ORDER_SHIFT !== order) problems.push(`${what}: block ${hex(pfn)} has flags ${f}`);
          if (pfn % (1 << order) !== 0) problems.push(`${what}: block ${hex(pfn)} is unaligned`);
          if (this.zoneOf(pfn) !== zone || this.zoneOf(pfn + (1 << order) - 1) !== zone) {
            problems.push(`${what}: block ${hex(pfn)} is outside its zone`);
          }
          if (mem.link1(pfn) - 1 !== prev) problems.push(`${what}: block ${hex(pfn)} has a wrong prev link`);
          const buddy = pfn % (2 << order) === 0 ? pfn + (1 << order) : pfn - (1 << order);
          if (order < MAX_PAGE_ORDER && buddy < nrPages && (mem.word(buddy) & PG_buddy) !== 0 &&
              (mem.word(buddy) & ORDER_MASK) >>> ORDER_SHIFT === order && this.zoneOf(buddy) === zone) {
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
        if ((mem.word(pfn) & PG_buddy) !== 0 || this.zoneOf(pfn) !== zone) problems.push(`zone ${zone} pcp: page ${hex(pfn)} misplaced`);
        mark(pfn, 1, `zone ${zone} pcp`);
      }
      let pendingPages = 0;
      let last = -1;
      for (const [start, end] of this.#pending[zone]!) {
        if (start < last || start >= end || end > nrPages || this.zoneOf(start) !== zone || this.zoneOf(end - 1) !== zone) {
          problems.push(`zone ${zone}: pending range [${hex(start)}, ${hex(end)}) is malformed`);
        }
        pendingPages += end - start;
        last = end;
      }
      if (pendingPages !== this.pendingPages[zone]) problems.push(`zone ${zone}: ${pendingPages} pages pending but pendingPages=${this.pendingPages[zone]}`);
      if (pages + pendingPages !== this.nrFree[zone]) problems.push(`zone ${zone}: ${pages} pages listed and ${pendingPages} pending but nrFree=${this.nrFree[zone]}`);
    }
    return problems;
  }
}

/**
 * A set of page frames for consistency checks, stored a section at a time (so a check of a
 * 64 TiB machine costs memory in proportion to the frames marked).
 */
export class PfnMarks {
  readonly #sections = new Map<number, Uint8Array>();

  /**
   * Marks a frame.
   *
   * @param pfn - A page frame.
   * @returns `false` when it was already marked.
   */
  add(pfn: number): boolean {
    const index = Math.floor(pfn / SECTION_PAGES);
    let section = this.#sections.get(index);
    if (section === undefined) {
      section = new Uint8Array(SECTION_PAGES);
      this.#sections.set(index, section);
    }
    const offset = pfn % SECTION_PAGES;
    const was = section[offset] === 1;
    section[offset] = 1;
    return !was;
  }

  /**
   * Whether a frame is marked.
   *
   * @param pfn - A page frame.
   * @returns `true` after `add(pfn)`.
   */
  has(pfn: number): boolean {
    return this.#sections.get(Math.floor(pfn / SECTION_PAGES))?.[pfn % SECTION_PAGES] === 1;
  }
}
