import { expect, expectTypeOf, test } from "vitest";
import { ScopeGuard } from "../../src/ownership/index.js";

test("the cleanup runs when the scope ends", () => {
  const log: string[] = [];
  {
    using guard = new ScopeGuard(() => log.push("cleanup"));
    expect(guard.armed).toBe(true);
  }
  expect(log).toEqual(["cleanup"]);
});

test("dismiss cancels the cleanup", () => {
  const log: string[] = [];
  {
    using guard = new ScopeGuard(() => log.push("cleanup"));
    guard.dismiss();
    expect(guard.armed).toBe(false);
  }
  expect(log).toEqual([]);
});

test("the cleanup runs at most once, also when it throws", () => {
  let runs = 0;
  const guard = new ScopeGuard(() => {
    runs += 1;
    throw new Error("cleanup failed");
  });
  expect(() => guard[Symbol.dispose]()).toThrow("cleanup failed");
  guard[Symbol.dispose]();
  expect(runs).toBe(1);
  expectTypeOf(guard).toMatchTypeOf<Disposable>();
});

test("a cleanup that is not a function is EINVAL when the guard is made, not when it is disposed", () => {
  // SAFETY: a JavaScript caller passing a value that is not a function.
  expect(() => new ScopeGuard(42 as unknown as () => void)).toThrow(
    expect.objectContaining({ errno: "EINVAL", message: 'ScopeGuard: cleanup is not a function (cleanup="number")' }),
  );
});
