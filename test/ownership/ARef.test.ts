import { beforeEach, expect, expectTypeOf, test } from "vitest";
import { isKernelError } from "../../src/errors.js";
import {
  RefCountedResource,
  adoptARef,
  intoARef,
  intoOwned,
  refCountOf,
  type ARef,
  type Owned,
  unsafe,
} from "../../src/ownership/index.js";
import { PooledBlock, SharedTexture, freed } from "./fixtures.js";

beforeEach(() => {
  freed.length = 0;
});

test("clone takes a reference on a new handle; put drops it; the last put frees", () => {
  const first: ARef<SharedTexture> = SharedTexture.create("t");
  const second: ARef<SharedTexture> = first.clone();
  expect(second).not.toBe(first);
  expect(second.label).toBe("t");
  expect(refCountOf(first)).toBe(2);
  first.put();
  expect(refCountOf(second)).toBe(1);
  expect(freed).toEqual([]);
  second.put();
  expect(freed).toEqual(["t"]);
});

test("using puts each handle once, and not again after an explicit put", () => {
  {
    using first: ARef<SharedTexture> = SharedTexture.create("u");
    using second: ARef<SharedTexture> = first.clone();
    second.put();
    expect(refCountOf(first)).toBe(1);
  }
  expect(freed).toEqual(["u"]);
});

test("a second put through an alias of the same handle is EALREADY, count untouched", () => {
  const first: ARef<SharedTexture> = SharedTexture.create("alias");
  const keep: ARef<SharedTexture> = first.clone();
  const alias: ARef<SharedTexture> = first;
  first.put();
  expect(() => alias.put()).toThrow(expect.objectContaining({ errno: "EALREADY" }));
  expect(() => alias.clone()).toThrow(/reference was already dropped/);
  expect(refCountOf(keep)).toBe(1);
  keep.put();
});

test("put on a count that is already zero is an underflow EINVAL, decRef not called", () => {
  const shared = { count: 1, decRefs: 0 };
  class Counter extends RefCountedResource {
    protected override incRef(): void {
      shared.count += 1;
    }
    protected override decRef(): void {
      shared.decRefs += 1;
      shared.count -= 1;
    }
    protected override refCount(): number {
      return shared.count;
    }
    protected override newHandle(): this {
      // SAFETY: Counter has no subclasses.
      return new Counter() as this;
    }
  }
  const handle = unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new Counter()));
  shared.count = 0; // someone else dropped the reference this handle holds
  expect(() => handle.put()).toThrow(/put: refcount underflow \(resource="Counter", count=0\)/);
  expect(() => handle.clone()).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  expect(shared.decRefs).toBe(0);
  expect(() => unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, handle))).toThrow(expect.objectContaining({ errno: "EBUSY" }));
});

test("intoARef consumes the owner and keeps the count", () => {
  const owner: Owned<PooledBlock> = PooledBlock.alloc("b");
  const shared: ARef<PooledBlock> = intoARef(owner);
  expect(refCountOf(shared)).toBe(1);
  expect(() => owner.release()).toThrow(expect.objectContaining({ errno: "EALREADY" }));
  const second: ARef<PooledBlock> = shared.clone();
  second.put();
  shared.put();
  expect(freed).toEqual(["b"]);
});

test("intoOwned succeeds only for the last reference and names the count otherwise", () => {
  const owner: Owned<PooledBlock> = PooledBlock.alloc("c");
  const shared: ARef<PooledBlock> = intoARef(owner);
  const second: ARef<PooledBlock> = shared.clone();
  let caught: unknown;
  try {
    intoOwned(shared);
  } catch (error) {
    caught = error;
  }
  expect(isKernelError(caught, "EBUSY")).toBe(true);
  expect((caught as Error).message).toBe('intoOwned: other references exist (resource="PooledBlock", count=2)');
  second.put();
  const back: Owned<PooledBlock> = intoOwned(shared);
  expect(() => shared.put()).toThrow(/already dropped/);
  back.release();
  expect(freed).toEqual(["c"]);
});

test("types: ARef adds clone and put; Owned of a refcounted-and-ownable resource has no clone", () => {
  expectTypeOf<ARef<SharedTexture>>().toHaveProperty("clone");
  expectTypeOf<ARef<SharedTexture>>().toHaveProperty("put");
  expectTypeOf<ARef<SharedTexture>>().toHaveProperty("label");
  expectTypeOf<SharedTexture>().not.toHaveProperty("put");
  expectTypeOf<Owned<PooledBlock>>().not.toHaveProperty("clone");
  expectTypeOf<Owned<PooledBlock>>().toHaveProperty("release");
  expectTypeOf(intoARef<PooledBlock>).returns.toEqualTypeOf<ARef<PooledBlock>>();
  expectTypeOf(intoOwned<PooledBlock>).returns.toEqualTypeOf<Owned<PooledBlock>>();
});

test("intoOwned and intoARef refuse a borrower's view that was never adopted, nothing changed", () => {
  const owner: Owned<PooledBlock> = PooledBlock.alloc("view");
  const shared: ARef<PooledBlock> = intoARef(owner);
  const view: PooledBlock = PooledBlock.view(shared);
  expect(() => intoOwned(view as ARef<PooledBlock>)).toThrow(expect.objectContaining({ errno: "EPERM" }));
  expect(() => intoARef(view as Owned<PooledBlock>)).toThrow(/intoARef: a borrowed view holds no reference/);
  expect(refCountOf(shared)).toBe(1);
  expect(freed).toEqual([]);
  shared.put();
  expect(freed).toEqual(["view"]);
});

test("intoOwned of a reference already put is EALREADY even while other references exist", () => {
  const first: ARef<PooledBlock> = intoARef(PooledBlock.alloc("stale"));
  const second: ARef<PooledBlock> = first.clone();
  const third: ARef<PooledBlock> = first.clone();
  const alias: ARef<PooledBlock> = first;
  first.put();
  expect(() => intoOwned(alias)).toThrow(expect.objectContaining({ errno: "EALREADY" }));
  expect(refCountOf(second)).toBe(2);
  second.put();
  third.put();
});

test("a borrower's view can clone at run time: a new counted handle, the view stays a view", () => {
  const shared: ARef<PooledBlock> = intoARef(PooledBlock.alloc("viewclone"));
  const view: PooledBlock = PooledBlock.view(shared);
  // The borrower's type offers no clone; the call goes through a cast.
  expectTypeOf<PooledBlock>().not.toHaveProperty("clone");
  const taken: ARef<PooledBlock> = (view as ARef<PooledBlock>).clone();
  const alias: ARef<PooledBlock> = taken;
  expect(taken).not.toBe(view);
  expect(refCountOf(shared)).toBe(2);
  // The view still holds no reference; the clone holds one and drops it once.
  expect(() => (view as ARef<PooledBlock>).put()).toThrow(/put: a borrowed view holds no reference/);
  taken.put();
  expect(refCountOf(shared)).toBe(1);
  expect(() => alias.put()).toThrow(/already dropped/);
  shared.put();
  expect(freed).toEqual(["viewclone"]);
  // Once the count is zero a view cannot bring the resource back.
  expect(() => (view as ARef<PooledBlock>).clone()).toThrow(/clone: refcount out of range/);
  expect(refCountOf(view)).toBe(0);
});
