/**
 * @misuse M33
 * @title widening a mapped view to Uint8Array (return annotation, parameter, class field) or deriving one with subarray
 */
import { GFP_KERNEL, Page, type ARef, type Folio, type Owned, type PageView, type UniqueFolio } from "ownkit";

declare const shared: ARef<Folio>;
declare const unique: UniqueFolio;

/** A plain helper that takes a real Uint8Array. */
function checksum(bytes: Uint8Array): number {
  return bytes.reduce((sum, byte) => (sum + byte) & 0xff, 0);
}

/** A class that keeps bytes it was given. */
class Keeper {
  kept: Uint8Array = new Uint8Array(0);
  keep(bytes: Uint8Array): void {
    this.kept = bytes;
  }
}

// correct use: copy out with slice(); derive sub-views inside the closure
export function correct(): number {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const keeper = new Keeper();
  const copy: Uint8Array = page.withPageMapped((view): Uint8Array => view.slice(0, 16));
  const sum = page.withPageMapped((view) => checksum(view.slice()));
  page.withPageMapped((view) => keeper.keep(view.slice(0, 4)));
  const inner = page.withPageMapped((view) => view.subarray(8, 16)[0] ?? 0);
  const header = unique.mapMut(0, ({ view }) => {
    view.subarray(0, 4).fill(7);
    return view.slice(0, 4);
  });
  const text = shared.map(0, ({ view }) => new TextDecoder().decode(view.slice(0, 8)));
  return copy.length + sum + inner + header.length + text.length + keeper.kept.length;
}

export function misuse(page: Owned<Page>, keeper: Keeper): void {
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  page.withPageMapped((view) => view.subarray(0, 16));
  // @expect-error TS2741 "a borrow cannot outlive its closure"
  shared.map(0, ({ view }) => view.subarray(0, 16));
  // @expect-error TS2739 "is missing the following properties from type 'Uint8Array"
  page.withPageMapped((view): Uint8Array => view);
  // @expect-error TS2739 "is missing the following properties from type 'Uint8Array"
  unique.mapMut(0, ({ view }): Uint8Array => view.subarray(4));
  page.withPageMapped((view) => {
    // @expect-error TS2345 "is not assignable to parameter of type 'Uint8Array"
    // @expect-error[tsgo-7.0] TS2739 "is missing the following properties from type 'Uint8Array"
    checksum(view);
    // @expect-error TS2345 "is not assignable to parameter of type 'Uint8Array"
    // @expect-error[tsgo-7.0] TS2739 "is missing the following properties from type 'Uint8Array"
    keeper.keep(view);
    // @expect-error TS2739 "is missing the following properties from type 'Uint8Array"
    // @expect-error[tsc-5.2] TS2322 "is not assignable to type 'Uint8Array'"
    keeper.kept = view;
  });
  shared.map(0, ({ view }) => {
    // @expect-error TS2345 "is not assignable to parameter of type 'Uint8Array"
    // @expect-error[tsgo-7.0] TS2740 "is missing the following properties from type 'Uint8Array"
    keeper.keep(view.subarray(0, 4));
  });
}

/** A view type names its lifetime: a helper that takes a view is generic over it. */
export function firstByte<Lifetime>(view: PageView<Lifetime>): number {
  return view[0] ?? 0;
}
