// The worked example of docs/designing-your-own-api.md: the same guarantees on a resource that is
// not a page.
import { expect, expectTypeOf, test } from "vitest";
import { unsafe } from "ownkit";
import type { ARef, Owned } from "ownkit";
import { GpuBuffer, GpuDevice, type Texture } from "../../examples/custom-resource.js";

test("disposing the single owner gives the memory back exactly once", () => {
  const device = new GpuDevice(1024);
  {
    using buffer: Owned<GpuBuffer> = device.allocBuffer("frame", 256);
    expect(device.used).toBe(256);
    buffer.withMapped((bytes) => void bytes.fill(7));
    expect(buffer.withMapped((bytes) => bytes[255])).toBe(7);
  }
  expect(device.used).toBe(0);
  expect(device.freed).toEqual(["frame"]);
});

test("a second release through an alias is EALREADY and frees nothing twice", () => {
  const device = new GpuDevice(1024);
  const buffer: Owned<GpuBuffer> = device.allocBuffer("once", 64);
  const alias: Owned<GpuBuffer> = buffer;
  buffer.release();
  expect(() => alias.release()).toThrowError(expect.objectContaining({ errno: "EALREADY" }));
  expect(device.freed).toEqual(["once"]);
  expect(device.used).toBe(0);
});

test("bad sizes and exhaustion fail with errno names and change nothing", () => {
  const device = new GpuDevice(100);
  expect(() => device.allocBuffer("neg", -1)).toThrowError(expect.objectContaining({ errno: "EINVAL" }));
  expect(() => device.allocBuffer("frac", 1.5)).toThrowError(expect.objectContaining({ errno: "EINVAL" }));
  using kept: Owned<GpuBuffer> = device.allocBuffer("kept", 80);
  expect(() => device.allocBuffer("big", 40)).toThrowError(/gpu_alloc: device memory exhausted \(size=40, used=80, capacity=100\)/);
  expect(device.used).toBe(kept.size);
});

test("textures are counted: clones keep them alive, the last put frees", () => {
  const device = new GpuDevice(0);
  const first: ARef<Texture> = device.createTexture("atlas");
  const second: ARef<Texture> = first.clone();
  first.put();
  expect(device.freed).toEqual([]);
  expect(second.label).toBe("atlas");
  second.put();
  expect(device.freed).toEqual(["atlas"]);
});

test("the unchecked upload needs a token from unsafe() that is still live", () => {
  const device = new GpuDevice(64);
  using buffer: Owned<GpuBuffer> = device.allocBuffer("upload", 8);
  unsafe("SAFETY: 4 bytes at offset 4 fit in the 8-byte buffer", (token) => {
    buffer.uploadUnchecked(token, 4, Uint8Array.of(1, 2, 3, 4));
  });
  expect(buffer.withMapped((bytes) => Array.from(bytes))).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
  let kept: unknown;
  unsafe("SAFETY: the token is only stored to show that it expires", (token) => {
    kept = token;
  });
  // SAFETY: replaying a stored token, as a JavaScript caller could; the type system forbids returning it.
  expect(() => buffer.uploadUnchecked(kept as never, 0, Uint8Array.of(9))).toThrowError(/token used after its unsafe\(\) block ended/);
});

test("types: the owner has release and no clone; the texture reference has clone", () => {
  expectTypeOf<Owned<GpuBuffer>>().toHaveProperty("release");
  expectTypeOf<Owned<GpuBuffer>>().not.toHaveProperty("clone");
  expectTypeOf<ARef<Texture>>().toHaveProperty("clone");
  expectTypeOf<GpuBuffer>().not.toHaveProperty("release");
});
