import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import { assertUnsafe, unsafe, type SafetyReason, type Unsafe } from "ownkit";

// A justified block returns the closure's result; the token keeps the reason.
expectType<SafetyReason>(unsafe("SAFETY: the pointer is valid for the whole block", (token) => token.reason));
expectType<number>(
  unsafe("SAFETY: checked by the caller", (token) => {
    assertUnsafe(token, "raw_read");
    return 1;
  }),
);
expectAssignable<SafetyReason>("SAFETY: reason");

// A reason that does not start with SAFETY: is refused.
expectNotAssignable<SafetyReason>("trust me");
expectError(unsafe("trust me", () => 1));

// The token cannot escape its closure.
expectError(unsafe("SAFETY: returns the token", (token) => token));
expectError(unsafe("SAFETY: stores the token", (token) => ({ token })));

// A token cannot be forged from an object literal.
expectNotAssignable<Unsafe<unknown>>({ reason: "SAFETY: forged", active: true });
