/**
 * @misuse M4
 * @title releasing an owned page twice (annotated binding)
 */
import { GFP_KERNEL, Page, intoPhys, type Owned } from "ownkit";

// correct use: release once; `using` does not release a consumed owner again
export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  page.release();
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  page.release();
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}

export function misuseAfterIntoPhys(): void {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  intoPhys(page);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}
