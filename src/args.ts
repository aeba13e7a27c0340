/**
 * Argument checks shared by every public entry of the kit: numbers, byte arrays, closures, options
 * and genuine instances, on the lowest floor (it imports nothing but `errors.ts`).
 *
 * @remarks
 * The rules every check follows:
 *
 * - **Type first, then range, never coercion before the check.** `x >>> 0` on an object runs the
 *   caller's `valueOf` (and throws `TypeError` for a `Symbol` or a `BigInt`), so every fast path
 *   starts with `typeof x === "number"`.
 * - **Nothing here calls code the caller controls.** Typed arrays are recognised and measured with
 *   the intrinsic `%TypedArray%.prototype` getters captured when this module loads, not with
 *   `instanceof` (a `Proxy` around a `Uint8Array` passes it) nor the `length` property (which a
 *   caller can redefine); copies use the captured `set` and `subarray`, so no getter, `valueOf` or
 *   overridden method runs half-way through a copy.
 * - **Building the error cannot throw.** Values are described by {@link describeValue}, which never
 *   calls a caller's `toString`, getter or trap, and {@link kernelError} itself formats defensively.
 *
 * @module
 */
import { describeValue, kernelError, type KernelError } from "./errors.js";

// --- numbers -------------------------------------------------------------------------------------

/**
 * Tells whether a value is an integer in `0..2^32-1`, without coercing it.
 *
 * @param value - Any value received from a caller.
 * @returns `true` for a number that is a non-negative 32-bit integer (`-0` included, as `0`).
 */
export function isU32(value: unknown): value is number {
  return typeof value === "number" && (value >>> 0) === value;
}

/**
 * Tells whether a value is a non-negative safe integer (physical addresses, sizes).
 *
 * @param value - Any value received from a caller.
 * @returns `true` for an integer number in `0..Number.MAX_SAFE_INTEGER`.
 */
export function isAddress(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Builds the `EINVAL` error for a value that is not a non-negative integer or is out of range.
 *
 * @param op - The operation that failed.
 * @param name - The argument's name.
 * @param value - The offending value (any value: it is described safely).
 * @param limit - When given, the exclusive upper bound the value had to respect.
 * @returns The error, for the caller to throw.
 */
export function badNumber(op: string, name: string, value: unknown, limit?: number): KernelError {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    return kernelError("EINVAL", op, `${name} is not a non-negative integer`, { [name]: value });
  }
  return limit === undefined
    ? kernelError("EINVAL", op, `${name} is out of range`, { [name]: value })
    : kernelError("EINVAL", op, `${name} is out of range`, { [name]: value, limit });
}

/**
 * Checks that a value is an integer in `[0, limit)` (`limit` at most `2^32`).
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @param limit - The exclusive upper bound.
 * @returns The value, typed as a number.
 * @throws KernelError `EINVAL` naming the value (and the limit when it was the range that failed).
 */
export function checkIndex(op: string, name: string, value: unknown, limit: number): number {
  if (typeof value === "number" && (value >>> 0) === value && value < limit) return value;
  throw badNumber(op, name, value, limit);
}

/**
 * Checks that `[offset, offset + length)` is a range of integers inside `[0, size)` of a page or a
 * folio.
 *
 * @param op - The operation, for the error.
 * @param noun - What the range must stay inside, for the error: `"page"` or `"folio"`.
 * @param offset - The first byte.
 * @param length - The number of bytes.
 * @param size - The size of the page or folio.
 * @throws KernelError `EINVAL` naming the values for a value that is not a number, a negative,
 *   fractional, NaN or infinite number, or a range that leaves the page or folio (the size named
 *   `pageSize` or `size` respectively).
 */
export function checkRange(op: string, noun: "page" | "folio", offset: unknown, length: unknown, size: number): void {
  // Type first: `x >>> 0 === x` then accepts exactly the integers 0..2^32-1, with no coercion.
  if (typeof offset === "number" && typeof length === "number" && (offset >>> 0) === offset && (length >>> 0) === length && offset + length <= size) return;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw kernelError("EINVAL", op, "offset is not a non-negative integer", { offset });
  }
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
    throw kernelError("EINVAL", op, "length is not a non-negative integer", { length });
  }
  const values = noun === "page" ? { offset, length, pageSize: size } : { offset, length, size };
  throw kernelError("EINVAL", op, `range leaves the ${noun}`, values);
}

// --- typed arrays --------------------------------------------------------------------------------

/** The intrinsic `%TypedArray%.prototype`, captured before any caller's code could change it. */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

function intrinsicGetter(key: PropertyKey): (this: unknown) => unknown {
  const descriptor = Object.getOwnPropertyDescriptor(TypedArrayPrototype, key);
  // SAFETY: By ECMAScript's %TypedArray%.prototype definition (ES2015 §22.2.3), these keys are
  // accessor properties with a getter in every engine the kit supports.
  return descriptor!.get!;
}

const tagGetter = intrinsicGetter(Symbol.toStringTag);
const byteLengthGetter = intrinsicGetter("byteLength");
const intrinsicSet = Uint8Array.prototype.set;
const intrinsicSubarray = Uint8Array.prototype.subarray;
const intrinsicFill = Uint8Array.prototype.fill;
const { apply } = Reflect;

/**
 * The name of a genuine typed array's class (`"Uint8Array"`, `"Float64Array"`, ...), read with the
 * intrinsic getter: `undefined` for anything else, a `Proxy` around a typed array included.
 *
 * @param value - Any value.
 * @returns The typed array name, or `undefined`.
 */
export function typedArrayName(value: unknown): string | undefined {
  // The intrinsic getter returns undefined (never throws) for a value without [[TypedArrayName]].
  return apply(tagGetter, value, []) as string | undefined;
}

/**
 * Tells whether a value is a genuine `Uint8Array` (a Node `Buffer` counts): not a `Proxy`, not an
 * object that only inherits from `Uint8Array.prototype`.
 *
 * @param value - Any value.
 * @returns `true` for a genuine `Uint8Array`.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return typedArrayName(value) === "Uint8Array";
}

/**
 * Checks that a value is a genuine `Uint8Array` and returns its real length in bytes.
 *
 * @remarks
 * The length comes from the intrinsic `byteLength` getter: an array whose `length` property was
 * redefined (`Object.defineProperty(src, "length", { value: 1 })`) is measured by what a copy would
 * copy. A detached array measures 0.
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @returns The number of bytes the array really holds.
 * @throws KernelError `EINVAL` "is not a Uint8Array" for anything else, a `Proxy`, another typed
 *   array or an object made from `Uint8Array.prototype` included.
 */
export function checkBytes(op: string, name: string, value: unknown): number {
  if (apply(tagGetter, value, []) !== "Uint8Array") throw notBytes(op, name, value);
  return apply(byteLengthGetter, value, []) as number;
}

/** The error of {@link checkBytes}, out of line to keep the copy paths that inline it short. */
function notBytes(op: string, name: string, value: unknown): KernelError {
  return kernelError("EINVAL", op, `${name} is not a Uint8Array`, { [name]: value });
}

/**
 * The real byte length of a genuine typed array (the intrinsic getter; 0 when detached).
 *
 * @param value - A value checked with {@link checkBytes}.
 * @returns The length in bytes.
 */
export function byteLengthOf(value: Uint8Array): number {
  return apply(byteLengthGetter, value, []) as number;
}

/**
 * Copies `src` into `dst` at `at` with the intrinsic `set`: no method of either array can be
 * overridden into the copy.
 *
 * @param dst - A genuine `Uint8Array`.
 * @param src - A genuine `Uint8Array`.
 * @param at - Where in `dst` the copy starts.
 * @remarks Does no checking: the caller guarantees that both arrays passed {@link checkBytes} and
 * that `at + src.byteLength <= dst.byteLength`.
 */
export function copyBytes(dst: Uint8Array, src: Uint8Array, at: number): void {
  apply(intrinsicSet, dst, [src, at]);
}

/**
 * `src.subarray(begin, end)` with the intrinsic method.
 *
 * @param src - A genuine `Uint8Array`.
 * @param begin - The first byte.
 * @param end - One past the last byte.
 * @returns The view.
 */
export function subBytes(src: Uint8Array, begin: number, end: number): Uint8Array {
  return apply(intrinsicSubarray, src, [begin, end]) as Uint8Array;
}

/**
 * `dst.fill(value)` with the intrinsic method.
 *
 * @param dst - A genuine `Uint8Array`.
 * @param value - The byte.
 */
export function fillBytes(dst: Uint8Array, value: number): void {
  apply(intrinsicFill, dst, [value]);
}

// --- functions, objects, options ------------------------------------------------------------------

/**
 * Checks that a value is a function.
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name (`"fn"` for closures).
 * @param value - What the caller passed.
 * @throws KernelError `EINVAL` otherwise.
 */
export function checkFunction(op: string, name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") throw kernelError("EINVAL", op, `${name} is not a function`, { [name]: value });
}

/**
 * Checks that a closure argument is a function (named `fn` in the error).
 *
 * @param op - The operation, for the error.
 * @param value - What the caller passed as the closure.
 * @throws KernelError `EINVAL` otherwise.
 */
export function checkClosure(op: string, value: unknown): void {
  if (typeof value !== "function") throw kernelError("EINVAL", op, "fn is not a function", { fn: value });
}

/**
 * Copies a caller's array, so that it is read once: a value that is not an array, a revoked
 * `Proxy` or an array whose elements' getters throw is `EINVAL`.
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @returns A plain copy of the array.
 * @throws KernelError `EINVAL` otherwise.
 */
export function arrayArg(op: string, name: string, value: unknown): unknown[] {
  try {
    if (isArray(value)) return [...(value as unknown[])];
  } catch {
    // A revoked Proxy (isArray throws) or a throwing element getter: the same answer as a non-array.
  }
  throw kernelError("EINVAL", op, `${name} is not an array`, { [name]: value });
}

/**
 * Checks an optional options object: `undefined`, or an object (not `null`, not a primitive).
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @throws KernelError `EINVAL` otherwise.
 */
export function checkOptions(op: string, name: string, value: unknown): asserts value is object | undefined {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw kernelError("EINVAL", op, `${name} is not an object`, { [name]: value });
  }
}

/**
 * Reads one property of a caller's options object, turning a throwing getter or a revoked `Proxy`
 * into `EINVAL`.
 *
 * @param op - The operation, for the error.
 * @param options - An object checked with {@link checkOptions}, or `undefined`.
 * @param key - The property.
 * @returns The property's value, or `undefined` without options.
 * @throws KernelError `EINVAL` when reading the property throws.
 */
export function readOption(op: string, options: object | undefined, key: string): unknown {
  if (options === undefined) return undefined;
  try {
    return (options as Record<string, unknown>)[key];
  } catch {
    throw kernelError("EINVAL", op, `options.${key} cannot be read`, { options });
  }
}

/**
 * Checks a genuine instance with a brand test (a private-field `#x in value` check made by the
 * class): `instanceof` alone accepts `Object.create(Class.prototype)` and a `Proxy`.
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @param isGenuine - The class's brand test.
 * @param what - The class's name, for the error (`"Machine"`).
 * @throws KernelError `EINVAL` "not a <what>" otherwise.
 */
export function checkGenuine(op: string, name: string, value: unknown, isGenuine: (value: unknown) => boolean, what: string): void {
  if (!isGenuine(value)) throw kernelError("EINVAL", op, `not a ${what}`, { [name]: value });
}

/**
 * Tells whether `#field in value` may be evaluated: `value` is an object or a function.
 *
 * @param value - Any value.
 * @returns `true` for objects and functions.
 */
export function isObjectLike(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

// --- closures that must be synchronous ------------------------------------------------------------

/**
 * Checks what a closure that must be synchronous returned (a mapping closure, a cleanup, a
 * `drop()` hook): a thenable means the closure goes on after an `await`, after the kit already
 * ended the scope it ran in.
 *
 * @remarks
 * The refused promise is observed (a rejection handler is attached), so its later rejection cannot
 * end the process with an unhandled rejection; the rejection is dropped, since the call already
 * failed. A `then` getter that throws is not a promise the kit could wait for: accepted as a value.
 *
 * @param op - The operation, for the error.
 * @param result - What the closure returned.
 * @param what - What the closure is, for the message (`"a mapping closure"`).
 * @param why - Why it must be synchronous, for the message.
 * @throws KernelError `EINVAL` "<what> must be synchronous" for a thenable.
 */
export function checkSyncResult(op: string, result: unknown, what: string, why: string): void {
  if (!isThenable(result)) return;
  observe(result);
  throw kernelError("EINVAL", op, `${what} must be synchronous (it returned a promise; ${why})`, { result });
}

/** Attaches a rejection handler to a refused promise, so its rejection is never unhandled. */
function observe(result: PromiseLike<unknown>): void {
  try {
    // Promise.resolve adopts a native promise as is, and calls a thenable's `then` in a later job,
    // where a throw only rejects the adopting promise, which is handled here too.
    Promise.resolve(result).then(undefined, () => undefined);
  } catch {
    // A native promise whose `constructor` getter throws: nothing more can be attached.
  }
}

// --- describing values ---------------------------------------------------------------------------

export { describeValue };

/**
 * Formats a number as `0x…` hex, the way reports print page frame numbers and addresses.
 *
 * @param value - A non-negative integer.
 * @returns The hex text.
 */
export function hex(value: number): string {
  // Type first: a caller's value reaching a report is described, never coerced.
  return typeof value === "number" ? `0x${value.toString(16)}` : describeValue(value);
}

/**
 * Reads one field of a caller's record and checks its type, for functions that format records
 * (the report formatters): the value is read once, a throwing getter or a revoked `Proxy` is
 * `EINVAL`, and so is a value of another type.
 *
 * @param op - The operation, for the error.
 * @param record - What the caller passed as the record.
 * @param key - The field.
 * @param type - The `typeof` the field must have; `"string?"` also accepts `undefined`,
 *   `"strings?"` is an optional array of strings.
 * @returns The field's value.
 * @throws KernelError `EINVAL` naming the field.
 */
export function recordField(op: string, record: unknown, key: string, type: "string" | "number" | "string?" | "strings?"): unknown {
  if (typeof record !== "object" || record === null) throw kernelError("EINVAL", op, "the record is not an object", { record });
  let value: unknown;
  try {
    value = (record as Record<string, unknown>)[key];
  } catch {
    throw kernelError("EINVAL", op, `${key} cannot be read`, { record });
  }
  const ok =
    type === "string?"
      ? value === undefined || typeof value === "string"
      : type === "strings?"
        ? value === undefined || isStringArray(value)
        : typeof value === type;
  if (!ok) throw kernelError("EINVAL", op, `${key} is not a ${type.replace("?", "")}`, { [key]: value });
  return value;
}

const { isArray } = Array;

function isStringArray(value: unknown): boolean {
  try {
    return isArray(value) && (value as unknown[]).every((line) => typeof line === "string");
  } catch {
    return false;
  }
}

// --- thenables -----------------------------------------------------------------------------------

/**
 * Tells whether a value is a thenable (an object or function whose `then` is a function), without
 * letting a throwing `then` getter or a revoked `Proxy` escape: such a value is not a promise the
 * kit could wait for, so the answer is `false`. The one thenable test of the kit: {@link checkSyncResult}
 * and the scopes of `ownership/borrow.ts` use it.
 *
 * @param value - Any value.
 * @returns `true` for a thenable.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}
