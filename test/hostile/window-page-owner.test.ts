// page_owner captures the allocation and free stacks in the allocator's own frame, and the
// order-0 free writes its reference drop out inline: whatever the kit's depth on each path, the
// first frame of every stack must be the caller's function, on flat and sparse machines, for
// pages of different sections, through every way a block is freed, and in the KASAN report of a
// double free, a use after free and a stale handle.
import { expect, test } from "vitest";
import { GFP_KERNEL, Machine, __GFP_COMP } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";
import { SECTION_PAGES } from "../../src/core/memmap.js";
import { Page } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { expectUnchanged } from "../core/helpers.js";

type Debug = true | { pageOwner: true };

function owner(machine: Machine) {
  return machineFriend.internals(machine).owner!;
}

/** The function name on a stack's first line. */
function firstFunction(text: string | undefined): string {
  expect(text).toBeTypeOf("string");
  const match = /^ {4}at (?:Object\.)?([\w$.]+) /.exec(text!.split("\n")[0]!);
  expect(match, text).not.toBeNull();
  return match![1]!;
}

function allocatedByAlpha(machine: Machine, order: number): number {
  return machine.allocPages(order === 0 ? GFP_KERNEL : GFP_KERNEL | __GFP_COMP, order);
}

function freedByBeta(machine: Machine, pfn: number, order: number): boolean {
  return machine.freePages(pfn, machine.pageGen(pfn), order);
}

function putByGamma(machine: Machine, pfn: number): boolean {
  return machine.folioPut(pfn, machine.pageGen(pfn));
}

function removedByDelta(machine: Machine, mapping: number, index: number): number {
  return machine.pageCache.remove(mapping, index);
}

function releasedByEpsilon(page: Owned<Page>): void {
  page.release();
}

const configs: [string, { ramSize: number; memoryModel: "flat" | "sparse"; debug: Debug }][] = [
  ["flat, debug: true", { ramSize: 3 * SECTION_PAGES * 4096, memoryModel: "flat", debug: true }],
  ["sparse, debug: true", { ramSize: 3 * SECTION_PAGES * 4096, memoryModel: "sparse", debug: true }],
  ["sparse, pageOwner only", { ramSize: 3 * SECTION_PAGES * 4096, memoryModel: "sparse", debug: { pageOwner: true } }],
];

for (const [name, config] of configs) {
  test(`${name}: alloc and free stacks start at the caller, on every free path and in two sections`, () => {
    const machine = new Machine(config);
    // Pages in section 0 and in section 1 (the latter reached by holding a section's worth).
    const held: number[] = [];
    let far = -1;
    for (let i = 0; i < 2 * SECTION_PAGES && far < 0; i++) {
      const pfn = allocatedByAlpha(machine, 0);
      if (pfn >= SECTION_PAGES) far = pfn;
      else held.push(pfn);
    }
    expect(far).toBeGreaterThanOrEqual(SECTION_PAGES);
    const near = held.pop()!;
    for (const pfn of [near, far]) expect(firstFunction(owner(machine).allocStack(pfn))).toBe("allocatedByAlpha");
    // __free_pages, alternating sections.
    expect(freedByBeta(machine, far, 0)).toBe(true);
    expect(freedByBeta(machine, near, 0)).toBe(true);
    for (const pfn of [near, far]) expect(firstFunction(owner(machine).freeStack(pfn))).toBe("freedByBeta");
    // folio_put of a compound folio, and of an order-0 page.
    const folio = allocatedByAlpha(machine, 3);
    const single = allocatedByAlpha(machine, 0);
    expect(putByGamma(machine, folio)).toBe(true);
    expect(putByGamma(machine, single)).toBe(true);
    for (const pfn of [folio, single]) expect(firstFunction(owner(machine).freeStack(pfn))).toBe("putByGamma");
    // The page cache's remove drops the last reference.
    const cached = allocatedByAlpha(machine, 0);
    const mapping = machine.pageCache.createMapping();
    machine.pageCache.add(mapping, 9, cached, machine.pageGen(cached));
    expect(machine.freePages(cached, machine.pageGen(cached), 0)).toBe(false);
    expect(removedByDelta(machine, mapping, 9)).toBe(cached);
    expect(firstFunction(owner(machine).freeStack(cached))).toBe("removedByDelta");
    // mm's owned page.
    const page = Page.alloc(GFP_KERNEL, machine);
    const pfn = page.pfn;
    releasedByEpsilon(page);
    expect(firstFunction(owner(machine).freeStack(pfn))).toBe("releasedByEpsilon");
    for (const p of held) machine.freePages(p, machine.pageGen(p), 0);
    machine.checkConsistency();
  });

  test(`${name}: a double free's report names the allocating and the freeing callers; nothing changes`, () => {
    const machine = new Machine(config);
    const pfn = allocatedByAlpha(machine, 0);
    const gen = machine.pageGen(pfn);
    expect(freedByBeta(machine, pfn, 0)).toBe(true);
    const error = expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EINVAL", /double free/);
    expect(error.report).toMatch(/double-free/);
    const report = error.report!;
    const allocated = report.slice(report.indexOf("Allocated"));
    const freed = report.slice(report.indexOf("Freed"));
    expect(allocated).toMatch(/^Allocated[^\n]*\n {4}at (?:Object\.)?allocatedByAlpha /);
    expect(freed).toMatch(/^Freed[^\n]*\n {4}at (?:Object\.)?freedByBeta /);
    // correct use: the frame reused under a new handle, freed by it
    const again = allocatedByAlpha(machine, 0);
    expect(again).toBe(pfn);
    expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EINVAL", /double-free|stale/);
    expect(freedByBeta(machine, again, 0)).toBe(true);
    machine.checkConsistency();
  });
}
