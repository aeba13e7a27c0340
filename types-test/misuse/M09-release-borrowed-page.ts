/**
 * @misuse M9
 * @title releasing a BorrowedPage
 */
import { GFP_KERNEL, Page, intoPhys, unsafe, type Owned } from "ownkit";

// correct use: a borrow reads and writes; only the owner frees
export function correct(): number {
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL);
  return unsafe("SAFETY: the owner above keeps the page allocated", (token) => {
    const borrowed = Page.borrowPhys(token, owner.phys());
    borrowed?.write(0, new Uint8Array([1]));
    return borrowed?.read(0, 1)[0] ?? 0;
  });
}

export function misuse(): void {
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL);
  unsafe("SAFETY: compile-time misuse only", (token) => {
    const borrowed = Page.borrowPhysUnchecked(token, owner.phys());
    // @expect-error TS2339 "Property 'release' does not exist on type 'BorrowedPage<"
    borrowed.release();
    // @expect-error TS2345 "is not assignable to parameter of type 'Owned<Page>'"
    intoPhys(borrowed);
    return 0;
  });
}

export function misuseDispose(view: Page): void {
  // @expect-error TS2339 "Property 'release' does not exist on type 'Page'"
  view.release();
}
