import { beforeEach, expect, expectTypeOf, test } from "vitest";
import { Arc, type Owned } from "../../src/ownership/index.js";
import { GpuBuffer, freed } from "./fixtures.js";

beforeEach(() => {
  freed.length = 0;
});

test("Arc<Owned<X>> counts shares; disposing the last releases the owned value", () => {
  {
    using first: Arc<Owned<GpuBuffer>> = Arc.new(GpuBuffer.alloc("shared"));
    {
      using second: Arc<Owned<GpuBuffer>> = first.clone();
      expect(Arc.strongCount(second)).toBe(2);
      expect(second.value.fill()).toBe(64);
    }
    expect(Arc.strongCount(first)).toBe(1);
    expect(freed).toEqual([]);
  }
  expect(freed).toEqual(["shared"]);
});

test("drop consumes a share; a second drop through an alias is EALREADY", () => {
  const first: Arc<Owned<GpuBuffer>> = Arc.new(GpuBuffer.alloc("d"));
  const alias: Arc<Owned<GpuBuffer>> = first;
  first.drop();
  expect(freed).toEqual(["d"]);
  expect(() => alias.drop()).toThrow(expect.objectContaining({ errno: "EALREADY" }));
  expect(() => alias.value).toThrow(/share was already dropped/);
});

test("tryUnwrap gives the owner back only from the last share", () => {
  const first: Arc<Owned<GpuBuffer>> = Arc.new(GpuBuffer.alloc("u"));
  const second: Arc<Owned<GpuBuffer>> = first.clone();
  expect(Arc.tryUnwrap(first)).toBeNull();
  expect(Arc.strongCount(first)).toBe(2);
  second.drop();
  const owner = Arc.tryUnwrap(first);
  expect(owner).not.toBeNull();
  expect(() => Arc.strongCount(first)).toThrow(/already dropped/);
  expect(freed).toEqual([]);
  owner?.release();
  expect(freed).toEqual(["u"]);
});

test("types: the shared value has the resource's members but no release", () => {
  expectTypeOf<Arc<Owned<GpuBuffer>>["value"]>().toEqualTypeOf<GpuBuffer>();
  expectTypeOf<Arc<Owned<GpuBuffer>>["value"]>().not.toHaveProperty("release");
  expectTypeOf(Arc.tryUnwrap<Owned<GpuBuffer>>).returns.toEqualTypeOf<Owned<GpuBuffer> | null>();
});

test("strongCount and tryUnwrap of something that is not an Arc are EINVAL", () => {
  // SAFETY: a JavaScript caller passing objects that are not Arcs.
  const notArc = { count: 1 } as unknown as Arc<number>;
  expect(() => Arc.strongCount(notArc)).toThrow(expect.objectContaining({ errno: "EINVAL", message: 'Arc.strongCount: not an Arc (arc=[object])' }));
  expect(() => Arc.tryUnwrap(null as unknown as Arc<number>)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  // correct use: a live Arc
  const arc = Arc.new(7);
  expect(Arc.strongCount(arc)).toBe(1);
  expect(Arc.tryUnwrap(arc)).toBe(7);
});

test("dropping the last share when the value's disposal throws leaves the share live", () => {
  let fail = true;
  let disposed = 0;
  const value = {
    [Symbol.dispose](): void {
      if (fail) throw new Error("busy");
      disposed += 1;
    },
  };
  const arc: Arc<typeof value> = Arc.new(value);
  expect(() => arc[Symbol.dispose]()).toThrow("busy");
  expect(Arc.strongCount(arc)).toBe(1);
  fail = false;
  arc.drop();
  expect(disposed).toBe(1);
  expect(() => Arc.strongCount(arc)).toThrow(/already dropped/);
});
