import { describe } from "vitest";
import { bindDisposables } from "../../src/lint/bind-disposables.js";
import { typedRuleTester } from "./rule-tester.js";

const header = `import { Folio, GFP_KERNEL, Page, kmapLocal, type ARef, type KmapLocal, type LockedFolio, type Owned, type UniqueFolio } from "ownkit";\n`;
const code = (body: string): string => header + body;

describe("M16: a kit disposable never bound with `using` or released", () => {
typedRuleTester().run("bind-disposables", bindDisposables, {
  valid: [
    { name: "M16 correct use: an owned page bound with `using`", code: code(`export function f() { using page: Owned<Page> = Page.alloc(GFP_KERNEL); page.write(0, new Uint8Array(1)); }`) },
    { name: "M16 correct use: a binding released explicitly", code: code(`export function f() { const page: Owned<Page> = Page.alloc(GFP_KERNEL); page.write(0, new Uint8Array(1)); page.release(); }`) },
    { name: "M16 correct use: a binding returned", code: code(`export function f(): Owned<Page> { const page: Owned<Page> = Page.alloc(GFP_KERNEL); return page; }`) },
    { name: "M16 correct use: a result returned or passed on", code: code(`export function f(out: Owned<Page>[]): Owned<Page> { out.push(Page.alloc(GFP_KERNEL)); return Page.alloc(GFP_KERNEL); }`) },
    { name: "M16 correct use: an arrow returning a disposable", code: code(`export const alloc = () => Page.alloc(GFP_KERNEL);`) },
    { name: "M16 correct use: a folio lock bound with `using`", code: code(`export function f(folio: ARef<Folio>) { using locked: LockedFolio = folio.lock(); locked.markUptodate(); }`) },
    { name: "M16 correct use: a lock unlocked, a clone put", code: code(`export function f(folio: ARef<Folio>) { const locked: LockedFolio = folio.lock(); locked.unlock(); const c: ARef<Folio> = folio.clone(); c.put(); }`) },
    { name: "M16 correct use: a UniqueFolio disposed by hand", code: code(`export function f() { const u: UniqueFolio = Folio.alloc(0); u[Symbol.dispose](); }`) },
    { name: "M16 correct use: a KmapLocal unmapped", code: code(`export function f(page: Page) { const map: KmapLocal = kmapLocal(page); map.unmap(); }`) },
    { name: "M16 correct use: released at once", code: code(`export function f() { Page.alloc(GFP_KERNEL).release(); }`) },
    {
      name: "M16 a user type named Page is not the kit's",
      code: `class Page { static alloc(): Page { return new Page(); } [Symbol.dispose]() {} }\nexport function f() { Page.alloc(); }`,
    },
  ],
  invalid: [
    {
      name: "M16 an owned page discarded",
      code: code(`export function f() { Page.alloc(GFP_KERNEL); }`),
      errors: [{ messageId: "dropped", data: { type: "Owned<Page>" }, line: 2, column: 23 }],
    },
    {
      name: "M16 a UniqueFolio discarded",
      code: code(`export function f() { Folio.alloc(0); }`),
      errors: [{ messageId: "dropped", data: { type: "UniqueFolio" } }],
    },
    {
      name: "M16 a folio lock whose guard is dropped after one write",
      code: code(`export function f(folio: ARef<Folio>) { folio.lock().markUptodate(); }`),
      errors: [{ messageId: "dropped", data: { type: "LockedFolio" } }],
    },
    {
      name: "M16 a KmapLocal read through and dropped",
      code: code(`export function f(page: Page) { return kmapLocal(page).view[0]; }`),
      errors: [{ messageId: "dropped", data: { type: "KmapLocal" } }],
    },
    {
      name: "M16 an ARef clone discarded",
      code: code(`export function f(folio: ARef<Folio>) { folio.clone(); }`),
      errors: [{ messageId: "dropped", data: { type: "ARef<Folio>" } }],
    },
    {
      name: "M16 a const binding never released",
      code: code(`export function f() { const page: Owned<Page> = Page.alloc(GFP_KERNEL); page.write(0, new Uint8Array(1)); }`),
      errors: [{ messageId: "neverReleased", data: { type: "Owned<Page>", name: "page" } }],
    },
  ],
});
});
