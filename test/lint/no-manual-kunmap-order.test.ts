import { describe } from "vitest";
import { noManualKunmapOrder } from "../../src/lint/no-manual-kunmap-order.js";
import { typedRuleTester } from "./rule-tester.js";

const header = `import { kmapLocal, type KmapLocal, type Page } from "ownkit";\n`;
const code = (body: string): string => header + body;

describe("M18: manually disposing a kmapLocal guard that is not the innermost one", () => {
  typedRuleTester().run("no-manual-kunmap-order", noManualKunmapOrder, {
    valid: [
      {
        name: "M18 correct use: LIFO `using` guards",
        code: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  using inner: KmapLocal = kmapLocal(b);
  return outer.view[0]! + inner.view[0]!;
}`),
      },
      {
        name: "M18 correct use: the innermost guard unmapped by hand first",
        code: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  using inner: KmapLocal = kmapLocal(b);
  inner.unmap();
  outer.unmap();
}`),
      },
      {
        name: "M18 correct use: a later guard in a block that already ended",
        code: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  { using inner: KmapLocal = kmapLocal(b); inner.view[0] = 1; }
  outer[Symbol.dispose]();
}`),
      },
      {
        name: "M18 a user class named KmapLocal is not the kit's",
        code: `class KmapLocal { unmap() {} }\nexport function f() { using a = { [Symbol.dispose]() {} }; const x = new KmapLocal(); const y = new KmapLocal(); x.unmap(); y.unmap(); return a; }`,
      },
    ],
    invalid: [
      {
        name: "M18 the outer `using` guard unmapped while the inner one is live",
        code: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  using inner: KmapLocal = kmapLocal(b);
  outer.unmap();
  return inner.view[0];
}`),
        errors: [{ messageId: "outOfOrder", data: { name: "outer", method: "unmap", inner: "inner" }, line: 5 }],
      },
      {
        name: "M18 the outer guard disposed inside a nested block while the inner one is live",
        code: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  {
    using inner: KmapLocal = kmapLocal(b);
    outer[Symbol.dispose]();
  }
}`),
        errors: [{ messageId: "outOfOrder", data: { name: "outer", method: "[Symbol.dispose]", inner: "inner" } }],
      },
      {
        name: "M18 const-bound guards unmapped out of order, and a suggestion to use `using`",
        code: code(`export function f(a: Page, b: Page) {
  const outer: KmapLocal = kmapLocal(a);
  const inner: KmapLocal = kmapLocal(b);
  outer.unmap();
  inner.unmap();
}`),
        errors: [
          {
            messageId: "preferUsing",
            data: { name: "outer", kind: "const" },
            suggestions: [
              {
                messageId: "useUsing",
                data: { name: "outer" },
                output: code(`export function f(a: Page, b: Page) {
  using outer: KmapLocal = kmapLocal(a);
  const inner: KmapLocal = kmapLocal(b);
  outer.unmap();
  inner.unmap();
}`),
              },
            ],
          },
          {
            messageId: "preferUsing",
            data: { name: "inner", kind: "const" },
            suggestions: [
              {
                messageId: "useUsing",
                data: { name: "inner" },
                output: code(`export function f(a: Page, b: Page) {
  const outer: KmapLocal = kmapLocal(a);
  using inner: KmapLocal = kmapLocal(b);
  outer.unmap();
  inner.unmap();
}`),
              },
            ],
          },
          { messageId: "outOfOrder", data: { name: "outer", method: "unmap", inner: "inner" } },
        ],
      },
    ],
  });
});
