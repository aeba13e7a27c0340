/**
 * The argument checks of mm that need mm's or the core's types: the optional machine argument and
 * what a mapping closure returned. Every other argument check lives in `src/args.ts`. Internal to mm.
 *
 * @module
 */
import { checkSyncResult } from "../../args.js";
import { defaultMachine, Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";

/**
 * Checks an optional machine argument and returns it, or the default machine when it is absent.
 *
 * @param op - The operation, for the error.
 * @param machine - What the caller passed.
 * @returns The machine to use.
 * @throws KernelError `EINVAL` when `machine` is given and is not a `Machine`.
 */
export function machineArg(op: string, machine: Machine | undefined): Machine {
  if (machine === undefined) return defaultMachine();
  if (!Machine.isMachine(machine)) throw notAMachine(op, machine);
  return machine;
}

/** The error of {@link machineArg}; out of line to keep the hot paths that inline it short. */
function notAMachine(op: string, machine: unknown): Error {
  return kernelError("EINVAL", op, "not a Machine", { machine });
}

/**
 * Checks what a mapping closure returned, with `checkSyncResult` of `src/args.ts` (the kit's one
 * "did the closure return a promise" check): a promise means the closure would go on after an
 * `await` while its `kmap_local` mapping, which belongs to the CPU's LIFO stack of slots, is
 * already released or would have to stay live across the wait.
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

/**
 * The error of a private constructor called from outside its file (`Reflect.construct(Page, ...)`,
 * a subclass): TypeScript's `private constructor` exists in the type only, so each such class
 * checks a module-local key first and throws this before any state exists.
 *
 * @param op - The class, for the error.
 * @param use - What to call instead, for the message.
 * @returns The `EPERM` error to throw.
 */
export function privateConstructor(op: string, use: string): Error {
  return kernelError("EPERM", op, `the constructor is private; use ${use}`, {});
}
