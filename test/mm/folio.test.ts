import { expect, expectTypeOf, test } from "vitest";
import { GFP_KERNEL, Machine, __GFP_NOWARN, __GFP_ZERO } from "../../src/core/index.js";
import { Folio, LockedFolio, Page, type FolioNeedsLock, type Loff, type SharedFolio, type UniqueFolio } from "../../src/mm/index.js";
import { refCountOf, type ARef, type Owned } from "../../src/ownership/index.js";
import { MappingRegistry as Borrows } from "../../src/mm/folio/folio-state.js";
import { folioFriend } from "../../src/mm/folio/Folio.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const small = (): Machine => new Machine({ ramSize: 8 << 20 });

test("alloc gives a unique folio of 2^order pages with its members; release frees it", () => {
  const machine = small();
  const free = machine.nrFreePages();
  const unique: UniqueFolio = Folio.alloc(2, GFP_KERNEL | __GFP_ZERO, machine);
  expect(unique.size).toBe(4 * 4096);
  expect(unique.order).toBe(2);
  expect(unique.pos).toBe(0n);
  expect(unique.uptodate).toBe(false);
  expect(unique.locked).toBe(false);
  expect(unique.highmem).toBe(false);
  expect(() => unique.flushDcache()).not.toThrow();
  expect(machine.nrFreePages()).toBe(free - 4);
  unique.release();
  expect(machine.nrFreePages()).toBe(free);
  expect(machine.consistencyProblems()).toEqual([]);
});

test("M26: order above 10 is EDOM and a request larger than free memory is ENOMEM, allocator unchanged", () => {
  const machine = small();
  // correct use: the largest order that fits
  const ok: UniqueFolio = Folio.alloc(10, GFP_KERNEL, machine);
  ok.release();
  expectUnchanged(machine, () => Folio.alloc(11, GFP_KERNEL, machine), "EDOM", "order above MAX_PAGE_ORDER");
  const held = [Folio.alloc(10, GFP_KERNEL, machine), Folio.alloc(10, GFP_KERNEL, machine)];
  expectUnchanged(machine, () => Folio.alloc(10, GFP_KERNEL | __GFP_NOWARN, machine), "ENOMEM", "no free block");
  for (const folio of held) folio[Symbol.dispose]();
});

test("M25/M26: orders that are not integers 0..10 are EINVAL before anything changes", () => {
  const machine = small();
  for (const order of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    expectUnchanged(machine, () => Folio.alloc(order, GFP_KERNEL, machine), "EINVAL", "order is not a non-negative integer");
  }
  expectUnchanged(machine, () => Folio.alloc("1" as unknown as number, GFP_KERNEL, machine), "EINVAL", "order");
});

test("M21: a second put through an alias is refused and the folio is not freed twice", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  // correct use: one put per handle
  const second: ARef<Folio> = shared.clone();
  expect(refCountOf(shared)).toBe(2);
  second.put();
  expect(refCountOf(shared)).toBe(1);
  // misuse: put again through an alias of the dropped handle
  const alias = second as ARef<Folio>;
  expectUnchanged(machine, () => alias.put(), "EALREADY", "already dropped");
  expect(refCountOf(shared)).toBe(1);
  shared.put();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("M21: a handle whose folio was freed behind its back reports a refcount underflow", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  // someone drops the reference the handle owns, directly on the core
  const pfn = folioFriend.pfn(shared);
  const gen = machine.pageGen(pfn);
  machine.folioPut(pfn, gen);
  expectUnchanged(machine, () => shared.put(), "EINVAL", "refcount underflow");
  expect(machine.consistencyProblems()).toEqual([]);
});

test("intoShared turns the binding into the shared handle; an alias of the unique handle fails at run time", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  const alias: UniqueFolio = unique;
  unique.write(0, new Uint8Array([1, 2, 3]));
  unique.intoShared();
  expectTypeOf(unique).toEqualTypeOf<SharedFolio>();
  const shared: ARef<Folio> = unique;
  expect(shared.size).toBe(4096);
  const error = expectKernelError(() => alias.write(0, new Uint8Array([9])), "EALREADY", "consumed by intoShared()");
  expect(error.op).toBe("memcpy_to_folio");
  expectKernelError(() => alias.intoShared(), "EALREADY", "consumed");
  const bytes = new Uint8Array(3);
  shared.memcpyFromFolio(bytes, 0);
  expect([...bytes]).toEqual([1, 2, 3]);
  shared.put();
});

test("intoUnique only from the last reference, EBUSY naming the count otherwise", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  const other: ARef<Folio> = shared.clone();
  const error = expectUnchanged(machine, () => Folio.intoUnique(shared), "EBUSY", "other references exist");
  expect(error.values["count"]).toBe(2);
  other.put();
  const again: UniqueFolio = Folio.intoUnique(shared);
  expectKernelError(() => shared.put(), "EALREADY");
  again.zeroOut(0, 16);
  again.release();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("lock returns the writing guard; disposing unlocks; locking a locked folio is EBUSY", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  {
    using locked = shared.lock();
    expectTypeOf(locked).toEqualTypeOf<LockedFolio>();
    expect(shared.locked).toBe(true);
    locked.write(0, new Uint8Array([7]));
    locked.zeroOut(1, 3);
    locked.markUptodate();
    expectUnchanged(machine, () => shared.lock(), "EBUSY", "already locked");
  }
  expect(shared.locked).toBe(false);
  expect(shared.uptodate).toBe(true);
  const guard: LockedFolio = shared.lock();
  const alias: LockedFolio = guard;
  guard.unlock();
  expectKernelError(() => alias.markUptodate(), "EFAULT", "after unlock");
  expectKernelError(() => alias.unlock(), "EALREADY", "already unlocked");
  shared.put();
});

test("M13, M7: no error flag and no writing member on a shared folio, by type", () => {
  expectTypeOf<ARef<Folio>>().not.toHaveProperty("setError");
  expectTypeOf<ARef<Folio>>().not.toHaveProperty("error");
  // markUptodate exists in the type only, with a `this` no handle satisfies, so its error says "lock() the folio first".
  expectTypeOf<ARef<Folio>["markUptodate"]>().thisParameter.toEqualTypeOf<FolioNeedsLock>();
  expect("markUptodate" in Folio.prototype).toBe(false);
  expectTypeOf<ARef<Folio>>().not.toHaveProperty("write");
  expectTypeOf<ARef<Folio>>().not.toHaveProperty("zeroOut");
  expectTypeOf<LockedFolio>().toHaveProperty("markUptodate");
  expectTypeOf<UniqueFolio>().toHaveProperty("write");
  expectTypeOf<UniqueFolio>().not.toHaveProperty("clone");
  expectTypeOf<Folio["pos"]>().toEqualTypeOf<Loff>();
});

test("handles reject use after put with EFAULT", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  const alias: UniqueFolio = unique;
  unique.release();
  expectKernelError(() => alias.size, "EFAULT");
});

test("phys is the first byte's physical address, aligned to the folio's size; a freed handle is EFAULT", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(4, GFP_KERNEL, machine);
  const addr: number = unique.phys();
  expect(addr % unique.size).toBe(0);
  expect(addr / machine.pageSize).toBe(folioFriend.pfn(unique));
  const alias: UniqueFolio = unique;
  unique.release();
  expectKernelError(() => alias.phys(), "EFAULT");
});

test("a UniqueFolio cannot be cloned at run time: no second handle may alias it", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  // SAFETY: a JavaScript caller (or a cast) reaching the counted-reference clone of the object.
  const handle = unique as unknown as ARef<Folio>;
  expectUnchanged(machine, () => handle.clone(), "EBUSY", "intoShared() it before cloning");
  expect(refCountOf(handle)).toBe(1);
  // correct use: share first, then clone
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  const second: ARef<Folio> = shared.clone();
  expect(refCountOf(shared)).toBe(2);
  second.put();
  shared.put();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("intoUnique refuses a locked folio, a reference already put and a non-folio, nothing changed", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  {
    using locked = shared.lock();
    expectUnchanged(machine, () => Folio.intoUnique(shared), "EBUSY", "folio is locked");
    locked.markUptodate();
  }
  const second: ARef<Folio> = shared.clone();
  const alias: ARef<Folio> = second;
  second.put();
  expectUnchanged(machine, () => Folio.intoUnique(alias), "EALREADY", "already dropped");
  // SAFETY: a JavaScript caller passing something that is not a folio.
  expectUnchanged(machine, () => Folio.intoUnique({} as ARef<Folio>), "EINVAL", "not a Folio");
  // correct use: the last reference, unlocked
  const back: UniqueFolio = Folio.intoUnique(shared);
  back.write(0, new Uint8Array([1]));
  back.release();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a freed folio's getters fail in their own name", () => {
  const machine = small();
  const unique: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  const alias: UniqueFolio = unique;
  unique.release();
  expectKernelError(() => alias.order, "EFAULT", /^folio_order:/);
  expectKernelError(() => alias.highmem, "EFAULT", /^folio_test_highmem:/);
  expectKernelError(() => alias.flushDcache(), "EFAULT", /^flush_dcache_folio:/);
});

test("page and folio ranges fail with the same checks, each naming its own noun and size", () => {
  const machine = small();
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  // correct use: a range that ends exactly at the end
  page.write(4093, new Uint8Array(3));
  unique.write(4094, new Uint8Array(2));
  // misuse: each message in full
  const message = (fn: () => unknown): string => expectKernelError(fn, "EINVAL").message;
  expect(message(() => page.write(4094, new Uint8Array(3)))).toBe("memcpy_to_page: range leaves the page (offset=4094, length=3, pageSize=4096)");
  expect(message(() => unique.write(4095, new Uint8Array(2)))).toBe("memcpy_to_folio: range leaves the folio (offset=4095, length=2, size=4096)");
  expect(message(() => page.read(1.5, 4))).toBe('memcpy_from_page: offset is not a non-negative integer (offset=1.5)');
  expect(message(() => unique.zeroOut(-1, 1))).toBe('folio_zero_range: offset is not a non-negative integer (offset=-1)');
  expect(message(() => page.read(1, -1))).toBe('memcpy_from_page: length is not a non-negative integer (length=-1)');
  expect(message(() => unique.zeroOut(0, NaN))).toBe('folio_zero_range: length is not a non-negative integer (length=NaN)');
  page.release();
  unique.release();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("Borrows.end ends exactly a live borrow of its own; any other token is an internal error naming it", () => {
  const borrows = new Borrows();
  const other = new Borrows();
  // correct use: borrows end in any order, each once
  const first = borrows.begin("folio_map", "read", "read mapping", 16);
  const second = borrows.begin("folio_map", "read", "read chunks", 32);
  borrows.end(first);
  expectKernelError(() => borrows.exclusive("memcpy_to_folio"), "EBUSY", "read chunks at offset 32");
  borrows.end(second);
  borrows.exclusive("memcpy_to_folio");
  // misuse: ending twice, or on other borrows, changes nothing
  expectKernelError(() => borrows.end(first), "EINVAL", 'borrow_end: internal error: the borrow is not live on these borrows (ended twice, or begun on others) (borrow="read mapping at offset 16")');
  const foreign = other.begin("folio_map_mut", "write", "write mapping", 8);
  const live = borrows.begin("folio_map", "read", "read mapping", 0);
  expectKernelError(() => borrows.end(foreign), "EINVAL", "write mapping at offset 8");
  expectKernelError(() => borrows.exclusive("folio_put"), "EBUSY", "read mapping at offset 0");
  expectKernelError(() => other.exclusive("folio_put"), "EBUSY", "write mapping at offset 8");
  borrows.end(live);
  other.end(foreign);
  borrows.exclusive("folio_put");
  other.exclusive("folio_put");
});
