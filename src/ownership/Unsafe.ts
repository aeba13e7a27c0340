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
import type { LifetimeBrand, NoEscape } from "./borrow.js";
import { runScope } from "./borrow.js";

/** A justification for an unchecked operation: a string that starts with `SAFETY:`. */
export type SafetyReason = `SAFETY:${string}`;

// The brand of Unsafe: declared only and not exported, so no other type can claim it.
declare const unsafeBrand: unique symbol;

// Ends a token's block: set by UnsafeToken's static block, the only code that may change `#active`.
let endToken: (token: UnsafeToken) => void;
// Whether a value is a genuine token (a private-field brand check); set by the same static block.
let isGenuine: (value: unknown) => value is UnsafeToken;
// Reads a genuine token's private state; set by the same static block.
let isActive: (token: UnsafeToken) => boolean;
// Registers what ends with a token's block; set by the same static block.
let addEndHook: (token: UnsafeToken, hook: () => void) => void;

// The class is private: the only way to get an instance is `unsafe()`. Its state lives in private
// fields, so nothing outside this module can revive a token whose block ended (assigning `active`
// throws in strict mode, and `#active` is out of reach), and `#active in value` is a brand check
// that a Proxy or an object made with the class's prototype cannot pass.
class UnsafeToken {
  #active = true;
  readonly #reason: SafetyReason;
  #onEnd: (() => void)[] | undefined;

  constructor(reason: SafetyReason) {
    this.#reason = reason;
    // No own property can shadow `active` or `reason` (private fields stay writable inside).
    Object.freeze(this);
  }

  /** Whether the block still runs. */
  get active(): boolean {
    return this.#active;
  }

  /** The block's justification. */
  get reason(): SafetyReason {
    return this.#reason;
  }

  static {
    endToken = (token) => {
      token.#active = false;
      const hooks = token.#onEnd;
      token.#onEnd = undefined;
      if (hooks === undefined) return;
      // Every hook runs (a kit mapping's scope must end even when a caller's hook throws); the
      // first error is rethrown once all have run.
      let failed = false;
      let first: unknown;
      for (let i = hooks.length - 1; i >= 0; i--) {
        try {
          hooks[i]!();
        } catch (error) {
          if (!failed) {
            failed = true;
            first = error;
          }
        }
      }
      if (failed) throw first;
    };
    isGenuine = (value) => typeof value === "object" && value !== null && #active in value;
    isActive = (token) => token.#active;
    addEndHook = (token, hook) => {
      (token.#onEnd ??= []).push(hook);
    };
  }
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
 * declare const addr: PhysAddr;
 *
 * const page = unsafe("SAFETY: addr came from intoPhys and was not reclaimed", (token) =>
 *   Page.fromPhys(token, addr));
 *
 * unsafe("trust me", (token) => 1);
 * // error TS2345: Argument of type '"trust me"' is not assignable to parameter of type '`SAFETY:${string}`'.
 * unsafe("SAFETY: returns the token", (token) => token);
 * // error TS2741: Property '"a borrow cannot outlive its closure: ..."' is missing in type 'Unsafe<Lifetime>' ...
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
  // SAFETY: By the definition of Unsafe (UnsafeToken's members plus a type-only lifetime brand) the
  // token is an Unsafe, and by the definition of NoEscape<Result, Lifetime> it is Result except for
  // results carrying the token, which the compiler rejected at the call site.
  return runScope(
    () => fn(token as unknown as Unsafe<unknown>) as Result,
    () => endToken(token),
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
  if (!isGenuine(token)) {
    throw kernelError("EPERM", op, "not an Unsafe token from unsafe()", {});
  }
  if (!isActive(token)) {
    throw kernelError("EPERM", op, "Unsafe token used after its unsafe() block ended", { reason: token.reason });
  }
}

/**
 * Runs `hook` when the `unsafe` block of `token` ends (at once when it already ended); for scopes
 * bounded by the block, such as the mappings of a page borrowed with `Page.borrowPhys`.
 *
 * @remarks
 * Hooks run innermost first (the reverse of registration), after the token turned inactive. A
 * hook must not throw: it only marks its scope as ended.
 *
 * @typeParam Lifetime - The token's lifetime (inferred).
 * @param token - A genuine token.
 * @param hook - What ends with the block.
 * @throws KernelError `EPERM` when `token` was not made by `unsafe()`.
 */
export function whenUnsafeEnds<Lifetime>(token: Unsafe<Lifetime>, hook: () => void): void {
  if (!isGenuine(token)) throw kernelError("EPERM", "unsafe", "not an Unsafe token from unsafe()", {});
  // Checked now: a hook that is not a function would fail only when the block ends, inside unsafe().
  checkFunction("whenUnsafeEnds", "hook", hook);
  if (!isActive(token)) {
    hook();
    return;
  }
  addEndHook(token, hook);
}

/**
 * Whether `token` is a genuine {@link Unsafe} token whose block still runs, read from its private
 * state (an own property or a Proxy cannot fake it); for scopes bounded by the block.
 *
 * @param token - Any value.
 * @returns `true` only for a genuine, active token.
 */
export function unsafeActive(token: unknown): boolean {
  return isGenuine(token) && isActive(token);
}
