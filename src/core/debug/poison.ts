/**
 * Page poisoning: freed pages are filled with a pattern that is checked when they are allocated.
 *
 * @module
 */
import type { PhysMem } from "../phys-mem.js";

/** The byte freed pages are filled with (`PAGE_POISON` in the kernel). */
export const PAGE_POISON = 0xaa;

/**
 * Fills a freed block with {@link PAGE_POISON}.
 *
 * @param phys - The machine's memory.
 * @param pfn - The block's first page.
 * @param bytes - The block's size in bytes.
 * @remarks Does no checking: the caller guarantees `[pfn, pfn + bytes)` is one buddy block of the
 * machine.
 */
export function poisonBlock(phys: PhysMem, pfn: number, bytes: number): void {
  // SAFETY: By the caller's guarantee the range is one aligned buddy block of at most
  // 2^MAX_PAGE_ORDER pages; CHUNK_PAGES (phys-mem.ts) is a multiple of that, so it lies in one chunk.
  phys.fill(pfn, 0, bytes, PAGE_POISON);
}

/**
 * Finds the first byte of a page that no longer holds the poison.
 *
 * @param phys - The machine's memory.
 * @param pfn - The page.
 * @param pageSize - `PAGE_SIZE`.
 * @returns The offset of the first corrupted byte in the page, or -1 when the poison is intact.
 */
export function findPoisonCorruption(phys: PhysMem, pfn: number, pageSize: number): number {
  const chunk = phys.peek(pfn);
  if (chunk === undefined) return 0;
  const base = phys.base(pfn);
  // Compare four bytes at a time while aligned, then locate the byte.
  const words = new Uint32Array(chunk.buffer, chunk.byteOffset + base, pageSize >>> 2);
  const pattern = PAGE_POISON * 0x01010101;
  for (let i = 0; i < words.length; i++) {
    // SAFETY: By the loop condition (i < words.length), i indexes words; by PhysMem.peek and
    // PhysMem.base and the invariant of PhysMem (a present chunk holds all of its pages' bytes),
    // `words` views exactly the page's bytes.
    if (words[i] !== pattern >>> 0) {
      for (let b = i * 4; b < i * 4 + 4; b++) if (chunk[base + b] !== PAGE_POISON) return b;
    }
  }
  return -1;
}
