/**
 * The check of what a mapping closure returned, shared by the page and folio methods (every other
 * argument check lives in `src/args.ts`).
 *
 * @module
 */
import { kernelError } from "../../errors.js";

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
