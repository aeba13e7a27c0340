// The order-0 fast paths index a window of the memory map (the whole map when flat, one section
// when sparse) that moves with the pages. Attacks on the window: pages hopping between sections,
// stale handles across a move, a link of 2^32 or more written into the window's section after the
// window was taken, numbers that only look like frames of the window, and mapping ids (which live
// in a page's link) running out.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";
import { SECTION_PAGES } from "../../src/core/memmap.js";
import { expectKernelError, expectUnchanged } from "./helpers.js";

/** Three sections' worth of RAM: order-0 pages come from more than one section. */
const RAM = 3 * SECTION_PAGES * 4096;

type Op = { kind: "alloc" } | { kind: "free"; at: number } | { kind: "stale"; at: number } | { kind: "gen"; pfn: number };

/** Runs the ops on a machine; returns what each op gave back or threw, as text. */
function run(memoryModel: "flat" | "sparse", warm: number, ops: readonly Op[]): string[] {
  const machine = new Machine({ ramSize: RAM, memoryModel });
  const live: [pfn: number, gen: number][] = [];
  const dead: [pfn: number, gen: number][] = [];
  const out: string[] = [];
  // Enough pages first that the hot list hands out frames of the first two sections.
  for (let i = 0; i < warm; i++) {
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    live.push([pfn, machine.pageGen(pfn)]);
  }
  for (const op of ops) {
    try {
      if (op.kind === "alloc") {
        const pfn = machine.allocPages(GFP_KERNEL, 0);
        live.push([pfn, machine.pageGen(pfn)]);
        out.push(`alloc ${pfn}`);
      } else if (op.kind === "free" && live.length > 0) {
        // Alternate ends of the list: consecutive frees land in different sections.
        const [pfn, gen] = live.splice(op.at % 2 === 0 ? 0 : live.length - 1, 1)[0]!;
        out.push(`free ${pfn} ${String(machine.freePages(pfn, gen, 0))}`);
        dead.push([pfn, gen]);
      } else if (op.kind === "stale" && dead.length > 0) {
        const [pfn, gen] = dead[op.at % dead.length]!;
        out.push(`stale ${pfn} ${String(machine.freePages(pfn, gen, 0))}`);
      } else if (op.kind === "gen") {
        out.push(`gen ${op.pfn} ${machine.pageGen(op.pfn)}`);
      }
    } catch (error) {
      out.push(`${op.kind} threw ${(error as { errno?: string }).errno ?? String(error)}`);
    }
  }
  machine.checkConsistency();
  out.push(`free pages ${machine.nrFreePages()}`);
  return out;
}

describe("the order-0 window", () => {
  test("property: pages hopping between sections give the same results on a sparse and a flat map", () => {
    const op = fc.oneof(
      fc.constant<Op>({ kind: "alloc" }),
      fc.nat(1000).map<Op>((at) => ({ kind: "free", at })),
      fc.nat(1000).map<Op>((at) => ({ kind: "stale", at })),
      fc.integer({ min: -2, max: 3 * SECTION_PAGES + 2 }).map<Op>((pfn) => ({ kind: "gen", pfn })),
      fc.double({ noNaN: false }).map<Op>((pfn) => ({ kind: "gen", pfn })),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
        const sparse = run("sparse", SECTION_PAGES + 64, ops);
        expect(sparse).toEqual(run("flat", SECTION_PAGES + 64, ops));
      }),
      { numRuns: 15 },
    );
  });

  test("frees alternating between two sections are exact, and a stale handle is caught after the window moved", () => {
    const out = run("sparse", SECTION_PAGES + 64, [
      { kind: "free", at: 0 },
      { kind: "free", at: 1 },
      { kind: "free", at: 0 },
      { kind: "free", at: 1 },
      { kind: "stale", at: 0 },
      { kind: "alloc" },
      { kind: "stale", at: 1 },
    ]);
    const frees = out.filter((line) => line.startsWith("free ") && !line.startsWith("free pages")).map((line) => Number(line.split(" ")[1]));
    expect(frees.some((pfn) => pfn < SECTION_PAGES)).toBe(true);
    expect(frees.some((pfn) => pfn >= SECTION_PAGES)).toBe(true);
    expect(out.filter((line) => line.startsWith("stale"))).toEqual(["stale threw EINVAL", "stale threw EINVAL"]);
  });

  for (const memoryModel of ["flat", "sparse"] as const) {
    test(`${memoryModel}: a page whose link is 2^32 or more is not freed by the fast path`, () => {
      const machine = new Machine({ ramSize: 16 << 20, memoryModel });
      const { mem } = machineFriend.internals(machine);
      // Warm the fast path, and take the window on this page's section.
      for (let i = 0; i < 200; i++) {
        const p = machine.allocPages(GFP_KERNEL, 0);
        machine.freePages(p, machine.pageGen(p), 0);
      }
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      const gen = machine.pageGen(pfn);
      // As a page-cache page of mapping 2^32 would be (its low link word is 0). A flat map's links
      // are u32 words, which is why mapping ids stop below 2^32 (next test); a sparse map keeps
      // the high part, made here after the window was taken.
      if (memoryModel === "sparse") {
        mem.setLink0(pfn, 2 ** 32);
        expect(mem.link0(pfn)).toBe(2 ** 32);
        expect(expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EBUSY").message).toMatch(/still in the page cache/);
        mem.setLink0(pfn, 0);
      }
      mem.setLink0(pfn, 7);
      expect(expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EBUSY").message).toMatch(/still in the page cache/);
      // correct use: unlinked, it is freed
      mem.setLink0(pfn, 0);
      expect(machine.freePages(pfn, gen, 0)).toBe(true);
      expect(machine.isAllocated(pfn)).toBe(false);
      machine.checkConsistency();
    });
  }

  test("mapping ids stop below 2^32 (a cached page's link holds one): ENOSPC, nothing changed", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    const cache = machineFriend.internals(machine).pageCache as unknown as { nextId: number; createMapping(): number };
    cache.nextId = 0xffffffff;
    // correct use: the last id is handed out
    expect(cache.createMapping()).toBe(0xffffffff);
    expectKernelError(() => cache.createMapping(), "ENOSPC");
    expectKernelError(() => cache.createMapping(), "ENOSPC");
    expect(cache.nextId).toBe(0x100000000);
  });
});
