/**
 * @misuse M6
 * @title writing through a mapping of a shared Folio that is not locked
 */
import { Folio, type ARef, type UniqueFolio } from "ownkit";

declare const shared: ARef<Folio>;

// correct use: read through the shared mapping; write through the lock or a unique folio
export const first: number | undefined = shared.map(0, ({ view }) => view[0]);
export const copy: Uint8Array = shared.map(0, ({ view }) => view.slice(0, 16));
export function writeLocked(): void {
  using locked = shared.lock();
  locked.mapMut(0, ({ view }) => {
    view[0] = 1;
  });
}
export function writeUnique(): void {
  using unique: UniqueFolio = Folio.alloc(0);
  unique.mapMut(0, ({ view }) => {
    view.set([1, 2, 3]);
  });
}

export function misuse(): void {
  shared.map(0, ({ view }) => {
    // @expect-error TS2542 "only permits reading"
    view[0] = 1;
    // @expect-error TS2339 "Property 'set' does not exist on type 'ReadonlyFolioView<Lifetime>'"
    view.set([1, 2, 3]);
    // @expect-error TS2339 "Property 'fill' does not exist"
    view.fill(0);
    // @expect-error TS2542 "Index signature in type 'ReadonlyFolioView<Lifetime>' only permits reading"
    view.subarray(0, 4)[0] = 1;
  });
}
