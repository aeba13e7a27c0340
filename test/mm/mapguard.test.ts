import { describe, expect, expectTypeOf, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, Machine, type MachineConfig } from "../../src/core/index.js";
import { Folio, MapGuard, type FolioView, type LockedFolio, type ReadonlyFolioView, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef } from "../../src/ownership/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "../core/helpers.js";

const PAGE = 4096;
const machines: Record<string, { config: MachineConfig; gfp: number; pageEnd: boolean }> = {
  plain: { config: { ramSize: 16 << 20 }, gfp: GFP_KERNEL, pageEnd: false },
  highmem: { config: { ramSize: 16 << 20, highmemStart: 4 << 20 }, gfp: GFP_HIGHUSER, pageEnd: true },
  "force-map": { config: { ramSize: 16 << 20, debug: { forceMap: true } }, gfp: GFP_KERNEL, pageEnd: true },
};

/** The same folio code for every machine: fill through chunks, read through map and memcpy. */
function workload(unique: UniqueFolio, offset: number, length: number): { mapped: number[]; copied: number[]; chunks: number } {
  let chunks = 0;
  unique.forEachChunkMut(0, unique.size, (view, at) => {
    for (let i = 0; i < view.length; i++) view[i] = (at + i) % 251;
  });
  const src = Uint8Array.from({ length }, (_, i) => 255 - (i % 200));
  unique.memcpyToFolio(offset, src);
  const copied = new Uint8Array(length + 2);
  const from = Math.max(0, offset - 1);
  unique.memcpyFromFolio(copied.subarray(0, Math.min(length + 2, unique.size - from)), from);
  unique.forEachChunk(offset, length, () => void chunks++);
  const mapped = unique.map(offset, ({ view }) => [view[0]!, view[view.length - 1]!, view.length]);
  return { mapped, copied: [...copied], chunks };
}

describe("the same folio code gives the same bytes on every machine", () => {
  const cases: [number, number, number][] = [];
  for (const order of [0, 1, 4]) {
    const size = PAGE << order;
    for (const offset of [0, PAGE >> 1, PAGE - 1, size - 1]) {
      for (const length of [1, Math.min(PAGE + 3, size - offset)]) cases.push([order, offset, Math.min(length, size - offset)]);
    }
  }
  test.each(cases)("order %i, offset %i, length %i", (order, offset, length) => {
    const results = Object.entries(machines).map(([name, { config, gfp, pageEnd }]) => {
      const machine = new Machine(config);
      const unique: UniqueFolio = Folio.alloc(order, gfp, machine);
      expect(unique.highmem).toBe(name === "highmem");
      const result = workload(unique, offset, length);
      const size = PAGE << order;
      const pageEndOf = (o: number): number => (Math.floor(o / PAGE) + 1) * PAGE;
      // The mapping's length is the only thing that differs: page end vs folio end.
      expect(result.mapped[2]).toBe((pageEnd ? pageEndOf(offset) : size) - offset);
      const pagesTouched = Math.floor((offset + length - 1) / PAGE) - Math.floor(offset / PAGE) + 1;
      expect(result.chunks).toBe(pageEnd ? pagesTouched : 1);
      unique.release();
      expect(machine.consistencyProblems()).toEqual([]);
      return { bytes: result.copied, first: result.mapped[0] };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe("copies without caller code", () => {
  test.each(Object.entries(machines))("on a %s machine: same bytes as the chunk loop; a mapping only where one is needed", (_name, { config, gfp, pageEnd }) => {
    const machine = new Machine(config);
    const unique: UniqueFolio = Folio.alloc(2, gfp, machine);
    const size = unique.size;
    const src = Uint8Array.from({ length: size - 5 }, (_, i) => (i * 7) % 256);
    unique.write(3, src);
    unique.zeroOut(PAGE - 1, 2);
    const expected = new Uint8Array(size);
    expected.set(src, 3);
    expected.fill(0, PAGE - 1, PAGE + 1);
    const out = new Uint8Array(size);
    unique.memcpyFromFolio(out, 0);
    expect([...out]).toEqual([...expected]);
    const viaChunks = new Uint8Array(size);
    unique.forEachChunk(0, size, (view, at) => viaChunks.set(view.slice(), at));
    expect([...viaChunks]).toEqual([...expected]);
    // With every kmap_local slot taken, a direct-mapped folio still copies; the others need a slot.
    const page = machine.allocPages(GFP_KERNEL, 0);
    const ids: number[] = [];
    for (;;) {
      try {
        ids.push(machine.kmapLocal(page, machine.pageGen(page), 0));
      } catch {
        break;
      }
    }
    const copy = (): void => unique.memcpyFromFolio(out.subarray(0, 4), 0);
    if (pageEnd) expectKernelError(copy, "ENOSPC", "no free kmap_local slot");
    else copy();
    for (const id of ids.reverse()) machine.kunmapLocal(id);
    machine.freePages(page, machine.pageGen(page), 0);
    unique.release();
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("a read copy only needs no write mapping to be live, and registers no borrow", () => {
    const machine = new Machine({ ramSize: 8 << 20 });
    const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
    const alias: UniqueFolio = unique;
    // correct use: a copy out while a read mapping is live, and a write once it ended
    unique.map(0, () => alias.memcpyFromFolio(new Uint8Array(2), 0));
    unique.write(0, new Uint8Array([9]));
    unique.mapMut(0, () => {
      const error = expectKernelError(() => alias.memcpyFromFolio(new Uint8Array(1), 8), "EBUSY", "a read mapping conflicts with a live write mapping");
      expect(error.values).toMatchObject({ liveBorrow: "write mapping at offset 0", requested: "memcpy_from_folio at offset 8" });
    });
    unique.release();
  });
});

test("M25: map offsets outside 0 <= offset < size are EINVAL and nothing is mapped", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  // correct use: the last byte
  expect(unique.map(2 * PAGE - 1, ({ view, offset }) => [view.length, offset])).toEqual([1, 2 * PAGE - 1]);
  for (const offset of [...BAD_NUMBERS, 2 * PAGE]) {
    expectUnchanged(machine, () => unique.map(offset, () => 0), "EINVAL", "offset");
  }
  expect(machine.kmapLocalDepth()).toBe(0);
  unique.release();
});

test("M25: ranges leaving the folio are EINVAL and nothing is written", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.zeroOut(0, PAGE);
  // correct use: a range ending at the last byte
  unique.write(PAGE - 2, new Uint8Array([1, 2]));
  expectUnchanged(machine, () => unique.write(PAGE - 1, new Uint8Array([1, 2])), "EINVAL", "range leaves the folio");
  expectUnchanged(machine, () => unique.zeroOut(1, PAGE), "EINVAL", "range leaves the folio");
  for (const bad of BAD_NUMBERS) {
    expectUnchanged(machine, () => unique.zeroOut(bad, 1), "EINVAL");
    expectUnchanged(machine, () => unique.memcpyFromFolio(new Uint8Array(1), bad), "EINVAL");
    expectUnchanged(machine, () => unique.forEachChunk(0, bad, () => undefined), "EINVAL");
  }
  const check = new Uint8Array(3);
  unique.memcpyFromFolio(check, PAGE - 3);
  expect([...check]).toEqual([0, 1, 2]);
  unique.release();
});

test("M29: a write mapping while another mapping of a UniqueFolio is live is EBUSY naming the live borrow", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  // correct use: two read mappings at once, then a write mapping alone
  unique.map(0, (a) => unique.map(8, (b) => expect(a.view.length + b.view.length).toBe(2 * PAGE - 8)));
  unique.mapMut(0, ({ view }) => {
    view.fill(5);
  });
  const alias: UniqueFolio = unique;
  unique.map(16, () => {
    const error = expectKernelError(() => alias.mapMut(0, () => 0), "EBUSY", "live read mapping");
    expect(error.values["liveBorrow"]).toBe("read mapping at offset 16");
  });
  unique.mapMut(0, () => {
    expectKernelError(() => alias.map(0, () => 0), "EBUSY", "live write mapping");
    expectKernelError(() => alias.memcpyFromFolio(new Uint8Array(1), 0), "EBUSY", "write mapping at offset 0");
  });
  expect(machine.kmapLocalDepth()).toBe(0);
  unique.release();
});

test("M17 at run time: an exclusive operation while a mapping is live is EBUSY naming it", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  // correct use: write, then map
  unique.write(0, new Uint8Array([1]));
  expect(unique.map(0, ({ view }) => view[0])).toBe(1);
  unique.map(0, () => {
    expectKernelError(() => unique.write(0, new Uint8Array([2])), "EBUSY", "liveBorrow=\"read mapping at offset 0\"");
    expectKernelError(() => unique.zeroOut(0, 1), "EBUSY");
    expectKernelError(() => unique.intoShared(), "EBUSY");
    expectKernelError(() => unique.release(), "EBUSY");
  });
  expect(unique.map(0, ({ view }) => view[0])).toBe(1);
  unique.release();
});

test("mappings nest LIFO on the CPU's kmap_local slots and are released when the closure throws", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.map(0, () => unique.map(1, () => expect(machine.kmapLocalDepth()).toBe(2)));
  expect(() => unique.map(0, () => { throw new Error("boom"); })).toThrow("boom");
  expect(machine.kmapLocalDepth()).toBe(0);
  let kept: MapGuard<unknown> | undefined;
  unique.map(0, (guard) => void (kept = guard as MapGuard<unknown>));
  expectKernelError(() => kept!.view, "EFAULT", "after its closure returned");
  unique.release();
});

test("views are typed: read-only for shared mappings, writable for exclusive ones", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.mapMut(0, (guard) => {
    expectTypeOf(guard.view).not.toMatchTypeOf<Uint8Array>();
    expectTypeOf(guard.view).not.toHaveProperty("buffer");
    expect(guard.view).toBeInstanceOf(Uint8Array);
  });
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  shared.map(0, (guard) => {
    expectTypeOf(guard.view).not.toHaveProperty("set");
    expectTypeOf(guard.view).not.toHaveProperty("buffer");
    expectTypeOf(guard.view.subarray(0, 4)).toEqualTypeOf(guard.view);
    expectTypeOf(guard.view.valueOf()).toEqualTypeOf(guard.view);
    expectTypeOf(guard.view[0]).toEqualTypeOf<number | undefined>();
  });
  expectTypeOf<FolioView<"l">>().toHaveProperty("set");
  expectTypeOf<ReadonlyFolioView<"l">>().not.toHaveProperty("fill");
  expectTypeOf(shared.map(0, ({ view }) => view.slice(0, 4))).toMatchTypeOf<Uint8Array>();
  shared.put();
});

test("a LockedFolio's chunk iteration is a borrow: no write or write mapping of the guard while it runs", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  {
    using locked = shared.lock();
    // correct use: reads nest inside a read chunk; writes come after it
    locked.forEachChunk(0, 16, () => locked.map(0, ({ view }) => view[0]));
    locked.write(0, new Uint8Array([1]));
    locked.forEachChunk(0, 16, () => {
      expectKernelError(() => locked.write(0, new Uint8Array([2])), "EBUSY", "read chunks at offset 0");
      expectKernelError(() => locked.mapMut(0, () => 0), "EBUSY", "live read mapping");
    });
    locked.forEachChunkMut(4, 16, () => {
      expectKernelError(() => locked.map(0, () => 0), "EBUSY", "write chunks at offset 4");
      expectKernelError(() => locked.forEachChunkMut(0, 1, () => undefined), "EBUSY", "live write mapping");
      expectKernelError(() => locked.unlock(), "EBUSY");
    });
    expect(locked.map(0, ({ view }) => view[0])).toBe(1);
  }
  expect(machine.kmapLocalDepth()).toBe(0);
  shared.put();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a locked UniqueFolio: the guard's mappings and the unique handle's exclude each other", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  {
    using locked = unique.lock();
    // correct use: read mappings of both handles nest; each writes when nothing is mapped
    locked.map(0, () => unique.map(8, ({ view }) => view.length));
    unique.write(0, new Uint8Array([1]));
    locked.write(1, new Uint8Array([2]));
    locked.mapMut(0, () => {
      expectKernelError(() => unique.write(0, new Uint8Array([9])), "EBUSY", "write mapping at offset 0");
      expectKernelError(() => unique.map(0, () => 0), "EBUSY", "live write mapping");
      expectKernelError(() => unique.intoShared(), "EBUSY");
    });
    locked.map(0, () => {
      expectKernelError(() => unique.mapMut(0, () => 0), "EBUSY", "live read mapping");
    });
    unique.map(0, () => {
      expectKernelError(() => locked.mapMut(0, () => 0), "EBUSY", "live read mapping");
    });
    expect(unique.map(0, ({ view }) => [view[0], view[1]])).toEqual([1, 2]);
  }
  expect(machine.kmapLocalDepth()).toBe(0);
  unique.release();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a locked UniqueFolio: only the guard's own mappings block its unlock", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  // correct use: a read mapping of the unique handle stays live while the guard unlocks
  const locked: LockedFolio = unique.lock();
  const alias: LockedFolio = locked;
  const first = unique.map(0, ({ view }) => {
    locked.unlock();
    expectKernelError(() => alias.markUptodate(), "EFAULT", "after unlock");
    return view[0];
  });
  expect(first).toBe(0);
  // misuse: a mapping or chunk iteration made through the guard blocks unlock, as before
  {
    using relocked: LockedFolio = unique.lock();
    relocked.map(0, () => {
      expectKernelError(() => relocked.unlock(), "EBUSY", "liveMappings=1");
      unique.map(8, () => expectKernelError(() => relocked.unlock(), "EBUSY", "mapping of this guard is live"));
    });
    relocked.forEachChunk(0, 16, () => expectKernelError(() => relocked.unlock(), "EBUSY", "liveMappings=1"));
    relocked.unlock();
  }
  expect(machine.kmapLocalDepth()).toBe(0);
  unique.release();
  expect(machine.consistencyProblems()).toEqual([]);
});
