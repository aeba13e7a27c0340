import { describe } from "vitest";
import { noUseAfterMove } from "../../src/lint/no-use-after-move.js";
import { typedRuleTester } from "./rule-tester.js";

const header = `import { Folio, GFP_KERNEL, Page, drop, intoPhys, intoShared, kmapLocal, put, release, type ARef, type Owned, type UniqueFolio } from "ownkit";
declare function usePage(page: Owned<Page>): void;
declare function peek(page: Page): number;
declare const bytes: Uint8Array;
`;
// The header is four lines: line numbers in the cases below count from line 5.
const code = (body: string): string => header + body;
const moved = (name: string, by: string, line: number) => ({ messageId: "moved" as const, data: { name, by, line: String(line) } });
const maybe = (name: string, by: string, line: number, why: string) => ({ messageId: "maybeMoved" as const, data: { name, by, line: String(line), why } });

describe("M40, M41: use of a moved value", { timeout: 60_000 }, () => {
  typedRuleTester().run("no-use-after-move", noUseAfterMove, {
    valid: [
      { name: "read, then release last (free form)", code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  page.read(0, 1);\n  release(page);\n}`) },
      { name: "using with an explicit release: disposal does nothing more", code: code(`export function f() {\n  using page = Page.alloc(GFP_KERNEL);\n  page.write(0, bytes);\n  page.release();\n}`) },
      { name: "a new value after the move makes the binding live again", code: code(`export function f() {\n  let page = Page.alloc(GFP_KERNEL);\n  release(page);\n  page = Page.alloc(GFP_KERNEL);\n  page.read(0, 1);\n  release(page);\n}`) },
      { name: "a loop binding is new in every iteration", code: code(`export function f(pages: Owned<Page>[]) {\n  for (const page of pages) { page.write(0, bytes); release(page); }\n  for (let i = 0; i < pages.length; i += 1) pages[i]!.release();\n}`) },
      { name: "each branch releases, nothing after", code: code(`export function f(c: boolean) {\n  const page = Page.alloc(GFP_KERNEL);\n  if (c) release(page); else { page.write(0, bytes); page.release(); }\n}`) },
      { name: "a move in a branch that returns does not reach the code after it", code: code(`export function f(c: boolean) {\n  const page = Page.alloc(GFP_KERNEL);\n  if (c) { release(page); return; }\n  page.read(0, 1);\n  release(page);\n}`) },
      { name: "a borrower's view (class type) is lent, not moved", code: code(`export function f() {\n  using page = Page.alloc(GFP_KERNEL);\n  const view: Page = page;\n  peek(page);\n  page.read(0, view.pfn);\n}`) },
      { name: "a UniqueFolio lent to a helper is still usable", code: code(`declare function fill(folio: UniqueFolio): void;\nexport function f() {\n  using unique = Folio.alloc(0);\n  fill(unique);\n  unique.write(0, bytes);\n}`) },
      { name: "after intoShared the shared members stay usable", code: code(`export function f() {\n  const unique = Folio.alloc(0);\n  unique.write(0, bytes);\n  intoShared(unique);\n  const second = unique.clone();\n  using locked = unique.lock();\n  locked.markUptodate();\n  unique.put();\n  put(second);\n}`) },
      { name: "a closure created and called before the move", code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  const first = () => page.read(0, 1);\n  first();\n  release(page);\n}`) },
      { name: "a user type with a release method is not the kit's", code: `class Pool { release() {} size = 0 }\nexport function f(pool: Pool) { pool.release(); return pool.size; }` },
      { name: "this.current reset after its move", code: code(`export class Holder {\n  current: Owned<Page> | undefined;\n  drain() {\n    this.current!.release();\n    this.current = undefined;\n    return this.current;\n  }\n}`) },
    ],
    invalid: [
      {
        name: "M40 use after release(page), no annotation",
        code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  release(page);\n  return page;\n}`),
        errors: [{ ...moved("page", "release()", 7), line: 8 }],
      },
      {
        name: "M40 passing, storing and destructuring a moved value (which the compiler accepts: never is assignable)",
        code: code(`export function f(pool: Owned<Page>[]) {\n  const page = Page.alloc(GFP_KERNEL);\n  page.release();\n  usePage(page);\n  pool.push(page);\n  const { pfn } = page;\n  return pfn;\n}`),
        errors: [moved("page", "release()", 7), moved("page", "release()", 7), moved("page", "release()", 7)],
      },
      {
        name: "M40 a move into a parameter typed Owned<Page>, then use",
        code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  usePage(page);\n  page.read(0, 1);\n}`),
        errors: [{ ...moved("page", "usePage()", 7), line: 8 }],
      },
      {
        name: "M40 stored into an array, a field and another binding",
        code: code(`export function f(pool: Owned<Page>[], holder: { page?: Owned<Page> }) {\n  const a = Page.alloc(GFP_KERNEL);\n  pool.push(a);\n  a.read(0, 1);\n  const b = Page.alloc(GFP_KERNEL);\n  holder.page = b;\n  b.read(0, 1);\n  const c = Page.alloc(GFP_KERNEL);\n  const d = c;\n  c.read(0, 1);\n  release(d);\n}`),
        errors: [moved("a", "pool.push()", 7), moved("b", "holder.page = …", 10), moved("c", "const d = …", 13)],
      },
      {
        name: "M40 using again = page, [Symbol.dispose](), ?.release(), drop() and intoPhys()",
        code: code(`export function f(maybe: Owned<Page> | undefined) {\n  const page = Page.alloc(GFP_KERNEL);\n  page[Symbol.dispose]();\n  using again = page;\n  maybe?.release();\n  maybe?.read(0, 1);\n  const other = Page.alloc(GFP_KERNEL);\n  intoPhys(other);\n  drop(other);\n}`),
        errors: [moved("page", "[Symbol.dispose]()", 7), moved("maybe", "release()", 9), moved("other", "intoPhys()", 12)],
      },
      {
        name: "M41 a move in one branch: may have been moved",
        code: code(`export function f(c: boolean) {\n  const page = Page.alloc(GFP_KERNEL);\n  if (c) release(page);\n  page.read(0, 1);\n}`),
        errors: [maybe("page", "release()", 7, "in a branch")],
      },
      {
        name: "M41 a move in a loop: moved in a previous iteration",
        code: code(`export function f(n: number) {\n  const page = Page.alloc(GFP_KERNEL);\n  for (let i = 0; i < n; i += 1) {\n    page.write(0, bytes);\n    page.release();\n  }\n}`),
        errors: [maybe("page", "release()", 9, "in a previous iteration of the loop"), maybe("page", "release()", 9, "in a previous iteration of the loop")],
      },
      {
        name: "M41 a switch case that falls through after a move",
        code: code(`export function f(k: number) {\n  const page = Page.alloc(GFP_KERNEL);\n  switch (k) {\n    case 0:\n      release(page);\n    case 1:\n      page.read(0, 1);\n      break;\n  }\n}`),
        errors: [maybe("page", "release()", 9, "in a \`case\` that falls through to this one")],
      },
      {
        name: "M41 try/finally: the finally block runs after the move",
        code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  try {\n    release(page);\n  } finally {\n    page.read(0, 1);\n  }\n}`),
        errors: [{ messageId: "moved", line: 10 }],
      },
      {
        name: "M41 a closure created before the move and called after it",
        code: code(`export function f() {\n  const page = Page.alloc(GFP_KERNEL);\n  const first = () => page.read(0, 1);\n  release(page);\n  first();\n}`),
        errors: [{ messageId: "movedCapture", data: { name: "page", through: "first()", by: "release()", line: "8" }, line: 9 }],
      },
      {
        name: "M41 a move inside a callback, then a use",
        code: code(`export function f(pages: Owned<Page>[]) {\n  const page = Page.alloc(GFP_KERNEL);\n  pages.forEach(() => page.release());\n  page.read(0, 1);\n}`),
        errors: [maybe("page", "release()", 7, "inside a callback")],
      },
      {
        name: "M40 element and property paths",
        code: code(`export class Holder {\n  current: Owned<Page> | undefined;\n  drain(pages: Owned<Page>[]) {\n    this.current!.release();\n    this.current!.read(0, 1);\n    release(pages[0]!);\n    pages[0]!.read(0, 1);\n  }\n}`),
        errors: [moved("this.current", "release()", 8), moved("pages[0]", "release()", 10)],
      },
      {
        name: "M40 release twice, put twice",
        code: code(`export function f(t: ARef<Folio>) {\n  const page = Page.alloc(GFP_KERNEL);\n  release(page);\n  release(page);\n  t.put();\n  put(t);\n}`),
        errors: [moved("page", "release()", 7), moved("t", "put()", 9)],
      },
      {
        name: "M12 unique members after intoShared (method and free forms)",
        code: code(`export function f() {\n  const unique: UniqueFolio = Folio.alloc(0);\n  unique.intoShared();\n  unique.write(0, bytes);\n  intoShared(unique);\n  release(unique);\n}`),
        errors: [
          { messageId: "notUnique", data: { name: "unique", by: "intoShared()", line: "7" } },
          { messageId: "notUnique", data: { name: "unique", by: "intoShared()", line: "7" } },
          { messageId: "notUnique" },
        ],
      },
      {
        name: "M40 a guard after drop()",
        code: code(`export function f() {\n  using page = Page.alloc(GFP_KERNEL);\n  const guard = kmapLocal(page);\n  drop(guard);\n  guard.unmap();\n}`),
        errors: [moved("guard", "drop()", 8)],
      },
    ],
  });
});
