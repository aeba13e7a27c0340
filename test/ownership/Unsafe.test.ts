import { expect, expectTypeOf, test } from "vitest";
import { isKernelError } from "../../src/errors.js";
import { assertUnsafe, unsafe, type SafetyReason, type Unsafe } from "../../src/ownership/index.js";

test("unsafe runs the closure with a token that keeps the reason", () => {
  const reason = unsafe("SAFETY: the buffer was just allocated", (token) => {
    assertUnsafe(token, "test");
    return token.reason;
  });
  expect(reason).toBe("SAFETY: the buffer was just allocated");
  expectTypeOf(reason).toEqualTypeOf<SafetyReason>();
});

test("a reason that does not start with SAFETY: is EINVAL at run time (JS callers)", () => {
  let caught: unknown;
  try {
    // SAFETY: deliberately wrong input, as a JavaScript caller could pass it.
    unsafe("trust me" as SafetyReason, () => 1);
  } catch (error) {
    caught = error;
  }
  expect(isKernelError(caught, "EINVAL")).toBe(true);
  expect((caught as Error).message).toContain('reason="trust me"');
  expect(() => unsafe("SAFETY:   " as SafetyReason, () => 1)).toThrow(/must start with SAFETY:/);
});

test("a token captured past its closure is rejected by assertUnsafe", async () => {
  let captured: unknown;
  unsafe("SAFETY: test captures the token on purpose", (token) => {
    captured = token;
    return 0;
  });
  // SAFETY: `captured` holds the token assigned inside the closure above.
  const stale = captured as Unsafe<"stale">;
  expect(stale.active).toBe(false);
  expect(() => assertUnsafe(stale, "raw_write")).toThrow(/used after its unsafe\(\) block ended/);
  // SAFETY: a forged token, as a JavaScript caller could pass it.
  expect(() => assertUnsafe({ reason: "SAFETY: x", active: true } as unknown as Unsafe<unknown>, "op")).toThrow(
    expect.objectContaining({ errno: "EPERM" }),
  );
  const stillActive = await unsafe("SAFETY: async block", async (token) => {
    await Promise.resolve();
    return token.active;
  });
  expect(stillActive).toBe(true);
});

test("types: the reason must start with SAFETY: and the token cannot escape", () => {
  expectTypeOf<"SAFETY: ok">().toMatchTypeOf<SafetyReason>();
  expectTypeOf<"trust me">().not.toMatchTypeOf<SafetyReason>();
  // @ts-expect-error the reason does not start with SAFETY:
  expect(() => unsafe("trust me", () => 1)).toThrow();
  // @ts-expect-error a borrow cannot outlive its closure
  unsafe("SAFETY: returns the token", (token) => token);
  // @ts-expect-error a borrow cannot outlive its closure
  unsafe("SAFETY: stores the token", (token) => ({ token }));
});
