/**
 * Whole-machine inspection: the teardown leak report, the consistency check and the state digest.
 *
 * @remarks
 * Each walks the page metadata over `MemMap.spans()` only: a frame outside the spans has the
 * default metadata of its kind (free RAM, reserved RAM or no memory), which is consistent, never a
 * leak, and left out of the digest; so these stay proportional to the memory touched, whatever the
 * machine's size.
 *
 * @module
 */
import { hex } from "../../args.js";
import { NR_ZONES, PfnMarks, type Buddy } from "../buddy.js";
import type { PageCache } from "../filemap.js";
import type { Highmem } from "../highmem.js";
import { KmapSlots } from "../kmap-slots.js";
import { FLAGS_MASK, ORDER_SHIFT, PG_free, PG_head, PG_nomap, PG_reserved, PG_tail, type MemMap } from "../memmap.js";
import type { PageOwner } from "./page-owner.js";
import { formatLeaks, type LeakEntry } from "./report.js";

/** The parts of a machine the checks read. */
export interface CheckedParts {
  /** The page metadata. */
  readonly mem: MemMap;
  /** The free lists. */
  readonly buddy: Buddy;
  /** The mappings. */
  readonly highmem: Highmem;
  /** The page cache. */
  readonly pageCache: PageCache;
  /** The page_owner table, when recorded. */
  readonly owner: PageOwner | undefined;
  /** `PAGE_SIZE`. */
  readonly pageSize: number;
}

/**
 * Lists every block still allocated and every live mapping, in the manner of kmemleak.
 *
 * @param parts - The machine's parts.
 * @returns The report text, or `null` when nothing leaked.
 */
export function leakReport(parts: CheckedParts): string | null {
  const { mem, highmem, owner, pageSize } = parts;
  const leaks: LeakEntry[] = [];
  for (const [start, end] of mem.spans()) {
    for (let pfn = start; pfn < end; pfn++) {
      const f = mem.word(pfn) & FLAGS_MASK;
      if ((f & (PG_free | PG_reserved | PG_nomap | PG_tail)) !== 0) continue;
      leaks.push({ pfn, phys: pfn * pageSize, order: f >>> ORDER_SHIFT, page: mem.describe(pfn), allocStack: owner?.allocStack(pfn) });
    }
  }
  const mappings = [
    ...highmem.slots.entries().map((entry) => KmapSlots.describe(entry)),
    ...highmem.pkmap.entries().map(([pfn, count]) => `kmap of pfn ${hex(pfn)} (count ${count})`),
  ];
  return leaks.length === 0 && mappings.length === 0 ? null : formatLeaks(leaks, mappings);
}

/**
 * Walks the free lists, the hot lists, the page metadata, the mapping slots and the page cache.
 *
 * @param parts - The machine's parts.
 * @returns Descriptions of violated invariants; empty when the machine is consistent.
 */
export function consistencyProblems(parts: CheckedParts): string[] {
  const { mem, buddy, highmem, pageCache } = parts;
  const nrPages = mem.nrPages;
  const seen = new PfnMarks();
  const problems = buddy.check(seen);
  for (const [start, end] of mem.spans()) {
    for (let pfn = start; pfn < end; pfn++) {
      const f = mem.word(pfn) & FLAGS_MASK;
      const free = (f & PG_free) !== 0;
      // A free page is listed, or is RAM the allocator has not threaded yet (pending).
      const listed = seen.has(pfn) || (free && buddy.isPending(pfn));
      if (free !== listed) problems.push(`page ${hex(pfn)}: PG_free=${free} but listed=${listed}`);
      if (free || (f & (PG_reserved | PG_nomap)) !== 0) {
        if (mem.refcount(pfn) !== 0) problems.push(`page ${hex(pfn)}: not allocated but refcount ${mem.refcount(pfn)}`);
        continue;
      }
      if ((f & PG_tail) !== 0) {
        const head = mem.link0(pfn);
        const hf = head < nrPages ? mem.word(head) & FLAGS_MASK : 0;
        if (head >= pfn || (hf & (PG_free | PG_tail | PG_reserved)) !== 0 || head + (1 << (hf >>> ORDER_SHIFT)) <= pfn) {
          problems.push(`page ${hex(pfn)}: tail of ${hex(head)}, which is not its block head`);
        }
        continue;
      }
      const order = f >>> ORDER_SHIFT;
      // `pfn & mask` keeps only the low bits, exact for any pfn.
      if ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > nrPages) problems.push(`block ${hex(pfn)}: order ${order} unaligned`);
      if (mem.refcount(pfn) < 1) problems.push(`block ${hex(pfn)}: allocated with refcount ${mem.refcount(pfn)}`);
      for (let p = pfn + 1; p < pfn + (1 << order) && p < nrPages; p++) {
        if ((mem.word(p) & PG_tail) === 0 || mem.link0(p) !== pfn) problems.push(`block ${hex(pfn)}: page ${hex(p)} is not its tail`);
      }
      if ((f & PG_head) !== 0 && (f & PG_tail) !== 0) problems.push(`block ${hex(pfn)}: both head and tail`);
    }
  }
  for (const entry of highmem.slots.entries()) {
    if ((mem.word(entry.pfn) & PG_free) !== 0 || mem.gen(entry.pfn) !== entry.gen) problems.push(`${KmapSlots.describe(entry)} maps a dead page`);
  }
  for (const [mapping, index, pfn] of pageCache.entries()) {
    if (pageCache.mappingOf(pfn) !== mapping || mem.link1(pfn) !== index) problems.push(`page cache ${mapping}:${index} -> ${hex(pfn)} disagrees with the metadata`);
  }
  return problems;
}

/**
 * A digest of the logical allocator, metadata and mapping state: equal digests mean equal states
 * (up to hash collisions).
 *
 * @remarks
 * Only frames whose metadata differs from the default of their kind count (with their pfn), so
 * materialising a section that is still in its default state leaves the digest unchanged.
 *
 * @param parts - The machine's parts.
 * @param cpu - The current CPU.
 * @returns A hex string.
 */
export function stateDigest(parts: CheckedParts, cpu: number): string {
  const { mem, buddy, highmem, pageCache } = parts;
  let hash = 0x811c9dc5;
  const mix = (array: ArrayBufferView): void => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  };
  // A value of up to 53 bits, as two 32-bit halves (pfns reach 2^34).
  const mixValue = (value: number): void => {
    hash = Math.imul(hash ^ (value % 0x100000000), 0x01000193);
    hash = Math.imul(hash ^ Math.floor(value / 0x100000000), 0x01000193);
  };
  for (const [start, end] of mem.spans()) {
    for (let pfn = start; pfn < end; pfn++) {
      const word = mem.word(pfn);
      const refcount = mem.refcount(pfn);
      const link0 = mem.link0(pfn);
      const link1 = mem.link1(pfn);
      const genHigh = mem.genHigh(pfn);
      if (word === mem.defaultWord(pfn) && refcount === 0 && link0 === 0 && link1 === 0 && genHigh === 0) continue;
      mixValue(pfn);
      mixValue(word);
      mixValue(refcount);
      mixValue(link0);
      mixValue(link1);
      mixValue(genHigh);
    }
  }
  for (const array of [buddy.heads, buddy.nrBlocks, buddy.nrFree, highmem.slots.depth]) mix(array);
  for (let zone = 0; zone < NR_ZONES; zone++) {
    const hot = buddy.pcp[zone]!;
    mix(Int32Array.of(hot.count));
    mix(hot.pages.subarray(0, hot.count));
  }
  const extra = JSON.stringify([highmem.slots.entries(), highmem.pkmap.entries(), pageCache.entries(), cpu]);
  for (let i = 0; i < extra.length; i++) hash = Math.imul(hash ^ extra.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}
