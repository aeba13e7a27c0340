/**
 * Binder's range allocator: hands out byte ranges of a process's mapped region, best fit over the
 * free ranges, and merges a freed range with its free neighbours (thread 001: "find an open
 * interval of a given size ... essentially an allocator").
 *
 * @remarks
 * It knows nothing about pages: the caller (see `../binder.ts`) turns a range into the pages it
 * touches and allocates those lazily. Free ranges are kept sorted by start in two parallel arrays,
 * so finding the neighbours of a freed range is a binary search; the best fit is a linear scan,
 * which is fine because a binder region holds few outstanding buffers at a time.
 *
 * @module
 */
import { kernelError } from "ownkit";

/** Allocations are rounded up to this many bytes (binder aligns buffers to a pointer). */
export const RANGE_ALIGN = 8;

/**
 * A best-fit allocator of byte ranges in `[0, size)`.
 *
 * @invariant Free ranges are sorted, disjoint, non-empty and never adjacent (adjacent ones merge).
 * @invariant Free bytes plus allocated bytes equal `size`.
 */
export class RangeAllocator {
  /** The size of the region in bytes. */
  readonly size: number;
  readonly #freeStart: number[] = [];
  readonly #freeSize: number[] = [];
  readonly #allocated = new Map<number, number>();
  #freeBytes: number;

  /**
   * Creates an allocator whose whole region is free.
   *
   * @param size - The region size in bytes, a positive multiple of {@link RANGE_ALIGN}.
   * @throws KernelError `EINVAL` for a bad size.
   */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % RANGE_ALIGN !== 0) {
      throw kernelError("EINVAL", "range_alloc_init", "size is not a positive multiple of the alignment", { size, align: RANGE_ALIGN });
    }
    this.size = size;
    this.#freeStart.push(0);
    this.#freeSize.push(size);
    this.#freeBytes = size;
  }

  /** Bytes not allocated. */
  get freeBytes(): number {
    return this.#freeBytes;
  }

  /** The number of allocated ranges. */
  get allocatedCount(): number {
    return this.#allocated.size;
  }

  /** The number of free ranges (fragmentation). */
  get freeRangeCount(): number {
    return this.#freeStart.length;
  }

  /**
   * Allocates `length` bytes (rounded up to {@link RANGE_ALIGN}) from the smallest free range that
   * holds them, at its start.
   *
   * @param length - The number of bytes, a positive integer.
   * @returns The start of the range.
   * @throws KernelError `EINVAL` for a bad length; `ENOSPC` when no free range is large enough
   *   (nothing changes).
   */
  alloc(length: number): number {
    if (!Number.isSafeInteger(length) || length <= 0) throw kernelError("EINVAL", "range_alloc", "length is not a positive integer", { length });
    const want = Math.ceil(length / RANGE_ALIGN) * RANGE_ALIGN;
    let best = -1;
    let bestSize = Infinity;
    const sizes = this.#freeSize;
    for (let i = 0; i < sizes.length; i++) {
      const free = sizes[i]!;
      if (free >= want && free < bestSize) {
        best = i;
        bestSize = free;
        if (free === want) break;
      }
    }
    if (best < 0) throw kernelError("ENOSPC", "range_alloc", "no free range is large enough", { length: want, freeBytes: this.#freeBytes });
    const start = this.#freeStart[best]!;
    if (bestSize === want) {
      this.#freeStart.splice(best, 1);
      this.#freeSize.splice(best, 1);
    } else {
      this.#freeStart[best] = start + want;
      this.#freeSize[best] = bestSize - want;
    }
    this.#allocated.set(start, want);
    this.#freeBytes -= want;
    return start;
  }

  /**
   * The length (after rounding) of the allocated range starting at `start`, or `undefined`.
   *
   * @param start - A start returned by {@link RangeAllocator.alloc}.
   */
  lengthOf(start: number): number | undefined {
    return this.#allocated.get(start);
  }

  /**
   * Frees an allocated range and merges it with free neighbours.
   *
   * @param start - A start returned by {@link RangeAllocator.alloc}.
   * @returns The freed length (after rounding).
   * @throws KernelError `EINVAL` when no range is allocated at `start` (a double free); nothing changes.
   */
  free(start: number): number {
    const length = this.#allocated.get(start);
    if (length === undefined) throw kernelError("EINVAL", "range_free", "no range is allocated here (double free?)", { start });
    this.#allocated.delete(start);
    this.#freeBytes += length;
    const starts = this.#freeStart;
    const sizes = this.#freeSize;
    // The first free range after `start`.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo - 1;
    const joinsPrev = prev >= 0 && starts[prev]! + sizes[prev]! === start;
    const joinsNext = lo < starts.length && start + length === starts[lo]!;
    if (joinsPrev && joinsNext) {
      sizes[prev] = sizes[prev]! + length + sizes[lo]!;
      starts.splice(lo, 1);
      sizes.splice(lo, 1);
    } else if (joinsPrev) {
      sizes[prev] = sizes[prev]! + length;
    } else if (joinsNext) {
      starts[lo] = start;
      sizes[lo] = sizes[lo]! + length;
    } else {
      starts.splice(lo, 0, start);
      sizes.splice(lo, 0, length);
    }
    return length;
  }

  /**
   * Checks the invariants; for tests.
   *
   * @returns The problems found (empty when consistent).
   */
  problems(): string[] {
    const out: string[] = [];
    let free = 0;
    for (let i = 0; i < this.#freeStart.length; i++) {
      const start = this.#freeStart[i]!;
      const size = this.#freeSize[i]!;
      free += size;
      if (size <= 0) out.push(`empty free range at ${start}`);
      if (i > 0 && this.#freeStart[i - 1]! + this.#freeSize[i - 1]! >= start) out.push(`free ranges overlap or touch at ${start}`);
    }
    let used = 0;
    for (const size of this.#allocated.values()) used += size;
    if (free !== this.#freeBytes) out.push(`free bytes ${this.#freeBytes} != sum ${free}`);
    if (free + used !== this.size) out.push(`free ${free} + used ${used} != size ${this.size}`);
    return out;
  }
}
