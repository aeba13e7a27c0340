// The order-0 fast paths index a window of the memory map (the whole flat map, or one sparse
// section) and leave the pfn check to the window's index check `i >>> 0 === i && i < winPages`.
// Attacks on that window: frames next to its edges and next to section edges, frames above 2^31
// and 2^32, values that are no frames at all (-0 included, which must name frame 0 exactly as 0
// does), stale handles and double frees after the window moved to another section, frees in an
// untouched section (no metadata may be made), HIGHMEM inside the window's section, page-cache
// pages, compound tails, reserved and hole frames, and the generation's carry.
import { describe, expect, test } from "vitest";
import { GFP_KERNEL, GFP_HIGHUSER, Machine, PG_locked, __GFP_COMP } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";
import { GEN_WRAP, PG_free, SECTION_PAGES } from "../../src/core/memmap.js";
import { KernelError } from "../../src/errors.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const TIB = 2 ** 40;
const GIB = 2 ** 30;
const MODELS = ["flat", "sparse"] as const;

/** Allocates and frees order-0 pages so the fast paths are warm (and optimised) before an attack. */
function warm(machine: Machine, rounds = 3000): void {
  for (let i = 0; i < rounds; i++) {
    const p = machine.allocPages(GFP_KERNEL, 0);
    machine.freePages(p, machine.pageGen(p), 0);
  }
}

/** Allocates order-0 pages until one lies in `[lo, hi)`; the others stay allocated (returned too). */
function allocIn(machine: Machine, lo: number, hi: number, limit = 4 * SECTION_PAGES): { pfn: number; held: number[] } {
  const held: number[] = [];
  for (let i = 0; i < limit; i++) {
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    if (pfn >= lo && pfn < hi) return { pfn, held };
    held.push(pfn);
  }
  throw new Error(`no order-0 page in [${lo}, ${hi})`);
}

function freeAll(machine: Machine, pfns: readonly number[]): void {
  for (const pfn of pfns) machine.freePages(pfn, machine.pageGen(pfn), 0);
}

describe("-0 as a pfn names frame 0, and is never handed back as -0", () => {
  // A number that the checks accept as frame 0 must leave the machine exactly as frame 0 would: the
  // same state digest, and later allocations return +0, on every memory model and machine size.
  const configs = [
    ["flat, 4 MiB", { ramSize: 4 << 20, memoryModel: "flat" as const }],
    ["sparse, 4 MiB", { ramSize: 4 << 20, memoryModel: "sparse" as const }],
    // Above 2^31 frames the hot list is a Float64Array, which keeps the sign of zero.
    ["sparse, 64 TiB", { ramSize: 64 * TIB, ranges: [{ kind: "reserved" as const, start: 16 * 4096, size: 64 * TIB - 16 * 4096 - GIB }] }],
  ] as const;

  for (const [name, config] of configs) {
    for (const path of ["fast", "slow (a kmap is live)", "folio_put"] as const) {
      test(`${name}: order-0 free of -0 on the ${path} path`, () => {
        const twins = [0, -0].map((zero) => {
          const machine = new Machine(config);
          const pins: number[] = [];
          const { pfn, held } = allocIn(machine, 0, 1);
          expect(pfn).toBe(0);
          // A page kept mapped holds every free off the fast path.
          let mapped = -1;
          if (path.startsWith("slow")) {
            mapped = held.length > 0 ? held[0]! : machine.allocPages(GFP_KERNEL, 0);
            if (held.length === 0) pins.push(mapped);
            machine.kmap(mapped, machine.pageGen(mapped));
          }
          const gen = machine.pageGen(zero);
          expect(path === "folio_put" ? machine.folioPut(zero, gen) : machine.freePages(zero, gen, 0)).toBe(true);
          if (mapped >= 0) machine.kunmap(mapped, machine.pageGen(mapped));
          const digest = machine.stateDigest();
          const again = machine.allocPages(GFP_KERNEL, 0);
          freeAll(machine, [...held, ...pins]);
          return { digest, again };
        });
        expect(twins[1]!.digest).toBe(twins[0]!.digest);
        expect(Object.is(twins[0]!.again, 0)).toBe(true);
        expect(Object.is(twins[1]!.again, 0)).toBe(true);
      });
    }
  }

  for (const memoryModel of MODELS) {
    test(`${memoryModel}: a block of order 10 freed as -0 comes back as +0, with the digest of a +0 free`, () => {
      const twins = [0, -0].map((zero) => {
        const machine = new Machine({ ramSize: 4 << 20, memoryModel });
        expect(machine.allocPages(GFP_KERNEL, 10)).toBe(0);
        expect(machine.freePages(zero, machine.pageGen(0), 10)).toBe(true);
        const digest = machine.stateDigest();
        const again = machine.allocPages(GFP_KERNEL, 10);
        machine.checkConsistency();
        return { digest, again };
      });
      expect(twins[1]!.digest).toBe(twins[0]!.digest);
      expect(Object.is(twins[1]!.again, 0)).toBe(true);
    });

    test(`${memoryModel}: a folio cached as -0 is found, removed and reallocated as +0`, () => {
      const machine = new Machine({ ramSize: 4 << 20, memoryModel });
      expect(machine.allocPages(GFP_KERNEL, 10)).toBe(0);
      const cache = machine.pageCache;
      const mapping = cache.createMapping();
      cache.add(mapping, 0, -0, machine.pageGen(0));
      expect(Object.is(cache.lookup(mapping, 0), 0)).toBe(true);
      // correct use: the cache's reference and the allocation's are dropped, the block is free
      expect(Object.is(cache.remove(mapping, 0), 0)).toBe(true);
      expect(machine.freePages(0, machine.pageGen(0), 10)).toBe(true);
      expect(Object.is(machine.allocPages(GFP_KERNEL, 10), 0)).toBe(true);
      machine.checkConsistency();
    });
  }
});

describe("frames next to the window's and the sections' edges", () => {
  for (const memoryModel of MODELS) {
    test(`${memoryModel}: pageGen and free at 32768k ± 1 with the window in each section`, () => {
      // Four sections and a short fifth; a reserved frame and a hole right at section edges.
      const nr = 4 * SECTION_PAGES + 100;
      const machine = new Machine({
        ramSize: nr * 4096,
        memoryModel,
        ranges: [
          { kind: "reserved", start: (2 * SECTION_PAGES - 1) * 4096, size: 4096 },
          { kind: "hole", start: 3 * SECTION_PAGES * 4096, size: 4096 },
        ],
      });
      warm(machine);
      const held: number[] = [];
      const live: [pfn: number, gen: number][] = [];
      // A live page in each of the first four sections (the window moves as they are allocated).
      for (let k = 0; k < 4; k++) {
        const { pfn, held: more } = allocIn(machine, k * SECTION_PAGES, (k + 1) * SECTION_PAGES, 6 * SECTION_PAGES);
        held.push(...more);
        live.push([pfn, machine.pageGen(pfn)]);
      }
      const edges: number[] = [];
      for (let k = 0; k <= 5; k++) for (const d of [-1, 0, 1]) edges.push(k * SECTION_PAGES + d);
      edges.push(nr - 1, nr, nr + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + live[1]![0]);
      for (const [pfn, gen] of live) {
        // Take the window on this page's section, through both paths.
        expect(machine.pageGen(pfn)).toBe(gen);
        // Every attempt below fails; the digest (costly on four sections) is compared per batch.
        const digest = machine.stateDigest();
        for (const edge of edges) {
          if (edge < 0 || edge >= nr) {
            expectKernelError(() => machine.pageGen(edge), "EINVAL", /^page_gen: pfn /);
            expectKernelError(() => machine.freePages(edge, gen, 0), "EINVAL", /^__free_pages: pfn /);
            continue;
          }
          expect(machine.pageGen(edge)).toBe(machineFriend.internals(machine).mem.gen(edge));
          if (machine.isAllocated(edge) && edge !== pfn) {
            // Another live page named with this page's generation: a stale handle unless the gens agree.
            if (machine.pageGen(edge) !== gen) expectKernelError(() => machine.freePages(edge, gen, 0), "EINVAL", /double-free/);
          } else if (!machine.isAllocated(edge)) {
            const flags = machine.pageFlags(edge);
            const errno = (flags & PG_free) !== 0 ? "EINVAL" : machine.pageIsRam(edge) ? "EINVAL" : "EFAULT";
            expectKernelError(() => machine.freePages(edge, machine.pageGen(edge), 0), errno);
          }
        }
        expect(machine.stateDigest()).toBe(digest);
        // correct use: the page itself (with the window possibly elsewhere after the misses)
        expect(machine.pageGen(pfn)).toBe(gen);
      }
      for (const [pfn, gen] of live) expect(machine.freePages(pfn, gen, 0)).toBe(true);
      freeAll(machine, held);
      machine.checkConsistency();
      expect(machine.nrFreePages()).toBe(nr - 2);
    });
  }

  test("sparse, 64 TiB: frames at and around 2^31, 2^32 and the last section, with the window on each", () => {
    // RAM only in five windows of one section each (everything else reserved).
    const starts = [2 ** 31 - SECTION_PAGES, 2 ** 31, 2 ** 32 - SECTION_PAGES, 2 ** 32, 2 ** 34 - SECTION_PAGES];
    const ranges = [];
    let at = 0;
    for (const s of starts) {
      if (s > at) ranges.push({ kind: "reserved" as const, start: at * 4096, size: (s - at) * 4096 });
      at = s + SECTION_PAGES;
    }
    const machine = new Machine({ ramSize: 64 * TIB, ranges });
    const { mem } = machineFriend.internals(machine);
    const pages: [number, number][] = [];
    // Order-0 pages from every RAM section: the hot list hands out the lowest section first, so
    // allocate enough to reach each one (held, then freed).
    const held: number[] = [];
    for (const s of starts) {
      const { pfn, held: more } = allocIn(machine, s, s + SECTION_PAGES, 6 * SECTION_PAGES);
      held.push(...more);
      pages.push([pfn, machine.pageGen(pfn)]);
    }
    for (const [pfn, gen] of pages) {
      expect(machine.pageGen(pfn)).toBe(gen);
      const digest = machine.stateDigest();
      const s = pfn - (pfn % SECTION_PAGES);
      for (const edge of [s - 1, s, s + SECTION_PAGES - 1, s + SECTION_PAGES, pfn - 2 ** 32, pfn + 2 ** 32, pfn + 0.5, pfn - 2 ** -20, pfn + 2 ** 31]) {
        const bytes = mem.bytes();
        if (!Number.isSafeInteger(edge) || edge < 0 || edge >= machine.nrPages) {
          expectKernelError(() => machine.pageGen(edge), "EINVAL");
          expectKernelError(() => machine.freePages(edge, gen, 0), "EINVAL");
        } else {
          expect(machine.pageGen(edge)).toBe(mem.gen(edge));
          // Another frame named with this page's generation: refused unless it is a live page of
          // that same generation (then the handle is genuinely its own).
          if (edge !== pfn && !(machine.isAllocated(edge) && machine.pageGen(edge) === gen)) {
            expectKernelError(() => machine.freePages(edge, gen, 0), machine.pageIsRam(edge) ? "EINVAL" : "EFAULT");
          }
        }
        // A refused number makes no metadata.
        expect(mem.bytes()).toBe(bytes);
      }
      expect(machine.stateDigest()).toBe(digest);
    }
    // Double frees and uses after free, each with the window on another page's section.
    for (const [pfn, gen] of pages) expect(machine.freePages(pfn, gen, 0)).toBe(true);
    const digest = machine.stateDigest();
    for (const [pfn, gen] of pages) {
      expectKernelError(() => machine.freePages(pfn, gen, 0), "EINVAL", /double-free/);
      expectKernelError(() => machine.read(pfn, gen, 0, new Uint8Array(1)), "EFAULT");
    }
    expect(machine.stateDigest()).toBe(digest);
    freeAll(machine, held);
    machine.checkConsistency();
  });
});

describe("frees in a section the window does not hold", () => {
  test("sparse, 64 TiB: a free or pageGen in an untouched section makes no metadata and changes nothing", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    const { mem } = machineFriend.internals(machine);
    warm(machine, 500);
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    const bytes = mem.bytes();
    const sections = mem.sectionCount();
    for (const far of [SECTION_PAGES * 1000, SECTION_PAGES * 1000 + 1, 2 ** 32, 2 ** 33 + 5, 2 ** 34 - 1]) {
      expect(machine.pageGen(far)).toBe(0);
      expectUnchanged(machine, () => machine.freePages(far, 0, 0), "EINVAL", /double-free/);
      expectUnchanged(machine, () => machine.freePages(far, gen, 0), "EINVAL");
      expectUnchanged(machine, () => machine.freePages(far, 1, 0), "EINVAL");
      expectUnchanged(machine, () => machine.folioPut(far, 0), "ERANGE");
      // The next order-0 free right after the miss must still be exact.
      expect(mem.bytes()).toBe(bytes);
      expect(mem.sectionCount()).toBe(sections);
    }
    // correct use: the live page is freed on the window it had before the misses
    expect(machine.freePages(pfn, gen, 0)).toBe(true);
    expect(machine.isAllocated(pfn)).toBe(false);
    expect(mem.bytes()).toBe(bytes);
    machine.checkConsistency();
  });

  for (const memoryModel of MODELS) {
    test(`${memoryModel}: double frees and stale frees alternate between sections with the window moving each time`, () => {
      const machine = new Machine({ ramSize: 3 * SECTION_PAGES * 4096, memoryModel });
      const a = allocIn(machine, 0, SECTION_PAGES, 3 * SECTION_PAGES);
      const b = allocIn(machine, SECTION_PAGES, 2 * SECTION_PAGES, 3 * SECTION_PAGES);
      const held = [...a.held, ...b.held];
      const ga = machine.pageGen(a.pfn);
      const gb = machine.pageGen(b.pfn);
      expect(machine.freePages(a.pfn, ga, 0)).toBe(true);
      expect(machine.freePages(b.pfn, gb, 0)).toBe(true);
      for (let i = 0; i < 4; i++) {
        expectUnchanged(machine, () => machine.freePages(a.pfn, ga, 0), "EINVAL", /double-free/);
        expectUnchanged(machine, () => machine.freePages(b.pfn, gb, 0), "EINVAL", /double-free/);
      }
      // Both frames come back from the hot list (last freed first), each with gen + 1.
      const b2 = machine.allocPages(GFP_KERNEL, 0);
      const a2 = machine.allocPages(GFP_KERNEL, 0);
      expect([b2, a2]).toEqual([b.pfn, a.pfn]);
      expect([machine.pageGen(a2), machine.pageGen(b2)]).toEqual([ga + 1, gb + 1]);
      expectUnchanged(machine, () => machine.freePages(a.pfn, ga, 0), "EINVAL", /double-free/);
      expectUnchanged(machine, () => machine.freePages(b.pfn, gb, 0), "EINVAL", /double-free/);
      // correct use: the new handles
      expect(machine.freePages(a2, ga + 1, 0)).toBe(true);
      expect(machine.freePages(b2, gb + 1, 0)).toBe(true);
      freeAll(machine, held);
      machine.checkConsistency();
      expect(machine.nrFreePages()).toBe(3 * SECTION_PAGES);
    });
  }
});

describe("pages the fast free must send to the checked path, inside the window", () => {
  test("HIGHMEM starting inside a section: a HIGHMEM page in the window's section goes back to HIGHMEM", () => {
    const highmemPfn = SECTION_PAGES + 40;
    for (const memoryModel of MODELS) {
      const machine = new Machine({ ramSize: 2 * SECTION_PAGES * 4096, memoryModel, highmemStart: highmemPfn * 4096 });
      // A lowmem page of section 1 takes the window there.
      const low = allocIn(machine, SECTION_PAGES, highmemPfn, 2 * SECTION_PAGES);
      const high = machine.allocPages(GFP_HIGHUSER, 0);
      expect(high).toBeGreaterThanOrEqual(highmemPfn);
      expect(Math.floor(high / SECTION_PAGES)).toBe(1);
      const before = machine.buddyInfo().pages;
      expect(machine.freePages(low.pfn, machine.pageGen(low.pfn), 0)).toBe(true);
      expect(machine.freePages(high, machine.pageGen(high), 0)).toBe(true);
      const after = machine.buddyInfo().pages;
      expect([after[0]! - before[0]!, after[1]! - before[1]!]).toEqual([1, 1]);
      // The next lowmem order-0 page is the lowmem one, never the HIGHMEM frame.
      expect(machine.allocPages(GFP_KERNEL, 0)).toBe(low.pfn);
      expect(machine.allocPages(GFP_HIGHUSER, 0)).toBe(high);
      machine.checkConsistency();
    }
  });

  for (const memoryModel of MODELS) {
    test(`${memoryModel}: a cached page (mapping 0xFFFFFFFF, the last id) is not freed by __free_pages`, () => {
      const machine = new Machine({ ramSize: 4 << 20, memoryModel });
      warm(machine);
      const cache = machineFriend.internals(machine).pageCache as unknown as { nextId: number };
      cache.nextId = 0xffffffff;
      const mapping = machine.pageCache.createMapping();
      expect(mapping).toBe(0xffffffff);
      expectKernelError(() => machine.pageCache.createMapping(), "ENOSPC");
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      const gen = machine.pageGen(pfn);
      machine.pageCache.add(mapping, 0xffffffff, pfn, gen);
      expect(machine.pageCache.mappingOf(pfn)).toBe(0xffffffff);
      expect(machine.pageCache.indexOf(pfn)).toBe(0xffffffff);
      // The allocation's reference is dropped; the cache's stays.
      expect(machine.freePages(pfn, gen, 0)).toBe(false);
      expectUnchanged(machine, () => machine.freePages(pfn, gen, 0), "EBUSY", /still in the page cache/);
      // correct use: removing it from the cache frees it
      expect(machine.pageCache.remove(mapping, 0xffffffff)).toBe(pfn);
      expect(machine.isAllocated(pfn)).toBe(false);
      machine.pageCache.destroyMapping(mapping);
      machine.checkConsistency();
    });

    test(`${memoryModel}: compound tails, a head freed with order 0, locked, reserved and hole frames in the window`, () => {
      const machine = new Machine({
        ramSize: 4 << 20,
        memoryModel,
        ranges: [
          { kind: "reserved", start: 900 * 4096, size: 4096 },
          { kind: "hole", start: 901 * 4096, size: 4096 },
        ],
      });
      warm(machine);
      const head = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
      const headGen = machine.pageGen(head);
      const page = machine.allocPages(GFP_KERNEL, 0);
      const pageGen = machine.pageGen(page);
      for (let t = 1; t < 4; t++) {
        expectUnchanged(machine, () => machine.freePages(head + t, machine.pageGen(head + t), 0), "EINVAL", /not the first page/);
      }
      expectUnchanged(machine, () => machine.freePages(head, headGen, 0), "EINVAL", /order differs/);
      expectUnchanged(machine, () => machine.freePages(900, machine.pageGen(900), 0), "EINVAL", /reserved/);
      expectUnchanged(machine, () => machine.freePages(901, machine.pageGen(901), 0), "EFAULT", /no memory/);
      machine.setPageFlag(page, pageGen, PG_locked);
      expectUnchanged(machine, () => machine.freePages(page, pageGen, 0), "EBUSY", /locked/);
      machine.folioUnlock(page, pageGen);
      // Two references: the first free only drops one.
      machine.folioGet(page, pageGen);
      expect(machine.freePages(page, pageGen, 0)).toBe(false);
      expect(machine.refCount(page)).toBe(1);
      // correct use
      expect(machine.freePages(page, pageGen, 0)).toBe(true);
      expect(machine.freePages(head, headGen, 2)).toBe(true);
      machine.checkConsistency();
    });
  }
});

describe("values that are no frames", () => {
  const odd: [string, unknown][] = [
    ["0n", 0n],
    ["Symbol", Symbol("pfn")],
    ["an object with valueOf", { valueOf: () => 0 }],
    ["a Number object", Object(0)],
    ['"0"', "0"],
    ["null", null],
    ["undefined", undefined],
    ["true", true],
    ["2^53", 2 ** 53],
    ["2^53 + 2", 2 ** 53 + 2],
    ["-2^53", -(2 ** 53)],
    ["MAX_VALUE", Number.MAX_VALUE],
    ["MIN_VALUE", Number.MIN_VALUE],
    ["-MIN_VALUE", -Number.MIN_VALUE],
    ["1 - 2^-53", 1 - 2 ** -53],
    ["-2^32", -(2 ** 32)],
    ["2^32 - 2^-20", 2 ** 32 - 2 ** -20],
  ];
  for (const memoryModel of MODELS) {
    test(`${memoryModel}: every entry on a pfn refuses them with a KernelError, calling nothing`, () => {
      const machine = new Machine({ ramSize: 4 << 20, memoryModel });
      warm(machine);
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      const gen = machine.pageGen(pfn);
      let called = 0;
      const trap = { valueOf: () => (called++, pfn), toString: () => (called++, String(pfn)) };
      for (const [name, value] of [...odd, ["a trap", trap] as [string, unknown]]) {
        const v = value as number;
        for (const [op, fn] of [
          ["pageGen", () => machine.pageGen(v)],
          ["freePages pfn", () => machine.freePages(v, gen, 0)],
          ["freePages gen", () => machine.freePages(pfn, v, 0)],
          ["freePages order", () => machine.freePages(pfn, gen, v)],
          ["folioPut", () => machine.folioPut(v, gen)],
          ["folioGet", () => machine.folioGet(v, gen)],
          ["isAllocated", () => machine.isAllocated(v)],
          ["blockHead", () => machine.blockHead(v)],
          ["refCount", () => machine.refCount(v)],
        ] as const) {
          let caught: unknown;
          const before = machine.stateDigest();
          try {
            fn();
          } catch (error) {
            caught = error;
          }
          expect(caught, `${op}(${name})`).toBeInstanceOf(KernelError);
          expect((caught as KernelError).errno, `${op}(${name})`).toBe("EINVAL");
          expect(machine.stateDigest(), `${op}(${name})`).toBe(before);
        }
      }
      expect(called).toBe(0);
      // correct use
      expect(machine.freePages(pfn, gen, 0)).toBe(true);
      machine.checkConsistency();
    });
  }
});

describe("the generation across its 16-bit carry, on the order-0 fast paths", () => {
  for (const memoryModel of MODELS) {
    test(`${memoryModel}: a frame at low gen 0xffff carries into genHigh; old handles stay dead`, () => {
      const machine = new Machine({ ramSize: 3 * SECTION_PAGES * 4096, memoryModel });
      const { mem } = machineFriend.internals(machine);
      warm(machine);
      // A page of section 1, so the fast paths' window must move to reach it.
      const { pfn, held } = allocIn(machine, SECTION_PAGES, 2 * SECTION_PAGES, 3 * SECTION_PAGES);
      const gen0 = machine.pageGen(pfn);
      expect(machine.freePages(pfn, gen0, 0)).toBe(true);
      // White-box: the free frame is at generation 7 * 2^16 + 0xffff.
      mem.setWord(pfn, (mem.word(pfn) & 0xffff) | (0xffff << 16));
      mem.setGenHigh(pfn, 7);
      const old = 7 * GEN_WRAP + 0xffff;
      expect(machine.pageGen(pfn)).toBe(old);
      // Take both windows elsewhere first, then reuse the frame.
      expect(machine.pageGen(0)).toBe(mem.gen(0));
      const other = machine.allocPages(GFP_KERNEL, 0); // the frame itself (last freed)
      expect(other).toBe(pfn);
      expect(machine.pageGen(pfn)).toBe(8 * GEN_WRAP);
      expect(mem.genHigh(pfn)).toBe(8);
      expectUnchanged(machine, () => machine.freePages(pfn, old, 0), "EINVAL", /double-free/);
      expectUnchanged(machine, () => machine.freePages(pfn, 0, 0), "EINVAL", /double-free/);
      expectUnchanged(machine, () => machine.freePages(pfn, 8 * GEN_WRAP + 1, 0), "EINVAL", /double-free/);
      expectUnchanged(machine, () => machine.read(pfn, old, 0, new Uint8Array(1)), "EFAULT", /freed and reallocated/);
      // 2^16 more reuses through the fast paths: one more carry, the gen strictly increasing.
      let gen = machine.pageGen(pfn);
      for (let i = 0; i < GEN_WRAP; i++) {
        machine.freePages(pfn, gen, 0);
        expect(machine.allocPages(GFP_KERNEL, 0) === pfn).toBe(true);
        const next = machine.pageGen(pfn);
        if (next !== gen + 1) expect(next).toBe(gen + 1);
        gen = next;
      }
      expect(gen).toBe(9 * GEN_WRAP);
      expectUnchanged(machine, () => machine.freePages(pfn, 8 * GEN_WRAP, 0), "EINVAL", /double-free/);
      // correct use
      expect(machine.freePages(pfn, gen, 0)).toBe(true);
      freeAll(machine, held);
      machine.checkConsistency();
    });
  }
});

describe("several machines at once", () => {
  test("interleaved flat, sparse and 64 TiB machines each behave as if run alone (no window is shared)", () => {
    const configs = [
      // The first section mostly reserved: the allocator reaches the second one after 2000 pages.
      { ramSize: 3 * SECTION_PAGES * 4096, memoryModel: "flat" as const, ranges: [{ kind: "reserved" as const, start: 0, size: (SECTION_PAGES - 2000) * 4096 }] },
      { ramSize: 3 * SECTION_PAGES * 4096, memoryModel: "sparse" as const, ranges: [{ kind: "reserved" as const, start: 0, size: (SECTION_PAGES - 2000) * 4096 }] },
      { ramSize: 64 * TIB, ranges: [{ kind: "reserved" as const, start: 0, size: 64 * TIB - 2 * SECTION_PAGES * 4096 }] },
    ];
    /** One step of a fixed workload: allocations and frees that cross sections, and stale frees. */
    const step = (machine: Machine, live: [number, number][], dead: [number, number][], i: number): string => {
      if (i % 7 === 3 && dead.length > 0) {
        const [pfn, gen] = dead[i % dead.length]!;
        try {
          machine.freePages(pfn, gen, 0);
          return `stale ${pfn - machine.nrPages} freed`;
        } catch (error) {
          return `stale ${(error as KernelError).errno}`;
        }
      }
      if (i % 3 === 2 && live.length > 0) {
        const [pfn, gen] = live.splice((i * 7919) % live.length, 1)[0]!;
        dead.push([pfn, gen]);
        return `free ${pfn - machine.nrPages} ${String(machine.freePages(pfn, gen, 0))}`;
      }
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      live.push([pfn, machine.pageGen(pfn)]);
      return `alloc ${pfn - machine.nrPages} ${machine.pageGen(pfn)}`;
    };
    const STEPS = 9000;
    const alone = configs.map((config) => {
      const machine = new Machine(config);
      const live: [number, number][] = [];
      const dead: [number, number][] = [];
      const out: string[] = [];
      for (let i = 0; i < STEPS; i++) out.push(step(machine, live, dead, i));
      return { out, digest: machine.stateDigest() };
    });
    const machines = configs.map((config) => ({ machine: new Machine(config), live: [] as [number, number][], dead: [] as [number, number][], out: [] as string[] }));
    for (let i = 0; i < STEPS; i++) for (const m of machines) m.out.push(step(m.machine, m.live, m.dead, i));
    machines.forEach((m, k) => {
      expect(m.out).toEqual(alone[k]!.out);
      expect(m.machine.stateDigest()).toBe(alone[k]!.digest);
      m.machine.checkConsistency();
    });
    // The workload did cross sections and did refuse stale frees.
    expect(alone[0]!.out.some((line) => line.startsWith("stale EINVAL"))).toBe(true);
    expect(alone[0]!.out.some((line) => line.startsWith("alloc ") && Number(line.split(" ")[1]) + 3 * SECTION_PAGES >= SECTION_PAGES)).toBe(true);
    expect(alone[0]!.out.some((line) => line.startsWith("free ") && Number(line.split(" ")[1]) + 3 * SECTION_PAGES < SECTION_PAGES)).toBe(true);
  });
});
