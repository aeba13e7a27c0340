/**
 * The sparse memory model (`CONFIG_SPARSEMEM_VMEMMAP`): page metadata allocated a memory section
 * at a time, on the first write to one of its frames.
 *
 * @module
 */
import {
  GEN_ONE,
  GEN_SHIFT,
  GEN_WRAP,
  FLAGS_MASK,
  PG_tail,
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

const SECTION_MASK = SECTION_PAGES - 1;
const TWO_32 = 2 ** 32;
// Module-local copies of the constants the inline accessors use: V8 folds a module's own
// non-exported `const`s into optimized code, but reads an exported binding from its module cell
// (with a hole check) at every use.
const L_SECTION_PAGES = 1 << 15;
const L_SECTION_MASK = (1 << 15) - 1;
const L_FLAGS_MASK = 0xffff;
const L_GEN_SHIFT = 16;
const L_GEN_ONE = 0x10000;
const L_GEN_WRAP = 0x10000;

/** Field numbers of the out-of-line accessors. */
const FIELD_WORD = 0;
const FIELD_REFCOUNT = 1;
const FIELD_LINK0 = 2;
const FIELD_LINK1 = 3;
const FIELD_GEN_HIGH = 4;

/**
 * The metadata of one memory section: the five per-page arrays for its frames, in one buffer; the
 * {@link MemWindow} of its frames.
 *
 * @remarks Made by {@link SparseMemMap} on the first write to one of its frames, filled with the frames'
 * default words ({@link MemMap.defaultWord}); never freed while the machine lives.
 *
 * @invariant Every array has exactly `pages` elements; `pages` is `SECTION_PAGES` except for the
 *   last section of a machine whose size is not a multiple of it.
 * @invariant `linkHigh` is `undefined` until a link value of 2^32 or more is written into the
 *   section; while it is, every link's bits 32..35 are 0.
 */
export class MemSection implements MemWindow {
  /** Flags, order and the generation's low half of each frame (see {@link MemMap}). */
  readonly flagsGen: Int32Array;
  /** Reference count of each frame. */
  readonly refcount: Int32Array;
  /** Bits 0..31 of each frame's `link0`. */
  readonly link0: Uint32Array;
  /** Bits 0..31 of each frame's `link1`. */
  readonly link1: Uint32Array;
  /** The generation's bits 16..47 of each frame. */
  readonly genHigh: Uint32Array;
  /** Bits 32..35 of `link0` (low nibble) and `link1` (high nibble), made on the first such value. */
  linkHigh: Uint8Array | undefined = undefined;

  /**
   * Allocates zeroed metadata for `pages` frames.
   *
   * @param start - The section's first pfn.
   * @param pages - Frames in the section, 1..`SECTION_PAGES`.
   */
  constructor(readonly start: number, readonly pages: number) {
    const buffer = new ArrayBuffer(pages * 20);
    this.flagsGen = new Int32Array(buffer, 0, pages);
    this.refcount = new Int32Array(buffer, pages * 4, pages);
    this.link0 = new Uint32Array(buffer, pages * 8, pages);
    this.link1 = new Uint32Array(buffer, pages * 12, pages);
    this.genHigh = new Uint32Array(buffer, pages * 16, pages);
  }
}

/**
 * The section `SparseMemMap`'s cache holds before any section exists: no frames, and a start no pfn
 * hits (it is no pfn's section start `pfn - (pfn & SECTION_MASK)`, as those are >= 0). A small integer (Smi), so the cache's
 * start field stays one, and the offset arithmetic integer, on every machine below 2^30 frames;
 * only a section above that makes it a double.
 */
const PLACEHOLDER = new MemSection(-(1 << 15), 0);

/**
 * The per-page metadata of one machine (the simulator's `struct page` array), allocated a memory
 * section at a time on first write, in the manner of the kernel's `SPARSEMEM_VMEMMAP`.
 *
 * @remarks
 * Every frame has the five fields of {@link MemMap}, 20 bytes in all; they live in per-section
 * arrays ({@link MemSection}, `SECTION_PAGES` = 2^15 frames each) that are made on the first write
 * to a frame of the section. Until then every read of a frame returns its default: the flags word
 * {@link MemMap.defaultWord} (from the configured ranges) and 0 for the other fields. So start-up
 * costs one table slot per section, and memory grows with the sections touched.
 *
 * Links hold values up to 2^36 - 1 (`LINK_MAX`) so that they can name any of the 2^34
 * frames a machine may have: bits 0..31 live in the `Uint32Array`, bits 32..35 in a per-section
 * byte array made only when a section first stores such a value (on machines above 16 TiB), so the
 * map stays at 20 bytes per page wherever the pfns fit 32 bits. The generation's carry into
 * `genHigh` happens once every 65,536 reuses of a frame.
 *
 * The accessors do no checking: the caller guarantees `0 <= pfn < nrPages` (an integer) and, for
 * the setters, a value of the field's type (a 32-bit word, a `u32`, or a link in `0..LINK_MAX`).
 * A write of a field's default value to an untouched section changes nothing and allocates nothing.
 *
 * Speed: the last section used is cached in fields of the map (`hotStart` and its five arrays), and
 * each accessor is one compare (`pfn - (pfn & SECTION_MASK) === hotStart`: the offset is a low-bits
 * mask of the pfn, so an int32 even when the pfn is a double off the free lists) plus one element
 * access when the frame lies in it, small enough
 * for V8 to inline into the machine's fast paths; anything else (another section, an untouched
 * one, a link with a high part) goes out of line. Whole blocks use {@link MemMap.allocBlock} and
 * {@link MemMap.freeBlock}, one section lookup per operation instead of one per field; the order-0
 * fast paths index a section's arrays themselves ({@link MemMap.window}: each section is a
 * {@link MemWindow}). The cost against flat arrays is in the bench's sparse-model rows (`scale`
 * suite); `FlatMemMap` is the model of small machines.
 *
 * @invariant `slots` has `ceil(nrPages / SECTION_PAGES)` entries; entry `i` is 0 (untouched) or
 *   `k + 1` where `list[k]` is the {@link MemSection} of frames
 *   `[i * SECTION_PAGES, min((i + 1) * SECTION_PAGES, nrPages))`; every section in `list` has one slot.
 * @invariant A frame of an untouched section has the default word and zero in every other field.
 * @invariant `hot` is the zero-length placeholder (its start is no pfn's section start) or a
 *   section of `list`; `hotStart`, `hotFlags`, `hotRefcount`, `hotLink0`, `hotLink1` and `hotGenHigh`
 *   are its start and arrays, and `hotLinksLow` says it has no link high parts.
 * @invariant `runs` are sorted, disjoint and cover `[0, nrPages)` exactly.
 */
export class SparseMemMap implements MemMap {
  /** The memory model. */
  readonly model = "sparse" as const;
  /**
   * The section table: per `SECTION_PAGES` frames, 0 until first written, then 1 + the section's
   * index in `list`. A zero-filled typed array, so a 64 TiB map starts with one cheap 2 MiB
   * allocation (a JavaScript array of 2^19 slots would take tens of milliseconds to fill).
   */
  readonly #slots: Int32Array;
  /** The allocated sections, in order of allocation. */
  readonly #list: MemSection[] = [];
  /**
   * The section used last (a one-entry cache in front of the table): the accessors check
   * `0 <= pfn - hotStart < SECTION_PAGES` and then index its arrays directly. V8 folds the repeated
   * check and field loads of back-to-back accesses to one frame, so a run of accesses costs about
   * what flat arrays cost. A zero-length placeholder until a section exists.
   */
  private hot: MemSection = PLACEHOLDER;
  /** `hot.start`, kept as a field of the map so the check needs no load from the section. */
  private hotStart = PLACEHOLDER.start;
  /** `hot.flagsGen`, held directly: one load less on every access. */
  private hotFlags: Int32Array = PLACEHOLDER.flagsGen;
  /** `hot.refcount`, held directly. */
  private hotRefcount: Int32Array = PLACEHOLDER.refcount;
  /** `hot.link0`, held directly. */
  private hotLink0: Uint32Array = PLACEHOLDER.link0;
  /** `hot.link1`, held directly. */
  private hotLink1: Uint32Array = PLACEHOLDER.link1;
  /** `hot.genHigh`, held directly. */
  private hotGenHigh: Uint32Array = PLACEHOLDER.genHigh;
  /** Whether `hot` has no link high parts, so its links are exactly its `Uint32Array` words. */
  private hotLinksLow = true;

  /** The default words, as runs of frames. */
  #runs: readonly DefaultRun[];
  /** Bytes of section metadata allocated so far. */
  #bytes = 0;

  /**
   * Lays out an untouched memory map for `nrPages` frames; costs one table slot per section.
   *
   * @param nrPages - Number of page frames, at most 2^34.
   * @param segments - The kinds of the frames, sorted and covering `[0, nrPages)` (the machine's
   *   resolved segments); all RAM when absent.
   */
  constructor(readonly nrPages: number, segments?: readonly MemLayoutSegment[]) {
    this.#slots = new Int32Array(Math.ceil(nrPages / SECTION_PAGES));
    this.#runs = defaultRuns(nrPages, segments);
  }

  /**
   * Makes `word` the default word of the frames `[startPfn, endPfn)` (a reserved or non-RAM range),
   * and their current word where their section is already allocated.
   *
   * @param startPfn - First frame.
   * @param endPfn - One past the last frame, at most `nrPages`.
   * @param word - `PG_reserved` or `PG_nomap` (generation 0).
   * @remarks Does no checking: the caller (machine construction) passes a range inside
   *   `[0, nrPages)` of frames never allocated.
   */
  initRange(startPfn: number, endPfn: number, word: number): void {
    if (startPfn >= endPfn) return;
    const runs = withDefaultRange(this.#runs, startPfn, endPfn, word);
    // INVARIANT: the runs still cover [0, nrPages) exactly, sorted and disjoint.
    this.#runs = runs;
    for (let first = Math.floor(startPfn / SECTION_PAGES) * SECTION_PAGES; first < endPfn; first += SECTION_PAGES) {
      const section = this.#section(first);
      if (section === undefined) continue;
      // INVARIANT: an allocated section holds the new default too.
      section.flagsGen.fill(word, Math.max(startPfn, first) - first, Math.min(endPfn, first + section.pages) - first);
    }
  }

  /**
   * The flags word a frame has until its section is first written.
   *
   * @param pfn - A page frame.
   * @returns `PG_free` for RAM, `PG_reserved` for reserved RAM, `PG_nomap` for holes, MMIO and
   *   frames at or above `nrPages`.
   */
  defaultWord(pfn: number): number {
    return findDefaultWord(this.#runs, pfn);
  }

  /**
   * The flags word of a frame: flags and order in bits 0..15, the generation's low half above.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The word, a signed 32-bit integer.
   */
  word(pfn: number): number {
    // The accessors are kept to a few bytecodes so that V8 inlines every one of them into the
    // machine's fast paths: a frame of the cached section is at `pfn - hotStart` in its arrays;
    // anything else goes out of line.
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of `hot` and the caller's pfn < nrPages, when pfn's section start
    // is `hotStart`, the offset (pfn's low bits, in [0, SECTION_PAGES)) is `pfn`'s own entry in
    // the cached section's arrays.
    return pfn - offset === this.hotStart ? this.hotFlags[offset]! : this.wordSlow(pfn);
  }

  /**
   * Sets the flags word of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param word - A signed 32-bit word.
   */
  setWord(pfn: number, word: number): void {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotFlags.
    if (pfn - offset === this.hotStart) this.hotFlags[offset] = word;
    else this.setSlow(pfn, word, FIELD_WORD);
  }

  /**
   * The reference count of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The count (0 unless an allocated block head).
   */
  refcount(pfn: number): number {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotRefcount.
    return pfn - offset === this.hotStart ? this.hotRefcount[offset]! : this.getSlow(pfn, FIELD_REFCOUNT);
  }

  /**
   * Sets the reference count of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param count - A signed 32-bit count.
   */
  setRefcount(pfn: number, count: number): void {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotRefcount.
    if (pfn - offset === this.hotStart) this.hotRefcount[offset] = count;
    else this.setSlow(pfn, count, FIELD_REFCOUNT);
  }

  /**
   * The first link of a frame: the allocator's next link, a page-cache mapping id, or a tail's head.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A value in `0..LINK_MAX`.
   */
  link0(pfn: number): number {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotLink0. By the invariant of `hot` and the check `hotLinksLow`, the section has no link high
    // parts (MemSection's `linkHigh` invariant), so hotLink0 holds the whole link.
    return pfn - offset === this.hotStart && this.hotLinksLow === true ? this.hotLink0[offset]! : this.getSlow(pfn, FIELD_LINK0);
  }

  /**
   * Sets the first link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - An integer in `0..LINK_MAX`.
   */
  setLink0(pfn: number, value: number): void {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotLink0. By the checks `hotLinksLow` and `value < TWO_32`, the Uint32Array stores the link
    // exactly.
    if (pfn - offset === this.hotStart && this.hotLinksLow === true && value < TWO_32) this.hotLink0[offset] = value;
    else this.setSlow(pfn, value, FIELD_LINK0);
  }

  /**
   * The second link of a frame: the allocator's previous link or a page-cache index.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A value in `0..LINK_MAX`.
   */
  link1(pfn: number): number {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotLink1. By the invariant of `hot` and the check `hotLinksLow`, hotLink1 holds the whole
    // link.
    return pfn - offset === this.hotStart && this.hotLinksLow === true ? this.hotLink1[offset]! : this.getSlow(pfn, FIELD_LINK1);
  }

  /**
   * Sets the second link of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - An integer in `0..LINK_MAX`.
   */
  setLink1(pfn: number, value: number): void {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotLink1. By the checks `hotLinksLow` and `value < TWO_32`, the Uint32Array stores the link
    // exactly.
    if (pfn - offset === this.hotStart && this.hotLinksLow === true && value < TWO_32) this.hotLink1[offset] = value;
    else this.setSlow(pfn, value, FIELD_LINK1);
  }

  /**
   * The generation's bits 16..47 of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns A `u32`.
   */
  genHigh(pfn: number): number {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotGenHigh.
    return pfn - offset === this.hotStart ? this.hotGenHigh[offset]! : this.getSlow(pfn, FIELD_GEN_HIGH);
  }

  /**
   * Sets the generation's bits 16..47 of a frame.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param value - A `u32` (stored modulo 2^32).
   */
  setGenHigh(pfn: number, value: number): void {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotGenHigh.
    if (pfn - offset === this.hotStart) this.hotGenHigh[offset] = value;
    else this.setSlow(pfn, value, FIELD_GEN_HIGH);
  }

  /**
   * The full generation of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `genHigh * 65536 + (word >>> 16)`, below 2^48.
   */
  gen(pfn: number): number {
    const offset = pfn & L_SECTION_MASK;
    // SAFETY: By the invariant of SparseMemMap's `hot` (the hot* arrays are its section's) and the
    // check `pfn - offset === hotStart` above, offset (< SECTION_PAGES) is pfn's entry in that
    // section; by the invariant of MemSection (every array has `pages` elements) it indexes
    // hotGenHigh and hotFlags.
    return pfn - offset === this.hotStart ? this.hotGenHigh[offset]! * L_GEN_WRAP + (this.hotFlags[offset]! >>> L_GEN_SHIFT) : this.genSlow(pfn);
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
   * The frame ranges whose metadata has been allocated, merged where sections touch.
   *
   * @returns `[start, end)` pairs in ascending order; every frame outside them has its defaults.
   */
  *spans(): Iterable<readonly [start: number, end: number]> {
    const slots = this.#slots;
    let start = -1;
    let end = -1;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot === 0) continue;
      // SAFETY: By the invariant of `slots`, a non-zero slot is 1 + an index into `list`.
      const section = this.#list[slot - 1]!;
      if (section.start !== end) {
        if (start >= 0) yield [start, end] as const;
        start = section.start;
      }
      end = section.start + section.pages;
    }
    if (start >= 0) yield [start, end] as const;
  }

  /**
   * Bytes of per-page metadata allocated so far (the sections' arrays, not the section table).
   *
   * @returns 20 bytes per frame of every touched section, plus 1 per frame of a section that holds
   *   a link of 2^32 or more.
   */
  bytes(): number {
    return this.#bytes;
  }

  /**
   * Number of sections whose metadata has been allocated.
   *
   * @returns The count.
   */
  sectionCount(): number {
    return this.#list.length;
  }



  /**
   * The section of `pfn`, if allocated.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The section, or `undefined` while untouched.
   */
  private lookup(pfn: number): MemSection | undefined {
    const section = this.#section(pfn);
    if (section !== undefined) this.cache(section);
    return section;
  }

  /** Makes `section` the last-used one. */
  private cache(section: MemSection): void {
    // INVARIANT: the cache fields all describe one live section.
    this.hot = section;
    this.hotStart = section.start;
    this.hotFlags = section.flagsGen;
    this.hotRefcount = section.refcount;
    this.hotLink0 = section.link0;
    this.hotLink1 = section.link1;
    this.hotGenHigh = section.genHigh;
    // INVARIANT: links with high parts are read and written out of line.
    this.hotLinksLow = section.linkHigh === undefined;
  }

  /**
   * The section of `pfn`, if allocated, without touching the cache.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The section, or `undefined` while untouched.
   */
  #section(pfn: number): MemSection | undefined {
    // SAFETY: By the invariant of `slots`, the caller's pfn < nrPages gives an index in range, and
    // a non-zero slot is 1 + an index into `list`.
    const slot = this.#slots[Math.floor(pfn / L_SECTION_PAGES)]!;
    return slot === 0 ? undefined : this.#list[slot - 1];
  }

  /**
   * Allocates the section of `pfn`, filled with its frames' default words.
   *
   * @param pfn - A page frame below `nrPages` whose section is `undefined`.
   * @returns The new section.
   */
  private materialise(pfn: number): MemSection {
    const index = Math.floor(pfn / L_SECTION_PAGES);
    const start = index * L_SECTION_PAGES;
    const section = new MemSection(start, Math.min(L_SECTION_PAGES, this.nrPages - start));
    const end = start + section.pages;
    for (const run of this.#runs) {
      if (run.end <= start || run.start >= end || run.word === 0) continue;
      section.flagsGen.fill(run.word, Math.max(run.start, start) - start, Math.min(run.end, end) - start);
    }
    // INVARIANT: the new section holds exactly the defaults its frames read as before, and its
    // slot names it.
    this.#list.push(section);
    this.#slots[index] = this.#list.length;
    this.cache(section);
    this.#bytes += section.pages * 20;
    return section;
  }

  /**
   * The section of a frame as a {@link MemWindow}, allocated (filled with its frames' defaults) if
   * untouched; it becomes the accessors' cached section.
   *
   * @param pfn - A page frame below `nrPages` whose metadata the caller is about to write.
   * @returns The frame's section.
   * @remarks Does no checking: the caller guarantees an integer `0 <= pfn < nrPages`.
   */
  window(pfn: number): MemWindow {
    return this.lookup(pfn) ?? this.materialise(pfn);
  }

  /**
   * The section of a frame as a {@link MemWindow} if allocated; allocates nothing.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The frame's section, or `undefined` while untouched (every frame has its defaults).
   * @remarks Does no checking: the caller guarantees an integer `0 <= pfn < nrPages`.
   */
  windowIfPresent(pfn: number): MemWindow | undefined {
    return this.lookup(pfn);
  }

  /**
   * Gives a block taken off the free lists allocated metadata in one pass: every page's generation
   * goes up by one (the low half's carry into `genHigh`), the first page gets `headFlags` (order
   * included), reference count 1 and zero links, every other page `PG_tail` and `link0` = `pfn`.
   *
   * @param pfn - The block's first page, below `nrPages`.
   * @param order - The block's order, 0..10.
   * @param headFlags - The flags of the first page (`order << ORDER_SHIFT`, `PG_head` or not).
   * @remarks Does no checking: the caller guarantees a free, aligned block of `order` inside the
   *   machine. A block lies inside one section (sections are larger than the largest block and
   *   aligned to it), so this looks the section up once.
   */
  allocBlock(pfn: number, order: number, headFlags: number): void {
    const section = this.lookup(pfn) ?? this.materialise(pfn);
    const end = pfn + (1 << order);
    if (section.linkHigh !== undefined || end > TWO_32) {
      // Links of 2^32 or more: page by page through the accessors.
      for (let p = pfn; p < end; p++) {
        const next = (this.word(p) + L_GEN_ONE) & ~L_FLAGS_MASK;
        if (next === 0) this.setGenHigh(p, this.genHigh(p) + 1);
        this.setWord(p, next | (p === pfn ? headFlags : PG_tail));
        this.setLink0(p, p === pfn ? 0 : pfn);
        this.setLink1(p, 0);
      }
      this.setRefcount(pfn, 1);
      return;
    }
    const first = pfn - section.start;
    const last = end - section.start;
    const { flagsGen, link0, link1, genHigh } = section;
    // SAFETY: By the invariant of `slots`, [first, last) lies inside the section's arrays (the
    // block lies in the section).
    for (let i = first; i < last; i++) {
      const next = (flagsGen[i]! + L_GEN_ONE) & ~L_FLAGS_MASK;
      if (next === 0) genHigh[i] = genHigh[i]! + 1;
      flagsGen[i] = next | (i === first ? headFlags : PG_tail);
      link0[i] = i === first ? 0 : pfn;
      link1[i] = 0;
    }
    section.refcount[first] = 1;
  }

  /**
   * Marks every page of an allocated block free in one pass (generation kept, `extraFlags` added,
   * links and the head's reference count zeroed), ready for the free lists.
   *
   * @param pfn - The block's first page, below `nrPages`.
   * @param order - The block's order, 0..10.
   * @param freeFlags - `PG_free`, with `PG_poisoned` when the block is being poisoned.
   * @remarks Does no checking: the caller guarantees an allocated block of `order` it may free.
   */
  freeBlock(pfn: number, order: number, freeFlags: number): void {
    const section = this.lookup(pfn) ?? this.materialise(pfn);
    const first = pfn - section.start;
    const last = first + (1 << order);
    const { flagsGen, link0, link1 } = section;
    const high = section.linkHigh;
    // SAFETY: By the invariant of `slots` (the section holds frames [start, start + pages)), the
    // invariant of MemSection (every array, linkHigh included, has `pages` elements) and the
    // caller's allocated block of `order` inside one section (allocBlock's remarks), [first, last)
    // indexes every array.
    for (let i = first; i < last; i++) {
      flagsGen[i] = (flagsGen[i]! & ~L_FLAGS_MASK) | freeFlags;
      link0[i] = 0;
      link1[i] = 0;
      if (high !== undefined) high[i] = 0;
    }
    section.refcount[first] = 0;
  }

  /** `gen()` off the last-used section. */
  private genSlow(pfn: number): number {
    return this.genHigh(pfn) * GEN_WRAP + (this.word(pfn) >>> GEN_SHIFT);
  }

  /** `word()` off the last-used section: looks the section up (and caches it) or reads the default. */
  private wordSlow(pfn: number): number {
    const section = this.lookup(pfn);
    // SAFETY: By the invariant of `slots` and the caller's pfn < nrPages, a present section has
    // the frame at `pfn & SECTION_MASK`.
    return section === undefined ? this.defaultWord(pfn) : section.flagsGen[pfn & SECTION_MASK]!;
  }

  /** A read of any field but the word off the last-used section (or of a link with a high part). */
  private getSlow(pfn: number, field: number): number {
    const section = this.lookup(pfn);
    if (section === undefined) return 0;
    const index = pfn & SECTION_MASK;
    const high = section.linkHigh;
    // SAFETY: By the invariant of `slots` (a present section holds pfn's frame at `pfn &
    // SECTION_MASK`) and the invariant of MemSection (every array, linkHigh included, has `pages`
    // elements), index is in range.
    switch (field) {
      case FIELD_REFCOUNT:
        return section.refcount[index]!;
      case FIELD_LINK0:
        return section.link0[index]! + (high === undefined ? 0 : (high[index]! & 0xf) * TWO_32);
      case FIELD_LINK1:
        return section.link1[index]! + (high === undefined ? 0 : (high[index]! >> 4) * TWO_32);
      default:
        return section.genHigh[index]!;
    }
  }

  /**
   * A write off the last-used section, of a link of 2^32 or more, or into a section with link
   * high parts: looks the section up, allocates it unless the value is the field's default, and
   * splits a link into its 32-bit word and its high part.
   */
  private setSlow(pfn: number, value: number, field: number): void {
    let section = this.lookup(pfn);
    if (section === undefined) {
      if (value === (field === FIELD_WORD ? this.defaultWord(pfn) : 0)) return;
      section = this.materialise(pfn);
    }
    const index = pfn & SECTION_MASK;
    // SAFETY: By the invariant of `slots` (a present or just materialised section holds pfn's frame
    // at `pfn & SECTION_MASK`) and the invariant of MemSection (every array has `pages` elements),
    // index is in range.
    switch (field) {
      case FIELD_WORD:
        section.flagsGen[index] = value;
        return;
      case FIELD_REFCOUNT:
        section.refcount[index] = value;
        return;
      case FIELD_GEN_HIGH:
        section.genHigh[index] = value;
        return;
    }
    const low = value % TWO_32;
    const top = (value - low) / TWO_32;
    if (top !== 0 && section.linkHigh === undefined) {
      section.linkHigh = new Uint8Array(section.pages);
      this.#bytes += section.pages;
      // The cached section is `section` (lookup or materialise just cached it): from now on its
      // links go out of line.
      this.cache(section);
    }
    const high = section.linkHigh;
    if (field === FIELD_LINK0) {
      section.link0[index] = low;
      if (high !== undefined) high[index] = (high[index]! & 0xf0) | top;
    } else {
      section.link1[index] = low;
      if (high !== undefined) high[index] = (high[index]! & 0x0f) | (top << 4);
    }
  }

}
