/**
 * Page allocation (the kernel's `mm/page_alloc.c`): `alloc_pages`, `__free_pages`, the order-0 fast
 * paths, compound heads and tails, generations, reference counts and the metadata queries on them.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, isU32 } from "../args.js";
import { MAX_PAGE_ORDER, NR_PAGE_ORDERS } from "./config.js";
import { NR_ZONES, PCP_HIGH as BUDDY_PCP_HIGH, ZONE_HIGHMEM, ZONE_NORMAL, type Buddy, type HotList } from "./buddy.js";
import { findPoisonCorruption, poisonBlock } from "./debug/poison.js";
import { ALLOC_SITE, FREE_SITE, type PageOwner } from "./debug/page-owner.js";
import { formatPoison } from "./debug/report.js";
import { __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO, GFP_VALID_MASK, gfpName } from "./gfp.js";
import type { Handles } from "./handles.js";
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
  NO_WINDOW,
  type MemMap,
  type MemWindow,
} from "./memmap.js";
import type { PhysMem } from "./phys-mem.js";

// Module-local copies of the imported constants the order-0 fast paths use: V8 folds a module's
// own `const`s into optimized code, but reads an imported binding from its module cell at every use
// (see docs/performance-notes.md).
const PCP_HIGH = BUDDY_PCP_HIGH;
const PG_free = MEMMAP_PG_free;
const GEN_ONE = MEMMAP_GEN_ONE;
const GEN_SHIFT = MEMMAP_GEN_SHIFT;
const GEN_WRAP = MEMMAP_GEN_WRAP;
/** The generation's low half of a `flagsGen` word (`~FLAGS_MASK`). */
const GEN_BITS = ~0xffff;

/** GFP bits that keep an order-0 allocation off the fast path (unknown bits, HIGHMEM, ZERO, COMP). */
const FAST_GFP_EXCLUDE = ~GFP_VALID_MASK | __GFP_HIGHMEM | __GFP_ZERO | __GFP_COMP;
/** Flags an order-0 page may carry and still be freed on the fast path (order bits must be 0). */
const FAST_FREE_FLAGS = PG_uptodate | PG_dirty | PG_owner_priv_1 | PG_owner_priv_2 | PG_head;
/** The bits of a `flagsGen` word that keep a free off the fast path: every other flag and the order. */
const FAST_FREE_REJECT = FLAGS_MASK & ~FAST_FREE_FLAGS;

/** The largest reference count `folio_get` accepts before it would overflow. */
export const REFCOUNT_MAX = 0x7fffffff;

/** Free memory per zone and order, as `/proc/buddyinfo` shows it; returned by `buddyInfo()`. */
export interface BuddyInfo {
  /** `free[zone][order]`: the number of free blocks of that order in that zone (NORMAL, HIGHMEM). */
  free: number[][];
  /** `pages[zone]`: the number of free pages in that zone. */
  pages: number[];
}

/**
 * What the allocator asks the mappings before it frees a block: implemented by the highmem service,
 * which owns the local and permanent mappings.
 */
export interface MappedPages {
  /**
   * Fails when a page of the block is mapped.
   *
   * @param op - The freeing operation, for the error.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @throws KernelError `EBUSY` naming the mapping.
   */
  checkFreeUnmapped(op: string, pfn: number, order: number): void;
}

/** The debug options the allocator follows. */
export interface PageAllocDebug {
  /** Poison freed pages and check the poison on allocation. */
  readonly poison: boolean;
  /** The page_owner table, present only with `debug.pageOwner`. */
  readonly owner: PageOwner | undefined;
}

/**
 * The page allocator of one machine: hands out and takes back blocks of the buddy allocator, keeps
 * reference counts, generations and compound heads and tails in the page metadata.
 *
 * @remarks
 * The order-0 paths are the simulator's hottest code: they pop and push the ZONE_NORMAL hot list
 * held in {@link PageAlloc.hot} and touch one metadata word and the refcount. Everything else, valid
 * or not, goes to the checked slow paths.
 *
 * @invariant `mappings` counts the live local and permanent mappings (kept by
 *   {@link PageAlloc.mappingAdded}/{@link PageAlloc.mappingRemoved}); the free fast path runs only
 *   when it is 0 and neither poisoning nor page_owner is on.
 */
export class PageAlloc {
  /** The page metadata. */
  declare private readonly mem: MemMap;
  /** The free lists. */
  declare private readonly buddy: Buddy;
  /** The ZONE_NORMAL hot list (`buddy.pcp[ZONE_NORMAL]`), held directly for the order-0 fast paths. */
  declare private readonly hot: HotList;
  /**
   * The metadata window the order-0 fast paths index ({@link MemWindow}): the whole map of a flat
   * machine, the section of the last order-0 page of a sparse one. Its start, size and arrays are
   * held in the `win*` fields below, so a fast path indexes them with no load through the map.
   */
  declare private win: MemWindow;
  /** `win.start`. */
  declare private winStart: number;
  /** `win.pages`. */
  declare private winPages: number;
  /** `win.flagsGen`. */
  declare private winFlags: Int32Array;
  /** `win.refcount`. */
  declare private winRefcount: Int32Array;
  /** `win.link0`. */
  declare private winLink0: Uint32Array;
  /** `win.genHigh`. */
  declare private winGenHigh: Uint32Array;
  /** The backing memory (zeroing, poison). */
  declare private readonly phys: PhysMem;
  /** The handle checks and their reports. */
  declare private readonly handles: Handles;
  /** The live mappings, asked before a block is freed. */
  declare private readonly mapped: MappedPages;
  /** The page_owner table, when recorded. */
  declare private readonly owner: PageOwner | undefined;
  /** Whether freed pages are poisoned. */
  declare private readonly poisonOn: boolean;
  /** Neither poisoning nor page_owner is on, so order-0 allocation may take the fast path. */
  declare private readonly plainAlloc: boolean;
  /** Page frames with metadata. */
  declare private readonly nrPages: number;
  /** The first HIGHMEM frame. */
  declare private readonly highmemPfn: number;
  /** `PAGE_SIZE`. */
  declare private readonly pageSize: number;
  /**
   * What keeps order-0 frees off the fast path: the live mappings, plus one when poisoning or
   * page_owner must see every free. The fast path runs only at zero.
   */
  declare private freeBlockers: number;

  /**
   * Creates the allocator of a machine over its metadata and free lists.
   *
   * @param mem - The page metadata.
   * @param buddy - The free lists, already holding the machine's RAM.
   * @param phys - The backing memory.
   * @param handles - The handle checks.
   * @param mapped - The live mappings (the highmem service).
   * @param debug - The debug options.
   */
  constructor(mem: MemMap, buddy: Buddy, phys: PhysMem, handles: Handles, mapped: MappedPages, debug: PageAllocDebug) {
    this.mem = mem;
    this.buddy = buddy;
    // SAFETY: By the type of Buddy.pcp (one HotList per zone) ZONE_NORMAL's list exists.
    this.hot = buddy.pcp[ZONE_NORMAL]!;
    // A flat map's whole window, or none yet on a sparse one.
    this.setWindow(mem.windowIfPresent(0) ?? NO_WINDOW);
    this.phys = phys;
    this.handles = handles;
    this.mapped = mapped;
    this.owner = debug.owner;
    this.poisonOn = debug.poison;
    this.plainAlloc = !debug.poison && debug.owner === undefined;
    this.nrPages = handles.nrPages;
    this.highmemPfn = buddy.highmemPfn;
    this.pageSize = handles.pageSize;
    // INVARIANT: no mapping exists yet; the debug options count as one blocker for good.
    this.freeBlockers = this.plainAlloc ? 0 : 1;
  }

  /** Counts a new live mapping (local or permanent): frees leave the fast path while any exists. */
  mappingAdded(): void {
    this.freeBlockers++;
  }

  /** Counts a released mapping. */
  mappingRemoved(): void {
    this.freeBlockers--;
  }

  /**
   * `alloc_pages`: see `Machine.allocPages`.
   *
   * @param gfp - GFP flags.
   * @param order - 0..10.
   * @returns The first pfn.
   * @throws KernelError as `Machine.allocPages`.
   */
  allocPages(gfp: number, order: number): number {
    // The order-0 fast path: valid flags without HIGHMEM, ZERO or COMP, a warm hot list, no debug.
    // `=== true` compiles to one pointer comparison; a bare boolean field gets a full ToBoolean.
    if (order === 0 && (typeof gfp === "number" && (gfp >>> 0) === gfp) && (gfp & FAST_GFP_EXCLUDE) === 0 && this.plainAlloc === true) {
      const hot = this.hot;
      const count = hot.count - 1;
      if (count >= 0) {
        hot.count = count;
        // SAFETY: By the type invariant of HotList, 0 <= count < PCP_HIGH and pages[0..count] are
        // free order-0 pages, so pfn < nrPages.
        const pfn = hot.pages[count]!;
        // The frame's index in the window: `i >>> 0` equals `i` only for an integer in [0, 2^32).
        // A sparse machine's page of another section moves the window first (out of line).
        const i = pfn - this.winStart;
        let idx = i >>> 0;
        if (idx !== i || idx >= this.winPages) idx = this.moveWindow(pfn);
        // SAFETY: By the check above (or moveWindow's result) 0 <= idx < winPages, and by the
        // type invariant of MemWindow every array of the window has winPages elements.
        // INVARIANT: a hot-list page has zero links, so only flags, refcount and gen change: one
        // word write clears the flags and bumps the generation's low half; when that half wraps
        // to 0, the carry goes to genHigh (once every 65,536 reuses of the frame).
        const flagsGen = this.winFlags;
        const next = (flagsGen[idx]! + GEN_ONE) & GEN_BITS;
        flagsGen[idx] = next;
        if (next === 0) this.winGenHigh[idx] = this.winGenHigh[idx]! + 1;
        this.winRefcount[idx] = 1;
        return pfn;
      }
    }
    return this.allocPagesSlow(gfp, order);
  }

  /**
   * Makes the window of `pfn`'s metadata the fast paths' window, allocating a sparse section on
   * first use (a flat machine's window already holds every frame, so this never runs there).
   *
   * @param pfn - A frame whose metadata the caller is about to write: an integer below `nrPages`.
   * @returns The frame's index in the new window.
   */
  private moveWindow(pfn: number): number {
    const win = this.mem.window(pfn);
    this.setWindow(win);
    return pfn - win.start;
  }

  /** Holds `win` as the fast paths' window. */
  private setWindow(win: MemWindow): void {
    // INVARIANT: the window fields describe one window.
    this.win = win;
    this.winStart = win.start;
    this.winPages = win.pages;
    this.winFlags = win.flagsGen;
    this.winRefcount = win.refcount;
    this.winLink0 = win.link0;
    this.winGenHigh = win.genHigh;
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
    // SAFETY: By the type of Buddy.managed (one entry per zone), ZONE_HIGHMEM's entry exists.
    let zone = (gfp & __GFP_HIGHMEM) !== 0 && buddy.managed[ZONE_HIGHMEM]! > 0 ? ZONE_HIGHMEM : ZONE_NORMAL;
    let pfn = buddy.pick(zone, order);
    if (pfn === NO_PFN && zone === ZONE_HIGHMEM) pfn = buddy.pick((zone = ZONE_NORMAL), order);
    if (pfn === NO_PFN) throw this.outOfMemory(gfp, order);
    if (this.poisonOn) this.checkPoison(pfn, order);
    // INVARIANT: the block leaves the free lists and every page of it gets allocated metadata.
    buddy.commit(zone, order);
    // Each page's generation goes up by one as its flags are replaced (the low half's carry goes
    // to genHigh); the tails point at the head.
    this.mem.allocBlock(pfn, order, (order << ORDER_SHIFT) | ((gfp & __GFP_COMP) !== 0 ? PG_head : 0));
    if ((gfp & __GFP_ZERO) !== 0) this.phys.fill(pfn, 0, this.pageSize << order, 0);
    const owner = this.owner;
    // Captured in this frame, not in recordAlloc's: one frame fewer to walk (PageOwner.recordAlloc).
    if (owner !== undefined) owner.recordAlloc(pfn, owner.depot.capture(ALLOC_SITE));
    return pfn;
  }

  /**
   * `__free_pages`: see `Machine.freePages`.
   *
   * @param pfn - The block's first page.
   * @param gen - The handle's generation.
   * @param order - The order the block was allocated with.
   * @returns `true` when the block went back to the allocator.
   * @throws KernelError as `Machine.freePages`.
   */
  freePages(pfn: number, gen: number, order: number): boolean {
    // The order-0 fast path: a plain unlocked, uncached, unmapped lowmem page with one reference,
    // no debug, room on the hot list. Any other case, valid or not, takes the checked slow path.
    const hot = this.hot;
    const count = hot.count;
    if (order === 0 && typeof pfn === "number" && pfn < this.highmemPfn && this.freeBlockers === 0 && count < PCP_HIGH) {
      // The frame's index in the window: `i >>> 0` equals `i` only for an integer in [0, 2^32), so
      // a negative or fractional pfn, or one outside the window, takes the checked slow path.
      const i = pfn - this.winStart;
      const idx = i >>> 0;
      if (idx === i && idx < this.winPages && this.win.linkHigh === undefined) {
        // SAFETY: By the check above 0 <= idx < winPages, and by the type invariant of MemWindow
        // every array of the window has winPages elements and, without linkHigh, link0 is the link.
        const flagsGen = this.winFlags;
        const word = flagsGen[idx]!;
        if ((word & FAST_FREE_REJECT) === 0 && (word >>> GEN_SHIFT) + this.winGenHigh[idx]! * GEN_WRAP === gen &&
            this.winRefcount[idx] === 1 && this.winLink0[idx] === 0) {
          // INVARIANT: the page is marked free (links already zero) as it joins the hot list.
          flagsGen[idx] = (word & GEN_BITS) | PG_free;
          this.winRefcount[idx] = 0;
          // `winStart + idx` is pfn itself, except that a caller's -0 (which the checks accept as
          // frame 0) becomes +0: a Float64Array hot list would keep the sign and hand out -0.
          hot.pages[count] = this.winStart + idx;
          hot.count = count + 1;
          return true;
        }
      }
    }
    return this.freePagesSlow(pfn, gen, order);
  }

  private freePagesSlow(pfn: number, gen: number, order: number): boolean {
    const op = "__free_pages";
    this.handles.checkPfn(op, pfn);
    // The next order-0 free of this section takes the fast path (a sparse machine's frees follow
    // the pages, not the allocations); an untouched section is left alone, allocating nothing.
    const win = this.mem.windowIfPresent(pfn);
    if (win !== undefined && win !== this.win) this.setWindow(win);
    if (!isU32(order) || order > MAX_PAGE_ORDER) throw badNumber(op, "order", order, NR_PAGE_ORDERS);
    const flags = this.mem.word(pfn) & FLAGS_MASK;
    if ((flags & (PG_free | PG_nomap)) !== 0 || this.mem.gen(pfn) !== gen) {
      throw this.handles.deadHandle(op, pfn, gen, `Free of order ${order} at ${this.handles.describePfn(pfn)}`, "double-free");
    }
    if ((flags & (PG_tail | PG_reserved)) !== 0) {
      throw kernelError("EINVAL", op, (flags & PG_tail) !== 0 ? "not the first page of an allocation" : "page is reserved, not allocated", { pfn, order });
    }
    const allocated = flags >>> ORDER_SHIFT;
    if (order !== allocated) {
      throw kernelError("EINVAL", op, "order differs from the allocation's order", { pfn, order, allocatedOrder: allocated });
    }
    // dropRef written out: page_owner's free capture then walks one frame fewer (PageOwner.recordAlloc).
    const refs = this.mem.refcount(pfn);
    if (refs > 1) {
      this.mem.setRefcount(pfn, refs - 1);
      return false;
    }
    this.freeBlock(op, pfn, order);
    return true;
  }

  /**
   * `folio_ref_add`: see `Machine.folioRefAdd`.
   *
   * @param pfn - The folio's first page.
   * @param gen - The handle's generation.
   * @param nr - How many references, at least 1.
   * @throws KernelError as `Machine.folioRefAdd`.
   */
  folioRefAdd(pfn: number, gen: number, nr: number): void {
    const op = "folio_get";
    const flags = this.handles.handleFlags(op, pfn, gen);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    if (!isU32(nr) || nr === 0) throw badNumber(op, "nr", nr);
    const refs = this.mem.refcount(pfn);
    if (refs <= 0) throw kernelError("EFAULT", op, "refcount is zero", { pfn, refcount: refs });
    if (refs > REFCOUNT_MAX - nr) throw kernelError("EOVERFLOW", op, "refcount would overflow", { pfn, refcount: refs, nr });
    this.mem.setRefcount(pfn, refs + nr);
  }

  /**
   * `folio_put`: see `Machine.folioPut`.
   *
   * @param pfn - The folio's first page.
   * @param gen - The handle's generation.
   * @returns `true` when this was the last reference and the folio was freed.
   * @throws KernelError as `Machine.folioPut`.
   */
  folioPut(pfn: number, gen: number): boolean {
    const op = "folio_put";
    const flags = this.checkPut(op, pfn, gen, true);
    return this.dropRef(op, pfn, flags >>> ORDER_SHIFT);
  }

  /**
   * Checks that {@link PageAlloc.folioPut} of this handle would succeed, changing nothing.
   *
   * @param pfn - The folio's first page.
   * @param gen - The handle's generation.
   * @param uncached - Check as if the folio had already left the page cache.
   * @throws KernelError exactly what `folioPut` would throw.
   */
  folioPutCheck(pfn: number, gen: number, uncached: boolean): void {
    const op = "folio_put";
    const flags = this.checkPut(op, pfn, gen, false);
    if (this.mem.refcount(pfn) > 1) return;
    this.checkFreeable(op, pfn, flags >>> ORDER_SHIFT, uncached);
  }

  /** The checks of a put before the count drops: a live allocated head; returns its flags. */
  private checkPut(op: string, pfn: number, gen: number, report: boolean): number {
    this.handles.checkPfn(op, pfn);
    const word = this.mem.word(pfn);
    const flags = word & FLAGS_MASK;
    if ((flags & PG_free) !== 0 && this.mem.gen(pfn) === gen) {
      const text = report ? this.handles.kasanReport("refcount underflow", op, pfn, this.handles.accessLine(op, pfn, -1, 0)) : undefined;
      throw kernelError("ERANGE", op, "refcount underflow: more references dropped than taken", { pfn, refcount: 0 }, text);
    }
    this.handles.handleFlags(op, pfn, gen);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    return flags;
  }

  /** Drops one reference of an allocated block head; frees the block when it was the last one. */
  private dropRef(op: string, pfn: number, order: number): boolean {
    const refs = this.mem.refcount(pfn);
    if (refs > 1) {
      this.mem.setRefcount(pfn, refs - 1);
      return false;
    }
    this.freeBlock(op, pfn, order);
    return true;
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
      // RAM not yet threaded counts as the blocks it will become (free, like the kernel's deferred pages).
      this.buddy.addPendingBlocks(zone, row);
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
   * Pages the allocator does not manage: reserved RAM, holes and MMIO below `nrPages`.
   *
   * @returns The count.
   */
  unmanagedPages(): number {
    return this.nrPages - this.buddy.managed[ZONE_NORMAL]! - this.buddy.managed[ZONE_HIGHMEM]!;
  }

  /**
   * Clears `PG_poisoned` on every page: the machine's backing memory was released, so no free page
   * holds the poison any more.
   */
  forgetPoison(): void {
    if (!this.poisonOn) return;
    const mem = this.mem;
    // Frames outside the spans hold their default word, which never has PG_poisoned.
    for (const [start, end] of mem.spans()) {
      for (let pfn = start; pfn < end; pfn++) {
        const word = mem.word(pfn);
        if ((word & PG_poisoned) !== 0) mem.setWord(pfn, word & ~PG_poisoned);
      }
    }
  }

  // --- metadata queries -------------------------------------------------------------------

  /**
   * The flags word of a page (`PG_*` bits; the order in bits 12..15).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The flags.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageFlags(pfn: number): number {
    this.handles.checkPfn("page_flags", pfn);
    return this.mem.word(pfn) & FLAGS_MASK;
  }

  /**
   * Whether a page is part of an allocated block.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `false` for free, reserved and non-RAM frames.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isAllocated(pfn: number): boolean {
    this.handles.checkPfn("page_allocated", pfn);
    return (this.mem.word(pfn) & (PG_free | PG_reserved | PG_nomap)) === 0;
  }

  /**
   * The first page of the allocated block holding `pfn` (`compound_head`).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The block's first pfn, or `pfn` itself for a head, reserved or free page.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  blockHead(pfn: number): number {
    this.handles.checkPfn("compound_head", pfn);
    return (this.mem.word(pfn) & PG_tail) !== 0 ? this.mem.link0(pfn) : pfn;
  }

  /**
   * The order of an allocated block head (`folio_order`); 0 for other pages.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The order.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageOrder(pfn: number): number {
    this.handles.checkPfn("folio_order", pfn);
    const flags = this.mem.word(pfn) & FLAGS_MASK;
    return (flags & (PG_free | PG_tail)) !== 0 ? 0 : flags >>> ORDER_SHIFT;
  }

  /**
   * Whether a page is the head of a compound page (`PageHead`).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `true` for a compound head.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isCompoundHead(pfn: number): boolean {
    this.handles.checkPfn("PageHead", pfn);
    return (this.mem.word(pfn) & PG_head) !== 0;
  }

  /**
   * The reference count of a block head (`folio_ref_count`); 0 for free pages.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The count.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  refCount(pfn: number): number {
    this.handles.checkPfn("folio_ref_count", pfn);
    return this.mem.refcount(pfn);
  }

  // --- freeing ----------------------------------------------------------------------------

  /**
   * Checks that a block holding its last reference may be freed: not locked, not in the page cache
   * (unless `uncached`), not mapped; changes nothing.
   */
  private checkFreeable(op: string, pfn: number, order: number, uncached: boolean): void {
    const mem = this.mem;
    if ((mem.word(pfn) & PG_locked) !== 0) throw kernelError("EBUSY", op, "freeing a locked folio", { pfn, order });
    if (!uncached && mem.link0(pfn) !== 0) throw kernelError("EBUSY", op, "freeing a folio still in the page cache", { pfn, mapping: mem.link0(pfn), index: mem.link1(pfn) });
    this.mapped.checkFreeUnmapped(op, pfn, order);
  }

  /** Returns a block holding its last reference to the allocator after checking it is no longer in use. */
  private freeBlock(op: string, pfn: number, order: number): void {
    const mem = this.mem;
    this.checkFreeable(op, pfn, order, false);
    const end = pfn + (1 << order);
    const owner = this.owner;
    // Captured in this frame, not in recordFree's: one frame fewer to walk (PageOwner.recordAlloc).
    if (owner !== undefined) owner.recordFree(pfn, owner.depot.capture(FREE_SITE));
    // INVARIANT: every page of the block is marked free (keeping its generation) before the
    // block joins a free list.
    mem.freeBlock(pfn, order, this.poisonOn ? PG_free | PG_poisoned : PG_free);
    if (this.poisonOn) poisonBlock(this.phys, pfn, this.pageSize << order);
    // `pfn + 0`: a caller's -0 (accepted as frame 0) joins the free lists as +0, never to be
    // handed out as -0 (the list heads and a large machine's hot list are Float64Arrays).
    this.buddy.free(pfn + 0, order);
  }

  private checkPoison(pfn: number, order: number): void {
    const mem = this.mem;
    for (let p = pfn; p < pfn + (1 << order); p++) {
      if ((mem.word(p) & PG_poisoned) === 0) continue;
      const offset = findPoisonCorruption(this.phys, p, this.pageSize);
      if (offset < 0) continue;
      const value = this.phys.peek(p)?.[this.phys.base(p) + offset] ?? 0;
      const report = formatPoison(p, offset, value, mem.describe(p), this.owner?.freeStack(p));
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
    return kernelError("ENOMEM", "alloc_pages", "no free block of that order", { order, gfp, freePages, largestFree: largestFreeOrder(info, zones) }, report);
  }
}

/**
 * The largest order with a free block in zones `[0, zones)` of a `buddyInfo` (hot-list and pending
 * pages included); -1 when none.
 *
 * @param info - The allocator's `buddyInfo()`.
 * @param zones - How many zones the request may use.
 * @returns The order, or -1.
 */
function largestFreeOrder(info: BuddyInfo, zones: number): number {
  for (let order = MAX_PAGE_ORDER; order >= 0; order--) {
    for (let zone = 0; zone < zones; zone++) if (info.free[zone]![order]! > 0) return order;
  }
  return -1;
}
