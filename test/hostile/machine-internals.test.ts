// The state behind the machine's facade (metadata, backing, free lists, mapping slots, page_owner,
// the services) is `#`-private: a caller can neither enumerate it, nor reach it, nor replace it, and
// the public figures are getters over a frozen configuration. The kit's own tests reach the state
// through `machineFriend`, which no public entry point exports.
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, expectTypeOf, test } from "vitest";
import * as core from "../../src/core/index.js";
import { GFP_KERNEL, Machine, PG_locked, __GFP_COMP } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";
import { AddressSpace, Page } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";

/** Names of the machine's internal state, past and present. */
const INTERNAL = ["mem", "phys", "buddy", "slots", "pkmap", "owner", "leases", "poisonOn", "forceMap", "viewStacks", "handles", "alloc", "flags", "highmem", "access", "cpu"];

const CONFIG = { ramSize: 4 << 20, highmemStart: 2 << 20, debug: { pageOwner: true, poison: true } } as const;

/** A run of public operations: alloc, write, map, flag, free, with the pfns it used. */
function workload(machine: Machine): number[] {
  const a = machine.allocPages(GFP_KERNEL | __GFP_COMP, 2);
  const b = machine.allocPages(GFP_KERNEL, 0);
  machine.write(a, machine.pageGen(a), 5, new Uint8Array([1, 2, 3]));
  const id = machine.kmapLocal(b, machine.pageGen(b));
  machine.kunmapLocal(id);
  machine.setPageFlag(a, machine.pageGen(a), PG_locked);
  machine.folioUnlock(a, machine.pageGen(a));
  machine.freePages(b, machine.pageGen(b), 0);
  machine.folioPut(a, machine.pageGen(a));
  return [a, b];
}

describe("the machine's internal state is not a property", () => {
  test("Object.keys, getOwnPropertyNames and Reflect.ownKeys show nothing; no internal name is reachable", () => {
    for (const config of [{ ramSize: 4 << 20 }, CONFIG, { ramSize: 4 << 20, memoryModel: "sparse" as const, debug: true }]) {
      const machine = new Machine(config);
      expect(Object.keys(machine)).toEqual([]);
      expect(Object.getOwnPropertyNames(machine)).toEqual([]);
      expect(Reflect.ownKeys(machine)).toEqual([]);
      for (const name of INTERNAL) {
        expect(name in machine, name).toBe(false);
        expect((machine as unknown as Record<string, unknown>)[name], name).toBeUndefined();
      }
      // Nor is any of it a getter on the prototype.
      expect(Object.getOwnPropertyNames(Machine.prototype).filter((name) => INTERNAL.includes(name))).toEqual([]);
    }
  });

  test("the types say the same: no internal member on Machine", () => {
    expectTypeOf<Machine>().not.toHaveProperty("mem");
    expectTypeOf<Machine>().not.toHaveProperty("buddy");
    expectTypeOf<Machine>().not.toHaveProperty("phys");
    expectTypeOf<Machine>().not.toHaveProperty("owner");
    expectTypeOf<Machine>().not.toHaveProperty("slots");
    expectTypeOf<Machine>().not.toHaveProperty("pkmap");
    expectTypeOf<Machine>().not.toHaveProperty("leases");
  });

  test("the emitted declaration of Machine shows the private state only as `#private`", () => {
    const source = readFileSync(new URL("../../src/core/machine.ts", import.meta.url), "utf8");
    const { outputText } = ts.transpileDeclaration(source, { fileName: "machine.ts", compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    const file = ts.createSourceFile("machine.d.ts", outputText, ts.ScriptTarget.ES2022);
    const machine = file.statements.find((node): node is ts.ClassDeclaration => ts.isClassDeclaration(node) && node.name?.text === "Machine");
    expect(machine).toBeDefined();
    const members = machine!.members.map((member) => (member.name === undefined ? "(constructor)" : member.name.getText(file)));
    expect(members).toContain("#private");
    expect(members.filter((name) => INTERNAL.includes(name))).toEqual([]);
    // The public figures are read-only accessors, not writable fields.
    for (const name of ["config", "pageShift", "pageSize", "nrPages", "highmemPfn", "cpus", "pageCache"]) {
      const member = machine!.members.find((m) => m.name?.getText(file) === name);
      expect(member && ts.isGetAccessorDeclaration(member), name).toBe(true);
    }
  });

  test("machineFriend is not exported from ownkit/core", () => {
    expect(Object.keys(core).filter((name) => /friend|internals/i.test(name))).toEqual([]);
  });
});

describe("assigning over the machine's state changes nothing", () => {
  test("machine.mem, .buddy, .phys, .owner, .slots, .cpu = … are a caller's own properties, ignored by the machine", () => {
    const machine = new Machine(CONFIG);
    const twin = new Machine(CONFIG);
    const before = machineFriend.internals(machine);
    // Fakes that would corrupt the machine if it read them: every method throws.
    const poisoned = new Proxy({}, { get: () => { throw new Error("the machine read a caller's property"); } });
    const loose = machine as unknown as Record<string, unknown>;
    for (const name of INTERNAL) loose[name] = poisoned;
    loose.mem = { setRefcount: () => undefined, refcount: () => 0 };
    expect(machine.stateDigest()).toBe(twin.stateDigest());
    expect(workload(machine)).toEqual(workload(twin));
    expect(machine.stateDigest()).toBe(twin.stateDigest());
    expect(machine.consistencyProblems()).toEqual([]);
    expect(machine.leakReport()).toBeNull();
    // The state behind the facade is the same objects as before the assignments.
    const after = machineFriend.internals(machine);
    for (const key of Object.keys(before) as (keyof typeof before)[]) expect(after[key], key).toBe(before[key]);
    expect(after.mem).not.toBe(loose.mem);
  });

  test("the public figures cannot be overwritten, nor the configuration behind them", () => {
    const machine = new Machine(CONFIG);
    const loose = machine as unknown as Record<string, unknown>;
    for (const name of ["nrPages", "pageSize", "pageShift", "highmemPfn", "cpus", "config", "pageCache"]) {
      expect(() => (loose[name] = 1), name).toThrow(TypeError);
    }
    const config = machine.config as unknown as { nrPages: number; debug: { forceMap: boolean }; segments: unknown[] };
    expect(() => (config.nrPages = 1)).toThrow(TypeError);
    expect(() => (config.debug.forceMap = true)).toThrow(TypeError);
    expect(() => config.segments.push({ startPfn: 0, endPfn: 1, kind: "mmio" })).toThrow(TypeError);
    expect(() => ((config.segments[0] as { kind: string }).kind = "mmio")).toThrow(TypeError);
    expect([machine.nrPages, machine.pageSize, machine.highmemPfn, machine.cpus]).toEqual([1024, 4096, 512, 2]);
    expect(machine.pfnValid(0)).toBe(true);
    expect(machine.kindOf(0)).toBe("ram");
  });

  test("what the kit's own friend access reaches is the real state: corrupting it is seen", () => {
    // The twin of the tests above: were the metadata reachable, a write through it would show.
    const machine = new Machine(CONFIG);
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const digest = machine.stateDigest();
    const { mem } = machineFriend.internals(machine);
    mem.setRefcount(pfn, 7);
    expect(machine.refCount(pfn)).toBe(7);
    expect(machine.stateDigest()).not.toBe(digest);
    mem.setRefcount(pfn, 1);
    expect(machine.stateDigest()).toBe(digest);
    machine.freePages(pfn, machine.pageGen(pfn), 0);
  });

  test("machineFriend refuses what is not a machine", () => {
    expect(() => machineFriend.internals({} as Machine)).toThrow(TypeError);
    expect(() => machineFriend.internals(Object.create(Machine.prototype) as Machine)).toThrow(TypeError);
  });
});

describe("the public methods still work", () => {
  test("figures, addressing, allocation, access, mappings, the page cache, the kit on top, teardown", () => {
    const machine = new Machine(CONFIG);
    expect([machine.nrPages, machine.pageSize, machine.pageShift, machine.highmemPfn, machine.cpus]).toEqual([1024, 4096, 12, 512, 2]);
    expect(machine.config.debug.pageOwner).toBe(true);
    expect(machine.pfnToPhys(3)).toBe(3 * 4096);
    expect(machine.physToPfn(3 * 4096 + 5)).toBe(3);
    expect(machine.isHighmem(600)).toBe(true);
    const fresh = machine.nrFreePages();
    workload(machine);
    expect(machine.nrFreePages()).toBe(fresh);
    expect(machine.onCpu(1, () => machine.currentCpu)).toBe(1);
    // The kit on top reads the figures and the page cache through the getters.
    {
      using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
      page.write(0, new Uint8Array([9]));
      expect(page.read(0, 1)[0]).toBe(9);
      const space = AddressSpace.create(machine);
      const folio = space.readFolio(1, (locked) => locked.markUptodate());
      const pfn = machine.pageCache.lookup(space.id, 1);
      expect(machine.pageCache.indexOf(pfn)).toBe(1);
      expect(folio.index).toBe(1);
      expect(folio.phys()).toBe(machine.pfnToPhys(pfn));
      folio.put();
      space.teardown();
    }
    expect(machine.leakReport()).toBeNull();
    expect(machine.consistencyProblems()).toEqual([]);
    machine.teardown();
  });
});
