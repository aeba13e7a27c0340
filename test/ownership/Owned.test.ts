import { expectTypeOf, test, expect, beforeEach } from "vitest";
import { isKernelError } from "../../src/errors.js";
import { OwnableResource, adoptOwned, type Owned, type OwnedHandle, type ResourceOf, unsafe } from "../../src/ownership/index.js";
import { GpuBuffer, freed } from "./fixtures.js";

beforeEach(() => {
  freed.length = 0;
});

test("release gives the resource back once", () => {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc("a");
  expect(buffer.fill()).toBe(64);
  buffer.release();
  expect(freed).toEqual(["a"]);
});

test("using releases at the end of the scope, and not again after an explicit release", () => {
  {
    using buffer: Owned<GpuBuffer> = GpuBuffer.alloc("scoped");
    expect(buffer.size).toBe(64);
  }
  {
    using buffer: Owned<GpuBuffer> = GpuBuffer.alloc("early");
    buffer.release();
  }
  expect(freed).toEqual(["scoped", "early"]);
});

test("a second release through an alias is EALREADY naming the resource", () => {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc("twice");
  const alias: Owned<GpuBuffer> = buffer;
  buffer.release();
  let caught: unknown;
  try {
    alias.release();
  } catch (error) {
    caught = error;
  }
  expect(isKernelError(caught, "EALREADY")).toBe(true);
  expect((caught as Error).message).toBe('release: resource was already released (resource="GpuBuffer twice")');
  expect(freed).toEqual(["twice"]);
});

test("disposing twice through two aliases is EALREADY", () => {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc("d");
  buffer[Symbol.dispose]();
  expect(() => buffer[Symbol.dispose]()).toThrow(/dispose: resource was already released/);
  expect(freed).toEqual(["d"]);
});

test("resource methods that check liveness reject use after release with EFAULT", () => {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc("uaf");
  const alias: GpuBuffer = buffer;
  buffer.release();
  expect(() => alias.fill()).toThrow(expect.objectContaining({ errno: "EFAULT" }));
});

test("adopting a resource that already has an owner is EBUSY", () => {
  const raw = GpuBuffer.unowned("raw");
  const owner: Owned<GpuBuffer> = unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, raw));
  expect(() => unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, raw))).toThrow(expect.objectContaining({ errno: "EBUSY" }));
  owner.release();
  expect(freed).toEqual(["raw"]);
});

test("a drop hook that throws leaves the owner live", () => {
  let fail = true;
  class Flaky extends OwnableResource {
    protected override drop(): void {
      if (fail) throw new Error("busy");
    }
  }
  const owner: Owned<Flaky> = unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new Flaky()));
  expect(() => owner[Symbol.dispose]()).toThrow("busy");
  fail = false;
  const alias: Owned<Flaky> = owner;
  owner.release();
  expect(() => alias.release()).toThrow(/already released/);
});

test("types: Owned adds release and dispose but no clone; the class type has neither", () => {
  expectTypeOf<Owned<GpuBuffer>>().toHaveProperty("release");
  expectTypeOf<Owned<GpuBuffer>>().toHaveProperty("size");
  expectTypeOf<Owned<GpuBuffer>>().not.toHaveProperty("clone");
  expectTypeOf<GpuBuffer>().not.toHaveProperty("release");
  expectTypeOf<Owned<GpuBuffer>>().toMatchTypeOf<OwnedHandle<GpuBuffer>>();
  expectTypeOf<ResourceOf<Owned<GpuBuffer>>>().toEqualTypeOf<GpuBuffer>();
  expectTypeOf<ResourceOf<GpuBuffer>>().toEqualTypeOf<GpuBuffer>();
  expectTypeOf(GpuBuffer.alloc).returns.toEqualTypeOf<Owned<GpuBuffer>>();
});

test("a never-adopted instance (a borrower's view) cannot release the resource at run time", () => {
  // A JavaScript caller can reach the prototype method on a view that was never adopted.
  const view = Reflect.construct(GpuBuffer, ["view", 8]) as { release(): void };
  expect(() => view.release()).toThrowError(/release: resource is borrowed, not owned/);
  expect(freed).not.toContain("view");
});

test("a resource can replace the EALREADY of a second release with its own error", () => {
  class Tracked extends OwnableResource {
    static make(): Owned<Tracked> {
      return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new Tracked()));
    }
    protected override drop(): void {}
    protected override releasedAgain(op: string): void {
      throw new Error(`${op}: double free of a tracked resource`);
    }
  }
  const owner: Owned<Tracked> = Tracked.make();
  const alias: Owned<Tracked> = owner;
  owner.release();
  expect(() => alias.release()).toThrow("release: double free of a tracked resource");
  expect(() => alias[Symbol.dispose]()).not.toThrow(); // disposing a released owner stays silent
});
