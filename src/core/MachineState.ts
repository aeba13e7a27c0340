/**
 * The machine's state and the read-only queries on it: addressing, zones, CPUs, page metadata.
 *
 * @module
 */
import { badNumber, checkFunction, hex, isAddress, isPfn as checkPfn, isU32 as checkU32, PFN_LIMIT } from "../args.js";
import { resolveConfig, type MachineConfig, type PhysRangeKind, type ResolvedConfig } from "./config.js";
import { Buddy, ZONE_HIGHMEM, ZONE_NORMAL, type HotList } from "./Buddy.js";
import { PageOwner } from "./debug/owner.js";
import type { MappingLease } from "./debug/views.js";
import { accessLine, deadHandle } from "./debug/handles.js";
import { KmapSlots } from "./KmapSlots.js";
import {
  FLAGS_MASK as MEMMAP_FLAGS_MASK,
  GEN_SHIFT as MEMMAP_GEN_SHIFT,
  GEN_WRAP as MEMMAP_GEN_WRAP,
  MemMap,
  ORDER_SHIFT,
  PG_free as MEMMAP_PG_free,
  PG_head,
  PG_nomap as MEMMAP_PG_nomap,
  PG_reserved,
  PG_tail,
} from "./MemMap.js";
import { PhysMem } from "./PhysMem.js";
import { Pkmap } from "./Pkmap.js";

// Module-local copies of the imports the handle checks (`live`, `pageGen`) use on every access:
// V8 folds a module's own `const`s into optimized code, but reads an imported binding from its
// module cell at every use.
const isU32 = checkU32;
const isPfn = checkPfn;
const FLAGS_MASK = MEMMAP_FLAGS_MASK;
const GEN_SHIFT = MEMMAP_GEN_SHIFT;
const GEN_WRAP = MEMMAP_GEN_WRAP;
const PG_free = MEMMAP_PG_free;
const PG_nomap = MEMMAP_PG_nomap;

/**
 * The state every part of a {@link Machine} shares, and the queries that only read it.
 *
 * @remarks
 * Split from `Machine` only to keep files small; use `Machine`.
 *
 * @invariant `currentCpu` is always in `[0, cpus)`.
 */
export class MachineState {
  /** The validated configuration. */
  declare readonly config: ResolvedConfig;
  /** `PAGE_SHIFT`. */
  declare readonly pageShift: number;
  /** `PAGE_SIZE` in bytes. */
  declare readonly pageSize: number;
  /** Page frames with metadata: `[0, nrPages)`. */
  declare readonly nrPages: number;
  /** The first HIGHMEM frame; `nrPages` when there is no HIGHMEM. */
  declare readonly highmemPfn: number;
  /** Number of CPUs. */
  declare readonly cpus: number;
  /** @internal Per-page metadata; only the core writes it. */
  declare readonly mem: MemMap;
  /** @internal The backing bytes. */
  declare readonly phys: PhysMem;
  /** @internal The allocator. */
  declare readonly buddy: Buddy;
  /** @internal The per-CPU local mapping slots. */
  declare readonly slots: KmapSlots;
  /** @internal The permanent mapping pool. */
  readonly pkmap = new Pkmap();
  /** @internal The page_owner side table, present only with `debug.pageOwner`. */
  declare readonly owner: PageOwner | undefined;
  /** @internal Whether freed pages are poisoned. */
  declare readonly poisonOn: boolean;
  /** @internal Whether lowmem maps like HIGHMEM. */
  declare readonly forceMap: boolean;
  /**
   * @internal The leases of the live local mappings by id, present only with `debug.views`: mapped
   * views are then guarded proxies that die with their mapping (see `core/debug/views.ts`).
   */
  declare readonly leases: Map<number, MappingLease> | undefined;
  /** @internal Whether mappings record where they were made and ended (`debug.viewStacks`). */
  declare readonly viewStacks: boolean;
  /** @internal Neither poisoning nor page_owner is on, so order-0 allocation may take the fast path. */
  declare protected readonly plainAlloc: boolean;
  /**
   * @internal What keeps order-0 frees off the fast path: the live local and permanent mappings,
   * plus one when poisoning or page_owner must see every free. The fast path runs only at zero.
   */
  protected freeBlockers = 0;
  /** @internal The ZONE_NORMAL hot list (`buddy.pcp[ZONE_NORMAL]`), held directly for the order-0 fast paths. */
  declare protected readonly hot: HotList;
  private cpu = 0;

  /**
   * Builds a machine: validates the config, lays out metadata and hands the RAM to the allocator.
   *
   * @param config - The configuration; every field has a default.
   * @throws KernelError `EINVAL` for a bad configuration.
   */
  constructor(config: MachineConfig = {}) {
    const resolved = resolveConfig(config);
    this.config = resolved;
    this.pageShift = resolved.pageShift;
    this.pageSize = resolved.pageSize;
    this.nrPages = resolved.nrPages;
    this.highmemPfn = resolved.highmemPfn;
    this.cpus = resolved.cpus;
    this.mem = new MemMap(this.nrPages);
    this.phys = new PhysMem(this.nrPages, this.pageShift);
    this.buddy = new Buddy(this.mem, this.highmemPfn);
    this.hot = this.buddy.pcp[ZONE_NORMAL]!;
    this.slots = new KmapSlots(this.cpus, resolved.debug.kmapLocalGuard);
    this.owner = resolved.debug.pageOwner ? new PageOwner() : undefined;
    this.poisonOn = resolved.debug.poison;
    this.forceMap = resolved.debug.forceMap;
    this.leases = resolved.debug.views ? new Map() : undefined;
    this.viewStacks = resolved.debug.views && resolved.debug.viewStacks;
    this.plainAlloc = !this.poisonOn && this.owner === undefined;
    this.freeBlockers = this.plainAlloc ? 0 : 1;
    for (const seg of resolved.segments) {
      if (seg.kind === "ram") {
        // INVARIANT: a RAM segment is split at the HIGHMEM boundary so each part lies in one zone.
        const mid = Math.min(Math.max(seg.startPfn, this.highmemPfn), seg.endPfn);
        if (mid > seg.startPfn) this.buddy.addRange(seg.startPfn, mid);
        if (seg.endPfn > mid) this.buddy.addRange(mid, seg.endPfn);
      } else {
        // INVARIANT: never allocated, so the generation in the top half is 0.
        this.mem.initRange(seg.startPfn, seg.endPfn, seg.kind === "reserved" ? PG_reserved : PG_nomap);
      }
    }
  }

  // --- CPUs ---------------------------------------------------------------------------------

  /** The CPU the caller is running on (0 unless inside {@link MachineState.onCpu}). */
  get currentCpu(): number {
    return this.cpu;
  }

  /**
   * Runs `fn` as if on CPU `cpu`, restoring the previous CPU afterwards, even when `fn` throws.
   *
   * @param cpu - A CPU number in `[0, cpus)`.
   * @param fn - The code to run.
   * @returns What `fn` returns.
   * @throws KernelError `EINVAL` for a bad CPU number or an `fn` that is not a function.
   */
  onCpu<Result>(cpu: number, fn: () => Result): Result {
    if (!isU32(cpu) || cpu >= this.cpus) throw badNumber("on_cpu", "cpu", cpu, this.cpus);
    checkFunction("on_cpu", "fn", fn);
    const previous = this.cpu;
    this.cpu = cpu;
    try {
      return fn();
    } finally {
      this.cpu = previous;
    }
  }

  // --- addressing ---------------------------------------------------------------------------

  /**
   * The physical address of a page frame (`PFN_PHYS`).
   *
   * @param pfn - A page frame number (need not have metadata: MMIO frames are fine).
   * @returns `pfn << PAGE_SHIFT`.
   * @throws KernelError `EINVAL` for a negative, fractional or non-finite pfn.
   */
  pfnToPhys(pfn: number): number {
    if (!isPfn(pfn)) throw badNumber("PFN_PHYS", "pfn", pfn);
    return pfn * this.pageSize;
  }

  /**
   * The page frame holding a physical address (`PHYS_PFN`); any offset in the page is dropped.
   *
   * @param addr - A physical address.
   * @returns `addr >> PAGE_SHIFT`.
   * @throws KernelError `EINVAL` for a negative, fractional or non-finite address, or one whose
   *   frame number is 2^34 or more.
   */
  physToPfn(addr: number): number {
    if (!isAddress(addr)) throw badNumber("PHYS_PFN", "addr", addr);
    const pfn = Math.floor(addr / this.pageSize);
    if (!isPfn(pfn)) throw badNumber("PHYS_PFN", "addr", addr, PFN_LIMIT * this.pageSize);
    return pfn;
  }

  /**
   * What a page frame holds, by the configured ranges.
   *
   * @param pfn - Any number.
   * @returns The range kind, or `"hole"` for frames beyond RAM that are not MMIO and for bad numbers.
   */
  kindOf(pfn: number): PhysRangeKind {
    if (!isPfn(pfn)) return "hole";
    const list = pfn < this.nrPages ? this.config.segments : this.config.mmioAbove;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const seg = list[mid]!;
      if (pfn < seg.startPfn) hi = mid - 1;
      else if (pfn >= seg.endPfn) lo = mid + 1;
      else return seg.kind;
    }
    return "hole";
  }

  /**
   * Whether a page frame has metadata (`pfn_valid`): below the end of RAM and not MMIO.
   *
   * @param pfn - Any number; bad numbers give `false`.
   * @returns `true` when the frame has a `struct page`.
   */
  pfnValid(pfn: number): boolean {
    return isPfn(pfn) && pfn < this.nrPages && this.kindOf(pfn) !== "mmio";
  }

  /**
   * Whether a page frame is RAM (`page_is_ram`): a `ram` or `reserved` range.
   *
   * @param pfn - Any number; bad numbers give `false`.
   * @returns `true` for RAM, including reserved RAM; `false` for holes, MMIO and bad numbers.
   */
  pageIsRam(pfn: number): boolean {
    if (!isPfn(pfn) || pfn >= this.nrPages) return false;
    const kind = this.kindOf(pfn);
    return kind === "ram" || kind === "reserved";
  }

  /**
   * Whether a page frame lies in HIGHMEM (no direct mapping).
   *
   * @param pfn - A page frame number.
   * @returns `true` from the HIGHMEM boundary up to the end of RAM.
   */
  isHighmem(pfn: number): boolean {
    return isPfn(pfn) && pfn >= this.highmemPfn && pfn < this.nrPages;
  }

  /**
   * The zone a frame belongs to.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `ZONE_NORMAL` (0) or `ZONE_HIGHMEM` (1).
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  zoneOf(pfn: number): number {
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber("page_zonenum", "pfn", pfn, this.nrPages);
    return pfn < this.highmemPfn ? ZONE_NORMAL : ZONE_HIGHMEM;
  }

  // --- page metadata queries ----------------------------------------------------------------

  /**
   * The generation of a page: the second half of a `(pfn, gen)` handle, bumped on every allocation.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The generation, an integer below 2^48: a frame can be reused 2^48 times before a
   *   generation repeats, so a stale handle never passes a check in practice.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageGen(pfn: number): number {
    this.checkPfn("page_gen", pfn);
    return this.mem.genHigh(pfn) * GEN_WRAP + (this.mem.word(pfn) >>> GEN_SHIFT);
  }

  /**
   * The raw flags word of a page (`PG_*` bits; the order in bits 12..15).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The flags.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageFlags(pfn: number): number {
    this.checkPfn("page_flags", pfn);
    return this.mem.word(pfn) & FLAGS_MASK;
  }

  /**
   * Whether a page is currently allocated (part of a block handed out by the allocator).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `false` for free, reserved and non-RAM frames.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isAllocated(pfn: number): boolean {
    this.checkPfn("page_allocated", pfn);
    return (this.mem.word(pfn) & (PG_free | PG_reserved | PG_nomap)) === 0;
  }

  /**
   * The first page of the allocated block holding `pfn` (`compound_head` for any block).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The first pfn of the block, or `pfn` itself for a block head, reserved or free page.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  blockHead(pfn: number): number {
    this.checkPfn("compound_head", pfn);
    return (this.mem.word(pfn) & PG_tail) !== 0 ? this.mem.link0(pfn) : pfn;
  }

  /**
   * The order of an allocated block head (`folio_order`); 0 for other pages.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The order, 0..10.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageOrder(pfn: number): number {
    this.checkPfn("folio_order", pfn);
    const flags = this.mem.word(pfn) & FLAGS_MASK;
    return (flags & (PG_free | PG_tail)) !== 0 ? 0 : flags >>> ORDER_SHIFT;
  }

  /**
   * Whether a page is the head of a compound page (a folio allocated with `__GFP_COMP`).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `true` for a compound head.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isCompoundHead(pfn: number): boolean {
    this.checkPfn("PageHead", pfn);
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
    this.checkPfn("folio_ref_count", pfn);
    return this.mem.refcount(pfn);
  }

  // --- shared checks ------------------------------------------------------------------------

  /**
   * Checks that `pfn` is an integer frame with metadata.
   *
   * @param op - The operation, for the error.
   * @param pfn - The value to check.
   * @throws KernelError `EINVAL` otherwise.
   */
  protected checkPfn(op: string, pfn: number): void {
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
  }

  /**
   * Checks a `(pfn, gen)` handle for an access and returns the page's flags.
   *
   * @param op - The operation, for the error.
   * @param pfn - The page.
   * @param gen - The generation the handle recorded.
   * @param offset - The accessed offset, for a report (-1 when not a byte access).
   * @param size - The accessed size, for a report.
   * @returns The flags word of a live page (allocated, or reserved RAM).
   * @throws KernelError `EINVAL` for bad numbers; `EFAULT` for a free, reallocated or non-RAM page.
   */
  protected live(op: string, pfn: number, gen: number, offset = -1, size = 0): number {
    if (!isPfn(pfn) || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
    // SAFETY: pfn < nrPages was checked above.
    const word = this.mem.word(pfn);
    if ((word & (PG_free | PG_nomap)) !== 0 || (word >>> GEN_SHIFT) + this.mem.genHigh(pfn) * GEN_WRAP !== gen) {
      throw deadHandle(this, op, pfn, gen, accessLine(this, op, pfn, offset, size));
    }
    return word & FLAGS_MASK;
  }

  /**
   * Describes a page for messages: pfn, physical address and zone.
   *
   * @param pfn - A page frame.
   * @returns For example `pfn 0x10 (phys 0x10000, Normal)`.
   */
  describePfn(pfn: number): string {
    // Type first: the arithmetic and comparison below would coerce a caller's object.
    if (!checkPfn(pfn)) throw badNumber("describe_pfn", "pfn", pfn);
    return `pfn ${hex(pfn)} (phys ${hex(pfn * this.pageSize)}, ${pfn < this.highmemPfn ? "Normal" : "HighMem"})`;
  }
}
