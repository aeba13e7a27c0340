/**
 * Attacks on the sparse memory map and the machine facade at server scale: pfns around the 32-bit
 * and 34-bit edges, adjacent RAM ranges, reads that must not allocate, failed operations that must
 * change nothing, and what `buddyInfo` says about RAM not yet threaded.
 */
import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, MAX_PAGE_ORDER, __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN } from "../../src/core/index.js";
import { expectKernelError, expectUnchanged } from "./helpers.js";

const TIB = 2 ** 40;
const SECTION = 2 ** 15;

/** The free blocks `buddyInfo` reports, as pages: must add up to its `pages`. */
function blockPages(row: readonly number[]): number {
  return row.reduce((sum, count, order) => sum + count * 2 ** order, 0);
}

describe("adjacent RAM ranges", () => {
  test("an explicit `ram` range inside RAM does not split the memory the allocator can merge", () => {
    // Segments [0,100), [100,101), [101,1024) are all RAM: one order-10 block, as without the range.
    const machine = new Machine({ ramSize: 4 << 20, ranges: [{ kind: "ram", start: 100 * 4096, size: 4096 }] });
    const pfn = machine.allocPages(GFP_KERNEL, MAX_PAGE_ORDER);
    expect(pfn).toBe(0);
    machine.freePages(pfn, machine.pageGen(pfn), MAX_PAGE_ORDER);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("the same after part of the RAM was threaded by a smaller allocation", () => {
    const machine = new Machine({ ramSize: 4 << 20, ranges: [{ kind: "ram", start: 100 * 4096, size: 4096 }] });
    const small = machine.allocPages(GFP_KERNEL, 0);
    machine.freePages(small, machine.pageGen(small), 0);
    const pfn = machine.allocPages(GFP_KERNEL, MAX_PAGE_ORDER);
    expect(pfn).toBe(0);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

describe("buddyInfo counts RAM not yet threaded", () => {
  test("a fresh machine reports its free blocks by order, adding up to its free pages", () => {
    const machine = new Machine({ ramSize: 16 << 20 });
    const info = machine.buddyInfo();
    expect(info.free[0]![MAX_PAGE_ORDER]).toBe(4);
    expect(blockPages(info.free[0]!)).toBe(info.pages[0]);
  });

  test("on a 64 TiB machine with HIGHMEM, holes and reserved frames at the 32-bit edge", () => {
    const machine = new Machine({
      ramSize: 64 * TIB,
      highmemStart: 32 * TIB,
      ranges: [
        { kind: "reserved", start: (2 ** 32 - 5) * 4096, size: 10 * 4096 },
        { kind: "hole", start: (2 ** 34 - SECTION - 3) * 4096, size: 6 * 4096 },
      ],
    });
    const before = machine.memoryUsage();
    const info = machine.buddyInfo();
    for (const zone of [0, 1]) expect(blockPages(info.free[zone]!)).toBe(info.pages[zone]);
    expect(machine.memoryUsage()).toEqual(before);
    // An allocation threads a section; the counts still add up.
    const pfn = machine.allocPages(GFP_KERNEL | __GFP_HIGHMEM, 3);
    const after = machine.buddyInfo();
    for (const zone of [0, 1]) expect(blockPages(after.free[zone]!)).toBe(after.pages[zone]);
    machine.freePages(pfn, machine.pageGen(pfn), 3);
  });

  test("an allocation failure reports the largest free order, counting pending RAM", () => {
    // RAM [0, 100) only in NORMAL: order-6 blocks exist but not order 7.
    const machine = new Machine({ ramSize: 4 << 20, ranges: [{ kind: "reserved", start: 100 * 4096, size: 924 * 4096 }] });
    const error = expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 7), "ENOMEM");
    expect(error.values).toMatchObject({ freePages: 100, largestFree: 6 });
  });
});

describe("checkUnmapped", () => {
  test.each([
    ["beyond RAM on a small machine", 16 << 20, 2 ** 32],
    ["2^53 - 1 on a small machine", 16 << 20, 2 ** 53 - 1],
    ["one past the end of a 64 TiB machine", 64 * TIB, 2 ** 34],
  ])("refuses a pfn %s", (_, ramSize, pfn) => {
    const machine = new Machine({ ramSize });
    expectUnchanged(machine, () => machine.checkUnmapped("probe", pfn, 0), "EINVAL", /pfn is out of range/);
  });

  test("refuses a block that runs past the end of RAM", () => {
    const machine = new Machine({ ramSize: 16 << 20 });
    expectUnchanged(machine, () => machine.checkUnmapped("probe", 4095, 1), "EINVAL", /out of range/);
  });

  test("accepts the last block of a 64 TiB machine", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    machine.checkUnmapped("probe", 2 ** 34 - 1024, 10);
  });
});
