import { describe, expect, test } from "vitest";
import {
  GFP_KERNEL,
  Machine,
  PG_dirty,
  PG_free,
  PG_locked,
  PG_owner_priv_1,
  PG_uptodate,
  REFCOUNT_MAX,
  __GFP_COMP,
} from "../../src/core/index.js";
import { BAD_NUMBERS, expectUnchanged } from "./helpers.js";

function folio(order = 2): { machine: Machine; pfn: number; gen: number } {
  const machine = new Machine({ ramSize: 8 << 20, debug: { pageOwner: true } });
  const pfn = machine.allocPages(GFP_KERNEL | __GFP_COMP, order);
  return { machine, pfn, gen: machine.pageGen(pfn) };
}

describe("folio references", () => {
  test("folioGet takes references; the last folioPut frees the folio", () => {
    const { machine, pfn, gen } = folio();
    machine.folioGet(pfn, gen);
    machine.folioGet(pfn, gen);
    expect(machine.refCount(pfn)).toBe(3);
    expect(machine.folioPut(pfn, gen)).toBe(false);
    expect(machine.folioPut(pfn, gen)).toBe(false);
    const free = machine.nrFreePages();
    expect(machine.folioPut(pfn, gen)).toBe(true);
    expect(machine.nrFreePages()).toBe(free + 4);
    expect(machine.pageFlags(pfn) & PG_free).toBe(PG_free);
    machine.checkConsistency();
  });

  test("M21: dropping more references than taken is a refcount underflow; the folio is not freed twice", () => {
    const { machine, pfn, gen } = folio();
    machine.folioGet(pfn, gen);
    machine.folioPut(pfn, gen);
    machine.folioPut(pfn, gen); // last reference: freed
    const error = expectUnchanged(machine, () => machine.folioPut(pfn, gen), "ERANGE", /refcount underflow/);
    expect(error.report).toMatch(/BUG: KASAN: refcount underflow in folio_put/);
    expect(error.report).toMatch(/Freed by:\n {4}at /);
    expect(machine.nrFreePages()).toBe(2048);
  });

  test("folioGet on a freed folio (refcount zero) fails", () => {
    const { machine, pfn, gen } = folio();
    machine.folioPut(pfn, gen);
    expectUnchanged(machine, () => machine.folioGet(pfn, gen), "EFAULT", /use after free/);
  });

  test("folioGet fails before the refcount overflows", () => {
    const { machine, pfn, gen } = folio();
    machine.folioRefAdd(pfn, gen, REFCOUNT_MAX - 2);
    expect(machine.refCount(pfn)).toBe(REFCOUNT_MAX - 1);
    machine.folioGet(pfn, gen);
    expectUnchanged(machine, () => machine.folioGet(pfn, gen), "EOVERFLOW", /refcount would overflow/);
    expectUnchanged(machine, () => machine.folioRefAdd(pfn, gen, 0), "EINVAL", /nr/);
  });

  test("reference operations on tail pages and with bad numbers are rejected", () => {
    const { machine, pfn, gen } = folio();
    expectUnchanged(machine, () => machine.folioGet(pfn + 1, machine.pageGen(pfn + 1)), "EINVAL", /not an allocated folio head/);
    expectUnchanged(machine, () => machine.folioPut(pfn + 1, machine.pageGen(pfn + 1)), "EINVAL", /not an allocated folio head/);
    for (const bad of BAD_NUMBERS) {
      expectUnchanged(machine, () => machine.folioGet(bad, gen), "EINVAL", /pfn/);
      expectUnchanged(machine, () => machine.folioPut(bad, gen), "EINVAL", /pfn/);
      // A generation has 48 bits: 2^32 is a well-formed (stale) generation, 2^48 is not one.
      if (bad !== 2 ** 32) expectUnchanged(machine, () => machine.folioGet(pfn, bad), "EINVAL", /gen/);
    }
    expectUnchanged(machine, () => machine.folioGet(pfn, 2 ** 48), "EINVAL", /gen/);
    expectUnchanged(machine, () => machine.folioGet(pfn, 2 ** 32), "EFAULT", /stale handle/);
  });

  test("__free_pages drops the allocation reference and frees only at zero", () => {
    const { machine, pfn, gen } = folio();
    machine.folioGet(pfn, gen);
    expect(machine.freePages(pfn, gen, 2)).toBe(false);
    expect(machine.isAllocated(pfn)).toBe(true);
    expect(machine.folioPut(pfn, gen)).toBe(true);
  });
});

describe("folio flags", () => {
  test("locked, uptodate, dirty and the spare bits live on the head", () => {
    const { machine, pfn, gen } = folio();
    for (const flag of [PG_uptodate, PG_dirty, PG_owner_priv_1]) {
      expect(machine.testPageFlag(pfn, gen, flag)).toBe(false);
      machine.setPageFlag(pfn, gen, flag);
      expect(machine.testPageFlag(pfn, gen, flag)).toBe(true);
      machine.clearPageFlag(pfn, gen, flag);
      expect(machine.testPageFlag(pfn, gen, flag)).toBe(false);
    }
    expectUnchanged(machine, () => machine.setPageFlag(pfn + 1, machine.pageGen(pfn + 1), PG_uptodate), "EINVAL", /folio head/);
    expectUnchanged(machine, () => machine.setPageFlag(pfn, gen, PG_free), "EINVAL", /caller-owned flag/);
    expectUnchanged(machine, () => machine.setPageFlag(pfn, gen, PG_dirty | PG_uptodate), "EINVAL", /single/);
  });

  test("trylock and unlock; a locked folio cannot be freed", () => {
    const { machine, pfn, gen } = folio();
    expect(machine.folioTrylock(pfn, gen)).toBe(true);
    expect(machine.folioTrylock(pfn, gen)).toBe(false);
    expectUnchanged(machine, () => machine.folioPut(pfn, gen), "EBUSY", /locked/);
    machine.folioUnlock(pfn, gen);
    expectUnchanged(machine, () => machine.folioUnlock(pfn, gen), "EINVAL", /not locked/);
    expect(machine.testPageFlag(pfn, gen, PG_locked)).toBe(false);
    expect(machine.folioPut(pfn, gen)).toBe(true);
  });

  test("flags are cleared when the page is reallocated", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    machine.setPageFlag(pfn, gen, PG_uptodate);
    machine.freePages(pfn, gen, 0);
    const again = machine.allocPages(GFP_KERNEL, 0);
    expect(again).toBe(pfn);
    expect(machine.testPageFlag(again, machine.pageGen(again), PG_uptodate)).toBe(false);
  });
});
