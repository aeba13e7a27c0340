import { describe, expect, expectTypeOf, test } from "vitest";
import {
  GFP_HIGHUSER,
  GFP_KERNEL,
  Machine,
  PG_dirty,
  PG_free,
  PG_tail,
  __GFP_COMP,
  __GFP_HIGHMEM,
  __GFP_NOWARN,
  __GFP_ZERO,
} from "../../src/core/index.js";
import { HotList, PCP_HIGH } from "../../src/core/buddy.js";
import { BAD_NUMBERS, expectUnchanged } from "./helpers.js";
import { machineFriend } from "../../src/core/machine.js";

function small(config: ConstructorParameters<typeof Machine>[0] = {}): Machine {
  return new Machine({ ramSize: 8 << 20, ...config });
}

describe("buddy allocator", () => {
  test("allocates every order 0..10 aligned, and frees back to the initial state", () => {
    const machine = small({ ramSize: 16 << 20 });
    const free = machine.nrFreePages();
    const blocks: [number, number][] = [];
    for (let order = 0; order <= 10; order++) {
      const pfn = machine.allocPages(GFP_KERNEL, order);
      expect(pfn % (1 << order)).toBe(0);
      expect(machine.pageOrder(pfn)).toBe(order);
      expect(machine.refCount(pfn)).toBe(1);
      blocks.push([pfn, order]);
    }
    expect(machine.nrFreePages()).toBe(free - 2047);
    machine.checkConsistency();
    for (const [pfn, order] of blocks) expect(machine.freePages(pfn, machine.pageGen(pfn), order)).toBe(true);
    expect(machine.nrFreePages()).toBe(free);
    machine.checkConsistency();
  });

  test("splitting and merging: freeing both halves restores a max-order block", () => {
    const machine = small();
    const a = machine.allocPages(GFP_KERNEL, 9);
    const b = machine.allocPages(GFP_KERNEL, 9);
    expect(Math.abs(a - b)).toBe(512);
    machine.freePages(a, machine.pageGen(a), 9);
    machine.freePages(b, machine.pageGen(b), 9);
    expect(machine.buddyInfo().free[0]![10]).toBe(2);
    machine.checkConsistency();
  });

  test("order-0 pages cycle through the hot list and drain back in batches", () => {
    const machine = small();
    const pages: number[] = [];
    for (let i = 0; i < PCP_HIGH * 3; i++) pages.push(machine.allocPages(GFP_KERNEL, 0));
    expect(new Set(pages).size).toBe(pages.length);
    machine.checkConsistency();
    for (const pfn of pages) machine.freePages(pfn, machine.pageGen(pfn), 0);
    machine.checkConsistency();
    expect(machine.nrFreePages()).toBe(2048);
  });

  test("a high-order request drains the hot list when that makes it succeed", () => {
    const machine = new Machine({ ramSize: 4 << 20 }); // exactly one order-10 block
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    machine.freePages(pfn, machine.pageGen(pfn), 0); // the page now sits on the hot list
    const big = machine.allocPages(GFP_KERNEL, 10);
    expect(big).toBe(0);
    machine.checkConsistency();
  });

  test("__GFP_ZERO zeroes reused memory; without it old contents remain", () => {
    const machine = small();
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    machine.fill(pfn, machine.pageGen(pfn), 0, 4096, 0x5a);
    machine.freePages(pfn, machine.pageGen(pfn), 0);
    const again = machine.allocPages(GFP_KERNEL, 0);
    expect(again).toBe(pfn); // LIFO hot list
    const bytes = new Uint8Array(4096);
    machine.read(again, machine.pageGen(again), 0, bytes);
    expect(bytes[100]).toBe(0x5a);
    machine.freePages(again, machine.pageGen(again), 0);
    const zeroed = machine.allocPages(GFP_KERNEL | __GFP_ZERO, 0);
    machine.read(zeroed, machine.pageGen(zeroed), 0, bytes);
    expect(bytes.every((b) => b === 0)).toBe(true);
  });

  test("HIGHMEM pages are handed out only with __GFP_HIGHMEM; lowmem is the fallback", () => {
    const machine = small({ highmemStart: 4 << 20 });
    const low = machine.allocPages(GFP_KERNEL, 0);
    expect(machine.isHighmem(low)).toBe(false);
    const high = machine.allocPages(GFP_HIGHUSER, 0);
    expect(machine.isHighmem(high)).toBe(true);
    // Exhaust lowmem: GFP_KERNEL fails even though HIGHMEM is free.
    const lows: number[] = [];
    for (;;) {
      try {
        lows.push(machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 0));
      } catch {
        break;
      }
    }
    expect(lows.every((pfn) => !machine.isHighmem(pfn))).toBe(true);
    expect(machine.nrFreePages()).toBeGreaterThan(1000);
    machine.checkConsistency();
    // Exhaust HIGHMEM too: __GFP_HIGHMEM then falls back to lowmem (after a lowmem page is freed).
    for (;;) {
      try {
        machine.allocPages(GFP_HIGHUSER | __GFP_NOWARN, 0);
      } catch {
        break;
      }
    }
    const back = lows.pop()!;
    machine.freePages(back, machine.pageGen(back), 0);
    expect(machine.allocPages(GFP_HIGHUSER, 0)).toBe(back);
  });

  test("M26: an order above MAX_PAGE_ORDER is EDOM, machine unchanged", () => {
    const machine = small();
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL, 11), "EDOM", /order above MAX_PAGE_ORDER \(order=11, max=10\)/);
    // correct use beside it
    const pfn = machine.allocPages(GFP_KERNEL, 10);
    expect(machine.pageOrder(pfn)).toBe(10);
  });

  test("M26: asking for more than is free is ENOMEM with the free lists unchanged", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    const a = machine.allocPages(GFP_KERNEL, 9);
    const error = expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL, 10), "ENOMEM", /no free block/);
    expect(error.report).toMatch(/page allocation failure: order:10/);
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 10), "ENOMEM");
    const b = machine.allocPages(GFP_KERNEL, 9);
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 0), "ENOMEM");
    machine.freePages(b, machine.pageGen(b), 9);
    const pages = [0, 1, 2].map(() => machine.allocPages(GFP_KERNEL, 0));
    machine.freePages(pages[1]!, machine.pageGen(pages[1]!), 0);
    expect(machine.nrFreePages()).toBeGreaterThan(0);
    machine.freePages(a, machine.pageGen(a), 9);
    machine.checkConsistency();
  });

  test("M26: free pages on the hot list that cannot form the block leave the lists unchanged on ENOMEM", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    const all = Array.from({ length: 1024 }, () => machine.allocPages(GFP_KERNEL, 0));
    // Every other page: free, but no two of them are buddies.
    const evens = all.filter((pfn) => pfn % 2 === 0).slice(0, 8);
    for (const pfn of evens) machine.freePages(pfn, machine.pageGen(pfn), 0);
    expect(machine.buddyInfo().free[0]![0]).toBe(8);
    expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL | __GFP_NOWARN, 1), "ENOMEM", /order=1, .*freePages=8, largestFree=0/);
    // Correct use beside it: once a buddy pair is on the hot list, draining it serves the order-1 request.
    const buddy = evens[0]! + 1;
    machine.freePages(buddy, machine.pageGen(buddy), 0);
    expect(machine.allocPages(GFP_KERNEL, 1)).toBe(evens[0]);
    machine.checkConsistency();
  });

  test("ENOMEM names the free pages of the zones the request may use, not of HIGHMEM it may not", () => {
    const machine = new Machine({ ramSize: 8 << 20, highmemStart: 4 << 20 });
    for (let i = 0; i < 1024; i++) machine.allocPages(GFP_KERNEL, 0);
    const error = expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL, 0), "ENOMEM", /\(order=0, gfp=3264, freePages=0, largestFree=-1\)/);
    expect(error.report).toMatch(/HighMem: free:1024 /);
    expect(machine.nrFreePages()).toBe(1024);
  });

  test("M25: bad GFP flags and order numbers are EINVAL before anything changes", () => {
    const machine = small();
    for (const bad of BAD_NUMBERS) {
      expectUnchanged(machine, () => machine.allocPages(GFP_KERNEL, bad), "EINVAL", /order/);
      expectUnchanged(machine, () => machine.allocPages(bad, 0), "EINVAL", /GFP/);
    }
    expectUnchanged(machine, () => machine.allocPages(0x1000_0000, 0), "EINVAL", /unknown GFP flags/);
  });

  test("M31: freeing with a different order than allocated is an error, allocator unchanged", () => {
    const machine = small();
    const pfn = machine.allocPages(GFP_KERNEL, 2);
    const gen = machine.pageGen(pfn);
    expectUnchanged(machine, () => machine.freePages(pfn, gen, 1), "EINVAL", /order differs from the allocation's order \(pfn=\d+, order=1, allocatedOrder=2\)/);
    expectUnchanged(machine, () => machine.freePages(pfn, gen, 3), "EINVAL", /allocatedOrder=2/);
    expectUnchanged(machine, () => machine.freePages(pfn + 1, machine.pageGen(pfn + 1), 2), "EINVAL", /not the first page/);
    expect(machine.freePages(pfn, gen, 2)).toBe(true);
    machine.checkConsistency();
  });

  test("M25: freePages rejects bad numbers without changes", () => {
    const machine = small();
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    for (const bad of BAD_NUMBERS) {
      expectUnchanged(machine, () => machine.freePages(bad, gen, 0), "EINVAL", /pfn/);
      expectUnchanged(machine, () => machine.freePages(pfn, gen, bad), "EINVAL", /order/);
      expectUnchanged(machine, () => machine.freePages(pfn, bad, 0), "EINVAL", /gen/);
    }
    machine.freePages(pfn, gen, 0);
  });

  test("compound allocation marks head and tails", () => {
    const machine = small();
    const head = machine.allocPages(GFP_KERNEL | __GFP_COMP, 3);
    expect(machine.isCompoundHead(head)).toBe(true);
    for (let i = 1; i < 8; i++) {
      expect(machine.blockHead(head + i)).toBe(head);
      expect(machine.isCompoundHead(head + i)).toBe(false);
    }
    const plain = machine.allocPages(GFP_KERNEL, 3);
    expect(machine.isCompoundHead(plain)).toBe(false);
    machine.checkConsistency();
  });

  test("the generation changes on every allocation", () => {
    const machine = small();
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.freePages(pfn, gen, 0);
    const again = machine.allocPages(GFP_KERNEL, 0);
    expect(again).toBe(pfn);
    expect(machine.pageGen(again)).toBe(gen + 1);
  });

  test("reserved pages cannot be freed", () => {
    const machine = small({ ranges: [{ kind: "reserved", start: 0, size: 4096 }] });
    expectUnchanged(machine, () => machine.freePages(0, machine.pageGen(0), 0), "EINVAL", /reserved/);
    expect(machine.allocPages(GFP_KERNEL | __GFP_HIGHMEM, 0)).not.toBe(0);
  });
});

test("generations carry past 16 bits (never wrap to an old value) and never disturb the flags, on the fast and the slow paths", () => {
  const machine = small();
  const first = machine.allocPages(GFP_KERNEL, 0);
  let gen = machine.pageGen(first);
  machine.freePages(first, gen, 0);
  // The hot list hands the same page back each time: its generation goes up by one per allocation.
  let wrong = 0;
  for (let i = 1; i <= 0x10000; i++) {
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const next = machine.pageGen(pfn);
    if (pfn !== first || next !== gen + 1) wrong++;
    gen = next;
    if (i === 0x8000 || i === 0x10000) {
      expect(machine.pageFlags(pfn)).toBe(0);
      expect(machine.isAllocated(pfn)).toBe(true);
      machine.setPageFlag(pfn, gen, PG_dirty);
      expect(machine.pageFlags(pfn)).toBe(PG_dirty);
      expect(machine.pageGen(pfn)).toBe(gen);
      expectUnchanged(machine, () => machine.freePages(pfn, gen + 1, 0), "EINVAL", /stale handle/);
    }
    machine.freePages(pfn, gen, 0);
  }
  expect(wrong).toBe(0);
  expect(gen).toBe(machine.pageGen(first));
  expect(machine.pageFlags(first) & PG_free).toBe(PG_free);
  // A folio goes through the slow paths; its head and tail pages carry alike.
  const head = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
  const tailGen = machine.pageGen(head + 3);
  let headGen = machine.pageGen(head);
  machine.folioPut(head, headGen);
  for (let i = 0; i < 0x10000; i++) {
    if (machine.allocPages(GFP_KERNEL | __GFP_COMP, 2) !== head) wrong++;
    headGen = machine.pageGen(head);
    machine.folioPut(head, headGen);
  }
  expect(wrong).toBe(0);
  expect(machine.pageGen(head + 3)).toBe(tailGen + 0x10000);
  expect(machine.allocPages(GFP_KERNEL | __GFP_COMP, 2)).toBe(head);
  expect(machine.pageOrder(head)).toBe(2);
  expect(machine.isCompoundHead(head)).toBe(true);
  expect(machine.pageFlags(head + 1)).toBe(PG_tail);
  expect(machine.blockHead(head + 3)).toBe(head);
  machine.folioPut(head, machine.pageGen(head));
  expect(machine.consistencyProblems()).toEqual([]);
});

test("the allocator's arrays are declared without a buffer type argument, so TypeScript 5.2 reads the declarations", () => {
  const buddy = machineFriend.internals(new Machine({ ramSize: 1 << 20 })).buddy;
  // Float64Array throughout: pfns reach 2^34 (64 TiB of 4 KiB pages) and block counts 2^33; a hot
  // list is an Int32Array only on a machine whose every pfn fits one (below 2^31 frames).
  expectTypeOf(buddy.heads).toEqualTypeOf<Float64Array>();
  expectTypeOf(buddy.nrBlocks).toEqualTypeOf<Float64Array>();
  expectTypeOf(buddy.pcp[0]!.pages).toEqualTypeOf<Int32Array | Float64Array>();
  expectTypeOf(buddy.nrFree).toEqualTypeOf<Float64Array>();
  expectTypeOf(buddy.managed).toEqualTypeOf<Float64Array>();
  expect(buddy.heads).toBeInstanceOf(Float64Array);
  expect(buddy.pcp[0]!.pages).toBeInstanceOf(Int32Array);
  expect(buddy.pcp[1]!.pages).toBeInstanceOf(Int32Array);
  expect(new HotList(2 ** 31).pages).toBeInstanceOf(Int32Array);
  expect(new HotList(2 ** 31 + 1).pages).toBeInstanceOf(Float64Array);
  expect(new HotList(2 ** 34).pages).toBeInstanceOf(Float64Array);
});
