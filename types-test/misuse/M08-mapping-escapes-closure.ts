/**
 * @misuse M8
 * @title returning or storing a mapped view or guard outside the closure that mapped it
 */
import type { ARef, Folio, UniqueFolio } from "ownkit";

declare const shared: ARef<Folio>;
declare const unique: UniqueFolio;

// correct use: return what was read, not the mapping
export const length: number = shared.map(0, (guard) => guard.length);
export const bytes: Uint8Array = shared.map(0, ({ view }) => view.slice(0, 8));
export const summary: { first: number | undefined; offset: number } = shared.map(0, (guard) => ({ first: guard.view[0], offset: guard.offset }));

// @expect-error TS2741 "a borrow cannot outlive its closure"
export const guard = shared.map(0, (mapped) => mapped);
// @expect-error TS2741 "a borrow cannot outlive its closure"
export const view = shared.map(0, (mapped) => mapped.view);
// @expect-error TS2741 "a borrow cannot outlive its closure"
export const stored = shared.map(0, (mapped) => ({ kept: { view: mapped.view } }));
// @expect-error TS2741 "a borrow cannot outlive its closure"
export const writable = unique.mapMut(0, ({ view }) => [view]);
