/**
 * @misuse M11
 * @title unsafe(reason, fn) with a reason that does not start with SAFETY:
 */
import { unsafe } from "ownkit";

// correct use: the reason starts with SAFETY: and justifies the block
export const reasonKept: string = unsafe("SAFETY: nothing unchecked happens here", (token) => token.reason);

// @expect-error TS2345 "is not assignable to parameter of type '`SAFETY:${string}`'"
export const unjustified: number = unsafe("trust me", () => 1);

// @expect-error TS2741 "a borrow cannot outlive its closure"
export const leaked = unsafe("SAFETY: the token is only read", (token) => token);
