/**
 * Cheap argument checks shared by the core's public entries.
 *
 * @module
 */
import { kernelError, type KernelError } from "../errors.js";

/**
 * Tells whether a value is an integer in `0..2^32-1`, with one integer comparison.
 *
 * @param value - Any value received from a caller.
 * @returns `true` for a non-negative 32-bit integer (rejects negatives, fractions, NaN, infinities).
 */
export function isU32(value: number): boolean {
  return (value >>> 0) === value;
}

/**
 * Tells whether a value is a non-negative safe integer (used for physical addresses and sizes).
 *
 * @param value - Any value received from a caller.
 * @returns `true` for an integer in `0..Number.MAX_SAFE_INTEGER`.
 */
export function isAddress(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Builds the `EINVAL` error for a number that is not a non-negative integer or is out of range.
 *
 * @param op - The operation that failed.
 * @param name - The argument's name.
 * @param value - The offending value.
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
 * Checks that a buffer from a caller is a `Uint8Array` (a plain array, a string or another typed
 * array would be copied element by element, not byte by byte).
 *
 * @param op - The operation that failed.
 * @param name - The argument's name.
 * @param value - The value received.
 * @throws KernelError `EINVAL` naming the value's type.
 */
export function checkBytes(op: string, name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw kernelError("EINVAL", op, `${name} is not a Uint8Array`, { [name]: Object.prototype.toString.call(value) });
  }
}

/**
 * Formats a number as `0x…` hex, the way reports print page frame numbers and addresses.
 *
 * @param value - A non-negative integer.
 * @returns The hex text.
 */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
