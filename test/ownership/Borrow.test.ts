import { expect, expectTypeOf, test } from "vitest";
import {
  runScope,
  withBorrow,
  withScope,
  type BorrowEscapeError,
  type Borrowed,
  type ContainsBorrow,
  type LifetimeBrand,
  type NoEscape,
  type Owned,
  type ResourceOf,
} from "../../src/ownership/index.js";
import { GpuBuffer } from "./fixtures.js";

/** A closure-scoped API built on withBorrow, as a resource designer would write it. */
function withBuffer<Result>(
  owner: Owned<GpuBuffer>,
  body: <Lifetime>(view: Borrowed<GpuBuffer, Lifetime>) => NoEscape<Result, Lifetime>,
  log: string[] = [],
): Result {
  return withBorrow(owner, body, () => log.push("exit"));
}

test("withBorrow lends the resource and runs the exit hook after the closure", () => {
  using owner: Owned<GpuBuffer> = GpuBuffer.alloc("b", 32);
  const log: string[] = [];
  const size = withBuffer(owner, (view) => view.size * 2, log);
  expect(size).toBe(64);
  expect(log).toEqual(["exit"]);
  expectTypeOf(size).toEqualTypeOf<number>();
});

test("the exit hook runs when the closure throws", () => {
  using owner: Owned<GpuBuffer> = GpuBuffer.alloc("t");
  const log: string[] = [];
  expect(() =>
    withBuffer(
      owner,
      () => {
        throw new Error("boom");
      },
      log,
    ),
  ).toThrow("boom");
  expect(log).toEqual(["exit"]);
});

test("for an async closure the exit hook runs when the promise settles", async () => {
  using owner: Owned<GpuBuffer> = GpuBuffer.alloc("p", 8);
  const log: string[] = [];
  const pending = withBuffer(owner, async (view) => view.size, log);
  expect(log).toEqual([]);
  expect(await pending).toBe(8);
  expect(log).toEqual(["exit"]);
  expectTypeOf(pending).toEqualTypeOf<Promise<number>>();
});

test("runScope and withScope run the exit hook once", () => {
  const log: string[] = [];
  expect(runScope(() => 1, () => log.push("a"))).toBe(1);
  expect(withScope({ n: 2 }, (guard) => guard.n, () => log.push("b"))).toBe(2);
  expect(log).toEqual(["a", "b"]);
});

test("types: a borrowed view has the resource's members but no release; NoEscape rejects borrows", () => {
  type View = Borrowed<Owned<GpuBuffer>, "L">;
  expectTypeOf<ResourceOf<Owned<GpuBuffer>>>().toEqualTypeOf<GpuBuffer>();
  expectTypeOf<View>().toHaveProperty("size");
  expectTypeOf<View>().not.toHaveProperty("release");
  expectTypeOf<ContainsBorrow<number>>().toEqualTypeOf<false>();
  expectTypeOf<ContainsBorrow<View>>().toEqualTypeOf<true>();
  expectTypeOf<ContainsBorrow<{ nested: [1, View] }>>().toEqualTypeOf<true>();
  expectTypeOf<ContainsBorrow<Promise<View[]>>>().toEqualTypeOf<true>();
  expectTypeOf<ContainsBorrow<number | View>>().toEqualTypeOf<true>();
  expectTypeOf<NoEscape<{ size: number }, "L">>().toEqualTypeOf<{ size: number }>();
  expectTypeOf<NoEscape<{ view: View }, "L">>().toEqualTypeOf<BorrowEscapeError>();
  expectTypeOf<LifetimeBrand<"A">>().not.toMatchTypeOf<LifetimeBrand<"B">>();
});

test("types: returning or storing the borrow does not compile", () => {
  using owner: Owned<GpuBuffer> = GpuBuffer.alloc("e");
  // @ts-expect-error a borrow cannot outlive its closure
  withBuffer(owner, (view) => view);
  // @ts-expect-error a borrow cannot outlive its closure
  withBuffer(owner, (view) => ({ inner: [view] }));
  // @ts-expect-error a borrow cannot outlive its closure
  withBuffer(owner, async (view) => view);
  expect(withBuffer(owner, (view) => view.size)).toBe(64);
});

test("runScope: when the body and the exit both throw, the body's error wins and carries the exit's", () => {
  const bodyError = new Error("body failed");
  const exitError = new Error("exit failed");
  let caught: unknown;
  try {
    runScope(
      () => {
        throw bodyError;
      },
      () => {
        throw exitError;
      },
    );
  } catch (error) {
    caught = error;
  }
  expect(caught).toBe(bodyError);
  expect((caught as { suppressed?: unknown }).suppressed).toBe(exitError);
});
