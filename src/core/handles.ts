/**
 * Handles: the `(pfn, gen)` pairs that name a page, their checks, and the reports of a handle that
 * no longer names a live page (use after free, double free, stale generations) in the style of KASAN.
 *
 * @module
 */
import { kernelError, type KernelError } from "../errors.js";
import { badNumber, describeValue, hex } from "../args.js";
import { MAX_PAGE_ORDER } from "./config.js";
import type { PageOwner } from "./debug/page-owner.js";
import { NEVER_ALLOCATED, NEVER_FREED, formatKasan } from "./debug/report.js";
import {
  FLAGS_MASK as MEMMAP_FLAGS_MASK,
  GEN_LIMIT,
  GEN_SHIFT as MEMMAP_GEN_SHIFT,
  GEN_WRAP as MEMMAP_GEN_WRAP,
  ORDER_SHIFT,
  PG_free as MEMMAP_PG_free,
  PG_nomap as MEMMAP_PG_nomap,
  PG_reserved,
  PG_tail,
  NO_WINDOW,
  type MemMap,
  type MemWindow,
} from "./memmap.js";

// Module-local copies of the imports the handle check (`handleFlags`) uses on every access: V8
// folds a module's own `const`s into optimized code, but reads an imported binding from its module
// cell at every use (see docs/performance-notes.md).
const FLAGS_MASK = MEMMAP_FLAGS_MASK;
const GEN_SHIFT = MEMMAP_GEN_SHIFT;
const GEN_WRAP = MEMMAP_GEN_WRAP;
const PG_free = MEMMAP_PG_free;
const PG_nomap = MEMMAP_PG_nomap;
/** The flags whose page a handle can never reach: free frames and frames without memory. */
const DEAD = PG_free | PG_nomap;

/**
 * The handle checks of one machine, and the KASAN-style reports of the handles that fail them.
 *
 * @remarks
 * Owns no state: a page's generation lives in its metadata ({@link MemMap.gen}), bumped by the
 * allocator on every allocation; this service reads it. The page-owner table, when present, only
 * supplies stacks to the reports.
 */
export class Handles {
  /** The machine's page metadata. */
  declare private readonly mem: MemMap;
  /** Page frames with metadata. */
  declare readonly nrPages: number;
  /** `PAGE_SIZE` in bytes. */
  declare readonly pageSize: number;
  /** The first HIGHMEM frame. */
  declare private readonly highmemPfn: number;
  /** The page_owner side table, present only with `debug.pageOwner`. */
  declare private readonly owner: PageOwner | undefined;
  /**
   * The metadata window `pageGen` reads ({@link MemWindow}): the whole map of a flat machine, the
   * section of the last page asked about on a sparse one. Its start, size and arrays are held in
   * the `win*` fields below.
   */
  declare private win: MemWindow;
  /** `win.start`. */
  declare private winStart: number;
  /** `win.pages`. */
  declare private winPages: number;
  /** `win.flagsGen`. */
  declare private winFlags: Int32Array;
  /** `win.genHigh`. */
  declare private winGenHigh: Uint32Array;

  /**
   * Creates the handle checks of a machine.
   *
   * @param mem - The page metadata.
   * @param pageSize - `PAGE_SIZE` (a small integer).
   * @param highmemPfn - The first HIGHMEM frame.
   * @param owner - The page_owner table, if recorded.
   */
  constructor(mem: MemMap, pageSize: number, highmemPfn: number, owner: PageOwner | undefined) {
    this.mem = mem;
    this.nrPages = mem.nrPages;
    this.pageSize = pageSize;
    this.highmemPfn = highmemPfn;
    this.owner = owner;
    // A flat map's whole window, or none yet on a sparse one.
    this.setWindow(mem.windowIfPresent(0) ?? NO_WINDOW);
  }

  /**
   * Checks that `pfn` is a frame with metadata (a non-negative safe integer below `nrPages`).
   *
   * @param op - The operation, for the error.
   * @param pfn - The value to check.
   * @throws KernelError `EINVAL` otherwise.
   */
  checkPfn(op: string, pfn: number): void {
    if (!Number.isSafeInteger(pfn) || pfn < 0 || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
  }

  /**
   * Checks a `(pfn, gen)` handle and returns the flags of the live page it names.
   *
   * @param op - The operation, for the error.
   * @param pfn - The page.
   * @param gen - The generation the handle recorded.
   * @param offset - The accessed offset, for a report (-1 when not a byte access).
   * @param size - The accessed size, for a report.
   * @returns The flags word (bits 0..15) of a live page: allocated, or reserved RAM.
   * @throws KernelError `EINVAL` for bad numbers; `EFAULT` for a free, reallocated or non-RAM page.
   */
  handleFlags(op: string, pfn: number, gen: number, offset = -1, size = 0): number {
    if (!Number.isSafeInteger(pfn) || pfn < 0 || pfn >= this.nrPages) throw badNumber(op, "pfn", pfn, this.nrPages);
    const mem = this.mem;
    const word = mem.word(pfn);
    if ((word & DEAD) !== 0 || (word >>> GEN_SHIFT) + mem.genHigh(pfn) * GEN_WRAP !== gen) {
      throw this.deadHandle(op, pfn, gen, this.accessLine(op, pfn, offset, size));
    }
    return word & FLAGS_MASK;
  }

  /**
   * The generation of a page: the second half of its handle.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The generation, below 2^48.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageGen(pfn: number): number {
    // The window read inline: `i >>> 0` equals `i` only for an integer in [0, 2^32), so a frame of
    // the window passes and anything else (a bad pfn, another section) goes out of line. Small
    // enough that V8 inlines it into a kit factory with the allocation (docs/performance-notes.md).
    if (typeof pfn === "number") {
      const i = pfn - this.winStart;
      const idx = i >>> 0;
      // SAFETY: By the check 0 <= idx < winPages and the type invariant of MemWindow (every array
      // has winPages elements, for frames that all lie below nrPages), idx is an index in range.
      if (idx === i && idx < this.winPages) return this.winGenHigh[idx]! * GEN_WRAP + (this.winFlags[idx]! >>> GEN_SHIFT);
    }
    return this.pageGenSlow(pfn);
  }

  /**
   * {@link Handles.pageGen} off the window: refuses a bad pfn; on a sparse machine, makes the
   * frame's section (if allocated) the window, so the next asks about its frames are inline.
   */
  private pageGenSlow(pfn: number): number {
    this.checkPfn("page_gen", pfn);
    const win = this.mem.windowIfPresent(pfn);
    if (win !== undefined && win !== this.win) this.setWindow(win);
    return this.mem.gen(pfn);
  }

  /** Holds `win` as `pageGen`'s window. */
  private setWindow(win: MemWindow): void {
    // INVARIANT: the window fields describe one window.
    this.win = win;
    this.winStart = win.start;
    this.winPages = win.pages;
    this.winFlags = win.flagsGen;
    this.winGenHigh = win.genHigh;
  }

  /**
   * The bytes a live page's handle reaches, from its flags: the whole block for a block head, one
   * page for a tail or reserved page.
   *
   * @param flags - Flags returned by {@link Handles.handleFlags}.
   * @returns The size in bytes.
   */
  extent(flags: number): number {
    return (flags & (PG_tail | PG_reserved)) !== 0 ? this.pageSize : this.pageSize << (flags >>> ORDER_SHIFT);
  }

  /**
   * Describes a page for messages: pfn, physical address and zone.
   *
   * @param pfn - A page frame.
   * @returns For example `pfn 0x10 (phys 0x10000, Normal)`; the zone is `Normal`, `HighMem`, or
   *   `beyond RAM` for a frame at or above `nrPages` (MMIO above RAM, a bad handle).
   * @throws KernelError `EINVAL` when `pfn` is not a non-negative safe integer.
   */
  describePfn(pfn: number): string {
    // Type first: the arithmetic and comparison below would coerce a caller's object.
    if (!Number.isSafeInteger(pfn) || pfn < 0) throw badNumber("describe_pfn", "pfn", pfn);
    const where = pfn < this.highmemPfn ? "Normal" : pfn < this.nrPages ? "HighMem" : "beyond RAM";
    return `pfn ${hex(pfn)} (phys ${hex(pfn * this.pageSize)}, ${where})`;
  }

  /**
   * The KASAN access line of a report.
   *
   * @param op - The operation.
   * @param pfn - The page.
   * @param offset - The byte offset, or -1 for a whole-page operation.
   * @param size - The size in bytes.
   * @returns For example `Read of size 16 at offset 0x0 of pfn 0x12 (phys 0x12000, Normal)`.
   */
  accessLine(op: string, pfn: number, offset: number, size: number): string {
    const verb = op === "memcpy_from_page" ? "Read" : op === "memcpy_to_page" || op === "memset_page" ? "Write" : "Access";
    // Type first: offset and size may be anything a caller passed; they are described, never coerced.
    if (typeof offset === "number" && offset < 0) return `${verb} (${typeof op === "string" ? op : describeValue(op)}) of ${this.describePfn(pfn)}`;
    const at = typeof offset === "number" && Number.isFinite(offset) ? hex(Math.trunc(offset)) : describeValue(offset);
    return `${verb} of size ${describeValue(size)} at offset ${at} of ${this.describePfn(pfn)}`;
  }

  /**
   * Builds the error for a handle that does not name a live page; out of line, off the hot paths.
   *
   * @param op - The operation.
   * @param pfn - A page frame below `nrPages`.
   * @param gen - The handle's generation.
   * @param access - The access line of the report.
   * @param bug - The KASAN bug class to report.
   * @returns The error: `EINVAL` for a bad generation, else `EFAULT` (or `EINVAL` for a double free).
   */
  deadHandle(op: string, pfn: number, gen: number, access: string, bug = "use-after-free"): KernelError {
    if (typeof gen !== "number" || !Number.isSafeInteger(gen) || gen < 0 || gen >= GEN_LIMIT) return badNumber(op, "gen", gen, GEN_LIMIT);
    const flags = this.mem.word(pfn) & FLAGS_MASK;
    if ((flags & PG_nomap) !== 0) {
      return kernelError("EFAULT", op, "page frame has no memory (hole or mmio)", { pfn, phys: pfn * this.pageSize });
    }
    const current = this.mem.gen(pfn);
    const free = (flags & PG_free) !== 0;
    const what = free ? (bug === "double-free" ? "double free" : "use after free") : "stale handle: page was freed and reallocated";
    const notes = current === gen ? [] : [`handle gen=${gen}, page gen=${current}: the page was reallocated since the handle was made`];
    const report = this.kasanReport(bug, op, pfn, access, notes);
    return kernelError(bug === "double-free" ? "EINVAL" : "EFAULT", op, what, { pfn, gen, pageGen: current }, report);
  }

  /**
   * A KASAN-style report about a page, with page_owner stacks when recorded.
   *
   * @param bug - The bug class.
   * @param op - The operation.
   * @param pfn - The page, below `nrPages`.
   * @param access - The access line.
   * @param notes - Extra lines.
   * @returns The report text.
   */
  kasanReport(bug: string, op: string, pfn: number, access: string, notes: readonly string[] = []): string {
    const head = this.stackHead(pfn);
    const owner = this.owner;
    return formatKasan({
      bug,
      // A caller of the public core methods passes any `op`: described, never coerced.
      op: typeof op === "string" ? op : describeValue(op),
      access,
      notes,
      page: this.mem.describe(pfn),
      phys: pfn * this.pageSize,
      // With page_owner on, a missing stack means the event never happened, not that it went unrecorded.
      allocStack: owner === undefined ? undefined : (owner.allocStack(head) ?? NEVER_ALLOCATED),
      freeStack: owner === undefined ? undefined : (owner.freeStack(head) ?? NEVER_FREED),
    });
  }

  /** The first pfn of the block whose stacks describe `pfn` (the page itself or an aligned head). */
  private stackHead(pfn: number): number {
    const owner = this.owner;
    if (owner === undefined || owner.allocStacks.has(pfn)) return pfn;
    for (let order = 1; order <= MAX_PAGE_ORDER; order++) {
      // `pfn & mask` keeps only low bits, exact for any pfn; subtracting them rounds down.
      const head = pfn - (pfn & ((1 << order) - 1));
      if (owner.allocStacks.has(head)) return head;
    }
    return pfn;
  }
}
