// Hostile values at the public entries: type first, no coercion, errors that cannot throw.
import { expect, test } from "vitest";
import { Machine, formatKasan, formatLeaks, formatPoison, gfpName, setDefaultMachine } from "../../src/core/index.js";
import { Buddy } from "../../src/core/buddy.js";
import { SparseMemMap } from "../../src/core/memmap-sparse.js";
import { KernelError, isKernelError } from "../../src/errors.js";
import { AddressSpace, Folio, GFP_KERNEL, Page, pageConsts, toPhysAddr, type UniqueFolio } from "../../src/mm/index.js";
import { Arc, type ARef, adoptARef, adoptOwned, intoARef, intoOwned, refCountOf, runScope, unsafe, withBorrow, withScope } from "../../src/ownership/index.js";
import { describeValue } from "../../src/args.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwing = Object.defineProperties({}, {
  valueOf: { get: () => { throw new Error("valueOf getter ran"); } },
  toString: { get: () => { throw new Error("toString getter ran"); } },
  [Symbol.toPrimitive]: { get: () => { throw new Error("toPrimitive getter ran"); } },
});

function detached(): Uint8Array {
  const bytes = new Uint8Array(8);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

/** Values whose coercion or description throws a TypeError (or runs the caller's code). */
const HOSTILE: readonly [string, () => unknown][] = [
  ["Symbol()", () => Symbol("x")],
  ["BigInt", () => 5n],
  ["revoked Proxy", revoked],
  ["null-prototype object", () => Object.create(null) as object],
  ["throwing getters", () => throwing],
  ["detached typed array", detached],
  ["object with valueOf", () => ({ valueOf: () => 3 })],
];

test("numbers are type-checked before any coercion: a hostile pfn is EINVAL, never a TypeError, and runs no valueOf", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  for (const [name, make] of HOSTILE) {
    const value = make() as number;
    expect(expectUnchanged(machine, () => machine.pageGen(value), "EINVAL").message, name).toMatch(/^page_gen: pfn is not a non-negative integer/);
    expectUnchanged(machine, () => machine.allocPages(value, 0), "EINVAL");
    expectUnchanged(machine, () => machine.freePages(value, 0, 0), "EINVAL");
    expectUnchanged(machine, () => machine.onCpu(value, () => 1), "EINVAL");
    expectKernelError(() => toPhysAddr(value), "EINVAL");
  }
  // correct use: the same calls with numbers
  const pfn = machine.allocPages(GFP_KERNEL, 0);
  expect(machine.pageGen(pfn)).toBeGreaterThan(0);
  expect(machine.onCpu(1, () => machine.currentCpu)).toBe(1);
  machine.freePages(pfn, machine.pageGen(pfn), 0);
  expect(toPhysAddr(0x1000)).toBe(0x1000);
});

test("building an error never throws, whatever the value; describeValue runs no caller code", () => {
  for (const [name, make] of HOSTILE) {
    const error = new KernelError("EINVAL", "op", "what", { value: make() });
    expect(error.message, name).toMatch(/^op: what \(value=/);
  }
  expect(describeValue(Symbol("s"))).toBe("Symbol(s)");
  expect(describeValue(5n)).toBe("5n");
  expect(describeValue(-0)).toBe("-0");
  expect(describeValue(revoked())).toBe("[revoked proxy]");
  expect(describeValue(Object.create(null))).toBe("[object]");
  expect(describeValue(detached())).toBe("Uint8Array(0 bytes)");
  expect(describeValue(throwing)).toBe("[object]");
  expect(describeValue(new Proxy(new Uint8Array(4), {}))).toBe("[object]");
  // a bad errno from a direct construction becomes EINVAL rather than a broken `code`
  expect(new KernelError("EBOGUS" as "EINVAL", "op", "what").code).toBe(22);
});

test("isKernelError is a brand check: a revoked Proxy, a fake and an Error are not KernelErrors", () => {
  expect(isKernelError(revoked())).toBe(false);
  expect(isKernelError(Object.create(KernelError.prototype))).toBe(false);
  expect(isKernelError(new Error("x"))).toBe(false);
  expect(isKernelError(Symbol())).toBe(false);
  // correct use
  expect(isKernelError(new KernelError("EBUSY", "op", "what"), "EBUSY")).toBe(true);
});

test("machines are genuine: Object.create(Machine.prototype) and a Proxy fail the machine check; setDefaultMachine(42) is EINVAL", () => {
  const fake = Object.create(Machine.prototype) as Machine;
  const machine = new Machine({ ramSize: 4 << 20 });
  expectKernelError(() => pageConsts(fake), "EINVAL", /not a Machine/);
  expectKernelError(() => Page.alloc(GFP_KERNEL, new Proxy(machine, {})), "EINVAL", /not a Machine/);
  expectKernelError(() => AddressSpace.create(fake), "EINVAL", /not a Machine/);
  expectKernelError(() => setDefaultMachine(42 as unknown as Machine), "EINVAL", /not a Machine/);
  expectKernelError(() => setDefaultMachine(fake), "EINVAL");
  // correct use
  expect(Machine.isMachine(machine)).toBe(true);
  expect(pageConsts(machine).PAGE_SIZE).toBe(4096);
  const previous = setDefaultMachine(machine);
  expect(setDefaultMachine(previous)).toBe(machine);
});

test("Folio.alloc and readFolio refuse a gfp that is not a number: \"2\", NaN, 0.5, {}", () => {
  const machine = new Machine({ ramSize: 4 << 20, highmemStart: 2 << 20 });
  using space = AddressSpace.create(machine);
  for (const gfp of ["2", Number.NaN, 0.5, {}, -1, Symbol("gfp")]) {
    expectUnchanged(machine, () => Folio.alloc(0, gfp as number, machine), "EINVAL", /gfp/);
    expectUnchanged(machine, () => space.readFolio(0, () => undefined, { gfp: gfp as number }), "EINVAL", /gfp/);
  }
  expectUnchanged(machine, () => space.readFolio(0, () => undefined, { order: "1" as unknown as number }), "EINVAL", /order/);
  const getter = Object.defineProperty({}, "gfp", { get: () => { throw new Error("getter"); } });
  expectUnchanged(machine, () => space.readFolio(0, () => undefined, getter), "EINVAL", /options.gfp cannot be read/);
  // correct use
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.release();
  const read: ARef<Folio> = space.readFolio(0, (locked) => locked.markUptodate(), { gfp: GFP_KERNEL });
  read.put();
});

test("the primitives validate their arguments", () => {
  expectKernelError(() => unsafe("SAFETY: a hostile argument, refused before anything is adopted", (token) => adoptOwned(token, {} as never)), "EINVAL");
  expectKernelError(() => unsafe("SAFETY: a hostile argument, refused before anything is adopted", (token) => adoptARef(token, {} as never)), "EINVAL");
  expectKernelError(() => intoARef({} as never), "EINVAL");
  expectKernelError(() => intoOwned({} as never), "EINVAL");
  expectKernelError(() => refCountOf({} as never), "EINVAL");
  expectKernelError(() => refCountOf(revoked() as never), "EINVAL");
  expectKernelError(() => unsafe("SAFETY: x", 5 as never), "EINVAL", /fn is not a function/);
  expectKernelError(() => withBorrow({}, 5 as never), "EINVAL", /body is not a function/);
  expectKernelError(() => withScope({}, 5 as never), "EINVAL", /body is not a function/);
  expectKernelError(() => runScope(5 as never, () => undefined), "EINVAL", /body is not a function/);
  expectKernelError(() => runScope(() => 1, 5 as never), "EINVAL", /onExit is not a function/);
  expectKernelError(() => new Machine({ ramSize: 4 << 20 }).onCpu(0, 5 as never), "EINVAL", /fn is not a function/);
  expectKernelError(() => Arc.new({ [Symbol.dispose]: 5 }), "EINVAL", /not a function/);
  // correct use
  expect(withBorrow({ id: 3 }, (b) => b.id)).toBe(3);
  expect(runScope(() => 2, () => undefined)).toBe(2);
  using arc = Arc.new({ [Symbol.dispose]: () => undefined });
  expect(Arc.strongCount(arc)).toBe(1);
});

test("the report formatters and gfpName validate instead of throwing TypeErrors", () => {
  expectKernelError(() => formatKasan(undefined as never), "EINVAL");
  expectKernelError(() => formatKasan(revoked() as never), "EINVAL");
  expectKernelError(() => formatKasan({ bug: Symbol() } as never), "EINVAL", /bug is not a string/);
  expectKernelError(() => formatPoison(Symbol() as never, 0, 0, "", undefined), "EINVAL");
  expectKernelError(() => formatLeaks(revoked() as never, []), "EINVAL");
  expectKernelError(() => gfpName(Symbol() as never), "EINVAL");
  // correct use
  expect(formatPoison(1, 2, 3, "page", undefined)).toContain("pfn 0x1 at offset 0x2");
  expect(formatLeaks([], [])).toContain("0 block(s)");
  expect(gfpName(GFP_KERNEL)).toBe("0xcc0(__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM)");
});

test("internal core classes do not loop forever on Infinity: Buddy.addRange(0, Infinity) is EINVAL", () => {
  const mem = new SparseMemMap(1024);
  const buddy = new Buddy(mem, 1024);
  expectKernelError(() => buddy.addRange(0, Number.POSITIVE_INFINITY), "EINVAL");
  expectKernelError(() => buddy.addRange(0.5, 4), "EINVAL");
  expectKernelError(() => buddy.addRange(8, 4), "EINVAL");
  // correct use
  buddy.addRange(0, 1024);
  expect(buddy.nrFree[0]).toBe(1024);
});
