/**
 * The two memory models (flat and sparse page metadata): the default by size, the option's checks,
 * and the same results for the same operations.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FLAT_DEFAULT_MAX_PAGES, FLAT_MAX_PAGES, GFP_KERNEL, Machine, __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO } from "../../src/core/index.js";
import { FlatMemMap } from "../../src/core/memmap-flat.js";
import { SparseMemMap } from "../../src/core/memmap-sparse.js";
import { KernelError } from "../../src/errors.js";
import { expectKernelError } from "./helpers.js";
import { machineFriend } from "../../src/core/machine.js";

const PAGE = 4096;

describe("memoryModel", () => {
  test("is flat up to 2^18 frames and sparse above, unless set", () => {
    expect(FLAT_DEFAULT_MAX_PAGES).toBe(2 ** 18);
    const small = new Machine({ ramSize: FLAT_DEFAULT_MAX_PAGES * PAGE });
    expect(small.config.memoryModel).toBe("flat");
    expect(machineFriend.internals(small).mem).toBeInstanceOf(FlatMemMap);
    expect(small.memoryUsage().metadataBytes).toBe(FLAT_DEFAULT_MAX_PAGES * 20);
    const large = new Machine({ ramSize: (FLAT_DEFAULT_MAX_PAGES + 1) * PAGE });
    expect(large.config.memoryModel).toBe("sparse");
    expect(machineFriend.internals(large).mem).toBeInstanceOf(SparseMemMap);
    expect(large.memoryUsage().metadataBytes).toBe(0);
    // The page size counts: 2^18 frames of 64 KiB are 16 GiB, still flat.
    expect(new Machine({ ramSize: 2 ** 34, pageShift: 16 }).config.memoryModel).toBe("flat");
    const forced = new Machine({ ramSize: 1 << 20, memoryModel: "sparse" });
    expect(machineFriend.internals(forced).mem).toBeInstanceOf(SparseMemMap);
    expect(forced.memoryUsage().metadataBytes).toBe(0);
    expect(machineFriend.internals(new Machine({ ramSize: 2 ** 31, memoryModel: "flat" })).mem).toBeInstanceOf(FlatMemMap);
  });

  test("is checked like every other option", () => {
    for (const bad of ["FLAT", "vmemmap", "", 1, true, {}]) {
      expectKernelError(() => new Machine({ ramSize: 1 << 20, memoryModel: bad as never }), "EINVAL", /memoryModel/);
    }
    expectKernelError(() => new Machine({ ramSize: (FLAT_MAX_PAGES + 1) * PAGE, memoryModel: "flat" }), "EINVAL", /flat memory model/);
    const throwing = { ramSize: 1 << 20, get memoryModel(): never { throw new Error("boom"); } };
    expectKernelError(() => new Machine(throwing), "EINVAL");
    // undefined is the default.
    expect(new Machine({ ramSize: 1 << 20, memoryModel: undefined } as never).config.memoryModel).toBe("flat");
  });
});

type Op =
  | { kind: "alloc"; order: number; flags: number }
  | { kind: "free"; index: number }
  | { kind: "get"; index: number }
  | { kind: "put"; index: number }
  | { kind: "write"; index: number; offset: number; byte: number }
  | { kind: "read"; index: number; offset: number }
  | { kind: "map"; index: number }
  | { kind: "stale"; index: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("alloc" as const), order: fc.integer({ min: 0, max: 10 }), flags: fc.constantFrom(0, __GFP_COMP, __GFP_HIGHMEM, __GFP_ZERO | __GFP_COMP) }),
  fc.record({ kind: fc.constant("free" as const), index: fc.nat() }),
  fc.record({ kind: fc.constant("get" as const), index: fc.nat() }),
  fc.record({ kind: fc.constant("put" as const), index: fc.nat() }),
  fc.record({ kind: fc.constant("write" as const), index: fc.nat(), offset: fc.nat({ max: 9000 }), byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant("read" as const), index: fc.nat(), offset: fc.nat({ max: 9000 }) }),
  fc.record({ kind: fc.constant("map" as const), index: fc.nat() }),
  fc.record({ kind: fc.constant("stale" as const), index: fc.nat() }),
);

interface Held {
  pfn: number;
  gen: number;
  order: number;
}

/** Runs one operation on a machine; returns what it gave back (or the errno it threw) as text. */
function step(machine: Machine, held: Held[], freed: Held[], o: Op): string {
  try {
    const pick = (index: number): Held | undefined => (held.length === 0 ? undefined : held[index % held.length]);
    switch (o.kind) {
      case "alloc": {
        const pfn = machine.allocPages(GFP_KERNEL | __GFP_NOWARN | o.flags, o.order);
        held.push({ pfn, gen: machine.pageGen(pfn), order: o.order });
        return `alloc ${pfn} gen ${machine.pageGen(pfn)}`;
      }
      case "free": {
        if (held.length === 0) return "none";
        const [block] = held.splice(o.index % held.length, 1) as [Held];
        machine.freePages(block.pfn, block.gen, block.order);
        freed.push(block);
        return "freed";
      }
      case "get": {
        const block = pick(o.index);
        if (block === undefined) return "none";
        machine.folioGet(block.pfn, block.gen);
        return `refs ${machineFriend.internals(machine).mem.refcount(block.pfn)}`;
      }
      case "put": {
        const block = pick(o.index);
        if (block === undefined) return "none";
        machine.folioPut(block.pfn, block.gen);
        if (machine.pageGen(block.pfn) !== block.gen || !machine.isAllocated(block.pfn)) held.splice(held.indexOf(block), 1);
        return "put";
      }
      case "write": {
        const block = pick(o.index);
        if (block === undefined) return "none";
        machine.write(block.pfn, block.gen, o.offset, Uint8Array.of(o.byte));
        return "written";
      }
      case "read": {
        const block = pick(o.index);
        if (block === undefined) return "none";
        const out = new Uint8Array(1);
        machine.read(block.pfn, block.gen, o.offset, out);
        return `read ${out[0]}`;
      }
      case "map": {
        const block = pick(o.index);
        if (block === undefined) return "none";
        const id = machine.kmapLocal(block.pfn, block.gen, 0);
        const first = machine.kmapLocalView(id)[0];
        machine.kunmapLocal(id);
        return `mapped ${first}`;
      }
      case "stale": {
        const block = freed.length === 0 ? undefined : freed[o.index % freed.length];
        if (block === undefined) return "none";
        machine.read(block.pfn, block.gen, 0, new Uint8Array(1));
        return "read stale";
      }
    }
  } catch (error) {
    if (error instanceof KernelError) return `error ${error.errno}`;
    throw error;
  }
}

test("property: a flat and a sparse machine give the same results and the same state for the same operations", () => {
  const shape = fc.record({
    pages: fc.constantFrom(256, 1024, 3000, 40000),
    highmem: fc.boolean(),
    reserved: fc.nat({ max: 64 }),
  });
  fc.assert(fc.property(shape, fc.array(op, { maxLength: 120 }), ({ pages, highmem, reserved }, ops) => {
    const config = {
      ramSize: pages * PAGE,
      ...(highmem ? { highmemStart: Math.floor(pages / 2) * PAGE } : {}),
      ranges: reserved > 0 ? [{ kind: "reserved" as const, start: 0, size: reserved * PAGE }] : [],
    };
    const flat = new Machine({ ...config, memoryModel: "flat" });
    const sparse = new Machine({ ...config, memoryModel: "sparse" });
    expect(machineFriend.internals(flat).mem).toBeInstanceOf(FlatMemMap);
    expect(machineFriend.internals(sparse).mem).toBeInstanceOf(SparseMemMap);
    expect(flat.stateDigest()).toBe(sparse.stateDigest());
    const heldFlat: Held[] = [];
    const heldSparse: Held[] = [];
    const freedFlat: Held[] = [];
    const freedSparse: Held[] = [];
    for (const o of ops) {
      expect(step(sparse, heldSparse, freedSparse, o)).toBe(step(flat, heldFlat, freedFlat, o));
      expect(sparse.stateDigest()).toBe(flat.stateDigest());
      expect(sparse.nrFreePages()).toBe(flat.nrFreePages());
    }
    expect(flat.consistencyProblems()).toEqual([]);
    expect(sparse.consistencyProblems()).toEqual([]);
    for (let pfn = 0; pfn < pages; pfn += 97) expect(machineFriend.internals(sparse).mem.describe(pfn)).toBe(machineFriend.internals(flat).mem.describe(pfn));
  }), { numRuns: 60 });
});
