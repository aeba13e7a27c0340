/**
 * Memory access through a handle: bounds-checked copies in and out, fills, views and the direct map.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, checkBytes, isU32 } from "../args.js";
import type { Handles } from "./handles.js";
import type { PhysMem } from "./phys-mem.js";

/**
 * The byte access of one machine: every method takes a `(pfn, gen)` handle and checks it names a
 * live page: an allocated block (addressed by its first page, covering the whole block), a page
 * inside one (covering that page), or a reserved RAM page.
 *
 * @remarks Owns no state: the bytes live in {@link PhysMem}. Offsets are bytes from the start of `pfn`.
 */
export class Access {
  /** The handle checks. */
  declare private readonly handles: Handles;
  /** The backing memory. */
  declare private readonly phys: PhysMem;
  /** The first HIGHMEM frame. */
  declare private readonly highmemPfn: number;
  /** Whether lowmem maps like HIGHMEM (no direct map). */
  declare private readonly forceMap: boolean;

  /**
   * Creates the byte access of a machine.
   *
   * @param handles - The handle checks.
   * @param phys - The backing memory.
   * @param highmemPfn - The first HIGHMEM frame.
   * @param forceMap - Whether lowmem has no direct map (`debug.forceMap`).
   */
  constructor(handles: Handles, phys: PhysMem, highmemPfn: number, forceMap: boolean) {
    this.handles = handles;
    this.phys = phys;
    this.highmemPfn = highmemPfn;
    this.forceMap = forceMap;
  }

  /**
   * `memcpy_from_page`: see `Machine.read`.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte to read.
   * @param dst - Receives `dst.length` bytes.
   */
  read(pfn: number, gen: number, offset: number, dst: Uint8Array): void {
    // The real byte length (intrinsic getter), not the overridable `length` property.
    const length = checkBytes("memcpy_from_page", "dst", dst);
    const handles = this.handles;
    const extent = handles.extent(handles.handleFlags("memcpy_from_page", pfn, gen, offset, length));
    if (!isU32(offset) || !isU32(length) || offset + length > extent) throw rangeError("memcpy_from_page", pfn, offset, length, extent);
    // SAFETY: By the handle check the block is live, and by the range check just above (with dst's
    // real length) the bytes lie inside it.
    this.phys.read(pfn, offset, dst, length);
  }

  /**
   * `memcpy_to_page`: see `Machine.write`.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte to write.
   * @param src - The bytes to write.
   */
  write(pfn: number, gen: number, offset: number, src: Uint8Array): void {
    const length = checkBytes("memcpy_to_page", "src", src);
    const handles = this.handles;
    const extent = handles.extent(handles.handleFlags("memcpy_to_page", pfn, gen, offset, length));
    if (!isU32(offset) || !isU32(length) || offset + length > extent) throw rangeError("memcpy_to_page", pfn, offset, length, extent);
    // SAFETY: By the handle check the block is live, and by the range check just above (with src's
    // real length) the bytes lie inside it.
    this.phys.write(pfn, offset, src, length);
  }

  /**
   * `memset_page`: see `Machine.fill`.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte.
   * @param length - Number of bytes.
   * @param value - A byte.
   */
  fill(pfn: number, gen: number, offset: number, length: number, value: number): void {
    const handles = this.handles;
    const flags = handles.handleFlags("memset_page", pfn, gen, offset, length);
    if (!isU32(value) || value > 255) throw badNumber("memset_page", "value", value, 256);
    const extent = handles.extent(flags);
    if (!isU32(offset) || !isU32(length) || offset + length > extent) throw rangeError("memset_page", pfn, offset, length, extent);
    // SAFETY: By the handle check the block is live, and by the range check just above the bytes
    // lie inside it.
    this.phys.fill(pfn, offset, length, value);
  }

  /**
   * A `subarray` over bytes of a page or block: see `Machine.view`.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte.
   * @param length - Number of bytes.
   * @returns A view sharing the machine's memory.
   */
  view(pfn: number, gen: number, offset: number, length: number): Uint8Array {
    const handles = this.handles;
    const extent = handles.extent(handles.handleFlags("page_view", pfn, gen, offset, length));
    if (!isU32(offset) || !isU32(length) || offset + length > extent) throw rangeError("page_view", pfn, offset, length, extent);
    // SAFETY: By the handle check the block is live, and by the range check just above the bytes
    // lie inside it.
    return this.phys.view(pfn, offset, length);
  }

  /**
   * `page_address`: see `Machine.pageAddress`.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @returns A view of the whole block (or page), or `null` for HIGHMEM and in force-map mode.
   */
  pageAddress(pfn: number, gen: number): Uint8Array | null {
    const handles = this.handles;
    const flags = handles.handleFlags("page_address", pfn, gen);
    if (this.forceMap || pfn >= this.highmemPfn) return null;
    // SAFETY: By the handle check the block is live; its extent lies inside it.
    return this.phys.view(pfn, 0, handles.extent(flags));
  }
}

/** The error of a failed range check, shared by the four access methods. */
function rangeError(op: string, pfn: number, offset: unknown, length: unknown, extent: number): Error {
  if (!isU32(offset)) return badNumber(op, "offset", offset);
  if (!isU32(length)) return badNumber(op, "length", length);
  return kernelError("EINVAL", op, "range leaves the page or folio", { pfn, offset, length, size: extent });
}
