import { describe, expect, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, KM_MAX_IDX, LAST_PKMAP, Machine, __GFP_COMP } from "../../src/core/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "./helpers.js";
import { machineFriend } from "../../src/core/machine.js";

function setup(config: ConstructorParameters<typeof Machine>[0] = {}) {
  const machine = new Machine({ ramSize: 8 << 20, highmemStart: 4 << 20, ...config });
  const low = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
  const high = machine.allocPages(GFP_HIGHUSER | __GFP_COMP, 2);
  return { machine, low, lowGen: machine.pageGen(low), high, highGen: machine.pageGen(high) };
}

describe("kmap_local", () => {
  test("lowmem views reach the end of the folio; HIGHMEM views end at the page end", () => {
    const { machine, low, lowGen, high, highGen } = setup();
    const a = machine.kmapLocal(low, lowGen, 100);
    expect(machine.kmapLocalView(a).length).toBe(4 * 4096 - 100);
    const b = machine.kmapLocal(high, highGen, 4096 + 100);
    expect(machine.kmapLocalView(b).length).toBe(4096 - 100);
    machine.kmapLocalView(b)[0] = 42;
    const byte = new Uint8Array(1);
    machine.read(high, highGen, 4096 + 100, byte);
    expect(byte[0]).toBe(42);
    machine.kunmapLocal(b);
    machine.kunmapLocal(a);
    expect(machine.kmapLocalDepth()).toBe(0);
  });

  test("force-map mode makes lowmem behave like HIGHMEM", () => {
    const { machine, low, lowGen } = setup({ debug: { forceMap: true } });
    const id = machine.kmapLocal(low, lowGen, 10);
    expect(machine.kmapLocalView(id).length).toBe(4096 - 10);
    machine.kunmapLocal(id);
  });

  test("M22: releasing out of order names the expected and the actual mapping; slots unchanged", () => {
    const { machine, low, lowGen, high, highGen } = setup();
    const outer = machine.kmapLocal(low, lowGen);
    const inner = machine.kmapLocal(high, highGen);
    const error = expectUnchanged(machine, () => machine.kunmapLocal(outer), "EINVAL", /LIFO/);
    expect(String(error.values.expected)).toMatch(/kmap_local#\d+ \(cpu 0, slot 1, pfn 0x/);
    expect(String(error.values.actual)).toMatch(/kmap_local#\d+ \(cpu 0, slot 0, pfn 0x/);
    // correct order works
    machine.kunmapLocal(inner);
    machine.kunmapLocal(outer);
    machine.checkConsistency();
  });

  test("LIFO is enforced on a configuration without HIGHMEM too", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    const a = machine.kmapLocal(pfn, gen);
    const b = machine.kmapLocal(pfn, gen);
    expectUnchanged(machine, () => machine.kunmapLocal(a), "EINVAL", /LIFO/);
    machine.kunmapLocal(b);
    machine.kunmapLocal(a);
  });

  test("M23: 15 nested mappings per CPU; the 16th fails and earlier mappings stay intact", () => {
    const { machine, low, lowGen } = setup();
    expect(KM_MAX_IDX).toBe(16);
    const ids: number[] = [];
    for (let i = 0; i < 15; i++) ids.push(machine.kmapLocal(low, lowGen, i));
    expectUnchanged(machine, () => machine.kmapLocal(low, lowGen), "ENOSPC", /no free kmap_local slot on this CPU \(cpu=0, depth=15, max=15/);
    ids.forEach((id, i) => expect(machine.kmapLocalView(id).length).toBe(4 * 4096 - i));
    // another CPU has its own slots
    machine.onCpu(1, () => machine.kunmapLocal(machine.kmapLocal(low, lowGen)));
    for (const id of ids.reverse()) machine.kunmapLocal(id);
  });

  test("the debug guard layout allows 16 nested mappings on every other slot", () => {
    const { machine, low, lowGen } = setup({ debug: { kmapLocalGuard: true } });
    expect(machineFriend.internals(machine).slots.slotsPerCpu).toBe(33);
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) ids.push(machine.kmapLocal(low, lowGen));
    expect(ids.map((id) => machineFriend.internals(machine).slots.entry(machineFriend.internals(machine).slots.find(id)).slot)).toEqual(Array.from({ length: 16 }, (_, i) => 2 * i + 1));
    expectUnchanged(machine, () => machine.kmapLocal(low, lowGen), "ENOSPC", /max=16/);
    for (const id of ids.reverse()) machine.kunmapLocal(id);
  });

  test("M24: using or releasing a local mapping from another CPU is an error", () => {
    const { machine, low, lowGen } = setup();
    const id = machine.kmapLocal(low, lowGen);
    expectUnchanged(machine, () => machine.onCpu(1, () => machine.kmapLocalView(id)), "EPERM", /another CPU/);
    expectUnchanged(machine, () => machine.onCpu(1, () => machine.kunmapLocal(id)), "EPERM", /another CPU/);
    expect(machine.kmapLocalView(id).length).toBeGreaterThan(0);
    machine.kunmapLocal(id);
  });

  test("a released mapping id is dead; ids are never reused", () => {
    const { machine, low, lowGen } = setup();
    const id = machine.kmapLocal(low, lowGen);
    machine.kunmapLocal(id);
    expectUnchanged(machine, () => machine.kmapLocalView(id), "EFAULT", /not a live local mapping/);
    expectUnchanged(machine, () => machine.kunmapLocal(id), "EFAULT", /not a live local mapping/);
    const next = machine.kmapLocal(low, lowGen);
    expect(next).not.toBe(id);
    machine.kunmapLocal(next);
    for (const bad of [-1, 0, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) expectUnchanged(machine, () => machine.kunmapLocal(bad), "EINVAL", /id/);
    expectUnchanged(machine, () => machine.kunmapLocal(2 ** 40), "EFAULT", /not a live local mapping/);
  });

  test("a mapped page cannot be freed; bad offsets are rejected", () => {
    const { machine, low, lowGen } = setup();
    const id = machine.kmapLocal(low, lowGen);
    expectUnchanged(machine, () => machine.folioPut(low, lowGen), "EBUSY", /still mapped/);
    expectUnchanged(machine, () => machine.kmapLocal(low, lowGen, 4 * 4096), "EINVAL", /offset/);
    for (const bad of BAD_NUMBERS) expectUnchanged(machine, () => machine.kmapLocal(low, lowGen, bad), "EINVAL", /offset/);
    machine.kunmapLocal(id);
    machine.folioPut(low, lowGen);
    expectUnchanged(machine, () => machine.kmapLocal(low, lowGen), "EFAULT", /use after free/);
  });
});

describe("kmap (permanent pool, discouraged)", () => {
  test("maps one page, counts nested maps of the same page, and kunmap must balance", () => {
    const { machine, high, highGen } = setup();
    const view = machine.kmap(high, highGen);
    expect(view.length).toBe(4096);
    machine.kmap(high, highGen);
    expect(machineFriend.internals(machine).pkmap.count(high)).toBe(2);
    expectUnchanged(machine, () => machine.folioPut(high, highGen), "EBUSY", /kmapped/);
    machine.kunmap(high, highGen);
    machine.kunmap(high, highGen);
    expectUnchanged(machine, () => machine.kunmap(high, highGen), "EINVAL", /not kmapped/);
  });

  test("the pool has LAST_PKMAP entries", () => {
    const machine = new Machine({ ramSize: 8 << 20 });
    const pages: [number, number][] = [];
    for (let i = 0; i < LAST_PKMAP + 1; i++) {
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      pages.push([pfn, machine.pageGen(pfn)]);
    }
    for (const [pfn, gen] of pages.slice(0, LAST_PKMAP)) machine.kmap(pfn, gen);
    const [lastPfn, lastGen] = pages[LAST_PKMAP]!;
    expectKernelError(() => machine.kmap(lastPfn, lastGen), "EBUSY", /pool exhausted/);
    machine.kunmap(pages[0]![0], pages[0]![1]);
    expect(machine.kmap(lastPfn, lastGen).length).toBe(4096);
  });
});
