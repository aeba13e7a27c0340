import { expect, test } from "vitest";
import { KernelError, kernelError } from "../src/errors.js";

test("using disposes in LIFO order", () => {
  const log: string[] = [];
  {
    using a = { [Symbol.dispose]: () => log.push("a") };
    using b = { [Symbol.dispose]: () => log.push("b") };
    void a; void b;
  }
  expect(log).toEqual(["b", "a"]);
});

test("kernelError formats op, phrase and values", () => {
  const error = kernelError("EINVAL", "op", "bad", { offset: -1, addr: 0x12345 });
  expect(error).toBeInstanceOf(KernelError);
  expect(error.message).toBe("op: bad (offset=-1, addr=0x12345)");
  expect(error.code).toBe(22);
});
