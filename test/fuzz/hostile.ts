/**
 * Hostile values for the fuzz: what a hurried or malicious JavaScript caller can pass without a cast
 * failing at run time, on top of `fc.anything()`.
 */
import fc from "fast-check";
import { Machine } from "../../src/core/index.js";
import { Folio, Page } from "../../src/mm/index.js";

/**
 * A hostile value made when the call is made: fast-check inspects the values it generates (a
 * revoked Proxy would break fast-check itself), so generators return this recipe instead.
 */
export class Lazy {
  constructor(
    readonly name: string,
    readonly make: () => unknown,
  ) {}

  toString(): string {
    return `<${this.name}>`;
  }
}

function lazy(name: string, make: () => unknown): fc.Arbitrary<Lazy> {
  return fc.constant(new Lazy(name, make));
}

/** What the fuzz's own closures throw: the caller's error, which the kit must let through unchanged. */
export const SENTINEL = new Error("fuzz: the caller's own closure threw");

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwingObject(): object {
  const trap = (): never => {
    throw new Error("fuzz: a getter threw");
  };
  return Object.defineProperties(
    {},
    {
      valueOf: { get: trap },
      toString: { get: trap },
      then: { get: trap },
      length: { get: trap },
      [Symbol.toPrimitive]: { get: trap },
      [Symbol.dispose]: { get: trap },
      [Symbol.toStringTag]: { get: trap },
    },
  );
}

function throwingProxy(): object {
  return new Proxy(
    {},
    {
      get() {
        throw new Error("fuzz: a Proxy trap threw");
      },
      has() {
        throw new Error("fuzz: a Proxy trap threw");
      },
      getPrototypeOf() {
        throw new Error("fuzz: a Proxy trap threw");
      },
      ownKeys() {
        throw new Error("fuzz: a Proxy trap threw");
      },
    },
  );
}

function detachedBytes(): Uint8Array {
  const bytes = new Uint8Array(64);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

function lyingLength(size: number, claimed: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0xa5);
  Object.defineProperty(bytes, "length", { value: claimed });
  return bytes;
}

function overriddenMethods(): Uint8Array {
  const bytes = new Uint8Array(16);
  const trap = (): never => {
    throw new Error("fuzz: an overridden method ran");
  };
  Object.defineProperties(bytes, { set: { value: trap }, subarray: { value: trap }, fill: { value: trap }, slice: { value: trap } });
  return bytes;
}

/** Values no public entry may answer with anything but a KernelError (or success). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true, withMap: true, withSet: true }),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 53 + 2, 2 ** 32, -1, 0.5, Number.MIN_VALUE, Number.MAX_VALUE),
  fc.bigInt(),
  fc.string().map((text) => new Lazy("Symbol", () => Symbol(text))),
  lazy("Symbol.iterator", () => Symbol.iterator),
  lazy("revokedProxy", revokedProxy),
  lazy("throwingObject", throwingObject),
  lazy("throwingProxy", throwingProxy),
  lazy("detachedBytes", detachedBytes),
  lazy("new Uint8Array(new SharedArrayBuffer(32))", () => new Uint8Array(new SharedArrayBuffer(32))),
  lazy("new Proxy(new Uint8Array(8192), {})", () => new Proxy(new Uint8Array(8192), {})),
  lazy("lyingLength(8192, 1)", () => lyingLength(8192, 1)),
  lazy("lyingLength(1, 8192)", () => lyingLength(1, 8192)),
  lazy("overriddenMethods", overriddenMethods),
  lazy("Object.freeze({ order: 0, gfp: 0 })", () => Object.freeze({ order: 0, gfp: 0 })),
  lazy("Object.freeze(new Uint8Array(0))", () => Object.freeze(new Uint8Array(0))),
  lazy("Object.create(null) as object", () => Object.create(null) as object),
  lazy("Object.create(Machine.prototype) as object", () => Object.create(Machine.prototype) as object),
  lazy("Object.create(Page.prototype) as object", () => Object.create(Page.prototype) as object),
  lazy("Object.create(Folio.prototype) as object", () => Object.create(Folio.prototype) as object),
  lazy("({ [Symbol.dispose]: 5 })", () => ({ [Symbol.dispose]: 5 })),
  lazy("({ valueOf: () => 0 })", () => ({ valueOf: () => 0 })),
  lazy("new Float64Array(4)", () => new Float64Array(4)),
  lazy("[1, 2, 3]", () => [1, 2, 3]),
);

/** Closures a caller passes: harmless, throwing, returning their argument (an escape attempt). */
export const CLOSURES: readonly ((...args: never[]) => unknown)[] = [
  () => undefined,
  () => 1,
  (value: unknown) => value,
  () => {
    throw SENTINEL;
  },
];

/** One of {@link CLOSURES}, as an argument. */
export const closure: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(...CLOSURES);

/** Numbers a correct caller passes (offsets, lengths, orders, indexes, CPU numbers). */
export const plausibleNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 4 }),
  fc.constantFrom(0, 1, 2, 3, 8, 16, 64, 255, 256, 4095, 4096, 8192, 16384, 0x10000),
  fc.integer({ min: 0, max: 0x4000 }),
);

/** GFP flag sets a correct caller passes. */
export const plausibleGfp: fc.Arbitrary<number> = fc.constantFrom(0xcc0, 0xcc0 | 0x100, 0xcc2, 0xcc2 | 0x100, 0x820, 0x800);
