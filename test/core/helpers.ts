import { expect } from "vitest";
import { KernelError, type Errno } from "../../src/errors.js";
import type { Machine } from "../../src/core/index.js";

/** Runs `fn`, expects a KernelError with `errno` (and a message fragment), and returns it. */
export function expectKernelError(fn: () => unknown, errno: Errno, fragment?: string | RegExp): KernelError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KernelError);
  const error = caught as KernelError;
  expect(error.errno).toBe(errno);
  if (fragment !== undefined) expect(error.message).toMatch(fragment);
  return error;
}

/** Expects `fn` to fail with `errno` and to leave the machine exactly as it was, and consistent. */
export function expectUnchanged(machine: Machine, fn: () => unknown, errno: Errno, fragment?: string | RegExp): KernelError {
  const before = machine.stateDigest();
  const error = expectKernelError(fn, errno, fragment);
  expect(machine.stateDigest()).toBe(before);
  expect(machine.consistencyProblems()).toEqual([]);
  return error;
}

/** The bad numbers every public entry must reject. */
export const BAD_NUMBERS: readonly number[] = [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 32];
