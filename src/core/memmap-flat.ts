/**
 * The flat memory model (`CONFIG_FLATMEM`): page metadata as five arrays of `nrPages` elements,
 * allocated when the machine is built.
 *
 * @module
 */
import {
  SECTION_PAGES,
  defaultRuns,
  describePage,
  findDefaultWord,
  withDefaultRange,
  type DefaultRun,
  type MemLayoutSegment,
  type MemMap,
  type MemWindow,
} from "./memmap.js";

// Module-local copies of the constants the inline paths use: V8 folds a module's own non-exported
// `const`s into optimized code, but reads an exported binding from its module cell at every use.
const L_FLAGS_MASK = 0xffff;
const L_GEN_SHIFT = 16;
const L_GEN_ONE = 0x10000;
const L_GEN_WRAP = 0x10000;
const L_PG_tail = 1 << 3;
/**
 * `FLAT_MAX_PAGES - 1` (config.ts): `pfn & PFN_MASK` is `pfn` itself for every pfn of a flat map
 * (a LOW-bits mask), but typed as a small integer. A pfn read from the allocator's `Float64Array`s
 * is a double, and V8 converts a double index (with a check) at every element access; the masked
 * copy is converted once. Worth about a third on the order-4 row (docs/performance-notes.md).
 */
const PFN_MASK = 2 ** 26 - 1;
/**
 * The per-page metadata of one machine as flat arrays indexed by pfn, in the manner of the
 * kernel's `FLATMEM`: the memory model of small machines.
 *
 * @remarks
 * The five fields of {@link MemMap} live in five typed arrays of `nrPages` elements, allocated and
 * filled with the frames' default words when the map is made (20 bytes per frame: 5 MiB and about
 * a millisecond for 1 GiB of 4 KiB pages). Every accessor is one element access, which V8 inlines
 * into the machine's fast paths: no section lookup, no cache check. This is the layout the core had
 * before the sparse map; `SparseMemMap` pays a range check against its cached section on every
 * access (see docs/performance-notes.md for the rows).
 *
 * RAM is still threaded onto the free lists lazily by `Buddy` (the threading writes through the
 * accessors, so both models share it); only the metadata is eager.
 *
 * The accessors do no checking: the caller guarantees `0 <= pfn < nrPages` (an integer) and, for
 * the setters, a value of the field's type. Links are stored as `u32`: below `FLAT_MAX_PAGES` (config.ts)
 * frames every link value (`pfn + 1`, a head pfn, a page-cache mapping id or `u32` index) is one.
 *
 * @invariant Every array has exactly `nrPages` elements, and `nrPages <= FLAT_MAX_PAGES`.
 * @invariant `runs` are sorted, disjoint and cover `[0, nrPages)` exactly; a frame never written
 *   holds its run's word and zero in every other field.
 */
export class FlatMemMap implements MemMap {
  /** The memory model. */
  readonly model = "flat" as const;
  /** Flags, order and the generation's low half of each frame. */
  declare private readonly flagsGen: Int32Array;
  /** Reference count of each frame. */
  declare private readonly refcounts: Int32Array;
  /** `link0` of each frame. */
  declare private readonly links0: Uint32Array;
  /** `link1` of each frame. */
  declare private readonly links1: Uint32Array;
  /** The generation's bits 16..47 of each frame. */
  declare private readonly genHighs: Uint32Array;
  /** The default words, as runs of frames. */
  #runs: readonly DefaultRun[];
  /** The whole map as one {@link MemWindow}: the order-0 fast paths index its arrays. */
  readonly #window: MemWindow;

  /**
   * Allocates the metadata of `nrPages` frames, each holding its default word.
   *
   * @param nrPages - Number of page frames, at most `FLAT_MAX_PAGES` (config.ts).
   * @param segments - The kinds of the frames, sorted and covering `[0, nrPages)`; all RAM when absent.
   */
  constructor(readonly nrPages: number, segments?: readonly MemLayoutSegment[]) {
    this.flagsGen = new Int32Array(nrPages);
    this.refcounts = new Int32Array(nrPages);
    this.links0 = new Uint32Array(nrPages);
    this.links1 = new Uint32Array(nrPages);
    this.genHighs = new Uint32Array(nrPages);
    this.#runs = defaultRuns(nrPages, segments);
    // INVARIANT: every frame holds its run's default word.
    for (const run of this.#runs) if (run.word !== 0) this.flagsGen.fill(run.word, run.start, run.end);
    // INVARIANT: the window is the whole map; below FLAT_MAX_PAGES every link fits its u32 word.
    this.#window = Object.freeze({ start: 0, pages: nrPages, flagsGen: this.flagsGen, refcount: this.refcounts, link0: this.links0, genHigh: this.genHighs, linkHigh: undefined });
  }

  /**
   * Makes `word` the default and current word of the frames `[startPfn, endPfn)`.
   *
   * @param startPfn - First frame.
   * @param endPfn - One past the last frame, at most `nrPages`.
   * @param word - `PG_reserved` or `PG_nomap` (generation 0).
   * @remarks Does no checking: the caller (machine construction) passes a range inside
   *   `[0, nrPages)` of frames never allocated.
   */
  initRange(startPfn: number, endPfn: number, word: number): void {
    if (startPfn >= endPfn) return;
    // INVARIANT: the runs still cover [0, nrPages) exactly, and the frames hold the new default.
    this.#runs = withDefaultRange(this.#runs, startPfn, endPfn, word);
    this.flagsGen.fill(word, startPfn, endPfn);
  }

  /**
   * The flags word a frame had when the map was made.
   *
   * @param pfn - A page frame.
   * @returns `PG_free` for RAM, `PG_reserved` for reserved RAM, `PG_nomap` for holes, MMIO and
   *   frames at or above `nrPages`.
   */
  defaultWord(pfn: number): number {
    return findDefaultWord(this.#runs, pfn);
  }

  /**
   * The flags word of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The word, a signed 32-bit integer.
   */
  word(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages <= FLAT_MAX_PAGES elements) and the
    // caller's pfn < nrPages, `pfn & PFN_MASK` is pfn, an index in range.
    return this.flagsGen[pfn & PFN_MASK]!;
  }

  /**
   * Sets the flags word of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param word - A signed 32-bit word.
   */
  setWord(pfn: number, word: number): void {
    this.flagsGen[pfn & PFN_MASK] = word;
  }

  /**
   * The reference count of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The count.
   */
  refcount(pfn: number): number {
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes refcounts.
    return this.refcounts[pfn & PFN_MASK]!;
  }

  /**
   * Sets the reference count of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param count - A signed 32-bit count.
   */
  setRefcount(pfn: number, count: number): void {
    this.refcounts[pfn & PFN_MASK] = count;
  }

  /**
   * The first link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A `u32`.
   */
  link0(pfn: number): number {
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes links0.
    return this.links0[pfn & PFN_MASK]!;
  }

  /**
   * Sets the first link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - A `u32` (every link of a flat map is one; see the class remarks).
   */
  setLink0(pfn: number, value: number): void {
    this.links0[pfn & PFN_MASK] = value;
  }

  /**
   * The second link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A `u32`.
   */
  link1(pfn: number): number {
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes links1.
    return this.links1[pfn & PFN_MASK]!;
  }

  /**
   * Sets the second link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - A `u32`.
   */
  setLink1(pfn: number, value: number): void {
    this.links1[pfn & PFN_MASK] = value;
  }

  /**
   * The generation's bits 16..47 of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A `u32`.
   */
  genHigh(pfn: number): number {
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes genHighs.
    return this.genHighs[pfn & PFN_MASK]!;
  }

  /**
   * Sets the generation's bits 16..47 of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - A `u32` (stored modulo 2^32).
   */
  setGenHigh(pfn: number, value: number): void {
    this.genHighs[pfn & PFN_MASK] = value;
  }

  /**
   * The full generation of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `genHigh * 65536 + (word >>> 16)`, below 2^48.
   */
  gen(pfn: number): number {
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes flagsGen and genHighs.
    const i = pfn & PFN_MASK;
    return this.genHighs[i]! * L_GEN_WRAP + (this.flagsGen[i]! >>> L_GEN_SHIFT);
  }

  /**
   * Describes a page the way the kernel's `dump_page` does.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns For example `page: pfn:0x1a refcount:1 order:2 gen:3 flags: head|locked`.
   */
  describe(pfn: number): string {
    return describePage(this, pfn);
  }

  /**
   * The frame ranges whose metadata is allocated: all of them.
   *
   * @returns `[[0, nrPages]]`.
   */
  spans(): Iterable<readonly [start: number, end: number]> {
    return [[0, this.nrPages] as const];
  }

  /**
   * Bytes of per-page metadata allocated.
   *
   * @returns 20 bytes per frame.
   */
  bytes(): number {
    return this.nrPages * 20;
  }

  /**
   * Number of memory sections the map covers (all of them are allocated).
   *
   * @returns `ceil(nrPages / SECTION_PAGES)`.
   */
  sectionCount(): number {
    return Math.ceil(this.nrPages / SECTION_PAGES);
  }

  /**
   * The window of every frame: the map's own arrays, from frame 0 (see {@link MemWindow}).
   *
   * @param pfn - Any frame (a flat map has one window).
   * @returns The map's window.
   */
  window(pfn: number): MemWindow {
    void pfn;
    return this.#window;
  }

  /**
   * The window of every frame (always present: a flat map's metadata is allocated at start-up).
   *
   * @param pfn - Any frame.
   * @returns The map's window.
   */
  windowIfPresent(pfn: number): MemWindow {
    void pfn;
    return this.#window;
  }

  /**
   * Gives a block taken off the free lists allocated metadata in one pass: every page's generation
   * goes up by one, the first page gets `headFlags`, reference count 1 and zero links, every other
   * page `PG_tail` and `link0` = `pfn`.
   *
   * @param pfn - The block's first page, below `nrPages`.
   * @param order - The block's order, 0..10.
   * @param headFlags - The flags of the first page (order included, `PG_head` or not).
   * @remarks Does no checking: the caller guarantees a free, aligned block of `order` inside the machine.
   */
  allocBlock(pfn: number, order: number, headFlags: number): void {
    const { flagsGen, links0, links1, genHighs } = this;
    const head = pfn & PFN_MASK;
    const end = head + (1 << order);
    // SAFETY: By the type invariant and the caller's block inside the machine, [head, end) is in range.
    for (let p = head; p < end; p++) {
      const next = (flagsGen[p]! + L_GEN_ONE) & ~L_FLAGS_MASK;
      if (next === 0) genHighs[p] = genHighs[p]! + 1;
      flagsGen[p] = next | (p === head ? headFlags : L_PG_tail);
      links0[p] = p === head ? 0 : head;
      links1[p] = 0;
    }
    this.refcounts[head] = 1;
  }

  /**
   * Marks every page of an allocated block free in one pass (generation kept, `freeFlags` set,
   * links and the head's reference count zeroed), ready for the free lists.
   *
   * @param pfn - The block's first page, below `nrPages`.
   * @param order - The block's order, 0..10.
   * @param freeFlags - `PG_free`, with `PG_poisoned` when the block is being poisoned.
   * @remarks Does no checking: the caller guarantees an allocated block of `order` it may free.
   */
  freeBlock(pfn: number, order: number, freeFlags: number): void {
    const { flagsGen, links0, links1 } = this;
    const head = pfn & PFN_MASK;
    const end = head + (1 << order);
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // allocated block of `order` (freeBlock's remarks), which lies below nrPages, [head, end)
    // indexes every array.
    for (let p = head; p < end; p++) {
      flagsGen[p] = (flagsGen[p]! & ~L_FLAGS_MASK) | freeFlags;
      links0[p] = 0;
      links1[p] = 0;
    }
    this.refcounts[head] = 0;
  }
}
