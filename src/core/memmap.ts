/**
 * Per-page metadata (the simulator's `struct page`): the flag bits and field layout, and the
 * {@link MemMap} interface its two memory models implement (`memmap-flat.ts`, `memmap-sparse.ts`).
 *
 * @module
 */
import { hex } from "../args.js";
import { kernelError } from "../errors.js";

/** The page is in the allocator (a buddy free block or a per-CPU list). Set on every page of a free block. */
export const PG_free = 1 << 0;
/** First page of a free buddy block; the order bits hold the block's order. */
export const PG_buddy = 1 << 1;
/** First page of a compound allocation (a folio made with `__GFP_COMP`). */
export const PG_head = 1 << 2;
/** A page inside an allocated block other than its first; `link0` holds the first page's pfn. */
export const PG_tail = 1 << 3;
/** The folio is locked (set on the head). */
export const PG_locked = 1 << 4;
/** The folio's contents are valid (set on the head). */
export const PG_uptodate = 1 << 5;
/** The folio has been written since it was last clean (set on the head). */
export const PG_dirty = 1 << 6;
/** RAM that is never handed out (a `reserved` range). */
export const PG_reserved = 1 << 7;
/** A frame with metadata but no memory (a `hole` or `mmio` range inside RAM). */
export const PG_nomap = 1 << 8;
/** A spare bit for mm's own bookkeeping, e.g. "handed over as a physical address" (`intoPhys`). */
export const PG_owner_priv_1 = 1 << 9;
/** A second spare bit for mm's own bookkeeping. */
export const PG_owner_priv_2 = 1 << 10;
/** The free page's bytes hold the poison pattern (debug `poison` only). */
export const PG_poisoned = 1 << 11;

/** The flags a caller may set or clear through `setPageFlag`/`clearPageFlag`. */
export const PG_USER_MASK = PG_locked | PG_uptodate | PG_dirty | PG_owner_priv_1 | PG_owner_priv_2;

/** The order is stored in the top four bits of the flags word. */
export const ORDER_SHIFT = 12;
/** The mask of the order bits in the flags word. */
export const ORDER_MASK = 0xf << ORDER_SHIFT;

/** The flag bits (and order) of a `flagsGen` word: its low 16 bits. */
export const FLAGS_MASK = 0xffff;
/** The generation is stored in the top 16 bits of the `flagsGen` word. */
export const GEN_SHIFT = 16;
/** One generation step in a `flagsGen` word. */
export const GEN_ONE = 1 << GEN_SHIFT;
/** The generations one `flagsGen` word counts before its half wraps and `genHigh` takes the carry. */
export const GEN_WRAP = 0x10000;
/** The number of distinct generations of a page: 2^48 (16 bits in `flagsGen`, 32 in `genHigh`). */
export const GEN_LIMIT = 2 ** 48;

/**
 * The "no page" value the allocator returns when it has nothing to give: -1, never a valid pfn
 * (pfns are non-negative and reach 2^34).
 */
export const NO_PFN = -1;

/** log2 of the pages in one memory section (the kernel's `PFN_SECTION_SHIFT`: 2^15 pages, 128 MiB of 4 KiB pages). */
export const SECTION_SHIFT = 15;
/** Pages per memory section: the unit in which the sparse memory model allocates metadata. */
export const SECTION_PAGES = 1 << SECTION_SHIFT;
/** The mask of a pfn's offset inside its section (a LOW-bits mask, exact for any pfn below 2^53). */
/** The largest value a `link0`/`link1` entry holds: 36 bits (32 in the word, 4 in the lazily made high part). */
export const LINK_MAX = 2 ** 36 - 1;

const FLAG_NAMES: readonly [number, string][] = [
  [PG_free, "free"],
  [PG_buddy, "buddy"],
  [PG_head, "head"],
  [PG_tail, "tail"],
  [PG_locked, "locked"],
  [PG_uptodate, "uptodate"],
  [PG_dirty, "dirty"],
  [PG_reserved, "reserved"],
  [PG_nomap, "nomap"],
  [PG_owner_priv_1, "owner_priv_1"],
  [PG_owner_priv_2, "owner_priv_2"],
  [PG_poisoned, "poisoned"],
];


/** A run of frames of one default word, `[start, end)`: what a memory map reads for untouched frames. */
export interface DefaultRun {
  /** The first frame. */
  readonly start: number;
  /** One past the last frame. */
  readonly end: number;
  /** The frames' default flags word. */
  readonly word: number;
}

/** The kinds of configured frames, as far as the memory map's defaults are concerned. */
export interface MemLayoutSegment {
  /** The first frame. */
  readonly startPfn: number;
  /** One past the last frame. */
  readonly endPfn: number;
  /** What the frames hold: `ram`, `reserved`, `hole` or `mmio`. */
  readonly kind: string;
}

/**
 * The default words of a fresh map, as runs.
 *
 * @param nrPages - Number of page frames.
 * @param segments - The kinds of the frames, sorted and covering `[0, nrPages)`; all RAM when absent.
 * @returns Sorted, disjoint runs covering `[0, nrPages)`.
 */
export function defaultRuns(nrPages: number, segments: readonly MemLayoutSegment[] | undefined): DefaultRun[] {
  const layout = segments ?? [{ startPfn: 0, endPfn: nrPages, kind: "ram" }];
  // INVARIANT: the segments cover [0, nrPages) in order, so the runs do too.
  return layout.map((seg) => ({
    start: seg.startPfn,
    end: seg.endPfn,
    word: seg.kind === "ram" ? PG_free : seg.kind === "reserved" ? PG_reserved : PG_nomap,
  }));
}

/**
 * The runs with `[startPfn, endPfn)` given the default `word`.
 *
 * @param runs - Sorted, disjoint runs covering `[0, nrPages)`.
 * @param startPfn - First frame.
 * @param endPfn - One past the last frame, at most `nrPages`.
 * @param word - The new default word.
 * @returns New runs, still sorted, disjoint and covering `[0, nrPages)`.
 */
export function withDefaultRange(runs: readonly DefaultRun[], startPfn: number, endPfn: number, word: number): DefaultRun[] {
  const next: DefaultRun[] = [];
  for (const run of runs) {
    if (run.end <= startPfn || run.start >= endPfn) {
      next.push(run);
      continue;
    }
    if (run.start < startPfn) next.push({ start: run.start, end: startPfn, word: run.word });
    if (run.end > endPfn) next.push({ start: endPfn, end: run.end, word: run.word });
  }
  next.push({ start: startPfn, end: endPfn, word });
  next.sort((a, b) => a.start - b.start);
  return next;
}

/**
 * The default word of a frame, by binary search of the runs.
 *
 * @param runs - Sorted, disjoint runs.
 * @param pfn - A page frame.
 * @returns The word of the run holding `pfn`, or `PG_nomap` outside every run.
 */
export function findDefaultWord(runs: readonly DefaultRun[], pfn: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    // SAFETY: By the loop condition (lo < hi) and the loop's bounds (0 <= lo, hi <= runs.length),
    // mid = floor((lo + hi) / 2) satisfies lo <= mid < hi, so it indexes runs.
    const run = runs[mid]!;
    if (pfn < run.start) hi = mid;
    else if (pfn >= run.end) lo = mid + 1;
    else return run.word;
  }
  return PG_nomap;
}

/**
 * A run of frames whose metadata lives in one set of arrays, indexed by `pfn - start`: the whole
 * map of a flat machine, one section of a sparse one. The order-0 fast paths of `PageAlloc` and
 * `Handles` hold a window's arrays in their own fields and index them directly, so they run the same
 * code on both memory models (docs/performance-notes.md).
 *
 * @invariant Every array has exactly `pages` elements; the window's frames are
 *   `[start, start + pages)`, and its arrays stay theirs for the machine's life.
 * @invariant While `linkHigh` is `undefined`, every link of the window's frames is exactly its
 *   `Uint32Array` word; it is made (never removed) on the first link of 2^32 or more.
 */
export interface MemWindow {
  /** The window's first frame. */
  readonly start: number;
  /** Frames in the window. */
  readonly pages: number;
  /** Flags, order and the generation's low half of each frame. */
  readonly flagsGen: Int32Array;
  /** Reference count of each frame. */
  readonly refcount: Int32Array;
  /** Bits 0..31 of each frame's `link0`. */
  readonly link0: Uint32Array;
  /** The generation's bits 16..47 of each frame. */
  readonly genHigh: Uint32Array;
  /** Bits 32..35 of the links, once a link of 2^32 or more was written; `undefined` before. */
  readonly linkHigh: Uint8Array | undefined;
}

/**
 * The window of no frame: what the order-0 fast paths hold before a sparse machine has touched any
 * section (every index misses it, so the first use takes the out-of-line path that finds the real
 * window).
 */
export const NO_WINDOW: MemWindow = Object.freeze({
  start: 0,
  pages: 0,
  flagsGen: new Int32Array(0),
  refcount: new Int32Array(0),
  link0: new Uint32Array(0),
  genHigh: new Uint32Array(0),
  linkHigh: undefined,
});

/**
 * The per-page metadata of one machine (the simulator's `struct page` array): what the services
 * read and write, whichever memory model lays it out.
 *
 * @remarks
 * Every frame has five fields, 20 bytes in all:
 *
 * | field | storage | bytes | free page | allocated block head | other allocated page |
 * |---|---|---|---|---|---|
 * | `word` bits 0..15 | `Int32Array` | 4 | `PG_free` (+`PG_buddy` and order on a block head) | flags + order in bits 12..15 | `PG_tail` |
 * | `word` bits 16..31 | | | generation of the last allocation | generation | generation |
 * | `refcount` | `Int32Array` | 4 | 0 | references | 0 |
 * | `link0` | `Uint32Array` (+ 4 bits when sparse) | 4 | the allocator's next link | page-cache mapping id (0 = none) | head pfn |
 * | `link1` | `Uint32Array` (+ 4 bits when sparse) | 4 | the allocator's previous link | page-cache index | 0 |
 * | `genHigh` | `Uint32Array` | 4 | generation bits 16..47 | same | same |
 *
 * A page's generation is `genHigh * 65536 + (word >>> 16)`: 48 bits, so a handle made before a
 * frame was reused is told apart from the frame's current owner however often (up to 2^48 times)
 * the frame was reused in between. Flags and generation share one word so that allocating a page
 * (clear the flags, bump the generation) is one write, and checking a handle and the flags is one
 * read. The links are a union in the manner of the kernel's `struct page`.
 *
 * Two implementations, as the kernel has memory models: `FlatMemMap` (`CONFIG_FLATMEM`: five
 * arrays of `nrPages` elements, allocated at start-up; the default up to 2^18 frames) and
 * `SparseMemMap` (`CONFIG_SPARSEMEM_VMEMMAP`: per-section arrays allocated on first write; the
 * default above). A machine uses one, chosen by its `memoryModel` option, so in a process whose
 * machines share a model every call site on the metadata sees one class (V8 inlines the accessors).
 *
 * The accessors do no checking: the caller guarantees `0 <= pfn < nrPages` (an integer) and, for
 * the setters, a value of the field's type (a 32-bit word, a `u32`, or a link in `0..LINK_MAX`).
 *
 * @invariant A frame never written reads its default word ({@link MemMap.defaultWord}) and zero in
 *   every other field.
 * @invariant A page has `PG_free` set exactly when it lies in a free block, a per-CPU list, or RAM
 *   the allocator has not yet threaded onto its lists (see `Buddy`).
 */
export interface MemMap {
  /** The memory model: `"flat"` or `"sparse"`. */
  readonly model: "flat" | "sparse";
  /** Number of page frames, `[0, nrPages)`. */
  readonly nrPages: number;
  /**
   * Makes `word` the default word of the frames `[startPfn, endPfn)` (a reserved or non-RAM range),
   * and their current word.
   *
   * @remarks Does no checking: the caller (machine construction) passes a range inside
   *   `[0, nrPages)` of frames never allocated.
   */
  initRange(startPfn: number, endPfn: number, word: number): void;
  /** The flags word a frame has until first written: `PG_free` for RAM, `PG_reserved`, or `PG_nomap`. */
  defaultWord(pfn: number): number;
  /** The flags word of a frame: flags and order in bits 0..15, the generation's low half above. */
  word(pfn: number): number;
  /** Sets the flags word of a frame. */
  setWord(pfn: number, word: number): void;
  /** The reference count of a frame. */
  refcount(pfn: number): number;
  /** Sets the reference count of a frame. */
  setRefcount(pfn: number, count: number): void;
  /** The first link of a frame: the allocator's next link, a page-cache mapping id, or a tail's head. */
  link0(pfn: number): number;
  /** Sets the first link of a frame. */
  setLink0(pfn: number, value: number): void;
  /** The second link of a frame: the allocator's previous link or a page-cache index. */
  link1(pfn: number): number;
  /** Sets the second link of a frame. */
  setLink1(pfn: number, value: number): void;
  /** The generation's bits 16..47 of a frame. */
  genHigh(pfn: number): number;
  /** Sets the generation's bits 16..47 of a frame. */
  setGenHigh(pfn: number, value: number): void;
  /** The full generation of a page: `genHigh * 65536 + (word >>> 16)`. */
  gen(pfn: number): number;
  /** Describes a page the way the kernel's `dump_page` does. */
  describe(pfn: number): string;
  /** The frame ranges whose metadata is allocated, merged where they touch; every frame outside has its defaults. */
  spans(): Iterable<readonly [start: number, end: number]>;
  /** Bytes of per-page metadata allocated so far. */
  bytes(): number;
  /** Number of memory sections whose metadata is allocated (every section of a flat map). */
  sectionCount(): number;
  /**
   * The window holding a frame's metadata (the whole map when flat, the frame's section when
   * sparse), allocating a sparse section on first use as a write would.
   *
   * @remarks Does no checking: the caller guarantees an integer `0 <= pfn < nrPages` whose
   *   metadata it is about to write (the order-0 allocation of a hot-list page).
   */
  window(pfn: number): MemWindow;
  /**
   * The window holding a frame's metadata if it is allocated; `undefined` for an untouched sparse
   * section (whose frames all have their defaults). Allocates nothing.
   *
   * @remarks Does no checking: the caller guarantees an integer `0 <= pfn < nrPages`.
   */
  windowIfPresent(pfn: number): MemWindow | undefined;
  /**
   * Gives a block taken off the free lists allocated metadata in one pass.
   *
   * @remarks Does no checking: the caller guarantees a free, aligned block of `order` inside the machine.
   */
  allocBlock(pfn: number, order: number, headFlags: number): void;
  /**
   * Marks every page of an allocated block free in one pass, ready for the free lists.
   *
   * @remarks Does no checking: the caller guarantees an allocated block of `order` it may free.
   */
  freeBlock(pfn: number, order: number, freeFlags: number): void;
}

/**
 * Describes a page's metadata the way the kernel's `dump_page` does.
 *
 * @param mem - The memory map.
 * @param pfn - A page frame below `nrPages`.
 * @returns For example `page: pfn:0x1a refcount:1 order:2 gen:3 flags: head|locked`.
 */
export function describePage(mem: MemMap, pfn: number): string {
  const flags = mem.word(pfn) & FLAGS_MASK;
  return `page: pfn:${hex(pfn)} refcount:${mem.refcount(pfn)} order:${flags >>> ORDER_SHIFT} gen:${mem.gen(pfn)} flags: ${flagNames(flags)}`;
}

/**
 * Names the flag bits set in a flags word, joined with `|`.
 *
 * @param flags - A flags word.
 * @returns For example `"head|uptodate"`, or `"none"`.
 * @throws KernelError `EINVAL` when `flags` is not a 32-bit integer.
 */
export function flagNames(flags: number): string {
  if (typeof flags !== "number" || (flags | 0) !== flags) throw kernelError("EINVAL", "flag_names", "flags is not a 32-bit integer", { flags });
  const names = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  return names.length === 0 ? "none" : names.join("|");
}

/**
 * The metadata bytes per page in non-debug mode (20), against the kernel's 64-byte `struct page`.
 *
 * @returns The sum of the element sizes of the five per-page arrays.
 */
export function metadataBytesPerPage(): number {
  return (
    Int32Array.BYTES_PER_ELEMENT * 2 + Uint32Array.BYTES_PER_ELEMENT * 3
  );
}

/** The size of the kernel's `struct page` on 64-bit builds, for comparison. */
export const KERNEL_STRUCT_PAGE_BYTES = 64;
