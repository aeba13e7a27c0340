/**
 * An IOMMU page table (thread 004, "support borrowing struct page and physaddr conversion"): the
 * use case that motivated `intoPhys`, `fromPhys` and `borrowPhys`.
 *
 * What each step shows, with the thread's rule:
 *
 * 1. **The bootloader pre-allocated the top-level table.** It allocates a page and gives it away
 *    with `intoPhys`; the driver only ever learns its physical address and borrows it with the
 *    checked `Page.borrowPhys` (valid pfn and RAM, else `null`). It never frees it ("The only thing
 *    the driver needs to ensure is that it never attempts to free it").
 * 2. **Tables are pages owned by the table itself.** A new level-1 or level-2 table is
 *    `Page.alloc(GFP_KERNEL | __GFP_ZERO)`, then `intoPhys(table)` consumes the owner (using it
 *    again does not compile, M3) and the address goes into the parent entry: no second record of
 *    the allocation ("Without that, the code would have to keep track of page allocations in
 *    duplicate"). Walks borrow each table with `borrowPhysUnchecked` inside an `unsafe("SAFETY:
 *    ...")` block whose reason says why the address is valid.
 * 3. **Addresses keep their brands.** Device addresses are `DmaAddr`, CPU physical addresses are
 *    `PhysAddr`, sizes are `ResourceSize`; passing one for another does not compile (M5).
 * 4. **Map a few hundred ranges** (RAM buffers owned by the driver and a few MMIO doorbells),
 *    translate addresses and print the address space, coalesced, as a crash dump would: the dump
 *    uses `borrowPhys` on each target, which returns `null` for MMIO (M28), so a snapshot would
 *    skip those pages.
 * 5. **Unmap and tear down.** A table that becomes empty is taken back with `Page.fromPhys` (once:
 *    a second `fromPhys` is `EBUSY`, M27) and released. The leak report then lists exactly one
 *    page: the bootloader's table, which the driver must not free. At shutdown the firmware takes
 *    it back and the report is empty.
 *
 * @module
 */
import { GFP_KERNEL, Page, __GFP_ZERO, intoPhys, toDmaAddr, toPhysAddr, toResourceSize, unsafe, type DmaAddr, type Owned, type PhysAddr } from "ownkit";
import { defaultMachine, type Machine } from "ownkit/core";
import { bytes, heading, hex, int, rows, stdout, type Write } from "./lib/format.js";
import { LEVELS, PTE_READ, PTE_WRITE, geometry, protName } from "./lib/iommu-format.js";
import { IoPageTable, type MappedRange } from "./lib/io-pgtable.js";
import { Prng } from "./lib/prng.js";

/** One line of the address-space dump. */
export interface DumpLine extends MappedRange {
  /** Whether the target is RAM (`borrowPhys` succeeded) or not (MMIO; a snapshot skips it). */
  readonly ram: boolean;
}

/** What the IOMMU run did. */
export interface IommuResult {
  /** Table levels. */
  readonly levels: number;
  /** Width of a device address in bits. */
  readonly iovaBits: number;
  /** Ranges the driver mapped. */
  readonly rangesMapped: number;
  /** Pages those ranges cover. */
  readonly pagesMapped: number;
  /** Tables allocated below the top level. */
  readonly tablesAllocated: number;
  /** Tables live after mapping everything (levels 1 and 2). */
  readonly tablesAtPeak: number;
  /** Addresses inside mappings translated and compared. */
  readonly translationsChecked: number;
  /** Of those, how many translated wrongly (0). */
  readonly translationMismatches: number;
  /** Device addresses that must not translate (gaps, unmapped ranges) and did not. */
  readonly holesChecked: number;
  /** Of those, how many still translated (0). */
  readonly holeMismatches: number;
  /** The address space after mapping, coalesced. */
  readonly dump: readonly DumpLine[];
  /** Pages unmapped. */
  readonly pagesUnmapped: number;
  /** Tables taken back with `fromPhys` and freed. */
  readonly tablesFreed: number;
  /** The leak report after teardown: only the bootloader's table. */
  readonly leakReportAfterTeardown: string | null;
  /** The bootloader's table address, which that report lists. */
  readonly rootTable: PhysAddr;
  /** The leak report after the firmware took its table back (`null`). */
  readonly leakReportAtShutdown: string | null;
}

/** What the bootloader did before the kernel ran: allocate the top-level table and let it go. */
function bootloaderAllocatesRoot(machine: Machine): PhysAddr {
  const root: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
  const addr = root.phys();
  intoPhys(root); // no owner on the kernel side: the firmware owns it
  return addr;
}

/** A driver-side mapping: where it is in both address spaces, and the pages behind it. */
interface Mapping {
  readonly iova: DmaAddr;
  readonly pages: readonly PhysAddr[];
  readonly buffers: Owned<Page>[];
}

/**
 * Maps a few hundred ranges, translates, dumps, unmaps and tears down.
 *
 * @param machine - The machine (default: the default machine).
 * @param ranges - How many ranges to map (default 300).
 * @returns What happened.
 */
export function runIommu(machine: Machine = defaultMachine(), ranges = 300): IommuResult {
  const pageSize = machine.pageSize;
  const prng = new Prng(4);
  const root = bootloaderAllocatesRoot(machine);
  const table = new IoPageTable(machine, root);
  const { iovaBits } = geometry(pageSize);

  // Three device windows far apart, so several level-1 and level-2 tables are needed.
  const windows = [0x0010_0000, 0x4000_0000, 0x40_0000_0000].map((base) => ({ next: base }));
  const mmioBase = machine.nrPages * pageSize + 0x1000_0000; // above RAM: no struct page
  const mappings: Mapping[] = [];
  let pagesMapped = 0;
  for (let i = 0; i < ranges; i++) {
    const window = windows[prng.int(0, windows.length - 1)]!;
    window.next += prng.int(0, 2) * pageSize; // gaps between ranges
    const iova = toDmaAddr(window.next);
    const count = prng.int(1, 8);
    window.next += count * pageSize;
    const buffers: Owned<Page>[] = [];
    const pages: PhysAddr[] = [];
    if (i % 50 === 0) {
      // A device doorbell: MMIO, one page, not RAM.
      pages.push(toPhysAddr(mmioBase + (i / 50) * pageSize));
      table.map(iova, pages[0]!, toResourceSize(pageSize), PTE_WRITE);
    } else {
      // A DMA buffer of `count` pages, its scatter-gather list sorted by physical address.
      for (let p = 0; p < count; p++) buffers.push(Page.alloc(GFP_KERNEL | __GFP_ZERO, machine));
      buffers.sort((a, b) => a.phys() - b.phys());
      buffers.forEach((buffer, p) => {
        pages.push(buffer.phys());
        table.map(toDmaAddr(iova + p * pageSize), buffer.phys(), toResourceSize(pageSize), PTE_READ | PTE_WRITE);
      });
    }
    pagesMapped += pages.length;
    mappings.push({ iova, pages, buffers });
  }
  const tablesAtPeak = table.liveTables;

  // Translate random addresses inside mappings, and the pages just past each one (gaps or others).
  let checked = 0;
  let mismatches = 0;
  for (let n = 0; n < 2000; n++) {
    const m = mappings[prng.int(0, mappings.length - 1)]!;
    const offset = prng.int(0, m.pages.length * pageSize - 1);
    const expected = m.pages[Math.floor(offset / pageSize)]! + (offset % pageSize);
    if (table.translate(toDmaAddr(m.iova + offset)) !== expected) mismatches++;
    checked++;
  }
  const dump: DumpLine[] = unsafe("SAFETY: only tests whether each target is RAM; nothing is read or kept", (token) =>
    table.dump().map((r) => ({ ...r, ram: Page.borrowPhys(token, r.phys, machine) !== null })),
  );

  // Unmap every other range first (tables stay while a neighbour uses them), then the rest.
  let unmapped = 0;
  let holes = 0;
  let holeMismatches = 0;
  const order = [...mappings.filter((_, i) => i % 2 === 0), ...mappings.filter((_, i) => i % 2 === 1)];
  for (const m of order) {
    unmapped += table.unmap(m.iova, toResourceSize(m.pages.length * pageSize));
    holes++;
    if (table.translate(m.iova) !== null) holeMismatches++;
    for (const buffer of m.buffers) {
      const owned: Owned<Page> = buffer;
      owned.release();
    }
  }
  table.teardown();
  const leakReportAfterTeardown = machine.leakReport();
  // Shutdown: the firmware takes its table back (it is the one that handed it over).
  unsafe("SAFETY: root came from intoPhys in bootloaderAllocatesRoot and nothing uses the table any more", (token) => {
    const back: Owned<Page> = Page.fromPhys(token, root, machine);
    back.release();
  });
  return {
    levels: LEVELS,
    iovaBits,
    rangesMapped: mappings.length,
    pagesMapped,
    tablesAllocated: table.tablesAllocated,
    tablesAtPeak,
    translationsChecked: checked,
    translationMismatches: mismatches,
    holesChecked: holes,
    holeMismatches,
    dump,
    pagesUnmapped: unmapped,
    tablesFreed: table.tablesFreed,
    leakReportAfterTeardown,
    rootTable: root,
    leakReportAtShutdown: machine.leakReport(),
  };
}

/**
 * Prints a run.
 *
 * @param result - The run.
 * @param write - Where to print.
 * @param dumpLines - How many dump lines to show at each end.
 */
export function printIommu(result: IommuResult, write: Write = stdout, dumpLines = 3): void {
  heading(write, "IOMMU page table: pages handed to hardware by physical address and taken back");
  rows(write, [
    ["format", `${result.levels} levels, 512 x 8-byte entries per 4 KiB table, ${result.iovaBits}-bit IOVA`],
    ["top-level table", `${hex(result.rootTable)}: pre-allocated by the bootloader, borrowed with borrowPhys`],
    ["mapped", `${int(result.rangesMapped)} ranges, ${int(result.pagesMapped)} pages, ${result.tablesAllocated} tables allocated (intoPhys)`],
    ["translations", `${int(result.translationsChecked)} checked, ${result.translationMismatches} wrong`],
  ]);
  const ram = result.dump.filter((r) => r.ram).length;
  write(`\n  address space: ${result.dump.length} coalesced ranges (${ram} RAM, ${result.dump.length - ram} MMIO)\n`);
  const line = (r: DumpLine): string =>
    `    ${hex(r.iova, 10)}-${hex(r.iova + r.size - 1, 10)} -> ${hex(r.phys, 8)}  ${bytes(r.size).padStart(8)}  ${protName(r.flags)}  ${r.ram ? "RAM" : "MMIO (no struct page: skipped by a snapshot)"}\n`;
  // The first and last lines, with the first MMIO line in between.
  const mmio = result.dump.find((r) => !r.ram);
  const head = result.dump.slice(0, dumpLines);
  const tail = result.dump.slice(-dumpLines).filter((r) => !head.includes(r));
  for (const r of head) write(line(r));
  if (mmio !== undefined && !head.includes(mmio) && !tail.includes(mmio)) write(`    ...\n${line(mmio)}`);
  if (tail.length > 0) write("    ...\n");
  for (const r of tail) write(line(r));
  write("\n");
  const leaked = result.leakReportAfterTeardown?.split("\n").find((l) => l.startsWith("unreferenced block")) ?? "none";
  rows(write, [
    ["unmapped", `${int(result.pagesUnmapped)} pages; ${result.holesChecked} unmapped addresses no longer translate (${result.holeMismatches} wrong)`],
    ["tables freed", `${result.tablesFreed} of ${result.tablesAllocated}, each taken back with fromPhys when it became empty`],
    ["leak report", `${leaked.trim()}`],
    ["", "= the bootloader's table: borrowed, never freed by the driver"],
    ["at shutdown", result.leakReportAtShutdown === null ? "firmware took its table back; leak report empty" : "LEAKS:\n" + result.leakReportAtShutdown],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) printIommu(runIommu());
