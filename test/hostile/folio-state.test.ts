// A folio handle's shared state (its machine, pfn, generation, uniqueness, mappings) is private: it
// was a symbol-keyed property, so `Object.getOwnPropertySymbols(folio)` reached it, and a caller
// could point the handle at another owner's pages or mark a shared folio unique and write it
// without the lock. Nothing of the state may be reachable through the handle's own keys.
import { expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { Folio, LockedFolio, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

test("a folio handle has no own keys that lead to its state; a shared folio still refuses unlocked writes", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  const other: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  for (const handle of [unique, other]) {
    for (const key of Reflect.ownKeys(handle)) {
      const value: unknown = (handle as unknown as Record<PropertyKey, unknown>)[key];
      // No own property holds an object (a state, a machine) or a number (a pfn).
      expect(typeof value === "object" || typeof value === "number", String(key)).toBe(false);
    }
    expect(Object.getOwnPropertySymbols(handle)).toEqual([]);
  }
  // correct use: the unique handle writes; once shared, writing needs the lock
  unique.write(0, new Uint8Array([1, 2, 3]));
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  expectKernelError(() => (shared as unknown as UniqueFolio).write(0, new Uint8Array([9])), "EALREADY");
  {
    using locked = shared.lock();
    locked.write(0, new Uint8Array([4]));
  }
  const back = new Uint8Array(3);
  other.release();
  {
    using locked = shared.lock();
    locked.memcpyFromFolio(back, 0);
  }
  expect([...back]).toEqual([4, 2, 3]);
  shared.put();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a LockedFolio's folio cannot be reassigned: assignment throws, the guard keeps naming the folio it locked", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const a: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  const b: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  a.intoShared();
  const shared: ARef<Folio> = a;
  {
    using locked = shared.lock();
    // A hurried caller's reassignment (in JavaScript, or through a cast): a TypeError, not silence.
    expect(() => {
      (locked as unknown as { folio: Folio }).folio = b;
    }).toThrow(TypeError);
    expect(Reflect.set(locked, "folio", b)).toBe(false);
    // correct use: the guard's folio is the locked one
    expect(locked.folio.locked).toBe(true);
    expect(locked.folio.phys()).toBe(shared.phys());
    expect(locked.folio.phys()).not.toBe(b.phys());
  }
  // The getter with another `this` (callbacks' extra arguments, a borrowed method): EINVAL.
  expectKernelError(() => Reflect.get(LockedFolio.prototype, "folio", {}), "EINVAL");
  b.release();
  shared.put();
});
