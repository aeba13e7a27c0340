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
} from "./memmap.js";

// Module-local copies of the constants the inline paths use: V8 folds a module's own non-exported
// `const`s into optimized code, but reads an exported binding from its module cell at every use.
const L_FLAGS_MASK = 0xffff;
const L_GEN_SHIFT = 16;
const L_GEN_ONE = 0x10000;
const L_GEN_WRAP = 0x10000;
const L_PG_free = 1;
const L_PG_tail = 1 << 3;
/**
 * `FLAT_MAX_PAGES - 1` (config.ts): `pfn & PFN_MASK` is `pfn` itself for every pfn of a flat map
 * (a LOW-bits mask), but typed as a small integer. A pfn read from the allocator's `Float64Array`s
 * is a double, and V8 converts a double index (with a check) at every element access; the masked
 * copy is converted once. Worth about a third on the order-4 row (docs/performance-notes.md).
 */
const PFN_MASK = 2 ** 26 - 1;
/**
 * The flat map's index mask (`FLAT_MAX_PAGES - 1`): `pfn & FLAT_PFN_MASK` is `pfn` itself for every
 * frame of a flat map, as an int32. For the fast paths that index the map's arrays directly
 * ({@link flatMemMapFriend}).
 */
export const FLAT_PFN_MASK = PFN_MASK;

/** The arrays of a {@link FlatMemMap} that the order-0 fast paths index directly. */
export interface FlatArrays {
  /** Flags, order and the generation's low half of each frame. */
  readonly flagsGen: Int32Array;
  /** Reference count of each frame. */
  readonly refcounts: Int32Array;
  /** `link0` of each frame. */
  readonly links0: Uint32Array;
  /** The generation's bits 16..47 of each frame. */
  readonly genHighs: Uint32Array;
}

/** What {@link FlatMemMap} grants the files of `core/` that index its arrays (see {@link flatMemMapFriend}). */
export interface FlatMemMapFriend {
  /** The map's arrays, each of `nrPages` elements. */
  arrays(map: FlatMemMap): FlatArrays;
}

let friend: FlatMemMapFriend | undefined;

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

  static {
    friend = {
      arrays: (map) => ({ flagsGen: map.flagsGen, refcounts: map.refcounts, links0: map.links0, genHighs: map.genHighs }),
    };
  }

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
   * Gives a free page order-0 allocated metadata in one step: generation + 1 (with the carry into
   * `genHigh`), flags cleared, reference count 1.
   *
   * @param pfn - A page frame below `nrPages`, free, with zero links.
   * @remarks Does no checking: the caller guarantees the page is a free order-0 page it has taken
   *   off a hot list.
   */
  allocOrder0(pfn: number): void {
    const i = pfn & PFN_MASK;
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements) and the caller's
    // pfn < nrPages (class remarks), `pfn & PFN_MASK` is pfn and indexes flagsGen and genHighs.
    const next = (this.flagsGen[i]! + L_GEN_ONE) & ~L_FLAGS_MASK;
    this.flagsGen[i] = next;
    if (next === 0) this.genHighs[i] = this.genHighs[i]! + 1;
    this.refcounts[i] = 1;
  }

  /**
   * Marks an allocated order-0 page free in one step, if it is exactly what the order-0 free fast
   * path may take: none of `reject`'s bits set, generation `gen`, one reference, no page-cache link.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param gen - The generation the caller's handle recorded.
   * @param reject - Flag bits (and order bits) that send the page to the checked slow path.
   * @returns `true` when the page is now `PG_free` (generation kept, refcount 0); `false` when
   *   anything differs, with nothing changed.
   * @remarks The caller guarantees a number `0 <= pfn < nrPages`; one that is not an integer
   *   returns `false`.
   */
  freeOrder0(pfn: number, gen: number, reject: number): boolean {
    const i = pfn & PFN_MASK;
    if (i !== pfn) return false;
    // SAFETY: By the invariant of FlatMemMap (every array has nrPages elements), the caller's
    // 0 <= pfn < nrPages and the check i === pfn above, `i` indexes every array.
    const word = this.flagsGen[i]!;
    if ((word & reject) !== 0 || (word >>> L_GEN_SHIFT) + this.genHighs[i]! * L_GEN_WRAP !== gen ||
        this.refcounts[i] !== 1 || this.links0[i] !== 0) {
      return false;
    }
    this.flagsGen[i] = (word & ~L_FLAGS_MASK) | L_PG_free;
    this.refcounts[i] = 0;
    return true;
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

/**
 * @internal Friend access to {@link FlatMemMap}'s arrays for the order-0 fast paths of `core/page-alloc.ts`
 * and `core/handles.ts` (see CONTRIBUTING.md, "Friend access"): they index the arrays directly
 * instead of through the map's accessors (docs/performance-notes.md, "`Int32Array` hot list, flat
 * arrays held by the fast paths").
 */
// SAFETY: By the order of module evaluation, FlatMemMap's static block above has run and set `friend`.
export const flatMemMapFriend: FlatMemMapFriend = friend!;
