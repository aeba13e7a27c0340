/**
 * The format of a small IOMMU page table, in the style of the ARM SMMU tables the IOMMU use case of
 * thread 004 manages: three levels of tables, each table one page of 8-byte entries (512 with 4 KiB
 * pages), entries holding the physical address of the next-level table or of the mapped page, plus
 * flags.
 *
 * Entry layout (64 bits, little-endian, stored as two 32-bit words):
 *
 * | bits | meaning |
 * |---|---|
 * | 0 | `PTE_VALID` |
 * | 1 | `PTE_TABLE` (levels 0 and 1: points to a table) / `PTE_PAGE` (level 2: maps a page) |
 * | 2, 3 | `PTE_READ`, `PTE_WRITE` (leaf entries) |
 * | 12..51 | the physical address, page-aligned |
 *
 * @module
 */

/** Levels of tables: 0 (top, pre-allocated by the bootloader), 1, 2 (leaves). */
export const LEVELS = 3;
/** Bytes per entry. */
export const PTE_SIZE = 8;
/** The entry is present. */
export const PTE_VALID = 1 << 0;
/** The entry points to a next-level table (levels 0, 1). */
export const PTE_TABLE = 1 << 1;
/** The entry maps a page (level 2). */
export const PTE_PAGE = 1 << 1;
/** The device may read the page. */
export const PTE_READ = 1 << 2;
/** The device may write the page. */
export const PTE_WRITE = 1 << 3;
const FLAG_MASK = 0xfff;

/** A decoded entry. */
export interface Pte {
  /** The physical address the entry points to (table or page). */
  readonly addr: number;
  /** The flag bits. */
  readonly flags: number;
}

/**
 * The geometry of a table for a page size.
 *
 * @param pageSize - Bytes per page (and per table).
 * @returns Entries per table, index bits per level, the page shift and the IOVA width.
 */
export function geometry(pageSize: number): { entries: number; bits: number; pageShift: number; iovaBits: number } {
  const entries = pageSize / PTE_SIZE;
  const bits = Math.log2(entries);
  const pageShift = Math.log2(pageSize);
  return { entries, bits, pageShift, iovaBits: pageShift + LEVELS * bits };
}

/**
 * The index of `iova` in the table of `level`.
 *
 * @param iova - A device address.
 * @param level - 0 (top) to `LEVELS - 1`.
 * @param pageSize - Bytes per page.
 */
export function levelIndex(iova: number, level: number, pageSize: number): number {
  const { bits, pageShift } = geometry(pageSize);
  const shift = pageShift + (LEVELS - 1 - level) * bits;
  return Math.floor(iova / 2 ** shift) % 2 ** bits;
}

/**
 * Decodes an entry from 8 bytes.
 *
 * @param bytes - The entry's bytes.
 */
export function decodePte(bytes: Uint8Array): Pte {
  const lo = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  const hi = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
  return { addr: hi * 2 ** 32 + (lo - (lo & FLAG_MASK)), flags: lo & FLAG_MASK };
}

/**
 * Encodes an entry into 8 bytes.
 *
 * @param addr - A page-aligned physical address.
 * @param flags - The flag bits.
 * @param into - Where to write (8 bytes).
 * @returns `into`.
 */
export function encodePte(addr: number, flags: number, into: Uint8Array): Uint8Array {
  const lo = ((addr % 2 ** 32) | flags) >>> 0;
  const hi = Math.floor(addr / 2 ** 32) >>> 0;
  for (let i = 0; i < 4; i++) {
    into[i] = lo >>> (8 * i);
    into[4 + i] = hi >>> (8 * i);
  }
  return into;
}

/**
 * Names the permission flags of a leaf entry (`rw`, `r-`, ...).
 *
 * @param flags - The flag bits.
 */
export function protName(flags: number): string {
  return `${flags & PTE_READ ? "r" : "-"}${flags & PTE_WRITE ? "w" : "-"}`;
}
