/**
 * `unsafe(reason, fn)`: the only way to obtain an {@link Unsafe} token, which operations that trust
 * their caller require.
 *
 * @remarks
 * The reason is typed as a template literal that starts with `SAFETY:`, so a call without a
 * justification does not compile; plain JavaScript callers get a `KernelError` (`EINVAL`) instead.
 * The token is lifetime-branded: returning it (or storing it in the result) fails to compile, and
 * it is deactivated at run time when the closure returns (or its promise settles), so operations that
 * check it with {@link assertUnsafe} also reject a token captured by a closure. The reason stays on
 * the token (`token.reason`) so debug reports can quote the justification that turned out wrong.
 *
 * @module
 */
import { checkFunction, isObjectLike } from "../args.js";
import { kernelError } from "../errors.js";
import type { LifetimeBrand, NoEscape } from "./Borrow.js";
import { runScope } from "./Borrow.js";

/** A justification for an unchecked operation: a string that starts with `SAFETY:`. */
export type SafetyReason = `SAFETY:${string}`;

// The brand of Unsafe: declared only and not exported, so no other type can claim it.
declare const unsafeBrand: unique symbol;

// The class is private: the only way to get an instance is `unsafe()`.
class UnsafeToken {
  active = true;
  constructor(readonly reason: SafetyReason) {}
}

/**
 * Proof that the caller is inside an `unsafe(reason, fn)` block for `Lifetime`; required by raw and
 * `*Unchecked` operations.
 *
 * @invariant `active` is `true` only while the `unsafe` closure that received the token runs.
 *
 * @typeParam Lifetime - The lifetime of the `unsafe` closure.
 */
export interface Unsafe<Lifetime> extends LifetimeBrand<Lifetime> {
  /** The justification given to `unsafe`, for debug reports. */
  readonly reason: SafetyReason;
  /** Whether the closure that received the token is still running. */
  readonly active: boolean;
  /** The brand; exists in the type only. */
  readonly [unsafeBrand]: true;
}

/**
 * Runs `fn` with an {@link Unsafe} token, after checking that `reason` justifies it.
 *
 * @typeParam Result - What `fn` returns; must not contain the token.
 * @param reason - Why the unchecked operations inside are sound; must start with `SAFETY:` and say
 * something after it.
 * @param fn - The closure that performs the unchecked operations.
 * @returns What `fn` returned.
 * @throws KernelError `EINVAL` when `reason` does not start with `SAFETY:` or is empty after it.
 *
 * @example
 * ```ts
 * const page = unsafe("SAFETY: addr came from intoPhys and was not reclaimed", (token) =>
 *   Page.fromPhys(token, addr));
 *
 * unsafe("trust me", (token) => 1);
 * // error TS2345: Argument of type '"trust me"' is not assignable to parameter of type '`SAFETY:${string}`'.
 * unsafe("SAFETY: returns the token", (token) => token);
 * // error TS2322: ... 'TypeErrorText<"a borrow cannot outlive its closure: ...">'
 * ```
 */
export function unsafe<Result>(
  reason: SafetyReason,
  fn: <Lifetime>(token: Unsafe<Lifetime>) => NoEscape<Result, Lifetime>,
): Result {
  const text: unknown = reason;
  if (typeof text !== "string" || !text.startsWith("SAFETY:") || text.slice("SAFETY:".length).trim() === "") {
    throw kernelError("EINVAL", "unsafe", "the reason must start with SAFETY: and justify the block", {
      reason: text,
    });
  }
  checkFunction("unsafe", "fn", fn);
  const token = new UnsafeToken(reason);
  // SAFETY: the lifetime brand exists in types only; NoEscape<Result, Lifetime> is Result except for
  // results carrying the token, which the compiler rejected at the call site.
  return runScope(
    () => fn(token as unknown as Unsafe<unknown>) as Result,
    () => {
      token.active = false;
    },
  );
}

/**
 * Checks at run time that `token` is a genuine {@link Unsafe} token whose closure is still running;
 * operations that require a token call it first.
 *
 * @remarks
 * `Unsafe<Lifetime>` is invariant in its lifetime, so operations that take a token are generic over
 * it, like this function: `readRaw<Lifetime>(token: Unsafe<Lifetime>, ...)`.
 *
 * @typeParam Lifetime - The token's lifetime (inferred).
 * @param token - The token the caller passed.
 * @param op - The operation, for the message.
 * @throws KernelError `EPERM` when `token` was not made by `unsafe()` or its closure has returned.
 */
export function assertUnsafe<Lifetime>(token: Unsafe<Lifetime>, op: string): void {
  if (!isToken(token)) {
    throw kernelError("EPERM", op, "not an Unsafe token from unsafe()", {});
  }
  if (!token.active) {
    throw kernelError("EPERM", op, "Unsafe token used after its unsafe() block ended", { reason: token.reason });
  }
}

/** `instanceof` without the `TypeError` a revoked Proxy's `getPrototypeOf` trap throws. */
function isToken(value: unknown): value is UnsafeToken {
  if (!isObjectLike(value)) return false;
  try {
    return value instanceof UnsafeToken;
  } catch {
    return false;
  }
}
