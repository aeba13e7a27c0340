/**
 * Sparse physical memory: lazily allocated chunks of one max-order block each.
 *
 * @module
 */
import { copyBytes, fillBytes, subBytes } from "../args.js";
import { MAX_PAGE_ORDER } from "./config.js";

/** Pages per backing chunk: one max-order buddy block (1024 pages). */
export const CHUNK_PAGES = 1 << MAX_PAGE_ORDER;

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
 * @invariant `chunks[i]`, when present, has `min(CHUNK_PAGES, nrPages - i * CHUNK_PAGES) << pageShift` bytes.
 * @invariant A byte never written since machine creation reads as 0.
 */
export class PhysMem {
  /** The backing chunks, indexed by `pfn >>> 10`; `undefined` until first touched. */
  readonly chunks: (Uint8Array | undefined)[];
  private readonly pageSize: number;
  private readonly nrPages: number;

  /**
   * Creates an untouched backing for `nrPages` pages; costs one array slot per 1024 pages.
   *
   * @param nrPages - Number of page frames.
   * @param pageShift - `PAGE_SHIFT`.
   */
  constructor(nrPages: number, pageShift: number) {
    this.nrPages = nrPages;
    this.pageSize = 2 ** pageShift;
    this.chunks = new Array<Uint8Array | undefined>(Math.ceil(nrPages / CHUNK_PAGES)).fill(undefined);
  }

  /**
   * Returns the chunk holding `pfn`, allocating it on first use.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The chunk.
   * @safety
   * - `pfn` is an integer in `[0, nrPages)`.
   */
  chunk(pfn: number): Uint8Array {
    const index = pfn >>> MAX_PAGE_ORDER;
    // SAFETY: the caller checked pfn < nrPages, so index < chunks.length.
    let chunk = this.chunks[index];
    if (chunk === undefined) {
      const pages = Math.min(CHUNK_PAGES, this.nrPages - index * CHUNK_PAGES);
      chunk = new Uint8Array(pages * this.pageSize);
      this.chunks[index] = chunk;
    }
    return chunk;
  }

  /**
   * Returns the chunk holding `pfn` if it was ever touched.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The chunk, or `undefined` when its memory is still all zeros and unallocated.
   */
  peek(pfn: number): Uint8Array | undefined {
    return this.chunks[pfn >>> MAX_PAGE_ORDER];
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
   * @safety
   * - `[offset, offset + length)` lies inside one buddy block starting at or before `pfn`.
   */
  read(pfn: number, offset: number, dst: Uint8Array, length: number): void {
    // Nothing to copy (a detached array measures 0, and the intrinsic set would throw on it).
    if (length === 0) return;
    const chunk = this.chunks[pfn >>> MAX_PAGE_ORDER];
    if (chunk === undefined) {
      fillBytes(dst, 0);
      return;
    }
    const start = this.base(pfn) + offset;
    // SAFETY: the caller keeps the range inside one block, and a block lies inside one chunk; the
    // intrinsic set and subarray run no method the caller could have overridden on dst.
    copyBytes(dst, subBytes(chunk, start, start + length), 0);
  }

  /**
   * Copies `src` to `offset` bytes into `pfn`.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param src - The source bytes, a genuine `Uint8Array`.
   * @param length - `src`'s real byte length (from the intrinsic getter).
   * @safety
   * - `[offset, offset + length)` lies inside one buddy block starting at or before `pfn`.
   */
  write(pfn: number, offset: number, src: Uint8Array, length: number): void {
    if (length === 0) return;
    // SAFETY: as for read; TypedArray.set copies src's real length (the caller's `length`, from the
    // intrinsic byteLength) and would throw rather than write outside the chunk.
    copyBytes(this.chunk(pfn), src, this.base(pfn) + offset);
  }

  /**
   * Fills `length` bytes at `offset` bytes into `pfn` with `value`.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param length - Number of bytes.
   * @param value - The byte value.
   * @safety
   * - The range lies inside one buddy block starting at or before `pfn`.
   */
  fill(pfn: number, offset: number, length: number, value: number): void {
    if (value === 0 && this.peek(pfn) === undefined) return;
    const start = this.base(pfn) + offset;
    // SAFETY: the range lies inside one chunk (see @safety).
    this.chunk(pfn).fill(value, start, start + length);
  }

  /**
   * A view of `length` bytes at `offset` bytes into `pfn`, sharing the backing.
   *
   * @param pfn - The first page of a block.
   * @param offset - Byte offset from the start of `pfn`.
   * @param length - Number of bytes.
   * @returns A `subarray`; it cannot be revoked, so the machine guards its use logically.
   * @safety
   * - The range lies inside one buddy block starting at or before `pfn`.
   */
  view(pfn: number, offset: number, length: number): Uint8Array {
    const start = this.base(pfn) + offset;
    // SAFETY: the range lies inside one chunk (see @safety).
    return this.chunk(pfn).subarray(start, start + length);
  }

  /**
   * Number of chunks allocated so far.
   *
   * @returns The count of touched chunks.
   */
  backedChunks(): number {
    let count = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) count++;
    return count;
  }

  /**
   * Bytes of backing allocated so far.
   *
   * @returns The sum of the touched chunks' sizes.
   */
  backedBytes(): number {
    let bytes = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) bytes += chunk.length;
    return bytes;
  }

  /** Drops every chunk (memory reads as zeros again). */
  release(): void {
    this.chunks.fill(undefined);
  }
}
