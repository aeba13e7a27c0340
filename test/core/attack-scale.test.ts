/**
 * Attacks on the sparse memory map and the machine facade at server scale: pfns around the 32-bit
 * and 34-bit edges, adjacent RAM ranges, reads that must not allocate, failed operations that must
 * change nothing, and what `buddyInfo` says about RAM not yet threaded. The small machines run under
 * both memory models (a machine of up to 2^18 frames is flat by default); the 64 TiB ones are sparse.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, MAX_PAGE_ORDER, PG_free, PG_locked, __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN } from "../../src/core/index.js";
import { expectKernelError, expectUnchanged } from "./helpers.js";

const TIB = 2 ** 40;
const SECTION = 2 ** 15;

/** The memory models every small-machine test runs under. */
const MODELS = ["flat", "sparse"] as const;

/** The free blocks `buddyInfo` reports, as pages: must add up to its `pages`. */
function blockPages(row: readonly number[]): number {
  return row.reduce((sum, count, order) => sum + count * 2 ** order, 0);
}

describe.each(MODELS)("adjacent RAM ranges (%s)", (memoryModel) => {
  test("an explicit `ram` range inside RAM does not split the memory the allocator can merge", () => {
    // Segments [0,100), [100,101), [101,1024) are all RAM: one order-10 block, as without the range.
    const machine = new Machine({ ramSize: 4 << 20, memoryModel, ranges: [{ kind: "ram", start: 100 * 4096, size: 4096 }] });
    const pfn = machine.allocPages(GFP_KERNEL, MAX_PAGE_ORDER);
    expect(pfn).toBe(0);
    machine.freePages(pfn, machine.pageGen(pfn), MAX_PAGE_ORDER);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("the same after part of the RAM was threaded by a smaller allocation", () => {
    const machine = new Machine({ ramSize: 4 << 20, memoryModel, ranges: [{ kind: "ram", start: 100 * 4096, size: 4096 }] });
    const small = machine.allocPages(GFP_KERNEL, 0);
    machine.freePages(small, machine.pageGen(small), 0);
    const pfn = machine.allocPages(GFP_KERNEL, MAX_PAGE_ORDER);
    expect(pfn).toBe(0);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

describe.each(MODELS)("buddyInfo counts RAM not yet threaded (%s)", (memoryModel) => {
  test("a fresh machine reports its free blocks by order, adding up to its free pages", () => {
    const machine = new Machine({ ramSize: 16 << 20, memoryModel });
    const info = machine.buddyInfo();
    expect(info.free[0]![MAX_PAGE_ORDER]).toBe(4);
    expect(blockPages(info.free[0]!)).toBe(info.pages[0]);
  });

  test("an allocation failure reports the largest free order, counting pending RAM", () => {
    // RAM [0, 100) only in NORMAL: order-6 blocks exist but not order 7.
    const machine = new Machine({ ramSize: 4 << 20, memoryModel, ranges: [{ kind: "reserved", start: 100 * 4096, size: 924 * 4096 }] });
    const error = expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 7), "ENOMEM");
    expect(error.values).toMatchObject({ freePages: 100, largestFree: 6 });
  });
});

describe("buddyInfo counts RAM not yet threaded (64 TiB, sparse)", () => {
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
});

describe.each(MODELS)("checkUnmapped on a small machine (%s)", (memoryModel) => {
  test.each([
    ["beyond RAM", 2 ** 32],
    ["2^53 - 1", 2 ** 53 - 1],
  ])("refuses a pfn %s", (_, pfn) => {
    const machine = new Machine({ ramSize: 16 << 20, memoryModel });
    expectUnchanged(machine, () => machine.checkUnmapped("probe", pfn, 0), "EINVAL", /pfn is out of range/);
  });

  test("refuses a block that runs past the end of RAM", () => {
    const machine = new Machine({ ramSize: 16 << 20, memoryModel });
    expectUnchanged(machine, () => machine.checkUnmapped("probe", 4095, 1), "EINVAL", /out of range/);
  });
});

describe("checkUnmapped on a 64 TiB machine", () => {
  test("refuses a pfn one past the end", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    expectUnchanged(machine, () => machine.checkUnmapped("probe", 2 ** 34, 0), "EINVAL", /pfn is out of range/);
  });

  test("accepts the last block of a 64 TiB machine", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    machine.checkUnmapped("probe", 2 ** 34 - 1024, 10);
  });
});

describe.each(MODELS)("random operation sequences over a machine of a few sections (%s)", (memoryModel) => {
  // A machine of a few sections whose layout has every seam: RAM ranges that touch, a reserved
  // range across a section boundary, a hole, HIGHMEM starting inside a section, an odd last section.
  const config = {
    memoryModel,
    ramSize: (4 * SECTION + 777) * 4096,
    highmemStart: (2 * SECTION + 5) * 4096,
    ranges: [
      { kind: "ram" as const, start: 100 * 4096, size: 3 * 4096 },
      { kind: "reserved" as const, start: (SECTION - 3) * 4096, size: 7 * 4096 },
      { kind: "hole" as const, start: (3 * SECTION + 1000) * 4096, size: 3000 * 4096 },
    ],
  };
  const op = fc.oneof(
    fc.record({ kind: fc.constant("alloc" as const), order: fc.integer({ min: 0, max: MAX_PAGE_ORDER }), high: fc.boolean(), comp: fc.boolean() }),
    fc.record({ kind: fc.constant("free" as const), index: fc.nat(), wrongOrder: fc.boolean() }),
    fc.record({ kind: fc.constant("stale" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("probe" as const), pfn: fc.oneof(fc.nat({ max: 4 * SECTION + 800 }), fc.constantFrom(SECTION - 1, SECTION, 2 * SECTION + 4, 2 ** 32, 2 ** 34 - 1)) }),
  );

  test("leave the machine consistent; every failure changes nothing; reads allocate nothing", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const machine = new Machine(config);
        expect(machine.config.memoryModel).toBe(memoryModel);
        const fresh = machine.nrFreePages();
        const live: { pfn: number; gen: number; order: number }[] = [];
        const dead: { pfn: number; gen: number; order: number }[] = [];
        for (const step of ops) {
          if (step.kind === "alloc") {
            const gfp = GFP_KERNEL | __GFP_NOWARN | (step.high ? __GFP_HIGHMEM : 0) | (step.comp ? __GFP_COMP : 0);
            const before = machine.stateDigest();
            try {
              const pfn = machine.allocPages(gfp, step.order);
              live.push({ pfn, gen: machine.pageGen(pfn), order: step.order });
            } catch {
              expect(machine.stateDigest()).toBe(before);
            }
          } else if (step.kind === "free" && live.length > 0) {
            const [block] = live.splice(step.index % live.length, 1);
            if (step.wrongOrder) {
              const wrong = (block!.order + 1) % (MAX_PAGE_ORDER + 1);
              expectUnchanged(machine, () => machine.freePages(block!.pfn, block!.gen, wrong), "EINVAL");
            }
            expect(machine.freePages(block!.pfn, block!.gen, block!.order)).toBe(true);
            dead.push(block!);
          } else if (step.kind === "stale" && dead.length > 0) {
            const block = dead[step.index % dead.length]!;
            const before = machine.stateDigest();
            expect(() => machine.read(block.pfn, block.gen, 0, new Uint8Array(1))).toThrow();
            expect(() => machine.freePages(block.pfn, block.gen, block.order)).toThrow();
            expect(machine.stateDigest()).toBe(before);
          } else if (step.kind === "probe") {
            const usage = machine.memoryUsage();
            const before = machine.stateDigest();
            if (step.pfn < machine.nrPages) {
              machine.pageFlags(step.pfn);
              machine.refCount(step.pfn);
              machine.isAllocated(step.pfn);
              machine.blockHead(step.pfn);
              machine.pageGen(step.pfn);
            } else {
              expectKernelError(() => machine.pageFlags(step.pfn), "EINVAL");
            }
            machine.kindOf(step.pfn);
            machine.leakReport();
            machine.buddyInfo();
            expect(machine.memoryUsage()).toEqual(usage);
            expect(machine.stateDigest()).toBe(before);
          }
          const info = machine.buddyInfo();
          for (const zone of [0, 1]) expect(blockPages(info.free[zone]!)).toBe(info.pages[zone]);
        }
        expect(machine.consistencyProblems()).toEqual([]);
        for (const block of live) machine.freePages(block.pfn, block.gen, block.order);
        expect(machine.nrFreePages()).toBe(fresh);
        expect(machine.leakReport()).toBeNull();
        expect(machine.consistencyProblems()).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(MODELS)("exhausting a machine of a few sections (%s)", (memoryModel) => {
  const config = {
    memoryModel,
    ramSize: (3 * SECTION + 777) * 4096,
    highmemStart: (2 * SECTION - 5) * 4096,
    ranges: [
      { kind: "reserved" as const, start: (SECTION - 3) * 4096, size: 7 * 4096 },
      { kind: "hole" as const, start: (2 * SECTION + 1000) * 4096, size: 3000 * 4096 },
    ],
  };
  test.each([0, 1, 3, 9, 10].flatMap((order) => [[order, false], [order, true]] as const))(
    "order %i (HIGHMEM %s): the failure at the edge changes nothing; freeing all gives every page back",
    (order, high) => {
      const machine = new Machine(config);
      const fresh = new Machine(config);
      expect(machine.config.memoryModel).toBe(memoryModel);
      const free = machine.nrFreePages();
      const gfp = GFP_KERNEL | __GFP_NOWARN | (high ? __GFP_HIGHMEM : 0);
      const zonePages = fresh.buddyInfo().pages[0]! + (high ? fresh.buddyInfo().pages[1]! : 0);
      const blocks: [number, number][] = [];
      for (;;) {
        // The digest walks every touched section: taken only near the end, where the failure comes.
        const left = zonePages - blocks.length * 2 ** order;
        const before = left < 4 * 2 ** order + 200 || order >= 9 ? machine.stateDigest() : undefined;
        const usage = before === undefined ? undefined : machine.memoryUsage();
        try {
          const pfn = machine.allocPages(gfp, order);
          blocks.push([pfn, machine.pageGen(pfn)]);
        } catch (error) {
          // The first failure changes nothing: no section materialised, no pending RAM threaded, no
          // hot list drained in vain.
          expect((error as { errno?: string }).errno).toBe("ENOMEM");
          expect(before).toBeDefined();
          expect(machine.stateDigest()).toBe(before);
          expect(machine.memoryUsage()).toEqual(usage);
          break;
        }
      }
      expectUnchanged(machine, () => machine.allocPages(gfp, order), "ENOMEM");
      expect(blocks.length).toBeGreaterThan(0);
      // Every block of that order the zones could give was given.
      const zones = high ? [0, 1] : [0];
      const expected = zones.reduce((sum, zone) => sum + fresh.buddyInfo().free[zone]!.reduce((n, count, o) => n + (o >= order ? count * 2 ** (o - order) : 0), 0), 0);
      expect(blocks.length).toBe(expected);
      expect(machine.consistencyProblems()).toEqual([]);
      for (const [pfn, gen] of blocks) machine.freePages(pfn, gen, order);
      expect(machine.nrFreePages()).toBe(free);
      expect(machine.leakReport()).toBeNull();
      expect(machine.consistencyProblems()).toEqual([]);
      // The free lists now hold what the pending RAM stood for (order-0 frees park on the hot lists).
      if (order > 0) expect(machine.buddyInfo()).toEqual(fresh.buddyInfo());
    },
    30_000,
  );
});

describe.each(MODELS)("the facade's own state (%s)", (memoryModel) => {
  test("the services and the current CPU are not properties a caller can reach or overwrite", () => {
    const machine = new Machine({ ramSize: 4 << 20, cpus: 2, memoryModel });
    for (const name of ["cpu", "alloc", "handles", "flags", "highmem", "access"]) {
      expect(Object.getOwnPropertyNames(machine)).not.toContain(name);
      expect(name in machine).toBe(false);
    }
    // A caller's property of that name is only that: the machine still runs on CPU 0 and maps there.
    (machine as unknown as { cpu: number }).cpu = 99;
    expect(machine.currentCpu).toBe(0);
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    const id = machine.kmapLocal(pfn, gen);
    expect(machine.kmapLocalDepth(0)).toBe(1);
    machine.kunmapLocal(id);
    machine.freePages(pfn, gen, 0);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

describe("digests and sections", () => {
  test("two machines with the same logical state have one digest, whatever sections each grew", () => {
    const config = { ramSize: 64 * TIB, ranges: [{ kind: "reserved" as const, start: (2 ** 32 - 2) * 4096, size: 4 * 4096 }] };
    const a = new Machine(config);
    const b = new Machine(config);
    // A flag set and cleared on a reserved frame above 2^32 materialises its section in `a` only.
    const reserved = 2 ** 32 + 1;
    a.setPageFlag(reserved, 0, PG_locked);
    a.clearPageFlag(reserved, 0, PG_locked);
    expect(a.memoryUsage().metadataBytes).toBeGreaterThan(b.memoryUsage().metadataBytes);
    expect(a.stateDigest()).toBe(b.stateDigest());
    expect(a.consistencyProblems()).toEqual([]);
  });

  test("failures on far frames of a 64 TiB machine allocate nothing and change nothing", () => {
    const machine = new Machine({ ramSize: 64 * TIB, highmemStart: 2 ** 44, debug: { pageOwner: true, poison: true } });
    const usage = machine.memoryUsage();
    for (const pfn of [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 34 - 1024, 2 ** 34 - 1]) {
      expectUnchanged(machine, () => machine.read(pfn, 0, 0, new Uint8Array(1)), "EFAULT");
      expectUnchanged(machine, () => machine.freePages(pfn, 0, 0), "EINVAL");
      expectUnchanged(machine, () => machine.folioPut(pfn, 0), "ERANGE");
      expectUnchanged(machine, () => machine.setPageFlag(pfn, 0, PG_locked), "EFAULT");
      expectUnchanged(machine, () => machine.kmap(pfn, 0), "EFAULT");
      expect([machine.pageFlags(pfn), machine.refCount(pfn), machine.pageGen(pfn), machine.isAllocated(pfn)]).toEqual([PG_free, 0, 0, false]);
    }
    expectUnchanged(machine, () => machine.freePages(2 ** 34 - 1024, 0, MAX_PAGE_ORDER), "EINVAL");
    expect(machine.leakReport()).toBeNull();
    expect(machine.memoryUsage()).toEqual(usage);
  });
});
