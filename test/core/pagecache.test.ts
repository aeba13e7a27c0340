import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, __GFP_COMP } from "../../src/core/index.js";
import { expectUnchanged } from "./helpers.js";

function setup() {
  const machine = new Machine({ ramSize: 4 << 20 });
  const mapping = machine.pageCache.createMapping();
  const pfn = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
  return { machine, cache: machine.pageCache, mapping, pfn, gen: machine.pageGen(pfn) };
}

describe("page cache", () => {
  test("add, lookup, remove; the cache holds a reference and sets mapping/index", () => {
    const { machine, cache, mapping, pfn, gen } = setup();
    cache.add(mapping, 8, pfn, gen);
    expect(machine.refCount(pfn)).toBe(2);
    expect(cache.lookup(mapping, 8)).toBe(pfn);
    // an order-2 folio at 8 covers indexes 8..11
    expect(cache.lookup(mapping, 11)).toBe(pfn);
    expect(cache.lookup(mapping, 12)).toBe(-1);
    expect(cache.lookup(mapping, 7)).toBe(-1);
    expect(cache.mappingOf(pfn)).toBe(mapping);
    expect(cache.indexOf(pfn)).toBe(8);
    expect(cache.indexes(mapping)).toEqual([8]);
    machine.checkConsistency();
    machine.folioPut(pfn, gen); // the owner's reference; the cache keeps the folio alive
    expect(machine.isAllocated(pfn)).toBe(true);
    expect(cache.remove(mapping, 8)).toBe(pfn); // the cache's reference was the last
    expect(machine.isAllocated(pfn)).toBe(false);
    cache.destroyMapping(mapping);
    machine.checkConsistency();
  });

  test("errors leave the cache and the machine unchanged", () => {
    const { machine, cache, mapping, pfn, gen } = setup();
    cache.add(mapping, 0, pfn, gen);
    const other = machine.allocPages(GFP_KERNEL, 0);
    const otherGen = machine.pageGen(other);
    expectUnchanged(machine, () => cache.add(mapping, 0, other, otherGen), "EEXIST", /index already caches/);
    expectUnchanged(machine, () => cache.add(mapping, 1, pfn, gen), "EBUSY", /already in the page cache/);
    expectUnchanged(machine, () => cache.add(999, 1, other, otherGen), "ENOENT", /no such mapping/);
    expectUnchanged(machine, () => cache.add(mapping, -1, other, otherGen), "EINVAL", /index/);
    expectUnchanged(machine, () => cache.add(mapping, 1, pfn + 1, machine.pageGen(pfn + 1)), "EINVAL", /folio head/);
    expectUnchanged(machine, () => cache.remove(mapping, 5), "ENOENT", /no folio cached/);
    expectUnchanged(machine, () => cache.destroyMapping(mapping), "EBUSY", /still caches/);
    // removing the last reference of a locked folio fails and leaves it cached
    machine.folioTrylock(pfn, gen);
    machine.folioPut(pfn, gen);
    expectUnchanged(machine, () => cache.remove(mapping, 0), "EBUSY", /locked/);
    expect(cache.lookup(mapping, 0)).toBe(pfn);
    machine.folioUnlock(pfn, gen);
    cache.remove(mapping, 0);
  });

  test("a folio still in the cache cannot lose its last reference elsewhere", () => {
    const { machine, cache, mapping, pfn, gen } = setup();
    cache.add(mapping, 4, pfn, gen);
    machine.folioPut(pfn, gen);
    // only the cache's reference remains, so the folio stays allocated
    expect(machine.refCount(pfn)).toBe(1);
    expect(cache.lookup(mapping, 7)).toBe(pfn);
  });
});
