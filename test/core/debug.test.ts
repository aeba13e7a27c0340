import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, PAGE_POISON, __GFP_COMP, captureStack } from "../../src/core/index.js";
import { expectKernelError, expectUnchanged } from "./helpers.js";
import { machineFriend } from "../../src/core/machine.js";

function allocHelper(machine: Machine, order: number): number {
  return machine.allocPages(GFP_KERNEL | __GFP_COMP, order);
}

function freeHelper(machine: Machine, pfn: number, gen: number, order: number): void {
  machine.freePages(pfn, gen, order);
}

describe("debug: page_owner and KASAN-style reports", () => {
  test("M19: a double free through an alias reports the allocation and first-free stacks", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: true });
    const pfn = allocHelper(machine, 1);
    const gen = machine.pageGen(pfn);
    const alias = { pfn, gen };
    freeHelper(machine, pfn, gen, 1); // the correct, single free
    const error = expectUnchanged(machine, () => machine.freePages(alias.pfn, alias.gen, 1), "EINVAL", /double free/);
    expect(error.report).toMatch(/BUG: KASAN: double-free in __free_pages/);
    expect(error.report).toMatch(/Allocated by:\n {4}at allocHelper .*debug\.test\.ts/);
    expect(error.report).toMatch(/Freed by:\n {4}at freeHelper .*debug\.test\.ts/);
    expect(error.report).toMatch(/page: pfn:0x[0-9a-f]+ refcount:0 order:\d+ gen:1 flags: free\|(buddy\|)?poisoned/);
  });

  test("page_owner formats stacks only for a report, with the same text as captureStack", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: true });
    const previous = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = (error, frames) => {
      formatted++;
      return previous === undefined ? `${String(error)}\n${frames.map((frame) => `    at ${String(frame)}`).join("\n")}` : previous(error, frames);
    };
    try {
      const pfn = allocHelper(machine, 0);
      const gen = machine.pageGen(pfn);
      freeHelper(machine, pfn, gen, 0);
      expect(formatted).toBe(0); // allocation and free only capture
      expect(machine.memoryUsage().debugStackEntries).toBe(2);
      const error = expectKernelError(() => machine.freePages(pfn, gen, 0), "EINVAL", /double free/);
      expect(formatted).toBe(2); // the report formats the allocation and the free stack
      expect(error.report).toContain(`Allocated by:\n${machineFriend.internals(machine).owner!.allocStack(pfn)!}\n`);
      expect(error.report).toContain(`Freed by:\n${machineFriend.internals(machine).owner!.freeStack(pfn)!}\n`);
      expect(machineFriend.internals(machine).owner!.allocStack(pfn)).toMatch(/^ {4}at allocHelper .*debug\.test\.ts/);
      expect(machineFriend.internals(machine).owner!.freeStack(pfn + 1)).toBeUndefined();
      expect(captureStack()).toMatch(/^ {4}at .*debug\.test\.ts/);
    } finally {
      Error.prepareStackTrace = previous;
    }
  });

  test("a report on a never-allocated frame of a page_owner machine says so, not that page_owner is off", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    const never = 700;
    expect(machine.isAllocated(never)).toBe(false);
    const error = expectUnchanged(machine, () => machine.read(never, 0, 0, new Uint8Array(4)), "EFAULT", /use after free/);
    expect(error.report).toMatch(/Allocated by:\n {4}\(never allocated\)\n\nFreed by:\n {4}\(never freed\)\n/);
    expect(error.report).not.toMatch(/not recorded|create the machine with/);
    // A page allocated and not freed (a stale handle of a reallocated page has both stacks; this
    // alias of a live order-0 page with an old generation has only the allocation).
    const pfn = allocHelper(machine, 0);
    const stale = expectUnchanged(machine, () => machine.read(pfn, machine.pageGen(pfn) - 1, 0, new Uint8Array(1)), "EFAULT", /stale handle/);
    expect(stale.report).toMatch(/Allocated by:\n {4}at allocHelper .*debug\.test\.ts/);
    expect(stale.report).toMatch(/Freed by:\n {4}\(never freed\)\n/);
    // Without page_owner, the same access still says how to get the stacks.
    const plain = new Machine({ ramSize: 4 << 20 });
    const report = expectUnchanged(plain, () => plain.read(never, 0, 0, new Uint8Array(4)), "EFAULT", /use after free/).report;
    expect(report).toMatch(/Allocated by:\n {4}\(not recorded: create the machine with debug.pageOwner\)/);
    expect(report).not.toMatch(/never allocated/);
  });

  test("M19 without debug: still an error, with a note that stacks were not recorded", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.freePages(pfn, gen, 0);
    const error = expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EINVAL", /double free/);
    expect(error.report).toMatch(/not recorded/);
    expect(machine.memoryUsage().debugStackEntries).toBe(0);
  });

  test("a double free after the page was reallocated is caught by the generation", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.freePages(pfn, gen, 0);
    const other = machine.allocPages(GFP_KERNEL, 0);
    expect(other).toBe(pfn);
    const error = expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EINVAL", /stale handle/);
    expect(error.report).toMatch(/the page was reallocated since the handle was made/);
    expect(machine.isAllocated(other)).toBe(true);
  });
});

describe("debug: page poisoning", () => {
  test("freed pages hold the poison; allocation checks it", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { poison: true } });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.write(pfn, gen, 0, new Uint8Array([1, 2, 3]));
    machine.freePages(pfn, gen, 0);
    expect(machineFriend.internals(machine).phys.view(pfn, 0, 4)).toEqual(new Uint8Array([PAGE_POISON, PAGE_POISON, PAGE_POISON, PAGE_POISON]));
    const again = machine.allocPages(GFP_KERNEL, 0); // poison intact: fine
    expect(again).toBe(pfn);
  });

  test("a write through a stale view after free is reported at the next allocation, naming page and offset", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: true });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    const view = machine.view(pfn, gen, 0, 4096); // a JS view cannot be revoked
    machine.freePages(pfn, gen, 0);
    view[123] = 0x11; // write after free
    const error = expectKernelError(() => machine.allocPages(GFP_KERNEL, 0), "EFAULT", /poison corrupted/);
    expect(error.values).toMatchObject({ pfn, offset: 123 });
    expect(error.report).toMatch(new RegExp(`memory corruption in pfn 0x${pfn.toString(16)} at offset 0x7b`));
    expect(error.report).toMatch(/found 0x11/);
    expect(error.report).toMatch(/Freed by:\n {4}at /);
    machine.checkConsistency();
    expect(machine.allocPages(GFP_KERNEL, 0)).toBe(pfn); // reported once, then reusable
  });
});

describe("debug: leak report at teardown (M30)", () => {
  test("teardown lists every page still allocated with its order and allocation stack", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: true });
    const a = allocHelper(machine, 0);
    const b = allocHelper(machine, 3);
    const id = machine.kmapLocal(b, machine.pageGen(b));
    const error = expectUnchanged(machine, () => machine.teardown(), "EBUSY", /still held at teardown/);
    expect(error.values).toMatchObject({ leakedPages: 9, liveMappings: 1 });
    const report = error.report!;
    expect(report).toMatch(/BUG: memory leak: 2 block\(s\), 9 page\(s\) still allocated at teardown/);
    expect(report).toMatch(new RegExp(`unreferenced block pfn 0x${a.toString(16)} phys 0x[0-9a-f]+ order 0`));
    expect(report).toMatch(new RegExp(`unreferenced block pfn 0x${b.toString(16)} phys 0x[0-9a-f]+ order 3`));
    expect(report).toMatch(/allocated by:\n {4}at allocHelper/);
    expect(report).toMatch(/1 mapping\(s\) still live:\n {2}kmap_local#/);
    // correct use: release everything, then teardown succeeds and drops the backing
    machine.kunmapLocal(id);
    machine.folioPut(a, machine.pageGen(a));
    machine.folioPut(b, machine.pageGen(b));
    expect(machine.leakReport()).toBeNull();
    machine.teardown();
    expect(machine.memoryUsage().backedChunks).toBe(0);
    expect(machine.allocPages(GFP_KERNEL, 0)).toBeGreaterThanOrEqual(0); // poison flags were cleared
  });

  test("without debug the leak report still lists pages and orders", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    machine.allocPages(GFP_KERNEL, 2);
    const report = machine.leakReport()!;
    expect(report).toMatch(/order 2/);
    expect(report).toMatch(/not recorded/);
  });
});
