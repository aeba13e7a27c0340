import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, __GFP_COMP } from "../../src/core/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "./helpers.js";

function setup(debug = false): { machine: Machine; pfn: number; gen: number } {
  const machine = new Machine({ ramSize: 8 << 20, debug: debug ? { pageOwner: true, poison: true } : false });
  const pfn = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
  return { machine, pfn, gen: machine.pageGen(pfn) };
}

describe("memory access", () => {
  test("write then read returns the bytes, across page boundaries inside a folio", () => {
    const { machine, pfn, gen } = setup();
    const src = Uint8Array.from({ length: 6000 }, (_, i) => i % 251);
    machine.write(pfn, gen, 3000, src);
    const dst = new Uint8Array(6000);
    machine.read(pfn, gen, 3000, dst);
    expect(dst).toEqual(src);
    machine.fill(pfn, gen, 0, 16, 7);
    const head = new Uint8Array(16);
    machine.read(pfn, gen, 0, head);
    expect([...head]).toEqual(new Array(16).fill(7));
  });

  test("view shares the memory and reaches the whole folio", () => {
    const { machine, pfn, gen } = setup();
    const view = machine.view(pfn, gen, 0, 4 * 4096);
    view[4 * 4096 - 1] = 9;
    const last = new Uint8Array(1);
    machine.read(pfn, gen, 4 * 4096 - 1, last);
    expect(last[0]).toBe(9);
  });

  test("a tail page handle reaches only its page", () => {
    const { machine, pfn } = setup();
    const tail = pfn + 1;
    const tailGen = machine.pageGen(tail);
    machine.write(tail, tailGen, 4095, new Uint8Array(1));
    expectUnchanged(machine, () => machine.write(tail, tailGen, 4095, new Uint8Array(2)), "EINVAL", /range leaves/);
  });

  test("M25: a range outside the folio or bad numbers are EINVAL and nothing is written", () => {
    const { machine, pfn, gen } = setup();
    const size = 4 * 4096;
    const before = new Uint8Array(size);
    machine.read(pfn, gen, 0, before);
    expectUnchanged(machine, () => machine.write(pfn, gen, size - 1, new Uint8Array([1, 2])), "EINVAL", /range leaves the page or folio \(pfn=\d+, offset=16383, length=2, size=16384\)/);
    expectUnchanged(machine, () => machine.read(pfn, gen, size, new Uint8Array(1)), "EINVAL", /range leaves/);
    expectUnchanged(machine, () => machine.view(pfn, gen, 0, size + 1), "EINVAL", /range leaves/);
    for (const bad of BAD_NUMBERS) {
      expectUnchanged(machine, () => machine.write(pfn, gen, bad, new Uint8Array([1])), "EINVAL", /offset/);
      expectUnchanged(machine, () => machine.fill(pfn, gen, 0, bad, 1), "EINVAL", /length/);
      expectUnchanged(machine, () => machine.fill(pfn, gen, 0, 1, bad), "EINVAL", /value/);
      expectUnchanged(machine, () => machine.read(bad, gen, 0, new Uint8Array(1)), "EINVAL", /pfn/);
    }
    expectUnchanged(machine, () => machine.fill(pfn, gen, 0, 1, 256), "EINVAL", /value/);
    const after = new Uint8Array(size);
    machine.read(pfn, gen, 0, after);
    expect(after).toEqual(before);
  });

  test("M25: a buffer that is not a Uint8Array is EINVAL and nothing is read or written", () => {
    const { machine, pfn, gen } = setup();
    machine.write(pfn, gen, 0, new Uint8Array([1, 2, 3, 4]));
    const wrong: unknown[] = [[9, 9], "ab", new Uint16Array([0x1ff, 0x2ff]), { length: 2 }, null, undefined];
    for (const buffer of wrong) {
      expectUnchanged(machine, () => machine.write(pfn, gen, 0, buffer as Uint8Array), "EINVAL", /memcpy_to_page: src is not a Uint8Array/);
      expectUnchanged(machine, () => machine.read(pfn, gen, 0, buffer as Uint8Array), "EINVAL", /memcpy_from_page: dst is not a Uint8Array/);
    }
    const into = new Uint16Array(2);
    expectKernelError(() => machine.read(pfn, gen, 0, into as unknown as Uint8Array), "EINVAL");
    expect([...into]).toEqual([0, 0]);
    const after = new Uint8Array(4);
    machine.read(pfn, gen, 0, after);
    expect([...after]).toEqual([1, 2, 3, 4]);
  });

  test("M20: reading or writing through an alias after free is EFAULT, with both stacks in debug", () => {
    const { machine, pfn, gen } = setup(true);
    const alias = { pfn, gen };
    machine.write(pfn, gen, 0, new Uint8Array([1])); // correct use while allocated
    machine.folioPut(pfn, gen);
    const error = expectUnchanged(machine, () => machine.read(alias.pfn, alias.gen, 0, new Uint8Array(4)), "EFAULT", /use after free/);
    expect(error.report).toMatch(/BUG: KASAN: use-after-free in memcpy_from_page/);
    expect(error.report).toMatch(/Read of size 4 at offset 0x0/);
    expect(error.report).toMatch(/Allocated by:\n {4}at .*access\.test\.ts/);
    expect(error.report).toMatch(/Freed by:\n {4}at .*access\.test\.ts/);
    expectUnchanged(machine, () => machine.write(alias.pfn, alias.gen, 0, new Uint8Array(1)), "EFAULT", /use after free/);
  });

  test("M20: a stale handle to a reallocated page is caught by its generation", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.freePages(pfn, gen, 0);
    const reused = machine.allocPages(GFP_KERNEL, 0);
    expect(reused).toBe(pfn);
    const error = expectUnchanged(machine, () => machine.write(pfn, gen, 0, new Uint8Array(1)), "EFAULT", /stale handle/);
    expect(error.report).toMatch(/handle gen=\d+, page gen=\d+/);
    expect(error.report).toMatch(/not recorded: create the machine with debug.pageOwner/);
  });

  test("holes and MMIO inside RAM have no memory", () => {
    const machine = new Machine({ ramSize: 1 << 20, ranges: [{ kind: "hole", start: 0, size: 4096 }] });
    expectKernelError(() => machine.read(0, 0, 0, new Uint8Array(1)), "EFAULT", /no memory/);
  });

  test("pageAddress gives the direct map of lowmem only", () => {
    const machine = new Machine({ ramSize: 8 << 20, highmemStart: 4 << 20 });
    const low = machine.allocPages(GFP_KERNEL | __GFP_COMP, 1);
    expect(machine.pageAddress(low, machine.pageGen(low))?.length).toBe(8192);
    const high = machine.allocPages(GFP_KERNEL | 0x02, 0);
    expect(machine.isHighmem(high)).toBe(true);
    expect(machine.pageAddress(high, machine.pageGen(high))).toBeNull();
    const forced = new Machine({ ramSize: 1 << 20, debug: { forceMap: true } });
    const page = forced.allocPages(GFP_KERNEL, 0);
    expect(forced.pageAddress(page, forced.pageGen(page))).toBeNull();
  });
});
