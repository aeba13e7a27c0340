/**
 * The check of what a mapping closure returned, shared by the page and folio methods (every other
 * argument check lives in `src/args.ts`).
 *
 * @module
 */
import { checkSyncResult } from "../../args.js";

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
  checkSyncResult(op, result, what, "mapped memory cannot stay mapped across an await");
}
