/**
 * Argument checks shared by the page and folio methods: byte ranges inside a page or folio, byte
 * arrays, closures and their results.
 *
 * @module
 */
import { kernelError } from "../../errors.js";

/**
 * Checks that `[offset, offset + length)` is a range of integers inside `[0, size)` of a page or a
 * folio.
 *
 * @param op - The operation, for the error.
 * @param noun - What the range must stay inside, for the error: `"page"` or `"folio"`.
 * @param offset - The first byte.
 * @param length - The number of bytes.
 * @param size - The size of the page or folio.
 * @throws KernelError `EINVAL` naming the values for a negative, fractional, NaN or infinite number,
 *   or a range that leaves the page or folio (the size named `pageSize` or `size` respectively).
 */
export function checkRange(op: string, noun: "page" | "folio", offset: number, length: number, size: number): void {
  // One comparison each on the fast path: `x >>> 0 === x` accepts exactly the integers 0..2^32-1.
  if ((offset >>> 0) === offset && (length >>> 0) === length && offset + length <= size) return;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw kernelError("EINVAL", op, "offset is not a non-negative integer", { offset: String(offset) });
  }
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
    throw kernelError("EINVAL", op, "length is not a non-negative integer", { length: String(length) });
  }
  const values = noun === "page" ? { offset, length, pageSize: size } : { offset, length, size };
  throw kernelError("EINVAL", op, `range leaves the ${noun}`, values);
}

/**
 * Checks that a value is a `Uint8Array`.
 *
 * @param op - The operation, for the error.
 * @param name - The argument's name.
 * @param value - What the caller passed.
 * @throws KernelError `EINVAL` otherwise.
 */
export function checkBytes(op: string, name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw kernelError("EINVAL", op, `${name} is not a Uint8Array`, { [name]: Object.prototype.toString.call(value) });
  }
}

/**
 * Checks that a value is a function.
 *
 * @param op - The operation, for the error.
 * @param value - What the caller passed as the closure.
 * @throws KernelError `EINVAL` otherwise.
 */
export function checkClosure(op: string, value: unknown): void {
  if (typeof value !== "function") throw kernelError("EINVAL", op, "fn is not a function", { fn: typeof value });
}

/**
 * Checks what a mapping closure returned: a promise (any thenable) means the closure would go on
 * after an `await` while its `kmap_local` mapping, which belongs to the CPU's stack of slots and
 * must be released in LIFO order, is already released or would have to stay live across the wait.
 *
 * @param op - The operation, for the error.
 * @param result - What the closure returned.
 * @throws KernelError `EINVAL` "a mapping closure must be synchronous" for a thenable; the caller
 *   releases its mapping (a `finally`) before the error reaches its own caller.
 */
export function checkSynchronous(op: string, result: unknown): void {
  if (result === null || (typeof result !== "object" && typeof result !== "function")) return;
  if (typeof (result as { then?: unknown }).then === "function") {
    throw kernelError("EINVAL", op, "a mapping closure must be synchronous", { result: Object.prototype.toString.call(result) });
  }
}
