// Numbers that are not frames, next to a live page, on both memory models: the order-0 fast paths
// leave part of the pfn check to the model's own index check (the flat map's `i === pfn`, the
// sparse map's section start), so a fraction, NaN, ±Infinity or a frame past the end must still be
// refused with EINVAL and change nothing, and -0 must name frame 0 as 0 does.
import { expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { expectUnchanged } from "../core/helpers.js";

const MODELS = ["flat", "sparse"] as const;

function bad(pfn: number, nrPages: number): readonly [string, number][] {
  return [
    ["the live pfn + 0.5", pfn + 0.5],
    ["the live pfn - 0.25", pfn - 0.25],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["-1", -1],
    ["nrPages", nrPages],
    ["2^53", 2 ** 53],
    ["2^32 + the live pfn", 2 ** 32 + pfn],
  ];
}

for (const memoryModel of MODELS) {
  test(`${memoryModel}: pageGen and the order-0 free refuse numbers that are not frames, beside a live page`, () => {
    const machine = new Machine({ ramSize: 4 << 20, memoryModel });
    // Warm the fast paths first, so the refusals below are made by the optimised order-0 paths too.
    for (let i = 0; i < 2000; i++) {
      const p = machine.allocPages(GFP_KERNEL, 0);
      machine.freePages(p, machine.pageGen(p), 0);
    }
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    for (const [name, value] of bad(pfn, machine.nrPages)) {
      expect(expectUnchanged(machine, () => machine.pageGen(value), "EINVAL").message, name).toMatch(/^page_gen: pfn /);
      expect(expectUnchanged(machine, () => machine.freePages(value, gen, 0), "EINVAL").message, name).toMatch(/^__free_pages: pfn /);
    }
    // correct use: the live page's own number, and -0 as frame 0
    expect(machine.pageGen(-0)).toBe(machine.pageGen(0));
    expect(machine.freePages(pfn, gen, 0)).toBe(true);
    expect(machine.isAllocated(pfn)).toBe(false);
  });
}
