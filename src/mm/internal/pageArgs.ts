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
 * @remarks
 * The one "did the closure return a promise" check of mm: every closure-scoped API (page and folio
 * mappings, chunk iteration, `readFolio`'s fill) calls it on what its closure returned. The refused
 * promise is observed (a rejection handler is attached), so its later rejection cannot end the
 * process with an unhandled rejection; the rejection is dropped, since the call already failed.
 *
 * @param op - The operation, for the error.
 * @param result - What the closure returned.
 * @param what - What the closure is, for the message (`"a mapping closure"` by default).
 * @throws KernelError `EINVAL` "a mapping closure must be synchronous" for a thenable; the caller
 *   releases its mapping (a `finally`) before the error reaches its own caller.
 */
export function checkSynchronous(op: string, result: unknown, what = "a mapping closure"): void {
  if (result === null || (typeof result !== "object" && typeof result !== "function")) return;
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch {
    // A `then` getter that throws: not a promise the kit could wait for either.
    return;
  }
  if (typeof then !== "function") return;
  observe(result as PromiseLike<unknown>);
  throw kernelError("EINVAL", op, `${what} must be synchronous (it returned a promise; mapped memory cannot stay mapped across an await)`, {
    result: Object.prototype.toString.call(result),
  });
}

/** Attaches a rejection handler to a refused promise, so its rejection is never unhandled. */
function observe(result: PromiseLike<unknown>): void {
  // Promise.resolve adopts a native promise as is, and calls a thenable's `then` in a later job,
  // where a throw only rejects the adopting promise, which is handled here too.
  Promise.resolve(result).then(undefined, () => undefined);
}
