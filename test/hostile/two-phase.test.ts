// Failures that could leave half the work done: teardown, readFolio's failure paths, copies.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { AddressSpace, Folio, GFP_HIGHUSER, GFP_KERNEL, Page, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef, Owned } from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const fill = (locked: { markUptodate(): void }): void => locked.markUptodate();

test("AddressSpace.teardown with one folio still mapped is EBUSY with every index still cached", () => {
  const machine = new Machine({ ramSize: 4 << 20, highmemStart: 2 << 20 });
  const space = AddressSpace.create(machine);
  for (const index of [0, 1, 2]) {
    const cached: ARef<Folio> = space.readFolio(index, fill);
    cached.put();
  }
  // The cache holds the last reference of index 2, and the core maps it.
  const pfn = machine.pageCache.lookup(space.id, 2);
  const id = machine.kmapLocal(pfn, machine.pageGen(pfn));
  expectUnchanged(machine, () => space.teardown(), "EBUSY", /still mapped/);
  expect(space.indexes()).toEqual([0, 1, 2]);
  // correct use: once the mapping ends, the teardown succeeds and frees everything
  machine.kunmapLocal(id);
  space.teardown();
  expect(machine.leakReport()).toBeNull();
});

test("a readFolio fill that tears down its own space fails with EFAULT and leaks nothing", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  const space = AddressSpace.create(machine);
  expectKernelError(
    () =>
      space.readFolio(0, (locked) => {
        locked.markUptodate();
        locked[Symbol.dispose]();
        space.teardown();
      }),
    "EFAULT",
    /left the page cache/,
  );
  expect(machine.leakReport()).toBeNull();
  expect(machine.consistencyProblems()).toEqual([]);
  // correct use on a live space
  using other = AddressSpace.create(machine);
  const read: ARef<Folio> = other.readFolio(0, fill);
  read.put();
});

test("a readFolio fill that throws or forgets uptodate leaves nothing cached and nothing allocated", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const free = machine.nrFreePages();
  expect(() => space.readFolio(0, () => { throw new Error("device error"); })).toThrow("device error");
  expectKernelError(() => space.readFolio(0, () => undefined), "EIO");
  expect(space.indexes()).toEqual([]);
  expect(machine.nrFreePages()).toBe(free);
  expect(machine.consistencyProblems()).toEqual([]);
});

test("locking a folio that is already locked is EBUSY, not EDEADLK from the order rule", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const low: ARef<Folio> = space.readFolio(3, fill);
  const high: ARef<Folio> = space.readFolio(5, fill);
  const lowGuard = low.lock();
  const highGuard = high.lock();
  expectUnchanged(machine, () => low.lock(), "EBUSY", /already locked/);
  highGuard[Symbol.dispose]();
  lowGuard[Symbol.dispose]();
  // correct use: the order rule still answers EDEADLK for an unlocked folio below a held one
  const guard = high.lock();
  expectUnchanged(machine, () => low.lock(), "EDEADLK");
  guard[Symbol.dispose]();
  low.put();
  high.put();
});

test("copies take their length from the real byte length: a lying length never overwrites the neighbour page", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const neighbour: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  neighbour.write(0, new Uint8Array(16).fill(7));
  const src = new Uint8Array(8192).fill(0xee);
  Object.defineProperty(src, "length", { value: 1 });
  expectUnchanged(machine, () => page.write(0, src), "EINVAL", /range leaves the page \(offset=0, length=8192/);
  expect([...neighbour.read(0, 4)]).toEqual([7, 7, 7, 7]);
  const dst = new Uint8Array(8192);
  Object.defineProperty(dst, "length", { value: 1 });
  expectUnchanged(machine, () => page.read(0, dst), "EINVAL", /range leaves the page/);
  // a Proxy around a Uint8Array and an object made from Uint8Array.prototype are refused
  expectUnchanged(machine, () => page.write(0, new Proxy(new Uint8Array(4), {})), "EINVAL", /bytes is not a Uint8Array/);
  expectUnchanged(machine, () => page.write(0, Object.create(Uint8Array.prototype) as Uint8Array), "EINVAL");
  expectUnchanged(machine, () => machine.write(page.phys() / 4096, machine.pageGen(page.phys() / 4096), 0, new Proxy(new Uint8Array(4), {})), "EINVAL");
  // correct use: a genuine array whose length matches
  page.write(0, new Uint8Array([1, 2, 3]));
  expect([...page.read(0, 3)]).toEqual([1, 2, 3]);
  page.release();
  neighbour.release();
});

test("a multi-page HIGHMEM folio copy runs no method of the caller's array: all pages are written or none", () => {
  const machine = new Machine({ ramSize: 4 << 20, highmemStart: 1 << 20 });
  const folio: UniqueFolio = Folio.alloc(1, GFP_HIGHUSER, machine);
  const src = new Uint8Array(8192).fill(9);
  const trap = (): never => {
    throw new Error("an overridden method ran half-way");
  };
  Object.defineProperties(src, { subarray: { value: trap }, set: { value: trap }, length: { value: 2 } });
  folio.write(0, src);
  const out = new Uint8Array(8192);
  Object.defineProperty(out, "set", { value: trap });
  folio.memcpyFromFolio(out, 0);
  expect(out.every((byte) => byte === 9)).toBe(true);
  // misuse: too long for the folio, refused before the first page is written
  const long = new Uint8Array(8193).fill(1);
  expectUnchanged(machine, () => folio.write(0, long), "EINVAL");
  const first = new Uint8Array(1);
  folio.memcpyFromFolio(first, 0);
  expect(first[0]).toBe(9);
  folio.release();
});
