/**
 * The sparse memory map at server scale: metadata allocated per section on first write, RAM
 * threaded onto the free lists when first needed, and machines of up to 64 TiB.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Buddy, NR_ZONES, PfnMarks, ZONE_HIGHMEM, ZONE_NORMAL } from "../../src/core/buddy.js";
import { MAX_PAGES } from "../../src/core/config.js";
import { FlatMemMap } from "../../src/core/memmap-flat.js";
import { FLAGS_MASK, GEN_ONE, LINK_MAX, NO_PFN, ORDER_SHIFT, PG_buddy, PG_free, PG_nomap, PG_reserved, SECTION_PAGES, type MemMap } from "../../src/core/memmap.js";
import { SparseMemMap } from "../../src/core/memmap-sparse.js";
import { PhysMem } from "../../src/core/phys-mem.js";
import { GFP_KERNEL, Machine, __GFP_NOWARN, __GFP_ZERO } from "../../src/core/index.js";
import { Folio, Page, intoPhys, toPhysAddr, type UniqueFolio } from "../../src/mm/index.js";
import { unsafe, type Owned } from "../../src/ownership/index.js";
import { expectUnchanged } from "./helpers.js";
import { machineFriend } from "../../src/core/machine.js";

const TIB = 2 ** 40;
const PAGES_64T = (64 * TIB) / 4096;

/** A buddy allocator over a fresh map (sparse unless told), RAM handed over per segment as a machine does. */
function makeBuddy(nrPages: number, segments: { startPfn: number; endPfn: number; kind: string }[], highmemPfn = nrPages, model: "flat" | "sparse" = "sparse"): { mem: MemMap; buddy: Buddy } {
  const mem = model === "flat" ? new FlatMemMap(nrPages, segments) : new SparseMemMap(nrPages, segments);
  const buddy = new Buddy(mem, highmemPfn);
  for (const seg of segments) {
    if (seg.kind !== "ram") continue;
    const mid = Math.min(Math.max(seg.startPfn, highmemPfn), seg.endPfn);
    if (mid > seg.startPfn) buddy.addRange(seg.startPfn, mid);
    if (seg.endPfn > mid) buddy.addRange(mid, seg.endPfn);
  }
  return { mem, buddy };
}

/** Allocates a block the way the machine does: pick, commit, then give it allocated metadata. */
function alloc(mem: MemMap, buddy: Buddy, zone: number, order: number): number {
  const pfn = buddy.pick(zone, order);
  if (pfn === NO_PFN) return NO_PFN;
  buddy.commit(zone, order);
  for (let p = pfn; p < pfn + 2 ** order; p++) {
    mem.setWord(p, ((mem.word(p) & ~FLAGS_MASK) + GEN_ONE) | (p === pfn ? order << ORDER_SHIFT : 0));
  }
  mem.setRefcount(pfn, 1);
  return pfn;
}

function free(mem: MemMap, buddy: Buddy, pfn: number, order: number): void {
  for (let p = pfn; p < pfn + 2 ** order; p++) mem.setWord(p, (mem.word(p) & ~FLAGS_MASK) | PG_free);
  mem.setRefcount(pfn, 0);
  buddy.free(pfn, order);
}

function freePages(buddy: Buddy): number {
  let total = 0;
  for (let zone = 0; zone < NR_ZONES; zone++) total += buddy.nrFree[zone]! + buddy.pcp[zone]!.count;
  return total;
}

describe("MemMap", () => {
  test("a 64 TiB map allocates nothing until written, and reads the configured defaults", () => {
    const reservedAt = PAGES_64T - 4 * SECTION_PAGES;
    const holeAt = PAGES_64T - 2 * SECTION_PAGES + 7;
    const mem = new SparseMemMap(PAGES_64T, [
      { startPfn: 0, endPfn: reservedAt, kind: "ram" },
      { startPfn: reservedAt, endPfn: reservedAt + 100, kind: "reserved" },
      { startPfn: reservedAt + 100, endPfn: holeAt, kind: "ram" },
      { startPfn: holeAt, endPfn: holeAt + 3, kind: "hole" },
      { startPfn: holeAt + 3, endPfn: PAGES_64T, kind: "ram" },
    ]);
    expect(mem.bytes()).toBe(0);
    expect(mem.word(0)).toBe(PG_free);
    expect(mem.word(reservedAt + 99)).toBe(PG_reserved);
    expect(mem.word(reservedAt + 100)).toBe(PG_free);
    expect(mem.word(holeAt)).toBe(PG_nomap);
    expect(mem.word(holeAt + 2)).toBe(PG_nomap);
    expect(mem.word(PAGES_64T - 1)).toBe(PG_free);
    expect(mem.defaultWord(PAGES_64T)).toBe(PG_nomap);
    expect([mem.refcount(holeAt), mem.link0(holeAt), mem.link1(holeAt), mem.genHigh(holeAt), mem.gen(holeAt)]).toEqual([0, 0, 0, 0, 0]);
    // Writing a default changes nothing and allocates nothing.
    mem.setWord(reservedAt, PG_reserved);
    mem.setRefcount(5, 0);
    mem.setLink0(5, 0);
    mem.setLink1(5, 0);
    mem.setGenHigh(5, 0);
    expect(mem.bytes()).toBe(0);
    expect([...mem.spans()]).toEqual([]);
    // The first real write allocates exactly the section, filled with the defaults.
    mem.setRefcount(reservedAt + 1, 3);
    expect(mem.bytes()).toBe(SECTION_PAGES * 20);
    expect([...mem.spans()]).toEqual([[reservedAt, reservedAt + SECTION_PAGES]]);
    expect(mem.word(reservedAt)).toBe(PG_reserved);
    expect(mem.word(reservedAt + 100)).toBe(PG_free);
    expect(mem.refcount(reservedAt + 1)).toBe(3);
    expect(mem.describe(reservedAt + 1)).toBe(`page: pfn:0x${(reservedAt + 1).toString(16)} refcount:3 order:0 gen:0 flags: reserved`);
  });

  test("fields hold full-width values at frames above 2^32, and links up to LINK_MAX", () => {
    const mem = new SparseMemMap(PAGES_64T);
    const high = PAGES_64T - 1;
    mem.setWord(high, -1);
    mem.setRefcount(high, 2 ** 31 - 1);
    mem.setGenHigh(high, 0xffffffff);
    mem.setLink0(high, PAGES_64T - 2);
    mem.setLink1(high, LINK_MAX);
    expect(mem.word(high)).toBe(-1);
    expect(mem.refcount(high)).toBe(2 ** 31 - 1);
    expect(mem.genHigh(high)).toBe(0xffffffff);
    expect(mem.gen(high)).toBe(0xffffffff * 0x10000 + 0xffff);
    expect(mem.link0(high)).toBe(PAGES_64T - 2);
    expect(mem.link1(high)).toBe(LINK_MAX);
    // The high part is per link: rewriting one keeps the other.
    mem.setLink0(high, 7);
    expect([mem.link0(high), mem.link1(high)]).toEqual([7, LINK_MAX]);
    mem.setLink1(high, 2 ** 32);
    expect([mem.link0(high), mem.link1(high)]).toEqual([7, 2 ** 32]);
    // Frame 2^32 - 1 and 2^32 are distinct frames with distinct metadata.
    mem.setWord(2 ** 32 - 1, PG_reserved);
    expect(mem.word(2 ** 32)).toBe(PG_free);
    expect(mem.word(2 ** 32 - 1)).toBe(PG_reserved);
    expect(mem.word(2 ** 31)).toBe(PG_free);
    // Two sections, the high one with its link high part.
    expect(mem.bytes()).toBe(2 * SECTION_PAGES * 20 + SECTION_PAGES);
    expect(mem.sectionCount()).toBe(2);
  });

  test("spans merge touching sections and list them in ascending order; a short last section", () => {
    const nrPages = 3 * SECTION_PAGES + 5;
    const mem = new SparseMemMap(nrPages);
    mem.setRefcount(nrPages - 1, 1);
    mem.setRefcount(SECTION_PAGES, 1);
    mem.setRefcount(0, 1);
    expect([...mem.spans()]).toEqual([[0, 2 * SECTION_PAGES], [3 * SECTION_PAGES, nrPages]]);
    expect(mem.bytes()).toBe((2 * SECTION_PAGES + 5) * 20);
  });
});

describe("Buddy over a sparse map", () => {
  test("start-up threads nothing; a request threads the lowest pending section only", () => {
    const { mem, buddy } = makeBuddy(PAGES_64T, [{ startPfn: 0, endPfn: PAGES_64T, kind: "ram" }]);
    expect(mem.bytes()).toBe(0);
    expect(buddy.managed[ZONE_NORMAL]).toBe(PAGES_64T);
    expect(buddy.nrFree[ZONE_NORMAL]).toBe(PAGES_64T);
    const pfn = alloc(mem, buddy, ZONE_NORMAL, 0);
    expect(pfn).toBeLessThan(SECTION_PAGES);
    expect(mem.bytes()).toBe(SECTION_PAGES * 20);
    expect(buddy.pendingRanges(ZONE_NORMAL)).toEqual([[SECTION_PAGES, PAGES_64T]]);
    expect(freePages(buddy)).toBe(PAGES_64T - 1);
    free(mem, buddy, pfn, 0);
    expect(freePages(buddy)).toBe(PAGES_64T);
    const seen = new PfnMarks();
    expect(buddy.check(seen)).toEqual([]);
    expect(seen.has(pfn)).toBe(true);
  });

  test("HIGHMEM near 64 TiB: frames above 2^32 are allocated, linked, merged and freed", () => {
    const highmemPfn = PAGES_64T - 4 * SECTION_PAGES;
    const { mem, buddy } = makeBuddy(PAGES_64T, [{ startPfn: 0, endPfn: PAGES_64T, kind: "ram" }], highmemPfn);
    const got: [number, number][] = [];
    for (const order of [0, 3, 10, 0, 5, 10, 10]) got.push([alloc(mem, buddy, ZONE_HIGHMEM, order), order]);
    for (const [pfn, order] of got) {
      expect(pfn).toBeGreaterThanOrEqual(highmemPfn);
      expect(pfn % 2 ** order).toBe(0);
    }
    expect(new Set(got.map(([pfn]) => pfn)).size).toBe(got.length);
    expect(buddy.check(new PfnMarks())).toEqual([]);
    for (const [pfn, order] of got.reverse()) free(mem, buddy, pfn, order);
    buddy.drainPcp(ZONE_HIGHMEM, buddy.pcp[ZONE_HIGHMEM]!.count);
    expect(buddy.check(new PfnMarks())).toEqual([]);
    // Everything merged back into max-order blocks (one section threaded: 32 blocks).
    expect(buddy.nrBlocks.reduce((a, b) => a + b, 0)).toBe(32);
    expect(freePages(buddy)).toBe(PAGES_64T);
  });

  test("a request more than all pending memory can meet fails with nothing threaded", () => {
    // 3 pages of RAM in the last section: no order-2 block fits [n - 3, n), so nothing may change.
    const nrPages = 2 * SECTION_PAGES;
    const { mem, buddy } = makeBuddy(nrPages, [
      { startPfn: 0, endPfn: nrPages - 3, kind: "reserved" },
      { startPfn: nrPages - 3, endPfn: nrPages, kind: "ram" },
    ]);
    expect(buddy.pick(ZONE_NORMAL, 2)).toBe(NO_PFN);
    expect(mem.bytes()).toBe(0);
    expect(buddy.pendingRanges(ZONE_NORMAL)).toEqual([[nrPages - 3, nrPages]]);
    expect(buddy.pick(ZONE_HIGHMEM, 0)).toBe(NO_PFN);
    expect(alloc(mem, buddy, ZONE_NORMAL, 1)).toBe(nrPages - 2);
    expect(alloc(mem, buddy, ZONE_NORMAL, 0)).toBe(nrPages - 3);
    expect(alloc(mem, buddy, ZONE_NORMAL, 0)).toBe(NO_PFN);
    expect(buddy.check(new PfnMarks())).toEqual([]);
  });

  test("addRange refuses bounds that are not frames of the machine in one zone", () => {
    const { buddy } = makeBuddy(2048, [], 1024);
    for (const [start, end] of [[-1, 5], [0.5, 5], [5, 4], [0, 2049], [1000, 1100], [0, Number.NaN]] as const) {
      expect(() => buddy.addRange(start, end)).toThrow(/not a range of page frames/);
    }
  });

  test("property: random alloc/free sequences behave the same over a sparse map and a small eager flat layout", () => {
    // The sparse side: the last `ram` pages of a 64 TiB machine are RAM, split into two zones at
    // `high`, the rest reserved. The reference: the same last 8 sections as a small machine,
    // every page threaded up front (as the eager layout did). Little enough RAM that requests fail.
    const base = PAGES_64T - 8 * SECTION_PAGES;
    const command = fc.oneof(
      fc.record({ kind: fc.constant("alloc" as const), zone: fc.integer({ min: 0, max: 1 }), order: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ kind: fc.constant("free" as const), index: fc.nat() }),
    );
    const shape = fc.integer({ min: 1, max: 3 * SECTION_PAGES }).chain((ram) => fc.tuple(fc.constant(ram), fc.integer({ min: 0, max: ram })));
    fc.assert(fc.property(fc.array(command, { maxLength: 150 }), shape, (commands, [ram, highBelowEnd]) => {
      const ramStart = 8 * SECTION_PAGES - ram;
      const highmem = 8 * SECTION_PAGES - highBelowEnd;
      const sparse = makeBuddy(PAGES_64T, [
        { startPfn: 0, endPfn: base + ramStart, kind: "reserved" },
        { startPfn: base + ramStart, endPfn: PAGES_64T, kind: "ram" },
      ], base + highmem);
      const eagerSegments = [
        ...(ramStart > 0 ? [{ startPfn: 0, endPfn: ramStart, kind: "reserved" }] : []),
        { startPfn: ramStart, endPfn: 8 * SECTION_PAGES, kind: "ram" },
      ];
      const eager = makeBuddy(8 * SECTION_PAGES, eagerSegments, highmem, "flat");
      eager.buddy.threadAll();
      expect(eager.buddy.pendingPages[0]! + eager.buddy.pendingPages[1]!).toBe(0);
      let failures = 0;
      const held: [number, number, number][] = [];
      const heldEager: [number, number][] = [];
      for (const c of commands) {
        if (c.kind === "alloc") {
          const a = alloc(sparse.mem, sparse.buddy, c.zone, c.order);
          const b = alloc(eager.mem, eager.buddy, c.zone, c.order);
          expect(a === NO_PFN).toBe(b === NO_PFN);
          if (a === NO_PFN) failures++;
          if (a !== NO_PFN) {
            held.push([a, c.order, c.zone]);
            heldEager.push([b, c.order]);
          }
        } else if (held.length > 0) {
          const i = c.index % held.length;
          const [a, order] = held.splice(i, 1)[0]!;
          const [b] = heldEager.splice(i, 1)[0]!;
          free(sparse.mem, sparse.buddy, a, order);
          free(eager.mem, eager.buddy, b, order);
        }
        for (let zone = 0; zone < NR_ZONES; zone++) {
          expect(sparse.buddy.nrFree[zone]! + sparse.buddy.pcp[zone]!.count).toBe(eager.buddy.nrFree[zone]! + eager.buddy.pcp[zone]!.count);
        }
      }
      expect(sparse.buddy.check(new PfnMarks())).toEqual([]);
      expect(eager.buddy.check(new PfnMarks())).toEqual([]);
      // Only the sections the sequence needed were materialised.
      expect(sparse.mem.bytes()).toBeLessThanOrEqual(Math.min(4, ram / SECTION_PAGES + 2) * SECTION_PAGES * 20);
      return failures >= 0;
    }), { numRuns: 80 });
  });
});

describe("PhysMem", () => {
  test("a 64 TiB backing starts with a small directory and backs only what is written", () => {
    const phys = new PhysMem(PAGES_64T, 12);
    expect(phys.backedChunks()).toBe(0);
    const out = new Uint8Array(4);
    phys.read(PAGES_64T - 1, 0, out, 4);
    expect(phys.backedChunks()).toBe(0);
    phys.write(PAGES_64T - 1, 4092, Uint8Array.of(1, 2, 3, 4), 4);
    phys.write(2 ** 32 + 5, 0, Uint8Array.of(9), 1);
    expect(phys.backedChunks()).toBe(2);
    expect(phys.backedBytes()).toBe(2 * 1024 * 4096);
    phys.read(PAGES_64T - 1, 4092, out, 4);
    expect([...out]).toEqual([1, 2, 3, 4]);
    phys.read(2 ** 32, 5 * 4096, out, 1);
    expect(out[0]).toBe(9);
    phys.release();
    expect(phys.backedChunks()).toBe(0);
  });
});

test("the frame limit is 2^34", () => {
  expect(MAX_PAGES).toBe(PAGES_64T);
});

describe("a 64 TiB machine", () => {
  const GiB = 2 ** 30;

  test("starts with no page metadata and no backing, all of its RAM free, and consistent", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    expect(machine.nrPages).toBe(PAGES_64T);
    expect(machineFriend.internals(machine).mem.bytes()).toBe(0);
    expect(machine.memoryUsage().backedChunks).toBe(0);
    expect(machine.nrFreePages()).toBe(PAGES_64T);
    expect(machine.consistencyProblems()).toEqual([]);
    // Looking does not touch: the checks above allocated nothing either.
    expect(machineFriend.internals(machine).mem.bytes()).toBe(0);
  });

  test("allocates, writes, reads and frees at low frames and at frames above 2^32", () => {
    // Low frames: an all-RAM machine hands out the lowest section first.
    const low = new Machine({ ramSize: 64 * TIB });
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, low);
    expect(page.pfn).toBeLessThan(SECTION_PAGES);
    page.write(0, Uint8Array.of(1, 2, 3));
    expect([...page.read(0, 3)]).toEqual([1, 2, 3]);
    // High frames: everything below the last GiB reserved, so the RAM left is near 64 TiB.
    const machine = new Machine({ ramSize: 64 * TIB, ranges: [{ kind: "reserved", start: 0, size: 64 * TIB - GiB }] });
    const high: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    expect(high.pfn).toBeGreaterThanOrEqual(PAGES_64T - GiB / 4096);
    high.write(4090, Uint8Array.of(7, 8, 9));
    const addr = high.phys();
    expect(addr).toBe(high.pfn * 4096);
    expect(addr).toBeGreaterThan(2 ** 45);
    const pfn = high.pfn;
    intoPhys(high);
    // borrowPhys of a frame near 64 TiB sees the bytes written through its owner.
    const seen = unsafe("SAFETY: the page stays allocated (intoPhys) while the borrow is used", (token) => {
      const borrowed = Page.borrowPhys(token, toPhysAddr(addr), machine);
      return borrowed === null ? null : [...borrowed.read(4090, 3)];
    });
    expect(seen).toEqual([7, 8, 9]);
    const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys just above", (token) => Page.fromPhys(token, toPhysAddr(addr), machine));
    expect(back.pfn).toBe(pfn);
    back.release();
    // A compound folio up there too.
    const folio: UniqueFolio = Folio.alloc(3, GFP_KERNEL | __GFP_ZERO, machine);
    const head = folio.phys() / 4096;
    expect(head).toBeGreaterThan(2 ** 32);
    folio.write(8 * 4096 - 2, Uint8Array.of(5, 6));
    const out = new Uint8Array(2);
    folio.memcpyFromFolio(out, 8 * 4096 - 2);
    expect([...out]).toEqual([5, 6]);
    expect(machine.blockHead(head + 7)).toBe(head);
    expect(machine.consistencyProblems()).toEqual([]);
    folio.release();
    expect(machine.nrFreePages()).toBe(GiB / 4096);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("stale handles are caught on frames above 2^32, across the generation's 16-bit carry", () => {
    const machine = new Machine({ ramSize: 64 * TIB, ranges: [{ kind: "reserved", start: 0, size: 64 * TIB - 2 ** 27 }] });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    expect(pfn).toBeGreaterThan(2 ** 32);
    const first = machine.pageGen(pfn);
    machine.freePages(pfn, first, 0);
    // The hot list hands the same frame back every time: 2^16 reuses carry into genHigh.
    for (let i = 0; i < 0x10000; i++) {
      const again = machine.allocPages(GFP_KERNEL, 0);
      expect(again === pfn).toBe(true);
      machine.freePages(again, machine.pageGen(again), 0);
    }
    const now = machine.allocPages(GFP_KERNEL, 0);
    expect(now).toBe(pfn);
    expect(machine.pageGen(pfn)).toBe(first + 0x10001);
    expect(machineFriend.internals(machine).mem.genHigh(pfn)).toBe(1);
    expectUnchanged(machine, () => machine.read(pfn, first, 0, new Uint8Array(1)), "EFAULT", /freed and reallocated/);
    expectUnchanged(machine, () => machine.freePages(pfn, first + 0x10000, 0), "EINVAL", /double-free/);
    machine.freePages(pfn, machine.pageGen(pfn), 0);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("metadata grows by whole sections, in proportion to the memory touched", () => {
    const machine = new Machine({ ramSize: 64 * TIB });
    const blocks: number[] = [];
    const blocksPerSection = SECTION_PAGES / 1024;
    for (let i = 0; i < blocksPerSection; i++) blocks.push(machine.allocPages(GFP_KERNEL, 10));
    expect(machineFriend.internals(machine).mem.bytes()).toBe(SECTION_PAGES * 20);
    blocks.push(machine.allocPages(GFP_KERNEL, 10));
    expect(machineFriend.internals(machine).mem.bytes()).toBe(2 * SECTION_PAGES * 20);
    for (let i = 0; i < 10 * blocksPerSection; i++) blocks.push(machine.allocPages(GFP_KERNEL, 10));
    expect(machineFriend.internals(machine).mem.bytes()).toBe(12 * SECTION_PAGES * 20);
    expect(machineFriend.internals(machine).mem.sectionCount()).toBe(12);
    expect([...machineFriend.internals(machine).mem.spans()]).toEqual([[0, 12 * SECTION_PAGES]]);
    for (const pfn of blocks) machine.freePages(pfn, machine.pageGen(pfn), 10);
    expect(machine.nrFreePages()).toBe(PAGES_64T);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("reserved ranges, holes and MMIO placed far up report their flags without allocating metadata", () => {
    const reserved = 60 * TIB;
    const hole = 63 * TIB + 4096 * 3;
    const mmio = 64 * TIB - 2 * 4096;
    const machine = new Machine({
      ramSize: 64 * TIB,
      ranges: [
        { kind: "reserved", start: reserved, size: GiB },
        { kind: "hole", start: hole, size: 4096 },
        { kind: "mmio", start: mmio, size: 4096 },
      ],
    });
    const at = (addr: number): number => addr / 4096;
    expect(machine.pageFlags(at(reserved))).toBe(PG_reserved);
    expect(machine.pageFlags(at(reserved + GiB - 4096))).toBe(PG_reserved);
    expect(machine.pageFlags(at(reserved + GiB))).toBe(PG_free);
    expect(machine.pageFlags(at(hole))).toBe(PG_nomap);
    expect(machine.pageFlags(at(hole) + 1)).toBe(PG_free);
    expect(machine.pageFlags(at(mmio))).toBe(PG_nomap);
    expect(machine.pageIsRam(at(reserved))).toBe(true);
    expect(machine.pageIsRam(at(hole))).toBe(false);
    expect(machine.pfnValid(at(mmio))).toBe(false);
    expect(machine.kindOf(at(mmio))).toBe("mmio");
    expect(machine.isAllocated(at(reserved))).toBe(false);
    expect(machine.nrFreePages()).toBe(PAGES_64T - GiB / 4096 - 2);
    expect(machineFriend.internals(machine).mem.bytes()).toBe(0);
    expect(machine.consistencyProblems()).toEqual([]);
    const borrowed = unsafe("SAFETY: reserved RAM, never freed", (token) => Page.borrowPhys(token, toPhysAddr(reserved), machine) !== null);
    expect(borrowed).toBe(true);
    expect(unsafe("SAFETY: not RAM", (token) => Page.borrowPhys(token, toPhysAddr(hole), machine) === null)).toBe(true);
    expect(machineFriend.internals(machine).mem.bytes()).toBe(0);
  });

  test("a request beyond all free memory fails with the state unchanged and nothing allocated", () => {
    // 1000 free pages at the very top: no order-10 block fits, however the pending RAM is threaded.
    const machine = new Machine({ ramSize: 64 * TIB, ranges: [{ kind: "reserved", start: 0, size: 64 * TIB - 1000 * 4096 }] });
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 10), "ENOMEM");
    expect(machineFriend.internals(machine).mem.bytes()).toBe(0);
    const held = machine.allocPages(GFP_KERNEL, 9);
    expect(held).toBeGreaterThan(2 ** 32);
    // One section, with the high part of its links (they name frames above 2^32).
    expect(machineFriend.internals(machine).mem.bytes()).toBe(SECTION_PAGES * 21);
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 9), "ENOMEM");
    machine.freePages(held, machine.pageGen(held), 9);
    expect(machine.nrFreePages()).toBe(1000);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});
