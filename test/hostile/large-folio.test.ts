// A folio of order n at index i covers i … i + 2^n − 1 of its mapping, as in the kernel's page cache.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { AddressSpace, Folio, GFP_KERNEL, loff, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef } from "../../src/ownership/index.js";
import { expectUnchanged } from "../core/helpers.js";

const fill = (locked: { markUptodate(): void }): void => locked.markUptodate();

test("a lookup of any index, or of any byte position, inside a large folio finds it", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const folio: ARef<Folio> = space.readFolio(4, fill, { order: 2 });
  for (const index of [4, 5, 6, 7]) {
    const found: ARef<Folio> | null = space.lookup(index);
    expect(found, `index ${index}`).not.toBeNull();
    const held: ARef<Folio> = found!;
    expect(held.phys()).toBe(folio.phys());
    held.put();
  }
  expect(space.lookup(3)).toBeNull();
  expect(space.lookup(8)).toBeNull();
  const inside: ARef<Folio> = space.lookupPos(loff(6n * 4096n + 100n))!;
  expect(inside.phys()).toBe(folio.phys());
  inside.put();
  folio.put();
});

test("reading an index inside a cached large folio never caches a second copy", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const folio: ARef<Folio> = space.readFolio(8, fill, { order: 3 });
  const free = machine.nrFreePages();
  let fills = 0;
  const again: ARef<Folio> = space.readFolio(13, () => void fills++);
  expect(fills).toBe(0);
  expect(again.phys()).toBe(folio.phys());
  expect(space.indexes()).toEqual([8]);
  expect(machine.nrFreePages()).toBe(free);
  again.put();
  folio.put();
});

test("a large folio's index must be a multiple of its size, and may not overlap a cached folio (nothing allocated)", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  expectUnchanged(machine, () => space.readFolio(2, fill, { order: 2 }), "EINVAL", /multiple of the folio's size/);
  const small: ARef<Folio> = space.readFolio(5, fill);
  expectUnchanged(machine, () => space.readFolio(4, fill, { order: 2 }), "EEXIST", /would cover already caches/);
  small.put();
  // correct use: aligned and free
  const aligned: ARef<Folio> = space.readFolio(8, fill, { order: 2 });
  aligned.put();
  expect(space.indexes()).toEqual([5, 8]);
});

test("Folio.intoUnique while a shared mapping or chunk iteration of the folio is live is EBUSY naming it", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  shared.map(0, () => {
    expectUnchanged(machine, () => Folio.intoUnique(shared), "EBUSY", /liveBorrow="read mapping at offset 0"/);
  });
  shared.forEachChunk(0, 16, () => {
    expectUnchanged(machine, () => Folio.intoUnique(shared), "EBUSY", /read chunks/);
  });
  // correct use: no mapping live
  const back: UniqueFolio = Folio.intoUnique(shared);
  back.release();
});
