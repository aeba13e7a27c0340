import { describe } from "vitest";
import { noViewEscape } from "../../src/lint/no-view-escape.js";
import { typedRuleTester } from "./rule-tester.js";

const header = `import { Folio, Page, kmapLocal, unsafe, withBorrow, type ARef, type KmapLocal, type Owned, type UniqueFolio } from "ownkit";
declare const page: Owned<Page>;
declare const other: Owned<Page>;
declare const unique: UniqueFolio;
declare const shared: ARef<Folio>;
declare function consume(bytes: ArrayLike<number>): number;
`;
const code = (body: string): string => header + body;

const PAGE = "page.withPageMapped()";
/** The second half of each message, by what was lent. */
const BYTES = (name: string) =>
  `after the mapping ends \`${name}\` points at memory that may belong to someone else; use it inside the mapping, or copy the bytes out with \`slice()\` first`;
const GUARD = (name: string) =>
  `after the mapping ends the view of \`${name}\` points at memory that may belong to someone else; use it inside the mapping, or copy the bytes of its view out with \`slice()\` first`;
const BORROW = (name: string) => `\`${name}\` is valid only while its closure runs; use it inside the closure only`;
type Id = "viewEscapes" | "closureEscapes" | "usedAfterAwait";
/** A view that reaches around its type: `how` it is passed, `kind`/`name`/`mapping` of the view. */
const reach = (how: string, { kind = "PageView", name = "view", mapping = PAGE } = {}) => ({
  messageId: "reachAround" as const,
  data: { kind, name, mapping, how, fix: kind === "buffer" ? "use the view itself, or copy its bytes out with `slice()` first" : `call the view's own method, or copy with \`${name}.slice()\`` },
});
const AS_THIS = (fn: string) => `passed as \`this\` to \`${fn}\``;
const report = (messageId: Id, kind: string, name: string, mapping: string, how: string, consequence = BYTES(name)) => ({
  messageId,
  data: { kind, name, mapping, how, consequence },
});
const view = (how: string, extra: { name?: string } = {}) => report("viewEscapes", "PageView", extra.name ?? "view", PAGE, how);
const closure = (how: string) => report("closureEscapes", "PageView", "view", PAGE, how);
const OUTER = (name: string) => `assigned to \`${name}\`, declared outside the mapping`;
const LATER = (fn: string) => `passed to \`${fn}()\`, which runs after the mapping ended`;
const RETURNED = "returned from the mapping closure";

describe("M36: a mapped view or guard kept beyond its mapping", () => {
  typedRuleTester().run("no-view-escape", noViewEscape, {
    valid: [
      { name: "M36 correct use: the view read inside the closure", code: code(`export const first = page.withPageMapped((view) => view[0]! + view.length);`) },
      {
        name: "M36 correct use: what a generic helper, destructuring, for...of or an array's map gives back from a view's bytes",
        code: code(`const identity = <Value,>(value: Value): Value => value;
let kept: unknown;
page.withPageMapped((view) => {
  kept = identity(view[0]);
  const [first] = [view[1]];
  kept = first;
  for (const byte of view) kept = byte;
  for (const part of [view]) kept = part.length;
  kept = [view].map((part) => part[0]);
  kept = Array.of(view.slice(0, 4));
});
export { kept };`),
      },
      {
        name: "M36 correct use: a copy taken with slice() leaves the mapping, and is kept",
        code: code(`let kept: Uint8Array | undefined;
export const copy = page.withPageMapped((view) => view.slice(0, 16));
page.withPageMapped((view) => { kept = view.slice(); setTimeout(() => copy[0]); });
export { kept };`),
      },
      {
        name: "M36 correct use: copies into a typed array with set(), Uint8Array.from and new Uint8Array",
        code: code(`const out = new Uint8Array(16);
export const copies = page.withPageMapped((view) => { out.set(view.subarray(0, 16)); return [Uint8Array.from(view), new Uint8Array(view.subarray(0, 4))].length; });`),
      },
      {
        name: "M36 correct use: a closure called synchronously inside the mapping",
        code: code(`export const sum = page.withPageMapped((view) => {
  const at = (i: number) => view[i]!;
  const total = () => at(0) + at(1);
  function last() { return view[view.length - 1]!; }
  return total() + last() + (() => view[2]!)();
});`),
      },
      {
        name: "M36 correct use: callbacks passed to the view's own forEach/map/reduce",
        code: code(`export const total = page.withPageMapped((view) => {
  let sum = 0;
  view.forEach((byte, i, array) => { sum += byte + array[i]!; });
  return sum + view.reduce((a, b) => a + b, 0) + view.map((b) => b * 2).length;
});`),
      },
      {
        name: "M36 correct use: a view passed to a function that reads it, and a nested mapping",
        code: code(`export const n = page.withPageMapped((view) => consume(view) + other.withPageMapped((inner) => { inner.set(view.subarray(0, 8)); return inner[0]!; }));`),
      },
      {
        name: "M36 correct use: locals and containers created inside the mapping and dropped with it",
        code: code(`export const n = page.withPageMapped((view) => {
  const parts: ArrayLike<number>[] = [];
  parts.push(view.subarray(0, 4));
  const alias = view;
  const byKey = new Map([["a", alias]]);
  return parts.length + byKey.size + alias[0]!;
});`),
      },
      {
        name: "M36 correct use: folio guards and views read inside map, mapMut and forEachChunk",
        code: code(`const decoder = new TextDecoder();
export const a = shared.map(0, ({ view }) => view[0]);
export const b = shared.map(0, (guard) => decoder.decode(guard.view.slice(0, 8)));
unique.mapMut(0, ({ view }) => { view.fill(0); });
const chunks: Uint8Array[] = [];
shared.forEachChunk(0, 4096, (chunk) => { chunks.push(chunk.slice()); });`),
      },
      {
        name: "M36 correct use: a using kmapLocal guard read inside its block, its view copied out",
        code: code(`export function read(p: Page): Uint8Array {
  using map: KmapLocal = kmapLocal(p);
  const bytes = map.view;
  return bytes.slice(0, 16);
}`),
      },
      {
        name: "M36 correct use: an unsafe token and a withBorrow borrow used inside their closures",
        code: code(`export const n = unsafe("SAFETY: the page is ours", (token) => { page.readRaw(token, 0, new Uint8Array(4)); return 1; });
export const id = withBorrow(page, (p) => p.phys());`),
      },
      {
        name: "M36 correct use: timers and promises that use no view",
        code: code(`export const n = page.withPageMapped((view) => { const first = view[0]!; setTimeout(() => first); void Promise.resolve(first).then((x) => x); return first; });`),
      },
      {
        name: "M36 correct use: an async mapping closure that reads the view before its first await",
        code: code(`declare const tick: Promise<void>;
export const p = page.withPageMapped(async (view) => { const first = view[0]; const copy = view.slice(); await tick; return first! + copy[0]!; });`),
      },
      {
        name: "M36 correct use: Object.assign, bind and a nested mapping with locals of their own",
        code: code(`export const n = page.withPageMapped((view) => {
  const box = Object.assign({}, { first: view[0] });
  const read = consume.bind(null, view);
  return box.first! + read() + other.withPageMapped((inner) => { const k = view; return inner[0]! + k[0]!; });
});`),
      },
      {
        name: "M36 correct use: an array of views iterated inside the mapping (its callbacks are not mappings of their own)",
        code: code(`export const n = page.withPageMapped((a) => other.withPageMapped((b) => {
  let sum = 0;
  const firsts = [a, b].map((v) => v.subarray(0, 1));
  firsts.forEach((s) => { sum += s[0]!; });
  return sum;
}));`),
      },
      {
        name: "M36 correct use: the view's own methods, the view as an ordinary argument of call, a structuredClone of a copy",
        code: code(`declare function sum(this: unknown, bytes: unknown): number;
export const n = page.withPageMapped((view) => {
  view.fill(0);
  view.forEach((b) => b);
  view.fill.call(view, 1);
  Reflect.apply(view.fill, view, [2]);
  const copy = structuredClone(view.slice());
  return sum.call(other, view) + sum.apply(null, [view]) + copy.length;
});`),
      },
      {
        name: "M36 a user type that looks like a view is not the kit's",
        code: `interface PageView { [i: number]: number; length: number }\ndeclare function withPageMapped(fn: (view: PageView) => void): void;\nlet kept: PageView | undefined;\nwithPageMapped((view) => { kept = view; setTimeout(() => view[0]); });\nexport { kept };`,
      },
    ],
    invalid: [
      {
        name: "M36 the view assigned to an outer let",
        code: code(`let kept: unknown;
page.withPageMapped((view) => { kept = view; });
export { kept };`),
        errors: [{ ...view(OUTER("kept")), line: 8 }],
      },
      {
        name: "M36 a closure over the view assigned to an outer variable, a property and a field",
        code: code(`let read: (() => number) | undefined;
const handlers: { onDone?: () => number } = {};
export class Holder {
  cb: (() => number) | undefined;
  fill() { page.withPageMapped((view) => { read = () => view[0]!; handlers.onDone = () => view[1]!; this.cb = () => view[2]!; }); }
}
export { read };`),
        errors: [
          closure(OUTER("read")),
          closure("stored in `handlers.onDone`, created outside the mapping"),
          closure("stored in `this.cb`"),
        ],
      },
      {
        name: "M36 closures passed to setTimeout, setInterval, setImmediate, queueMicrotask and process.nextTick",
        code: code(`page.withPageMapped((view) => {
  setTimeout(() => view[0]);
  setInterval(() => view[0], 10);
  setImmediate(() => view[0]);
  queueMicrotask(() => { view[0] = 1; });
  process.nextTick(() => view[0]);
});`),
        errors: [
          closure(LATER("setTimeout")),
          closure(LATER("setInterval")),
          closure(LATER("setImmediate")),
          closure(LATER("queueMicrotask")),
          closure(LATER("process.nextTick")),
        ],
      },
      {
        name: "M36 the view itself as an extra argument of setTimeout",
        code: code(`page.withPageMapped((view) => { setTimeout(consume, 0, view); });`),
        errors: [view(LATER("setTimeout"))],
      },
      {
        name: "M36 closures handed to a promise: .then, .catch, .finally and new Promise",
        code: code(`declare const ready: Promise<void>;
page.withPageMapped((view) => {
  void ready.then(() => view[0]).catch(() => view[1]).finally(() => view[2]);
  void new Promise<number>((resolve) => resolve(view[3]!));
});`),
        errors: [
          closure("passed to `ready.then()`, which runs after the mapping ended"),
          closure("passed to `.catch()`, which runs after the mapping ended"),
          closure("passed to `.finally()`, which runs after the mapping ended"),
          closure("passed to `new Promise()`, whose work finishes after the mapping ended"),
        ],
      },
      {
        name: "M36 a closure returned from the mapping closure, bare and inside an object",
        code: code(`export const later = page.withPageMapped((view) => () => view[0]);
export const getter = page.withPageMapped((view) => ({ get: () => view[0] }));
export const viaLocal = page.withPageMapped((view) => { const read = () => view[1]; return read; });`),
        errors: [closure(RETURNED), closure(RETURNED), closure(RETURNED)],
      },
      {
        name: "M36 a derived view returned from the mapping closure (subarray, valueOf, a local alias)",
        code: code(`export const a = page.withPageMapped((view) => view.subarray(0, 16));
export const b = page.withPageMapped((view) => { const alias = view.valueOf(); return [alias]; });`),
        errors: [view(RETURNED, { name: "view.subarray(0, 16)" }), view(RETURNED, { name: "alias" })],
      },
      {
        name: "M36 views and closures stored in containers created outside the mapping",
        code: code(`const list: unknown[] = [];
const byKey = new Map<string, unknown>();
const seen = new Set<unknown>();
page.withPageMapped((view) => {
  list.push(view);
  byKey.set("a", () => view[0]);
  seen.add(view.subarray(4));
});`),
        errors: [
          view("stored in `list`, created outside the mapping"),
          closure("stored in `byKey`, created outside the mapping"),
          view("stored in `seen`, created outside the mapping", { name: "view.subarray(4)" }),
        ],
      },
      {
        name: "M36 a local container that holds the view and is then kept",
        code: code(`let cache: unknown;
page.withPageMapped((view) => {
  const parts: unknown[] = [];
  parts.push(view);
  cache = parts;
  const ref = new WeakRef(view);
  return ref;
});
export { cache };`),
        errors: [view(OUTER("cache")), view(RETURNED)],
      },
      {
        name: "M36 the view reached through the array argument of its own forEach",
        code: code(`let kept: unknown;
page.withPageMapped((view) => { view.forEach((_, i, array) => { if (i === 0) kept = array; }); });
export { kept };`),
        errors: [view(OUTER("kept"), { name: "array" })],
      },
      {
        name: "M36 a nested closure keeps the view: the timer callback is reported, not the sync helper",
        code: code(`page.withPageMapped((view) => {
  const read = () => view[0];
  setTimeout(() => read());
});`),
        errors: [closure(LATER("setTimeout"))],
      },
      {
        name: "M36 folio guards and views: MapGuard, FolioView from mapMut, a chunk view",
        code: code(`let g: unknown;
let w: unknown;
const chunks: unknown[] = [];
shared.map(0, (guard) => { g = guard; });
unique.mapMut(0, ({ view }) => { setTimeout(() => view.fill(0)); });
shared.forEachChunk(0, 8192, (chunk) => { chunks.push(chunk); });
shared.map(0, (guard) => { w = guard.view; });
export { g, w };`),
        errors: [
          report("viewEscapes", "MapGuard", "guard", "shared.map()", OUTER("g"), GUARD("guard")),
          report("closureEscapes", "FolioView", "view", "unique.mapMut()", LATER("setTimeout")),
          report("viewEscapes", "ReadonlyFolioView", "chunk", "shared.forEachChunk()", "stored in `chunks`, created outside the mapping"),
          report("viewEscapes", "ReadonlyFolioView", "guard.view", "shared.map()", OUTER("w")),
        ],
      },
      {
        name: "M36 withPointerIntoPage: a DataView over the view's buffer kept",
        code: code(`let dv: DataView | undefined;
page.withPointerIntoPage(0, 8, (bytes) => { dv = new DataView(bytes.buffer); });
export { dv };`),
        errors: [
          report("viewEscapes", "view", "new DataView(bytes.buffer)", "page.withPointerIntoPage()", OUTER("dv")),
          reach("wrapped by `new DataView()` over its backing buffer", { kind: "buffer", name: "bytes.buffer", mapping: "page.withPointerIntoPage()" }),
        ],
      },
      {
        name: "M36 a using kmapLocal guard: its view kept in a closure, the guard and the view returned",
        code: code(`let later: (() => number) | undefined;
export function keep(p: Page) {
  using map: KmapLocal = kmapLocal(p);
  const bytes = map.view;
  later = () => bytes[0]!;
}
export function leakGuard(p: Page) {
  using map: KmapLocal = kmapLocal(p);
  return map;
}
export function leakView(p: Page) {
  using map: KmapLocal = kmapLocal(p, 16);
  return map.view.subarray(0, 4);
}
export { later };`),
        errors: [
          // The kind of a KmapLocal's view follows its declared type (a plain view, or a branded one): not pinned here.
          { messageId: "closureEscapes", line: 11 },
          report("viewEscapes", "KmapLocal", "map", "kmapLocal(p)", "returned from the function, after `using` ended the mapping", GUARD("map")),
          { messageId: "viewEscapes", line: 19 },
        ],
      },
      {
        name: "M36 attacks: widened return type, a global property, an outer array slot, a listener",
        code: code(`declare const list: unknown[];
export const a = page.withPageMapped((view): ArrayLike<number> => view);
page.withPageMapped((view) => {
  (globalThis as Record<string, unknown>)["kept"] = view;
  list[0] = view;
  addEventListener("message", () => view[0]);
  list.push(...[view]);
});`),
        errors: [
          view(RETURNED),
          view("stored in `(globalThis as Record<string, unknown...`, created outside the mapping"),
          view("stored in `list[0]`, created outside the mapping"),
          closure(LATER("addEventListener")),
          view("stored in `list`, created outside the mapping"),
        ],
      },
      {
        name: "M36 attacks: Object.assign, Reflect.set, bind, a function declaration and a named function expression",
        code: code(`const holder: Record<string, unknown> = {};
page.withPageMapped((view) => {
  Object.assign(holder, { view });
  Reflect.set(holder, "v", view);
  setTimeout(consume.bind(null, view));
  function later() { return view[0]; }
  setTimeout(later);
  const again = function () { return view[1]; };
  queueMicrotask(again);
});`),
        errors: [
          view("stored in `holder` by `Object.assign()`, created outside the mapping"),
          view("stored in `holder` by `Reflect.set()`, created outside the mapping"),
          closure(LATER("setTimeout")),
          closure(LATER("setTimeout")),
          closure(LATER("queueMicrotask")),
        ],
      },
      {
        name: "M36 attacks: destructuring assignment, ??=, a bound view method, globalThis.setTimeout, a function expression",
        code: code(`let kept: unknown;
let other2: unknown;
const box: { v?: unknown } = {};
page.withPageMapped((view) => { [kept] = [view]; });
page.withPageMapped((view) => { ({ v: box.v } = { v: view }); });
page.withPageMapped(function (view) { other2 ??= view; });
page.withPageMapped((view) => { queueMicrotask(view.fill.bind(view, 0)); });
page.withPageMapped((view) => { globalThis.setTimeout(() => view[0]); });
export { kept, other2 };`),
        errors: [
          view(OUTER("kept")),
          view("stored in `box.v`, created outside the mapping"),
          view(OUTER("other2")),
          closure(LATER("queueMicrotask")),
          closure("passed to `globalThis.setTimeout()`, which runs after the mapping ended"),
        ],
      },
      {
        name: "M36 a using kmapLocal guard captured by a timer callback",
        code: code(`export function f(p: Page) {
  using map: KmapLocal = kmapLocal(p);
  setTimeout(() => map.view[0]);
}`),
        errors: [report("closureEscapes", "KmapLocal", "map", "kmapLocal(p)", LATER("setTimeout"), GUARD("map"))],
      },
      {
        name: "M36 an async mapping closure using the view after its first await",
        code: code(`declare const tick: Promise<void>;
export const p = page.withPageMapped(async (view) => { const first = view[0]; await tick; const alias = view; return first! + alias[0]!; });`),
        errors: [
          report("usedAfterAwait", "PageView", "view", PAGE, "used after `await`"),
          report("usedAfterAwait", "PageView", "alias", PAGE, "used after `await`"),
        ],
      },
      {
        name: "M36 an async mapping closure using the view inside a for await loop",
        code: code(`declare const chunks: AsyncIterable<number>;
export const p = shared.map(0, async ({ view }) => { let sum = 0; for await (const c of chunks) sum += c + view[0]!; return sum; });`),
        errors: [report("usedAfterAwait", "ReadonlyFolioView", "view", "shared.map()", "used after `await`")],
      },
      {
        name: "M36 nested mappings: the inner view kept in a binding of the outer mapping",
        code: code(`export const n = page.withPageMapped((outerView) => {
  let inner: unknown;
  other.withPageMapped((view) => { inner = view; });
  return outerView[0]! + (inner as Uint8Array)[0]!;
});`),
        errors: [report("viewEscapes", "PageView", "view", "other.withPageMapped()", OUTER("inner"))],
      },
      {
        name: "M36 a view passed through a generic helper, Array.of or an array's map, then kept",
        code: code(`const identity = <Value,>(value: Value): Value => value;
let kept: unknown;
page.withPageMapped((view) => { kept = identity(view); });
page.withPageMapped((view) => { kept = Array.of(view); });
page.withPageMapped((view) => { kept = [view].map((part) => part); });
export { kept };`),
        errors: [
          view(OUTER("kept"), { name: "identity(view)" }),
          view(OUTER("kept"), { name: "Array.of(view)" }),
          view(OUTER("kept"), { name: "[view].map((part) => part)" }),
        ],
      },
      {
        name: "M36 a view taken out of an array by destructuring or for...of, then kept",
        code: code(`let kept: unknown;
let outer: unknown;
page.withPageMapped((view) => { const [first] = [view]; kept = first; });
page.withPageMapped((view) => { for (const part of [view]) kept = part; });
page.withPageMapped((view) => { const parts = [view.subarray(0, 4)]; for (const part of parts) kept = part; });
page.withPageMapped((view) => { for (outer of [view]); });
export { kept, outer };`),
        errors: [
          view(OUTER("kept"), { name: "first" }),
          view(OUTER("kept"), { name: "part" }),
          report("viewEscapes", "PageView", "part", PAGE, OUTER("kept")),
          view(OUTER("outer")),
        ],
      },
      {
        name: "M36 reach-arounds: a view passed as this to a function that is not its own method, or to structuredClone",
        code: code(`page.withPageMapped((view) => {
  Uint8Array.prototype.fill.call(view, 9);
  Uint8Array.prototype.set.call(view, [1]);
  Uint8Array.prototype.fill.apply(view, [9]);
  Reflect.apply(Uint8Array.prototype.fill, view, [9]);
  const write = Uint8Array.prototype.fill.bind(view);
  write(1);
  Object.getOwnPropertyDescriptor(Uint8Array.prototype, "length")?.get?.call(view);
  return structuredClone(view).length;
});`),
        errors: [
          reach(AS_THIS("Uint8Array.prototype.fill")),
          reach(AS_THIS("Uint8Array.prototype.set")),
          reach(AS_THIS("Uint8Array.prototype.fill")),
          reach(AS_THIS("Uint8Array.prototype.fill")),
          reach(AS_THIS("Uint8Array.prototype.fill")),
          reach(AS_THIS("Object.getOwnPropertyDescriptor(Uint8...")),
          reach("passed to `structuredClone()`"),
        ],
      },
      {
        name: "M36 reach-arounds on a read-only folio view, a MapGuard's view and a kmapLocal guard's view",
        code: code(`declare const write: (this: unknown, value: number) => void;
shared.map(0, ({ view }) => { Uint8Array.prototype.fill.call(view, 0); });
unique.mapMut(0, (guard) => { write.call(guard.view, 1); });
export function poke(p: Page) {
  using map: KmapLocal = kmapLocal(p);
  write.apply(map.view, [2]);
}`),
        errors: [
          reach(AS_THIS("Uint8Array.prototype.fill"), { kind: "ReadonlyFolioView", mapping: "shared.map()" }),
          { messageId: "reachAround", line: 9 },
          reach(AS_THIS("write"), { kind: "view", name: "map.view", mapping: "kmapLocal(p)" }),
        ],
      },
      {
        name: "M36 a withBorrow borrow kept by a timer",
        code: code(`withBorrow(page, (p) => { setTimeout(() => p.phys()); });`),
        errors: [report("closureEscapes", "Borrowed", "p", "withBorrow()", LATER("setTimeout"), BORROW("p"))],
      },
      {
        name: "M36 an unsafe token kept by a timer after its block",
        code: code(`declare const addr: ReturnType<Page["phys"]>;
unsafe("SAFETY: addr is ours", (token) => { setTimeout(() => Page.fromPhys(token, addr).release()); });`),
        errors: [report("closureEscapes", "Unsafe", "token", "unsafe()", LATER("setTimeout"), BORROW("token"))],
      },
    ],
  });
});
