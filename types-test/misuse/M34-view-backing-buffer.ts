/**
 * @misuse M34
 * @title reaching the backing memory around a view (.buffer, byteOffset, a DataView over it)
 */
import { GFP_KERNEL, Page, unsafe, viewBytesUnchecked, type ARef, type Folio, type Owned, type UniqueFolio } from "ownkit";

declare const shared: ARef<Folio>;
declare const unique: UniqueFolio;

// correct use: a DataView over a copy, or over the raw bytes inside an unsafe block in the closure
export function correct(): number {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const magic = page.withPageMapped((view) => {
    const copy = view.slice(0, 4);
    return new DataView(copy.buffer, copy.byteOffset, copy.length).getUint32(0);
  });
  page.withPointerIntoPage(0, 8, (view) =>
    unsafe("SAFETY: the DataView is used inside the mapping closure only, on this CPU", (token) => {
      const bytes = viewBytesUnchecked(token, view);
      new DataView(bytes.buffer, bytes.byteOffset, bytes.length).setUint32(0, 0x1badb002);
    }),
  );
  const length = unique.mapMut(0, ({ view }) => view.byteLength);
  return magic + length;
}

export function misuse(page: Owned<Page>): void {
  page.withPointerIntoPage(0, 8, (view) => {
    // @expect-error TS2339 "Property 'buffer' does not exist on type 'PageView<Lifetime>'"
    new DataView(view.buffer).setUint8(0, 1);
    // @expect-error TS2339 "Property 'byteOffset' does not exist on type 'PageView<Lifetime>'"
    view.byteOffset;
    // @expect-error TS2345 "is not assignable to parameter of type 'ArrayBufferLike"
    new DataView(view);
  });
  shared.map(0, ({ view }) => {
    // @expect-error TS2339 "Property 'buffer' does not exist on type 'ReadonlyFolioView<Lifetime>'"
    new Uint8Array(view.buffer)[0] = 1;
  });
  unique.mapMut(0, ({ view }) => {
    // @expect-error TS2339 "Property 'buffer' does not exist on type 'FolioView<Lifetime>'"
    view.buffer;
  });
}
