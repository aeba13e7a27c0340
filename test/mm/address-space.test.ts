import { expect, expectTypeOf, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { AddressSpace, Folio, LockedFolio, loff, type Loff, type ReadFolioOptions, type UniqueFolio } from "../../src/mm/index.js";
import { refCountOf, type ARef } from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const PAGE = 4096;
const fillWith = (byte: number) => (locked: LockedFolio): void => {
  expect(locked.uptodate).toBe(false);
  expect(locked.folio.locked).toBe(true);
  locked.forEachChunkMut(0, locked.size, (view) => {
    view.fill(byte);
  });
  locked.markUptodate();
};

test("readFolio: a miss reads the folio through the locked guard; a hit returns another reference", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const space = AddressSpace.create(machine);
  const first: ARef<Folio> = space.readFolio(3, fillWith(0x33));
  expectTypeOf(first).toEqualTypeOf<ARef<Folio>>();
  expect(first.uptodate).toBe(true);
  expect(first.locked).toBe(false);
  expect(first.index).toBe(3);
  expect(first.pos).toBe(3n * BigInt(PAGE));
  expectTypeOf(first.pos).toEqualTypeOf<Loff>();
  expect(refCountOf(first)).toBe(2); // the cache's and ours
  let calls = 0;
  const again: ARef<Folio> = space.readFolio(3, () => void calls++);
  expect(calls).toBe(0);
  expect(again.map(0, ({ view }) => view[PAGE - 1])).toBe(0x33);
  const found = space.lookupPos(loff(3 * PAGE + 17));
  expect(found?.index).toBe(3);
  expect(space.lookup(4)).toBeNull();
  expect(space.indexes()).toEqual([3]);
  for (const handle of [first, again, found!]) {
    const reference: ARef<Folio> = handle;
    reference.put();
  }
  space.teardown();
  expect(machine.leakReport()).toBeNull();
});

test("readFolio with a larger order; pos and indexForPos agree", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  using folio: ARef<Folio> = space.readFolio(8, fillWith(1), { order: 2 });
  expect(folio.size).toBe(4 * PAGE);
  expect(space.indexForPos(folio.pos)).toBe(8);
  expect(space.posOfIndex(8)).toBe(folio.pos);
});

test("a fill that fails or forgets markUptodate leaves nothing cached", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  const free = machine.nrFreePages();
  expectKernelError(() => space.readFolio(0, () => undefined), "EIO", "did not mark the folio uptodate");
  expect(() => space.readFolio(0, () => { throw new Error("disk"); })).toThrow("disk");
  expect(space.indexes()).toEqual([]);
  expect(machine.nrFreePages()).toBe(free);
  expect(machine.consistencyProblems()).toEqual([]);
});

test("M32: locking folios of one mapping in descending index order is EDEADLK naming the rule and both indexes", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  using low: ARef<Folio> = space.readFolio(2, fillWith(2));
  using high: ARef<Folio> = space.readFolio(5, fillWith(5));
  // correct use: ascending order
  {
    using a = low.lock();
    using b = high.lock();
    expect([a.index, b.index]).toEqual([2, 5]);
  }
  // misuse: descending order
  {
    using b = high.lock();
    const error = expectUnchanged(machine, () => low.lock(), "EDEADLK", "ascending index order");
    expect(error.values).toMatchObject({ held: 5, locking: 2 });
    expect(b.index).toBe(5);
    // reading a new folio below a held lock is the same mistake
    expectKernelError(() => space.readFolio(1, fillWith(1)), "EDEADLK", "held=5, locking=1");
  }
  // folios of another mapping are not ordered against this one
  using other = AddressSpace.create(machine);
  using elsewhere: ARef<Folio> = other.readFolio(0, fillWith(9));
  {
    using b = high.lock();
    using c = elsewhere.lock();
    expect(c.index).toBe(0);
    expect(b.index).toBe(5);
  }
});

test("M32: unlocking in any order forgets exactly that lock; folios outside a page cache are not ordered", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  using one: ARef<Folio> = space.readFolio(1, fillWith(1));
  using three: ARef<Folio> = space.readFolio(3, fillWith(3));
  using five: ARef<Folio> = space.readFolio(5, fillWith(5));
  using loose: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  const a: LockedFolio = one.lock();
  const b: LockedFolio = three.lock();
  const c: LockedFolio = five.lock();
  const d: LockedFolio = loose.lock();
  b.unlock();
  // 5 is still held: locking 3 again is out of order, and the failed lock left nothing behind
  expectKernelError(() => three.lock(), "EDEADLK", "held=5, locking=3");
  c.unlock();
  d.unlock();
  {
    using again = three.lock();
    using plain = loose.lock();
    expect([again.index, plain.index]).toEqual([3, 0]);
  }
  a.unlock();
  // nothing held any more: any order works
  {
    using high = five.lock();
    expect(high.index).toBe(5);
  }
  using low = one.lock();
  expect(low.index).toBe(1);
});

test("teardown drops the cache's references, refuses while a folio is locked, and only once", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const space = AddressSpace.create(machine);
  const kept: ARef<Folio> = space.readFolio(0, fillWith(7));
  const dropped: ARef<Folio> = space.readFolio(1, fillWith(8));
  dropped.put();
  {
    using locked = kept.lock();
    expectUnchanged(machine, () => space.teardown(), "EBUSY", "locked");
    expect(locked.index).toBe(0);
  }
  space.teardown();
  expect(refCountOf(kept)).toBe(1);
  expect(kept.map(0, ({ view }) => view[0])).toBe(7);
  expectKernelError(() => space.teardown(), "EALREADY");
  expectKernelError(() => space.lookup(0), "EFAULT", "torn down");
  kept.put();
  expect(machine.leakReport()).toBeNull();
});

test("bad indexes and positions are rejected before anything changes", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  for (const index of [-1, 0.5, Number.NaN, 2 ** 32]) {
    expectUnchanged(machine, () => space.readFolio(index, fillWith(0)), "EINVAL", "index");
  }
  expectKernelError(() => space.indexForPos(loff(2n ** 70n)), "EOVERFLOW");
  expectKernelError(() => loff(-1), "EINVAL");
  expectKernelError(() => loff(0.5), "EINVAL");
  expectKernelError(() => loff(-1n), "EINVAL");
  expect(loff(2n ** 70n)).toBe(2n ** 70n);
  expectUnchanged(machine, () => space.readFolio(0, fillWith(0), { order: 11 }), "EDOM");
  // SAFETY: a JavaScript caller passing null where the options object goes.
  expectUnchanged(machine, () => space.readFolio(0, fillWith(0), null as unknown as ReadFolioOptions), "EINVAL", "options is not an object");
});
