/**
 * @misuse M8
 * @title a borrow escaping through a function result, a Map, Set, WeakRef, class instance or a union with null
 */
import { GFP_KERNEL, Page, unsafe, type ARef, type Folio, type Owned, type PhysAddr } from "ownkit";

declare const shared: ARef<Folio>;
declare const addr: PhysAddr;

/** A user class holding a value. */
class Box<Value> {
  constructor(readonly value: Value) {}
}

// correct use: functions, collections, boxes and nullable results that hold what was read
export function correct(page: Owned<Page>): number {
  const later: () => number = page.withPageMapped((view) => {
    const first = view[0] ?? 0;
    return () => first;
  });
  const getter: { get: () => Uint8Array } = page.withPageMapped((view) => {
    const copy = view.slice(0, 4);
    return { get: () => copy };
  });
  const map: Map<number, number> = shared.map(0, ({ view }) => new Map([[0, view[0] ?? 0]]));
  const set: Set<Uint8Array> = shared.map(0, ({ view }) => new Set([view.slice(0, 2)]));
  const boxed: Box<number> = shared.map(0, (guard) => new Box(guard.offset));
  const bytes: Uint8Array | null = unsafe("SAFETY: addr is RAM that the caller keeps allocated", (token) => Page.borrowPhys(token, addr)?.read(0, 4) ?? null);
  const maybe: number | undefined = page.withPageMapped((view) => (view.length > 0 ? view[0] : undefined));
  return later() + getter.get().length + map.size + set.size + boxed.value + (bytes?.length ?? 0) + (maybe ?? 0);
}

export function misuse(page: Owned<Page>): void {
  // @expect-error TS2322 "a borrow cannot outlive its closure"
  page.withPageMapped((view) => () => view);
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  page.withPageMapped((view) => ({ get: () => view }));
  // @expect-error TS2322 "a borrow cannot outlive its closure"
  shared.map(0, (guard) => () => guard);
  // @expect-error TS2322 "a borrow cannot outlive its closure"
  unsafe("SAFETY: compile-time misuse only", (token) => () => token);
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  page.withPageMapped((view) => new Map([[0, view]]));
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  shared.map(0, ({ view }) => new Set([view]));
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  shared.map(0, ({ view }) => new WeakRef(view));
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  shared.map(0, (guard) => new Box(guard));
  // @expect-error TS2322 "a borrow cannot outlive its closure"
  unsafe("SAFETY: compile-time misuse only", (token) => Page.borrowPhys(token, addr));
  // @expect-error TS2322 "a borrow cannot outlive its closure"
  page.withPageMapped((view) => (view.length > 0 ? view : undefined));
}
