// Methods and getters called with a foreign `this` (`const { read } = page; read(0, 1)`, Reflect.apply,
// the free functions given a look-alike): a KernelError EINVAL, never a TypeError.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { isKernelError } from "../../src/errors.js";
import { GFP_KERNEL, Page } from "../../src/mm/index.js";
import { ScopeGuard, drop, put, release, type Owned } from "../../src/ownership/index.js";
import { CONFIGS, World, membersOf } from "../fuzz/world.js";
import { FOREIGN_THIS_EXEMPT } from "../fuzz/run.js";

function findDescriptor(target: object, key: PropertyKey): PropertyDescriptor | undefined {
  for (let proto: object | null = target; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Reflect.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}

test("every member of every live kit object answers a foreign `this` with a KernelError", () => {
  const world = new World(CONFIGS["highmem+debug"]!);
  try {
    const shared = world.objects.find(([name]) => name === "SharedFolio")![1] as { lock(): Disposable };
    using locked = shared.lock();
    const pool: [string, object][] = [...world.objects, ["LockedFolio", locked], ["ScopeGuard", new ScopeGuard(() => undefined)]];
    const bad: string[] = [];
    let calls = 0;
    for (const [name, target] of pool) {
      if (Machine.isMachine(target) && Object.hasOwn(FOREIGN_THIS_EXEMPT, "Machine")) continue;
      for (const key of membersOf(target)) {
        const descriptor = findDescriptor(target, key);
        const fn: unknown = descriptor?.get ?? descriptor?.value;
        if (typeof fn !== "function") continue;
        const receivers: unknown[] = [undefined, {}, 42, Object.create(Object.getPrototypeOf(target) as object), world.objects.find(([n]) => n === "Arc")![1]];
        for (const receiver of receivers) {
          const before = world.digest();
          calls++;
          try {
            Reflect.apply(fn, receiver, descriptor?.get !== undefined ? [] : [0, 1]);
          } catch (error) {
            if (!isKernelError(error)) bad.push(`${name}.${String(key)}: ${String(error)}`);
            else if (world.digest() !== before) bad.push(`${name}.${String(key)}: state changed`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(calls).toBeGreaterThan(300);
  } finally {
    world.close();
  }
});

test("the free functions given a look-alike carrying a real handle's method are EINVAL, the handle untouched", () => {
  const machine = new Machine({ ramSize: 1 << 20 });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const lookalike = { [Symbol.dispose]: page[Symbol.dispose], release: page.release, put: page.release };
  expect(() => drop(lookalike)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  expect(() => release(lookalike)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  expect(() => put(lookalike)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  // the correct twin: the real handle still releases once
  release(page);
  expect(machine.consistencyProblems()).toEqual([]);
});
