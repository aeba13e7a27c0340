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
