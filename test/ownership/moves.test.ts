import { beforeEach, expect, expectTypeOf, test } from "vitest";
import { isKernelError, type KernelError } from "../../src/errors.js";
import { drop, put, refCountOf, release, type Owned } from "../../src/ownership/index.js";
import { Folio, GFP_KERNEL, Page, intoShared } from "../../src/mm/index.js";
import { GpuBuffer, SharedTexture, freed } from "./fixtures.js";

beforeEach(() => {
  freed.length = 0;
});

function thrown(run: () => void): KernelError {
  try {
    run();
  } catch (error) {
    if (isKernelError(error)) return error;
    throw error;
  }
  throw new Error("expected a KernelError");
}

test("release(owner) gives the resource back once and narrows an unannotated binding", () => {
  const buffer = GpuBuffer.alloc("free-form");
  const alias = buffer;
  release(buffer);
  expectTypeOf(buffer).toBeNever();
  expect(freed).toEqual(["free-form"]);
  const error = thrown(() => release(alias));
  expect(error.errno).toBe("EALREADY");
  expect(freed).toEqual(["free-form"]);
});

test("put(reference) drops one reference, as the method does", () => {
  const texture = SharedTexture.create("tex");
  const second = texture.clone();
  const alias = texture;
  put(texture);
  expect(refCountOf(second)).toBe(1);
  expect(thrown(() => put(alias)).errno).toBe("EALREADY");
  expect(refCountOf(second)).toBe(1);
  put(second);
  expect(freed).toEqual(["tex"]);
});

test("drop(value) disposes as leaving a using scope does, and leaves a consumed owner alone", () => {
  const buffer = GpuBuffer.alloc("dropped");
  const alias: Owned<GpuBuffer> = buffer;
  drop(buffer);
  expect(freed).toEqual(["dropped"]);
  // Disposing an owner that was already disposed is EALREADY, as two `using` aliases are.
  expect(thrown(() => drop(alias)).errno).toBe("EALREADY");
  const released = GpuBuffer.alloc("released");
  const same: Owned<GpuBuffer> = released;
  release(released);
  drop(same); // consumed by release: disposal does nothing, as `using` does
  expect(freed).toEqual(["dropped", "released"]);
});

test("the free forms work on element accesses and for...of bindings", () => {
  const buffers = [GpuBuffer.alloc("a"), GpuBuffer.alloc("b"), GpuBuffer.alloc("c")];
  release(buffers[0]!);
  for (const each of buffers.slice(1)) release(each);
  expect(freed).toEqual(["a", "b", "c"]);
});

test("hostile arguments are EINVAL and call nothing", () => {
  const hostile: unknown[] = [null, undefined, 0, -0, Number.NaN, 1n, Symbol("s"), "page", {}, { release: 1 }, [], () => 0];
  for (const value of hostile) {
    // SAFETY: deliberately wrong values, as untyped callers could pass them.
    expect(thrown(() => release(value as Owned<GpuBuffer>)).errno).toBe("EINVAL");
    expect(thrown(() => put(value as Owned<GpuBuffer> & { put(): void })).errno).toBe("EINVAL");
    expect(thrown(() => drop(value as Disposable)).errno).toBe("EINVAL");
  }
  const throwing = {
    get release(): never {
      throw new Error("getter");
    },
  };
  expect(thrown(() => release(throwing)).errno).toBe("EINVAL");
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  expect(thrown(() => drop(proxy as Disposable)).errno).toBe("EINVAL");
  expect(freed).toEqual([]);
});

test("intoShared(unique) ends uniqueness and narrows without an annotation", () => {
  const unique = Folio.alloc(0);
  unique.write(0, new Uint8Array([7]));
  const alias = unique;
  intoShared(unique);
  expectTypeOf(unique.put).toBeFunction();
  expect(thrown(() => alias.write(0, new Uint8Array([1]))).errno).toBe("EALREADY");
  expect(thrown(() => intoShared(alias)).errno).toBe("EALREADY");
  // SAFETY: a deliberately wrong value.
  expect(thrown(() => intoShared({} as typeof alias)).errno).toBe("EINVAL");
  put(unique);
});
