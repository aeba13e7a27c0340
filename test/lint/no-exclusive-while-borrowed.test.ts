import { describe } from "vitest";
import { noExclusiveWhileBorrowed } from "../../src/lint/no-exclusive-while-borrowed.js";
import { typedRuleTester } from "./rule-tester.js";

const header = `import { Folio, GFP_KERNEL, Page, intoPhys, type Owned, type UniqueFolio } from "ownkit";\n`;
const code = (body: string): string => header + body;

describe("M17: exclusive use of a UniqueFolio while a mapping of it is live", () => {
  typedRuleTester().run("no-exclusive-while-borrowed", noExclusiveWhileBorrowed, {
    valid: [
      {
        name: "M17 correct use: the exclusive write after the mapping closure",
        code: code(`export function f(header: Uint8Array) {
  using unique: UniqueFolio = Folio.alloc(0);
  const first = unique.map(0, ({ view }) => view[0]);
  unique.write(0, header);
  return first;
}`),
      },
      {
        name: "M17 correct use: reads of the same folio inside its mapping, writes to another folio",
        code: code(`export function f(other: UniqueFolio) {
  using unique: UniqueFolio = Folio.alloc(0);
  unique.map(0, ({ view }) => { other.write(0, view.slice(0, 4)); return unique.size; });
}`),
      },
      {
        name: "M17 correct use: release after withPageMapped",
        code: code(`export function f() {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const first = page.withPageMapped((view) => view[0]);
  page.release();
  return first;
}`),
      },
      {
        name: "M17 a user type with a map method is not the kit's",
        code: `class Box { map(f: () => void) { f(); } write() {} }\nexport function f(box: Box) { box.map(() => box.write()); }`,
      },
    ],
    invalid: [
      {
        name: "M17 a write inside a read mapping of the same UniqueFolio",
        code: code(`export function f(header: Uint8Array) {
  using unique: UniqueFolio = Folio.alloc(0);
  unique.map(0, () => unique.write(0, header));
}`),
        errors: [{ messageId: "exclusiveCall", data: { name: "unique", op: "write", borrow: "unique.map()" }, line: 4 }],
      },
      {
        name: "M17 reading blocks into the folio while a chunk of it is mapped",
        code: code(`export function f() {
  using unique: UniqueFolio = Folio.alloc(0);
  unique.forEachChunk(0, 16, (view) => { unique.zeroOut(0, view.length); unique.mapMut(0, () => 0); });
}`),
        errors: [
          { messageId: "exclusiveCall", data: { name: "unique", op: "zeroOut", borrow: "unique.forEachChunk()" } },
          { messageId: "exclusiveCall", data: { name: "unique", op: "mapMut", borrow: "unique.forEachChunk()" } },
        ],
      },
      {
        name: "M17 intoShared and release inside mapMut",
        code: code(`export function f() {
  const unique: UniqueFolio = Folio.alloc(0);
  unique.mapMut(0, function () { unique.intoShared(); });
  const other: UniqueFolio = Folio.alloc(0);
  other.map(0, () => other.release());
}`),
        errors: [
          { messageId: "exclusiveCall", data: { name: "unique", op: "intoShared", borrow: "unique.mapMut()" } },
          { messageId: "exclusiveCall", data: { name: "other", op: "release", borrow: "other.map()" } },
        ],
      },
      {
        name: "M17 the UniqueFolio passed to a parameter typed UniqueFolio inside its mapping",
        code: code(`declare function fill(folio: UniqueFolio): void;
export function f() {
  using unique: UniqueFolio = Folio.alloc(0);
  unique.map(0, () => fill(unique));
}`),
        errors: [{ messageId: "passedOwner", data: { name: "unique", parameter: "UniqueFolio", borrow: "unique.map()" } }],
      },
      {
        name: "M17 a page handed over or released while withPageMapped is live",
        code: code(`export function f() {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  page.withPageMapped(() => intoPhys(page));
  const second: Owned<Page> = Page.alloc(GFP_KERNEL);
  second.withPageMapped(() => second.release());
}`),
        errors: [
          { messageId: "passedOwner", data: { name: "page", parameter: "Owned<Page>", borrow: "page.withPageMapped()" } },
          { messageId: "exclusiveCall", data: { name: "second", op: "release", borrow: "second.withPageMapped()" } },
        ],
      },
    ],
  });
});
