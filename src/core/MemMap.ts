/**
 * Per-page metadata (the simulator's `struct page`), kept as a struct of typed arrays.
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

/** The "no page" value of the `link0`/`link1` free-list links. */
export const NO_PFN = 0xffffffff;

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

/**
 * The per-page metadata of one machine: five typed arrays indexed by pfn, 20 bytes per page.
 *
 * @remarks
 * | array | type | bytes | free page | allocated block head | other allocated page |
 * |---|---|---|---|---|---|
 * | `flagsGen` bits 0..15 | `Int32Array` | 4 | `PG_free` (+`PG_buddy` and order on a block head) | flags + order in bits 12..15 | `PG_tail` |
 * | `flagsGen` bits 16..31 | | | generation of the last allocation | generation | generation |
 * | `refcount` | `Int32Array` | 4 | 0 | references | 0 |
 * | `link0` | `Uint32Array` | 4 | next free block | page-cache mapping id (0 = none) | head pfn |
 * | `link1` | `Uint32Array` | 4 | previous free block | page-cache index | 0 |
 * | `genHigh` | `Uint32Array` | 4 | generation bits 16..47 | same | same |
 *
 * A page's generation is `genHigh * 65536 + (flagsGen >>> 16)`: 48 bits, so a handle made before a
 * frame was reused is told apart from the frame's current owner however often (up to 2^48 times)
 * the frame was reused in between. The low half stays in the flags word, so allocation remains one
 * write (plus a carry into `genHigh` once every 65,536 reuses of a frame).
 *
 * Flags and generation share one word so that allocating a page (clear the flags, bump the
 * generation) is one write, and checking a handle and the flags is one read. Read the flags as
 * `word & FLAGS_MASK` and the generation as `word >>> GEN_SHIFT`; a write of flags keeps the top
 * half (`(word & ~FLAGS_MASK) | flags`), and only allocation changes the generation.
 *
 * The links are a union in the manner of the kernel's `struct page` (the `lru` list of a free page
 * shares storage with `mapping`/`index` of a page-cache page). The kernel's `struct page` is 64
 * bytes; this layout keeps what the simulator needs in under a third of that.
 *
 * @invariant Every array has exactly `nrPages` elements.
 * @invariant A page has `PG_free` set exactly when it lies in a free block or a per-CPU list.
 */
export class MemMap {
  /**
   * Flag bits (`PG_*`), in bits 12..15 the order of a block head, and in bits 16..31 the
   * generation, bumped on every allocation (a handle is `(pfn, gen)`).
   *
   * @remarks For the allocator (`Buddy.ts`) only; every other file goes through {@link MemMap.word}.
   */
  declare readonly flagsGen: Int32Array;
  /** Reference count of an allocated block head; outside `Buddy.ts` use {@link MemMap.refcount}. */
  declare readonly refcounts: Int32Array;
  /** Free-list next / page-cache mapping id / head pfn of a tail page; outside `Buddy.ts` use {@link MemMap.link0}. */
  declare readonly links0: Uint32Array;
  /** Free-list previous / page-cache index; outside `Buddy.ts` use {@link MemMap.link1}. */
  declare readonly links1: Uint32Array;
  /** The generation's bits 16..47: incremented when the generation half of `flagsGen` wraps to 0. */
  declare readonly genHighs: Uint32Array;
  /** The frames initialised to another word than `PG_free` (reserved RAM, holes), sorted, as `[start, end, word]`. */
  readonly #defaults: [start: number, end: number, word: number][] = [];

  /** Number of page frames. */
  declare readonly nrPages: number;

  /**
   * Allocates zeroed metadata for `nrPages` frames.
   *
   * @param nrPages - Number of page frames.
   */
  constructor(nrPages: number) {
    // `declare`d fields: the first store is the array itself, so V8 tracks the field's type and the
    // hot paths' element accesses skip a map check (see docs/performance-notes.md).
    this.nrPages = nrPages;
    this.flagsGen = new Int32Array(nrPages);
    this.refcounts = new Int32Array(nrPages);
    this.links0 = new Uint32Array(nrPages);
    this.links1 = new Uint32Array(nrPages);
    this.genHighs = new Uint32Array(nrPages);
  }

  /**
   * Initialises the frames `[startPfn, endPfn)` of a reserved or non-RAM range to `word`, which
   * becomes their {@link MemMap.defaultWord}.
   *
   * @param startPfn - First frame.
   * @param endPfn - One past the last frame, at most `nrPages`.
   * @param word - `PG_reserved` or `PG_nomap` (generation 0).
   * @remarks Does no checking: the caller (machine construction) passes disjoint ranges in
   * ascending order, inside `[0, nrPages)`.
   */
  initRange(startPfn: number, endPfn: number, word: number): void {
    this.flagsGen.fill(word, startPfn, endPfn);
    // INVARIANT: the ranges stay sorted and disjoint (the caller passes them in order).
    this.#defaults.push([startPfn, endPfn, word]);
  }

  /**
   * The `flagsGen` word of a page: flags in bits 0..15, the generation's low half in bits 16..31.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The word (an int32).
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  word(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.flagsGen[pfn]!;
  }

  /**
   * Replaces the `flagsGen` word of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param word - The new word (an int32).
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  setWord(pfn: number, word: number): void {
    this.flagsGen[pfn] = word;
  }

  /**
   * The reference count of a page (of a block head; 0 elsewhere).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The count.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  refcount(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.refcounts[pfn]!;
  }

  /**
   * Replaces the reference count of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param n - The new count.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  setRefcount(pfn: number, n: number): void {
    this.refcounts[pfn] = n;
  }

  /**
   * The first link of a page: the page-cache mapping id of a block head, the head pfn of a tail.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The link.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`. The free-list links of free
   * pages are the allocator's business.
   */
  link0(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.links0[pfn]!;
  }

  /**
   * Replaces the first link of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param v - The new link.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  setLink0(pfn: number, v: number): void {
    this.links0[pfn] = v;
  }

  /**
   * The second link of a page: the page-cache index of a cached block head.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The link.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  link1(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.links1[pfn]!;
  }

  /**
   * Replaces the second link of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param v - The new link.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  setLink1(pfn: number, v: number): void {
    this.links1[pfn] = v;
  }

  /**
   * The generation's bits 16..47 of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The high half.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  genHigh(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.genHighs[pfn]!;
  }

  /**
   * Replaces the generation's bits 16..47 of a page.
   *
   * @param pfn - A page frame below `nrPages`.
   * @param v - The new high half.
   * @remarks Does no checking: the caller guarantees `pfn < nrPages`.
   */
  setGenHigh(pfn: number, v: number): void {
    this.genHighs[pfn] = v;
  }

  /**
   * The pfn ranges whose metadata is materialised; every frame outside them has the default
   * metadata of its kind ({@link MemMap.defaultWord}, zero refcount, links and `genHigh`).
   *
   * @returns One span `[0, nrPages)`: the flat map materialises every frame.
   */
  spans(): Iterable<readonly [startPfn: number, endPfn: number]> {
    return [[0, this.nrPages]];
  }

  /**
   * The word of a frame that was never touched: `PG_free` for RAM, `PG_reserved` for reserved RAM,
   * `PG_nomap` for holes and MMIO, all with generation 0.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The default word.
   */
  defaultWord(pfn: number): number {
    const ranges = this.#defaults;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const range = ranges[mid]!;
      if (pfn < range[0]) hi = mid - 1;
      else if (pfn >= range[1]) lo = mid + 1;
      else return range[2];
    }
    return PG_free;
  }

  /**
   * The full generation of a page.
   *
   * @param pfn - A page frame number below `nrPages`.
   * @returns `genHigh * 65536 + (flagsGen >>> 16)`, below 2^48.
   */
  gen(pfn: number): number {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    return this.genHighs[pfn]! * GEN_WRAP + (this.flagsGen[pfn]! >>> GEN_SHIFT);
  }

  /**
   * Describes a page the way the kernel's `dump_page` does.
   *
   * @param pfn - A page frame number below `nrPages`.
   * @returns For example `page: pfn:0x1a refcount:1 order:2 gen:3 flags: head|locked`.
   */
  describe(pfn: number): string {
    // SAFETY: By the type invariant (every array has nrPages elements) and the caller's check, pfn < nrPages.
    const word = this.flagsGen[pfn]!;
    const flags = word & FLAGS_MASK;
    return `page: pfn:${hex(pfn)} refcount:${this.refcounts[pfn]!} order:${flags >>> ORDER_SHIFT} gen:${this.gen(pfn)} flags: ${flagNames(flags)}`;
  }
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
