// Every public Machine method, each argument position in turn a hostile value: a KernelError or
// success, never a TypeError from a coercion (`1 << order`, `${op}`, `pfn * pageSize`).
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { isKernelError } from "../../src/errors.js";
import { membersOf } from "../fuzz/world.js";

function hostileValues(): unknown[] {
  const buffer = new ArrayBuffer(8);
  const detached = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  const trap = (): never => {
    throw new Error("trap");
  };
  const throwing = new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  return [detached, throwing, revoked, Symbol("s"), 5n, { valueOf: trap, toString: trap }, Object.create(null), Number.NaN, -1, 2 ** 53, "3", null];
}

test("Machine methods answer a hostile value in any argument position with a KernelError", () => {
  const bad = new Set<string>();
  let calls = 0;
  for (const config of [{ ramSize: 1 << 20 }, { ramSize: 1 << 20, debug: true, highmemStart: 1 << 19 }]) {
    const machine = new Machine(config);
    for (const key of membersOf(machine)) {
      const method: unknown = Reflect.get(machine, key);
      if (typeof method !== "function" || key === "teardown") continue;
      for (let position = 0; position < 5; position++) {
        for (const value of hostileValues()) {
          const args: unknown[] = ["op", 1, 0, 0, new Uint8Array(4)];
          args[position] = value;
          calls++;
          try {
            Reflect.apply(method, machine, args);
          } catch (error) {
            if (!isKernelError(error)) bad.add(`${String(key)} argument ${position}: ${String(error)}`);
          }
        }
      }
    }
    expect(machine.consistencyProblems()).toEqual([]);
  }
  expect([...bad]).toEqual([]);
  expect(calls).toBeGreaterThan(1000);
  // correct use: the same methods with plausible values
  const machine = new Machine({ ramSize: 1 << 20 });
  expect(machine.describePfn(1)).toMatch(/pfn 0x1 /);
  expect(() => machine.checkUnmapped("op", 1, 0)).not.toThrow();
});
