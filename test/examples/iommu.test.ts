import { GFP_KERNEL, Page, __GFP_ZERO, intoPhys, toDmaAddr, toPhysAddr, toResourceSize, unsafe, type Owned, type PhysAddr } from "ownkit";
import { createMachine, type Machine } from "ownkit/core";
import { describe, expect, it } from "vitest";
import { runIommu } from "../../examples/iommu.js";
import { PTE_PAGE, PTE_READ, PTE_WRITE } from "../../examples/lib/iommu-format.js";
import { IoPageTable } from "../../examples/lib/io-pgtable.js";

function bootRoot(machine: Machine): PhysAddr {
  const root: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
  const addr = root.phys();
  intoPhys(root);
  return addr;
}

function reclaimRoot(machine: Machine, root: PhysAddr): void {
  unsafe("SAFETY: the test handed this page over with intoPhys and nothing uses it any more", (token) => {
    const page: Owned<Page> = Page.fromPhys(token, root, machine);
    page.release();
  });
}

describe("iommu example", () => {
  it("maps, translates, dumps, unmaps and tears down leaving only the bootloader's table", () => {
    const machine = createMachine({ ramSize: 64 << 20 });
    const result = runIommu(machine);
    expect(result.rangesMapped).toBe(300);
    expect(result.translationsChecked).toBe(2000);
    expect(result.translationMismatches).toBe(0);
    expect(result.holeMismatches).toBe(0);
    expect(result.pagesUnmapped).toBe(result.pagesMapped);
    expect(result.tablesAllocated).toBeGreaterThanOrEqual(5); // three windows need several tables
    expect(result.tablesFreed).toBe(result.tablesAllocated);
    // The dump covers every mapped page once; MMIO targets are not RAM.
    expect(result.dump.reduce((sum, r) => sum + r.size, 0)).toBe(result.pagesMapped * machine.pageSize);
    expect(result.dump.filter((r) => !r.ram)).toHaveLength(6);
    const leaked = result.leakReportAfterTeardown?.split("\n").filter((l) => l.startsWith("unreferenced block")) ?? [];
    expect(leaked).toEqual([`unreferenced block pfn 0x${(result.rootTable / machine.pageSize).toString(16)} phys 0x${result.rootTable.toString(16)} order 0`]);
    expect(result.leakReportAtShutdown).toBeNull();
    expect(machine.consistencyProblems()).toEqual([]);
  });

  it("translates exact addresses, coalesces contiguous pages and frees empty tables", () => {
    const machine = createMachine({ ramSize: 16 << 20 });
    const root = bootRoot(machine);
    const table = new IoPageTable(machine, root);
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const iova = toDmaAddr(0x1234_5000);
    table.map(iova, page.phys(), toResourceSize(4096), PTE_READ);
    table.map(toDmaAddr(0x20_0000), toPhysAddr(0x4000_0000), toResourceSize(3 * 4096), PTE_READ | PTE_WRITE);
    expect(table.translate(toDmaAddr(0x1234_5abc))).toBe(page.phys() + 0xabc);
    expect(table.translate(toDmaAddr(0x20_2fff))).toBe(0x4000_2fff);
    expect(table.translate(toDmaAddr(0x20_3000))).toBeNull();
    expect(table.translate(toDmaAddr(2 ** 40))).toBeNull();
    expect(table.dump().map((r) => [r.iova, r.phys, r.size, r.flags])).toEqual([
      [0x20_0000, 0x4000_0000, 3 * 4096, PTE_READ | PTE_WRITE | PTE_PAGE],
      [0x1234_5000, page.phys(), 4096, PTE_READ | PTE_PAGE],
    ]);
    expect(() => table.map(iova, page.phys(), toResourceSize(4096), PTE_READ)).toThrow(expect.objectContaining({ errno: "EEXIST" }));
    expect(() => table.map(toDmaAddr(0x1001), page.phys(), toResourceSize(4096), PTE_READ)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    const live = table.liveTables;
    expect(live).toBe(3); // one level-1 table, two level-2 tables
    expect(table.unmap(iova, toResourceSize(4096))).toBe(1);
    expect(table.liveTables).toBe(2); // the emptied level-2 table went back with fromPhys
    expect(table.translate(iova)).toBeNull();
    table.teardown();
    expect(table.liveTables).toBe(0);
    page.release();
    // Only the borrowed top-level table is left, and it was never freed by the table.
    expect(machine.leakReport()).toMatch(/1 block\(s\), 1 page\(s\)/);
    reclaimRoot(machine, root);
    expect(machine.leakReport()).toBeNull();
  });

  it("refuses a top-level table that is not RAM", () => {
    const machine = createMachine({ ramSize: 16 << 20 });
    expect(() => new IoPageTable(machine, toPhysAddr(64 << 20))).toThrow(/not RAM/);
  });
});
