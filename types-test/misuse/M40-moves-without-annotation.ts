/**
 * @misuse M40
 * @title using a value after a free-form move, with no type annotation (release, put, drop, intoPhys, intoShared)
 */
import { Folio, GFP_KERNEL, Page, drop, intoPhys, intoShared, put, release, type Owned } from "ownkit";

declare const header: Uint8Array;

// correct uses: none of these needs an annotation, and each compiles on every compiler
export function correct(): number {
  const page = Page.alloc(GFP_KERNEL);
  const first = page.read(0, 1)[0] ?? 0;
  release(page);

  const pages = [Page.alloc(GFP_KERNEL), Page.alloc(GFP_KERNEL)];
  for (const each of pages) each.write(0, header);
  for (const each of pages) release(each);

  const { owner } = { owner: Page.alloc(GFP_KERNEL) };
  drop(owner);

  const unique = Folio.alloc(0);
  unique.write(0, header);
  intoShared(unique);
  const second = unique.clone();
  put(unique);
  using locked = second.lock();
  locked.markUptodate();
  return first;
}

export function useAfterRelease(): Uint8Array {
  const page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2339 "Property 'read' does not exist on type 'never'"
  return page.read(0, 1);
}

export function useInForOfAfterRelease(pages: readonly Owned<Page>[]): void {
  for (const each of pages) {
    release(each);
    // @expect-error TS2339 "Property 'write' does not exist on type 'never'"
    each.write(0, header);
  }
}

export function useDestructuredAfterDrop(): void {
  const { owner } = { owner: Page.alloc(GFP_KERNEL) };
  drop(owner);
  // @expect-error TS2339 "Property 'phys' does not exist on type 'never'"
  owner.phys();
}

export function releaseTwice(): void {
  const page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2554 "Expected 2 arguments, but got 1."
  release(page);
}

export function intoPhysTwice(): void {
  const page = Page.alloc(GFP_KERNEL);
  intoPhys(page);
  // @expect-error TS2554 "Expected 2 arguments, but got 1."
  intoPhys(page);
}

export function putTwice(): void {
  const unique = Folio.alloc(0);
  intoShared(unique);
  put(unique);
  // @expect-error TS2554 "Expected 2 arguments, but got 1."
  put(unique);
  // @expect-error TS2339 "Property 'lock' does not exist on type 'never'"
  unique.lock();
}

export function writeAfterIntoShared(): void {
  const unique = Folio.alloc(0);
  intoShared(unique);
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.write(0, header);
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.release();
}

export function releaseBorrowedView(page: Page): void {
  // @expect-error TS2345 "Property 'release' is missing in type 'Page'"
  // @expect-error[tsgo-7.0] TS2741 "Property 'release' is missing in type 'Page'"
  release(page);
}
