/**
 * Allocation, freeing, reference counts and folio flags of a machine.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, isPfn, isU32 } from "../args.js";
import { MAX_PAGE_ORDER, NR_PAGE_ORDERS } from "./config.js";
import { NR_ZONES, PCP_HIGH as BUDDY_PCP_HIGH, ZONE_HIGHMEM, ZONE_NORMAL } from "./Buddy.js";
import { findPoisonCorruption, poisonBlock } from "./debug/poison.js";
import { formatPoison } from "./debug/report.js";
import { __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO, GFP_VALID_MASK, gfpName } from "./gfp.js";
import { KmapSlots } from "./KmapSlots.js";
import { MachineState } from "./MachineState.js";
import { accessLine, deadHandle, kasanReport } from "./debug/handles.js";
import {
  FLAGS_MASK,
  GEN_ONE as MEMMAP_GEN_ONE,
  GEN_SHIFT as MEMMAP_GEN_SHIFT,
  GEN_WRAP as MEMMAP_GEN_WRAP,
  NO_PFN,
  ORDER_SHIFT,
  PG_free as MEMMAP_PG_free,
  PG_head,
  PG_locked,
  PG_nomap,
  PG_poisoned,
  PG_reserved,
  PG_tail,
  PG_uptodate,
  PG_dirty,
  PG_owner_priv_1,
  PG_owner_priv_2,
  PG_USER_MASK,
} from "./MemMap.js";

// Module-local copies of the imported constants the order-0 fast paths use: V8 folds a module's
// own `const`s into optimized code, but reads an imported binding from its module cell at every use.
const PCP_HIGH = BUDDY_PCP_HIGH;
const PG_free = MEMMAP_PG_free;
const GEN_ONE = MEMMAP_GEN_ONE;
const GEN_SHIFT = MEMMAP_GEN_SHIFT;
const GEN_WRAP = MEMMAP_GEN_WRAP;

/** GFP bits that keep an order-0 allocation off the fast path (unknown bits, HIGHMEM, ZERO, COMP). */
const FAST_GFP_EXCLUDE = ~GFP_VALID_MASK | __GFP_HIGHMEM | __GFP_ZERO | __GFP_COMP;
/** Flags an order-0 page may carry and still be freed on the fast path (order bits must be 0). */
const FAST_FREE_FLAGS = PG_uptodate | PG_dirty | PG_owner_priv_1 | PG_owner_priv_2 | PG_head;
/** The bits of a `flagsGen` word that keep a free off the fast path: every other flag and the order. */
const FAST_FREE_REJECT = FLAGS_MASK & ~FAST_FREE_FLAGS;
/** The generation half of a `flagsGen` word. */
const GEN_MASK = ~FLAGS_MASK;

/** The largest reference count `folio_get` accepts before it would overflow. */
export const REFCOUNT_MAX = 0x7fffffff;

/**
 * The allocator-facing half of a {@link Machine}: `alloc_pages`, `__free_pages`, folio references
 * and flags.
 *
 * @remarks Split from `Machine` only to keep files small; use `Machine`.
 */
export class MachinePages extends MachineState {
  /**
   * Allocates a block of `2^order` pages (`alloc_pages`); with `__GFP_COMP` it is a folio.
   *
   * @param gfp - GFP flags chosen by the caller (`GFP_KERNEL`, `| __GFP_ZERO`, `| __GFP_HIGHMEM`, ...).
   * @param order - 0..10 (`MAX_PAGE_ORDER` inclusive).
   * @returns The first pfn; its refcount is 1 and {@link MachineState.pageGen} gives the handle's gen.
   * @throws KernelError `EINVAL` for bad flags or a bad order number, `EDOM` for an order above 10,
   *   `ENOMEM` when no block is free (the free lists are unchanged), `EFAULT` when debug poisoning
   *   finds the block written after it was freed.
   *
   * @example
   * ```ts
   * const pfn = machine.allocPages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);
   * machine.folioPut(pfn, machine.pageGen(pfn)); // the last reference frees it
   * machine.allocPages(GFP_KERNEL, 11); // KernelError EDOM: order above MAX_PAGE_ORDER
   * ```
   */
  allocPages(gfp: number, order: number): number {
    // The order-0 fast path: valid flags without HIGHMEM, ZERO or COMP, a warm hot list, no debug.
    // `=== true` compiles to one pointer comparison; a bare boolean field gets a full ToBoolean.
    if (order === 0 && (typeof gfp === "number" && (gfp >>> 0) === gfp) && (gfp & FAST_GFP_EXCLUDE) === 0 && this.plainAlloc === true) {
      const hot = this.hot;
      const count = hot.count - 1;
      if (count >= 0) {
        hot.count = count;
        // SAFETY: 0 <= count < PCP_HIGH, and hot-list pfns are below nrPages.
        const pfn = hot.pages[count]!;
        // INVARIANT: a hot-list page has zero links, so only flags, refcount and gen change: one
        // word write clears the flags and bumps the generation's low half; when that half wraps
        // to 0, the carry goes to genHigh (once every 65,536 reuses of the frame).
        const mem = this.mem;
        const word = (mem.word(pfn) + GEN_ONE) & GEN_MASK;
        mem.setWord(pfn, word);
        if (word === 0) this.carryGen(pfn);
        mem.setRefcount(pfn, 1);
        return pfn;
      }
    }
    return this.allocPagesSlow(gfp, order);
  }

  /** Carries a wrapped low half of a page's generation into `genHigh`; out of line, as it is rare. */
  private carryGen(pfn: number): void {
    // Wraps at 2^32, i.e. after 2^48 reuses of the frame.
    this.mem.setGenHigh(pfn, this.mem.genHigh(pfn) + 1);
  }

  private allocPagesSlow(gfp: number, order: number): number {
    if (!isU32(gfp) || (gfp & ~GFP_VALID_MASK) !== 0) {
      throw kernelError("EINVAL", "alloc_pages", "unknown GFP flags", { gfp, valid: GFP_VALID_MASK });
    }
    if (!isU32(order)) throw badNumber("alloc_pages", "order", order);
    if (order > MAX_PAGE_ORDER) {
      throw kernelError("EDOM", "alloc_pages", "order above MAX_PAGE_ORDER", { order, max: MAX_PAGE_ORDER });
    }
    const buddy = this.buddy;
    let zone = (gfp & __GFP_HIGHMEM) !== 0 && buddy.managed[ZONE_HIGHMEM]! > 0 ? ZONE_HIGHMEM : ZONE_NORMAL;
    let pfn = buddy.pick(zone, order);
    if (pfn === NO_PFN && zone === ZONE_HIGHMEM) pfn = buddy.pick((zone = ZONE_NORMAL), order);
    if (pfn === NO_PFN) throw this.outOfMemory(gfp, order);
    if (this.poisonOn) this.checkPoison(pfn, order);
    // INVARIANT: the block leaves the free lists and every page of it gets allocated metadata.
    buddy.commit(zone, order);
    const mem = this.mem;
    // Each page's generation goes up by one as its flags are replaced (the low half's carry goes
    // to genHigh).
    const headGen = (mem.word(pfn) + GEN_ONE) & GEN_MASK;
    if (headGen === 0) mem.setGenHigh(pfn, mem.genHigh(pfn) + 1);
    mem.setWord(pfn, headGen | (order << ORDER_SHIFT) | ((gfp & __GFP_COMP) !== 0 ? PG_head : 0));
    mem.setRefcount(pfn, 1);
    mem.setLink0(pfn, 0);
    mem.setLink1(pfn, 0);
    if (order !== 0) {
      const end = pfn + (1 << order);
      for (let p = pfn + 1; p < end; p++) {
        const tailGen = (mem.word(p) + GEN_ONE) & GEN_MASK;
        if (tailGen === 0) mem.setGenHigh(p, mem.genHigh(p) + 1);
        mem.setWord(p, tailGen | PG_tail);
        mem.setLink0(p, pfn);
        mem.setLink1(p, 0);
      }
    }
    if ((gfp & __GFP_ZERO) !== 0) this.phys.fill(pfn, 0, this.pageSize << order, 0);
    if (this.owner !== undefined) this.owner.recordAlloc(pfn);
    return pfn;
  }

  /**
   * Drops the allocation reference of a block (`__free_pages`); frees it when that was the last one.
   *
   * @param pfn - The block's first page.
   * @param gen - The generation of the handle.
   * @param order - The order the block was allocated with.
   * @returns `true` when the block went back to the allocator.
   * @throws KernelError `EINVAL` for bad numbers, a page that is not a block's first page, a
   *   different order than allocated (M31), or a double free (M19, with both stacks in debug);
   *   `EBUSY` when the block is still locked, in the page cache or mapped. The machine is unchanged.
   */
  freePages(pfn: number, gen: number, order: number): boolean {
    // The order-0 fast path: a plain unlocked, uncached, unmapped lowmem page with one reference,
    // no debug, room on the hot list. Any other case, valid or not, takes the checked slow path.
    const hot = this.hot;
    const count = hot.count;
    if (order === 0 && (typeof pfn === "number" && (pfn >>> 0) === pfn) && pfn < this.highmemPfn && this.freeBlockers === 0 && count < PCP_HIGH) {
      const mem = this.mem;
      const word = mem.word(pfn);
      if ((word & FAST_FREE_REJECT) === 0 && (word >>> GEN_SHIFT) + mem.genHigh(pfn) * GEN_WRAP === gen && mem.refcount(pfn) === 1 && mem.link0(pfn) === 0) {
        // INVARIANT: the page is marked free (links already zero) as it joins the hot list.
        mem.setWord(pfn, (word & GEN_MASK) | PG_free);
        mem.setRefcount(pfn, 0);
        hot.pages[count] = pfn;
        hot.count = count + 1;
        return true;
      }
    }
    return this.freePagesSlow(pfn, gen, order);
  }

  private freePagesSlow(pfn: number, gen: number, order: number): boolean {
    const op = "__free_pages";
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
    if (!isU32(order) || order > MAX_PAGE_ORDER) throw badNumber(op, "order", order, NR_PAGE_ORDERS);
    const word = this.mem.word(pfn);
    const flags = word & FLAGS_MASK;
    if ((flags & (PG_free | PG_nomap)) !== 0 || this.mem.gen(pfn) !== gen) {
      throw deadHandle(this, op, pfn, gen, `Free of order ${order} at ${this.describePfn(pfn)}`, "double-free");
    }
    if ((flags & (PG_tail | PG_reserved)) !== 0) {
      throw kernelError("EINVAL", op, (flags & PG_tail) !== 0 ? "not the first page of an allocation" : "page is reserved, not allocated", { pfn, order });
    }
    const allocated = flags >>> ORDER_SHIFT;
    if (order !== allocated) {
      throw kernelError("EINVAL", op, "order differs from the allocation's order", { pfn, order, allocatedOrder: allocated });
    }
    const refs = this.mem.refcount(pfn);
    if (refs > 1) {
      this.mem.setRefcount(pfn, refs - 1);
      return false;
    }
    this.freeBlock(op, pfn, order);
    return true;
  }

  /**
   * Takes another reference to a folio (`folio_get`).
   *
   * @param pfn - The folio's first page (any allocated block head).
   * @param gen - The generation of the handle.
   * @throws KernelError `EFAULT` when the folio was freed (refcount zero), `EOVERFLOW` when the
   *   count would overflow, `EINVAL` for bad numbers or a page that is not a block head.
   */
  folioGet(pfn: number, gen: number): void {
    this.folioRefAdd(pfn, gen, 1);
  }

  /**
   * Takes `nr` more references to a folio (`folio_ref_add`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @param nr - How many references, at least 1.
   * @throws KernelError as {@link MachinePages.folioGet}.
   */
  folioRefAdd(pfn: number, gen: number, nr: number): void {
    const op = "folio_get";
    const flags = this.live(op, pfn, gen);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    if (!isU32(nr) || nr === 0) throw badNumber(op, "nr", nr);
    const refs = this.mem.refcount(pfn);
    if (refs <= 0) throw kernelError("EFAULT", op, "refcount is zero", { pfn, refcount: refs });
    if (refs > REFCOUNT_MAX - nr) throw kernelError("EOVERFLOW", op, "refcount would overflow", { pfn, refcount: refs, nr });
    this.mem.setRefcount(pfn, refs + nr);
  }

  /**
   * Drops a reference to a folio (`folio_put`); the last one frees it.
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @returns `true` when this was the last reference and the folio was freed.
   * @throws KernelError `ERANGE` for a refcount underflow (the folio is not freed twice, M21),
   *   `EFAULT` when the folio was freed and reallocated, `EBUSY` when the last reference goes while
   *   the folio is locked or mapped, `EINVAL` for bad numbers or a tail page.
   */
  folioPut(pfn: number, gen: number): boolean {
    const op = "folio_put";
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
    const word = this.mem.word(pfn);
    const flags = word & FLAGS_MASK;
    if ((flags & PG_free) !== 0 && this.mem.gen(pfn) === gen) {
      const report = kasanReport(this, "refcount underflow", op, pfn, accessLine(this, op, pfn, -1, 0));
      throw kernelError("ERANGE", op, "refcount underflow: more references dropped than taken", { pfn, refcount: 0 }, report);
    }
    this.live(op, pfn, gen);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    const refs = this.mem.refcount(pfn);
    if (refs > 1) {
      this.mem.setRefcount(pfn, refs - 1);
      return false;
    }
    this.freeBlock(op, pfn, flags >>> ORDER_SHIFT);
    return true;
  }

  /**
   * Checks that {@link MachinePages.folioPut} of this handle would succeed, changing nothing: the
   * first phase of an operation that drops several references and must drop all or none.
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @param uncached - Check as if the folio had already left the page cache (the caller removes
   *   it in the second phase, just before the put).
   * @throws KernelError exactly what `folioPut` would throw.
   */
  folioPutCheck(pfn: number, gen: number, uncached = false): void {
    const op = "folio_put";
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
    const word = this.mem.word(pfn);
    const flags = word & FLAGS_MASK;
    if ((flags & PG_free) !== 0 && (word >>> GEN_SHIFT) + this.mem.genHigh(pfn) * GEN_WRAP === gen) {
      throw kernelError("ERANGE", op, "refcount underflow: more references dropped than taken", { pfn, refcount: 0 });
    }
    this.live(op, pfn, gen);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    if (this.mem.refcount(pfn) > 1) return;
    this.checkFreeable(op, pfn, flags >>> ORDER_SHIFT, uncached);
  }

  /**
   * Free pages per zone and order, like `/proc/buddyinfo` (hot-list pages count as order 0).
   *
   * @returns `free[zone][order]` block counts, and `pages[zone]` free page totals.
   */
  buddyInfo(): BuddyInfo {
    const free: number[][] = [];
    const pages: number[] = [];
    for (let zone = 0; zone < NR_ZONES; zone++) {
      const row = Array.from(this.buddy.nrBlocks.subarray(zone * NR_PAGE_ORDERS, (zone + 1) * NR_PAGE_ORDERS));
      const hot = this.buddy.pcp[zone]!.count;
      row[0]! += hot;
      free.push(row);
      pages.push(this.buddy.nrFree[zone]! + hot);
    }
    return { free, pages };
  }

  /**
   * Total free pages in all zones.
   *
   * @returns The count.
   */
  nrFreePages(): number {
    const buddy = this.buddy;
    return buddy.nrFree[ZONE_NORMAL]! + buddy.nrFree[ZONE_HIGHMEM]! + buddy.pcp[ZONE_NORMAL]!.count + buddy.pcp[ZONE_HIGHMEM]!.count;
  }

  /**
   * Checks that a block holding its last reference may be freed: not locked, not in the page cache
   * (unless `uncached`), not mapped; changes nothing.
   *
   * @param op - The operation.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @param uncached - Skip the page-cache check (the caller removes the folio from the cache first).
   */
  private checkFreeable(op: string, pfn: number, order: number, uncached: boolean): void {
    const mem = this.mem;
    const head = mem.word(pfn);
    if ((head & PG_locked) !== 0) throw kernelError("EBUSY", op, "freeing a locked folio", { pfn, order });
    if (!uncached && mem.link0(pfn) !== 0) throw kernelError("EBUSY", op, "freeing a folio still in the page cache", { pfn, mapping: mem.link0(pfn), index: mem.link1(pfn) });
    const end = pfn + (1 << order);
    if (this.slots.live > 0) {
      for (const entry of this.slots.entries()) {
        if (entry.pfn >= pfn && entry.pfn < end) {
          throw kernelError("EBUSY", op, "freeing a page that is still mapped", { pfn, order, mapping: KmapSlots.describe(entry) });
        }
      }
    }
    if (this.pkmap.used > 0) {
      for (let p = pfn; p < end; p++) {
        if (this.pkmap.count(p) > 0) throw kernelError("EBUSY", op, "freeing a page that is still kmapped", { pfn, order, kmapped: p });
      }
    }
  }

  /**
   * Returns a block to the allocator after checking it is no longer in use.
   *
   * @param op - The operation.
   * @param pfn - The block's first page, allocated with `order` and holding its last reference.
   * @param order - The block's order.
   */
  private freeBlock(op: string, pfn: number, order: number): void {
    const mem = this.mem;
    this.checkFreeable(op, pfn, order, false);
    const head = mem.word(pfn);
    const end = pfn + (1 << order);
    if (this.owner !== undefined) this.owner.recordFree(pfn);
    // INVARIANT: every page of the block is marked free (keeping its generation) before the
    // block joins a free list.
    const free = this.poisonOn ? PG_free | PG_poisoned : PG_free;
    if (order === 0) {
      mem.setWord(pfn, (head & GEN_MASK) | free);
      mem.setLink0(pfn, 0);
      mem.setLink1(pfn, 0);
    } else {
      for (let p = pfn; p < end; p++) {
        mem.setWord(p, (mem.word(p) & GEN_MASK) | free);
        mem.setLink0(p, 0);
        mem.setLink1(p, 0);
      }
    }
    mem.setRefcount(pfn, 0);
    if (this.poisonOn) poisonBlock(this.phys, pfn, this.pageSize << order);
    this.buddy.free(pfn, order);
  }

  private checkPoison(pfn: number, order: number): void {
    const mem = this.mem;
    for (let p = pfn; p < pfn + (1 << order); p++) {
      if ((mem.word(p) & PG_poisoned) === 0) continue;
      const offset = findPoisonCorruption(this.phys, p, this.pageSize);
      if (offset < 0) continue;
      const value = this.phys.peek(p)?.[this.phys.base(p) + offset] ?? 0;
      const report = formatPoison(p, offset, value, this.mem.describe(p), this.owner?.freeStack(p));
      // The corruption is reported once; the page is poisoned again and stays free.
      poisonBlock(this.phys, p, this.pageSize);
      throw kernelError("EFAULT", "alloc_pages", "free page written after free (poison corrupted)", { pfn: p, offset }, report);
    }
  }

  private outOfMemory(gfp: number, order: number): Error {
    const info = this.buddyInfo();
    const report = (gfp & __GFP_NOWARN) !== 0
      ? undefined
      : [
          `alloc_pages: page allocation failure: order:${order}, mode:${gfpName(gfp)}`,
          ...info.free.map((row, zone) => `${zone === 0 ? "Normal" : "HighMem"}: free:${info.pages[zone]} ${row.map((n, o) => `${n}*${(this.pageSize << o) / 1024}kB`).join(" ")}`),
        ].join("\n");
    // The values count only the zones this request may use: HIGHMEM only with __GFP_HIGHMEM.
    const zones = (gfp & __GFP_HIGHMEM) !== 0 ? NR_ZONES : ZONE_NORMAL + 1;
    const freePages = info.pages.slice(0, zones).reduce((sum, pages) => sum + pages, 0);
    return kernelError("ENOMEM", "alloc_pages", "no free block of that order", { order, gfp, freePages, largestFree: this.largestFreeOrder(zones) }, report);
  }

  /** The largest order with a free block (hot-list pages count as order 0) in zones `[0, zones)`; -1 when none. */
  private largestFreeOrder(zones: number): number {
    for (let order = MAX_PAGE_ORDER; order >= 0; order--) {
      for (let zone = 0; zone < zones; zone++) if (this.buddy.nrBlocks[zone * NR_PAGE_ORDERS + order]! > 0) return order;
    }
    for (let zone = 0; zone < zones; zone++) if (this.buddy.pcp[zone]!.count > 0) return 0;
    return -1;
  }
}


/** Free memory per zone and order, as `/proc/buddyinfo` shows it; returned by `buddyInfo()`. */
export interface BuddyInfo {
  /** `free[zone][order]`: the number of free blocks of that order in that zone (NORMAL, HIGHMEM). */
  free: number[][];
  /** `pages[zone]`: the number of free pages in that zone. */
  pages: number[];
}
