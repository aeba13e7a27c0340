/**
 * Sparse physical memory: lazily allocated chunks of one max-order block each.
 *
 * @module
 */
import { copyBytes, fillBytes, subBytes } from "../args.js";
import { MAX_PAGE_ORDER } from "./config.js";

/** Pages per backing chunk: one max-order buddy block (1024 pages). */
export const CHUNK_PAGES = 1 << MAX_PAGE_ORDER;

/** Chunks per second-level table of the chunk directory (so one table covers 2^20 pages). */
const TABLE_CHUNKS = 1024;
/** Pages covered by one second-level table. */
const TABLE_PAGES = CHUNK_PAGES * TABLE_CHUNKS;
/**
 * The most chunks of a one-level directory: 2^16 (2^26 pages, 256 GiB of 4 KiB pages; a 512 KiB
 * array made at start-up). Smaller machines look a chunk up with one load instead of two (the 4 KiB
 * copy rows: 44–48 ns against 46–63 ns, docs/performance-notes.md).
 */
const SMALL_CHUNKS = 1 << 16;

/**
 * The bytes of a machine's RAM, allocated on first write in naturally aligned chunks of 1024 pages.
 *
 * @remarks
 * A chunk is exactly one max-order buddy block, so every buddy block (orders 0..10) lies inside a
 * single `Uint8Array` and a folio's bytes can be handed out as one `subarray`. Reading untouched
 * memory yields zeros without allocating.
 *
 * The methods here do no checking: the machine validates pfns, offsets and lengths first.
 *
 * A machine of at most 2^16 chunks (256 GiB of 4 KiB pages) keeps them in a one-level directory,
 * one slot per chunk (`small`). A larger one uses a two-level directory: a top array with one slot
 * per 2^20 pages (16,384 slots for 64 TiB of 4 KiB pages), each `undefined` or a table of 1024
 * chunk slots made when one of its chunks is first touched; so start-up costs one slot per 2^20
 * pages, and a lookup two loads.
 *
 * @invariant Exactly one directory is in use: `small` has `ceil(nrPages / CHUNK_PAGES)` <= 2^16
 *   slots and `tables` is empty, or `small` is `undefined` and `tables` has
 *   `ceil(nrPages / TABLE_PAGES)` slots. Chunk `i` is at `small[i]`, or at
 *   `tables[floor(i / 1024)][i % 1024]`, and when present has
 *   `min(CHUNK_PAGES, nrPages - i * CHUNK_PAGES) << pageShift` bytes.
 * @invariant Chunk `i` holds the bytes of frames `[i * CHUNK_PAGES, (i + 1) * CHUNK_PAGES)`, one
 *   naturally aligned max-order buddy block, so every buddy block lies inside one chunk.
 * @invariant A byte never written since machine creation (or since {@link PhysMem.release}) reads as 0.
 */
export class PhysMem {
  /**
   * The one-level chunk directory of a machine of at most `SMALL_CHUNKS` chunks (one slot per
   * chunk, `undefined` until touched); `undefined` on a larger machine, which uses `tables`.
   */
  declare private readonly small: (Uint8Array | undefined)[] | undefined;
  /** The two-level chunk directory of a larger machine: one table of 1024 chunk slots per 2^20 pages (empty on a small one). */
  declare private readonly tables: ((Uint8Array | undefined)[] | undefined)[];
  declare private readonly pageSize: number;
  declare private readonly nrPages: number;

  /**
   * Creates an untouched backing for `nrPages` pages; costs one array slot per 2^20 pages.
   *
   * @param nrPages - Number of page frames.
   * @param pageShift - `PAGE_SHIFT`.
   */
  constructor(nrPages: number, pageShift: number) {
    this.nrPages = nrPages;
    this.pageSize = 1 << pageShift;
    const chunks = Math.ceil(nrPages / CHUNK_PAGES);
    const tables: ((Uint8Array | undefined)[] | undefined)[] = [];
    if (chunks <= SMALL_CHUNKS) {
      const small: (Uint8Array | undefined)[] = [];
      // Pushed one by one so that V8 keeps a packed array.
      for (let i = chunks; i > 0; i--) small.push(undefined);
      this.small = small;
    } else {
      for (let i = Math.ceil(nrPages / TABLE_PAGES); i > 0; i--) tables.push(undefined);
      this.small = undefined;
    }
    this.tables = tables;
  }

  /**
   * Returns the chunk holding `pfn`, allocating it on first use.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The chunk.
   * @remarks Does no checking: the caller guarantees that `pfn` is an integer in `[0, nrPages)`.
   */
  chunk(pfn: number): Uint8Array {
    // The chunk index is below 2^24, so `&` on it is exact. The quotients are formed from exact
    // multiples (low bits masked off first), so V8 divides integers instead of doubles and floors.
    return this.peek(pfn) ?? this.allocChunk(pfn);
  }

  /** Makes the chunk holding `pfn` (and its table when needed); out of line, as it runs once per chunk. */
  private allocChunk(pfn: number): Uint8Array {
    const index = Math.floor(pfn / CHUNK_PAGES);
    const pages = Math.min(CHUNK_PAGES, this.nrPages - index * CHUNK_PAGES);
    const chunk = new Uint8Array(pages * this.pageSize);
    // INVARIANT: a new chunk has the size of its pages and reads as zeros.
    if (this.small !== undefined) {
      this.small[index] = chunk;
      return chunk;
    }
    const top = Math.floor(pfn / TABLE_PAGES);
    let table = this.tables[top];
    if (table === undefined) {
      table = [];
      for (let i = 0; i < TABLE_CHUNKS; i++) table.push(undefined);
      this.tables[top] = table;
    }
    table[index & (TABLE_CHUNKS - 1)] = chunk;
    return chunk;
  }

  /**
   * Returns the chunk holding `pfn` if it was ever touched.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The chunk, or `undefined` when its memory is still all zeros and unallocated.
   */
  peek(pfn: number): Uint8Array | undefined {
    // The chunk index is below 2^24, so `&` on it is exact. The quotients are formed from exact
    // multiples (low bits masked off first), so V8 divides integers instead of doubles and floors.
    const index = (pfn - (pfn & (CHUNK_PAGES - 1))) / CHUNK_PAGES;
    const small = this.small;
    // SAFETY: By the invariant of the directories and the caller's pfn < nrPages, the slot exists.
    if (small !== undefined) return small[index];
    const low = index & (TABLE_CHUNKS - 1);
    return this.tables[(index - low) / TABLE_CHUNKS]?.[low];
  }

  /**
   * The offset of `pfn`'s first byte inside its chunk.
   *
   * @param pfn - A page frame.
   * @returns `(pfn mod 1024) << pageShift`.
   */
  base(pfn: number): number {
    return (pfn & (CHUNK_PAGES - 1)) * this.pageSize;
  }

  /**
   * Copies `dst.length` bytes starting `offset` bytes into `pfn` into `dst`.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param dst - The destination, a genuine `Uint8Array`.
   * @param length - `dst`'s real byte length (from the intrinsic getter).
   * @remarks Does no checking: the caller guarantees that `[offset, offset + length)` lies inside one buddy block starting at or before `pfn`.
   */
  read(pfn: number, offset: number, dst: Uint8Array, length: number): void {
    // Nothing to copy (a detached array measures 0, and the intrinsic set would throw on it).
    if (length === 0) return;
    const chunk = this.peek(pfn);
    if (chunk === undefined) {
      fillBytes(dst, 0);
      return;
    }
    const start = this.base(pfn) + offset;
    // SAFETY: By the caller's contract (read's precondition (its @remarks): the range lies inside one block) and the
    // invariant of PhysMem (a chunk is one naturally aligned max-order block of `CHUNK_PAGES <<
    // pageShift` bytes), [start, start + length) lies in chunk; the intrinsic set and subarray run
    // no method the caller could have overridden on dst.
    copyBytes(dst, subBytes(chunk, start, start + length), 0);
  }

  /**
   * Copies `src` to `offset` bytes into `pfn`.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param src - The source bytes, a genuine `Uint8Array`.
   * @param length - `src`'s real byte length (from the intrinsic getter).
   * @remarks Does no checking: the caller guarantees that `[offset, offset + length)` lies inside one buddy block starting at or before `pfn`.
   */
  write(pfn: number, offset: number, src: Uint8Array, length: number): void {
    if (length === 0) return;
    // SAFETY: By write's precondition (its @remarks) and the invariant of PhysMem, as for read; by ECMAScript's
    // %TypedArray%.prototype.set (ES2015 §22.2.3.22), set copies src's real length (the caller's
    // `length`, from the intrinsic byteLength) and throws rather than write outside the chunk.
    copyBytes(this.chunk(pfn), src, this.base(pfn) + offset);
  }

  /**
   * Fills `length` bytes at `offset` bytes into `pfn` with `value`.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param length - Number of bytes.
   * @param value - The byte value.
   * @remarks Does no checking: the caller guarantees that the range lies inside one buddy block starting at or before `pfn`.
   */
  fill(pfn: number, offset: number, length: number, value: number): void {
    if (value === 0 && this.peek(pfn) === undefined) return;
    const start = this.base(pfn) + offset;
    // SAFETY: By fill's precondition (its @remarks) (the range lies inside one block) and the invariant of PhysMem (a
    // chunk is one naturally aligned max-order block), [start, start + length) lies inside the
    // chunk.
    this.chunk(pfn).fill(value, start, start + length);
  }

  /**
   * A view of `length` bytes at `offset` bytes into `pfn`, sharing the backing.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param length - Number of bytes.
   * @returns A `subarray`; it cannot be revoked, so the machine guards its use logically.
   * @remarks Does no checking: the caller guarantees that the range lies inside one buddy block starting at or before `pfn`.
   */
  view(pfn: number, offset: number, length: number): Uint8Array {
    const start = this.base(pfn) + offset;
    // SAFETY: By view's precondition (its @remarks) (the range lies inside one block) and the invariant of PhysMem (a
    // chunk is one naturally aligned max-order block), [start, start + length) lies inside the
    // chunk.
    return this.chunk(pfn).subarray(start, start + length);
  }

  /** The chunk tables in use: the one-level directory, or every present second-level table. */
  private directories(): (Uint8Array | undefined)[][] {
    if (this.small !== undefined) return [this.small];
    return this.tables.filter((table): table is (Uint8Array | undefined)[] => table !== undefined);
  }

  /**
   * Number of chunks allocated so far.
   *
   * @returns The count of touched chunks.
   */
  backedChunks(): number {
    let count = 0;
    for (const table of this.directories()) for (const chunk of table) if (chunk !== undefined) count++;
    return count;
  }

  /**
   * Bytes of backing allocated so far.
   *
   * @returns The sum of the touched chunks' sizes.
   */
  backedBytes(): number {
    let bytes = 0;
    for (const table of this.directories()) for (const chunk of table) if (chunk !== undefined) bytes += chunk.length;
    return bytes;
  }

  /** Drops every chunk (memory reads as zeros again). */
  release(): void {
    this.small?.fill(undefined);
    this.tables.fill(undefined);
  }
}
