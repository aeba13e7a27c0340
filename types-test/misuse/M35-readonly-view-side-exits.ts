/**
 * @misuse M35
 * @title writing through a read-only view's side exits (valueOf(), a callback's array argument, an index-signature parameter)
 */
import type { ARef, Folio } from "ownkit";

declare const shared: ARef<Folio>;

/** A helper that writes through an index signature. */
function zeroFirst(bytes: { [index: number]: number }): void {
  bytes[0] = 0;
}

/** A helper that reads through ArrayLike. */
function sum(bytes: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < bytes.length; i++) total += bytes[i]!;
  return total;
}

// correct use: read through the view, its callbacks and its copies; write into a copy
export function correct(): number {
  return shared.map(0, ({ view }) => {
    let total = view.valueOf()[0] ?? 0;
    view.forEach((byte, index, array) => {
      total += byte + (array[index] ?? 0);
    });
    const copy = view.slice(0, 8);
    zeroFirst(copy);
    return total + sum(copy) + view.reduce((acc, byte) => acc + byte, 0) + [...view.entries()].length;
  });
}

export function misuse(): void {
  shared.map(0, ({ view }) => {
    // @expect-error TS2542 "Index signature in type 'ReadonlyFolioView<Lifetime>' only permits reading"
    view.valueOf()[0] = 1;
    view.forEach((_, index, array) => {
      // @expect-error TS2542 "Index signature in type 'ReadonlyFolioView<Lifetime>' only permits reading"
      array[index] = 0;
    });
    // @expect-error TS2339 "Property 'fill' does not exist"
    view.map((byte, _, array) => array.fill(byte));
    // @expect-error TS2345 "Type 'number | undefined' is not assignable to type 'number'"
    zeroFirst(view);
    // @expect-error TS2345 "Type 'number | undefined' is not assignable to type 'number'"
    sum(view);
  });
}
