import type { Owned, Page } from "ownkit";
import { createMachine } from "ownkit/core";
import { describe, expect, it } from "vitest";
import { kitPageStore, runBinder, runBinderPlain, runBinderWith, type PageStore } from "../../examples/binder.js";
import { RangeAllocator } from "../../examples/lib/range-allocator.js";

const SMALL = { transactions: 2000, pageBudget: 48 } as const;

describe("binder example", () => {
  it("delivers and verifies every transaction, reclaims under the budget and ends with nothing held", () => {
    const machine = createMachine({ ramSize: 64 << 20 });
    const result = runBinder(machine, SMALL);
    expect(result.transactions).toBe(2000);
    expect(result.checksumFailures).toBe(0);
    expect(result.bytesCopied).toBeGreaterThan(2000 * 24);
    expect(result.pagesAllocated).toBeGreaterThan(0);
    expect(result.pagesReusedFromLru).toBeGreaterThan(0);
    expect(result.pagesReclaimedUnderPressure).toBeGreaterThan(0);
    expect(result.shrinkerRuns).toBeGreaterThan(0);
    // Pages held = pages used by ranges + pages on the LRU list = pages present in the regions.
    expect(result.midway.live).toBe(result.midway.inUse + result.midway.lru);
    expect(result.midway.live).toBe(result.midway.present);
    expect(result.drained).toEqual({ live: result.drained.lru, inUse: 0, lru: result.drained.lru });
    expect(result.pagesReclaimedExplicitly).toBe(result.drained.lru);
    expect(result.livePages).toBe(0);
    expect(result.livePages).toBe(result.pagesInUse);
    expect(result.pagesAllocated).toBe(result.pagesReclaimedUnderPressure + result.pagesReclaimedExplicitly);
    expect(machine.leakReport()).toBeNull();
    expect(machine.consistencyProblems()).toEqual([]);
  });

  it("holds exactly as many machine pages as the workload counts, at every allocation and free", () => {
    const machine = createMachine({ ramSize: 64 << 20 });
    const free = machine.nrFreePages();
    const inner = kitPageStore(machine);
    let live = 0;
    let checks = 0;
    const store: PageStore<Owned<Page>> = {
      ...inner,
      alloc: () => {
        const page = inner.alloc();
        live++;
        expect(free - machine.nrFreePages()).toBe(live);
        checks++;
        return page;
      },
      free: (page: Owned<Page>) => {
        inner.free(page);
        live--;
        expect(free - machine.nrFreePages()).toBe(live);
      },
    };
    const result = runBinderWith(store, { transactions: 500, pageBudget: 24 });
    expect(checks).toBe(result.pagesAllocated);
    expect(live).toBe(0);
  });

  it("runs the same logic on plain ArrayBuffer pages", () => {
    const kit = runBinder(createMachine({ ramSize: 64 << 20 }), SMALL);
    const plain = runBinderPlain(SMALL);
    for (const key of ["transactions", "bytesCopied", "pagesAllocated", "pagesReusedFromLru", "pagesReclaimedUnderPressure", "peakLivePages"] as const) {
      expect(plain[key]).toBe(kit[key]);
    }
    expect(plain.checksumFailures).toBe(0);
  });

  it("stays clean on a debug machine with poisoning (no page written after the shrinker freed it)", () => {
    const machine = createMachine({ ramSize: 32 << 20, debug: true });
    const result = runBinder(machine, { transactions: 500, pageBudget: 16 });
    expect(result.checksumFailures).toBe(0);
    expect(result.pagesReclaimedUnderPressure).toBeGreaterThan(0);
    expect(machine.leakReport()).toBeNull();
  });
});

describe("binder range allocator", () => {
  it("picks the best fit and merges freed neighbours", () => {
    const ranges = new RangeAllocator(4096);
    const a = ranges.alloc(100);
    const b = ranges.alloc(1000);
    const c = ranges.alloc(200);
    const d = ranges.alloc(16);
    expect([a, b, c, d]).toEqual([0, 104, 1104, 1304]);
    ranges.free(b); // hole of 1000 at 104
    ranges.free(d); // merges with the tail
    expect(ranges.alloc(190)).toBe(104); // the smallest hole that fits: 1000 bytes, not the tail
    ranges.free(104);
    ranges.free(a);
    ranges.free(c);
    expect(ranges.freeRangeCount).toBe(1);
    expect(ranges.freeBytes).toBe(4096);
    expect(ranges.problems()).toEqual([]);
  });

  it("fails without changing anything when full, and rejects a double free", () => {
    const ranges = new RangeAllocator(64);
    const a = ranges.alloc(60);
    expect(() => ranges.alloc(8)).toThrow(expect.objectContaining({ errno: "ENOSPC" }));
    expect(ranges.freeBytes).toBe(0);
    ranges.free(a);
    expect(() => ranges.free(a)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => ranges.alloc(0)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(ranges.problems()).toEqual([]);
  });
});
