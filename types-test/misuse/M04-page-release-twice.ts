/**
 * @misuse M4
 * @title releasing an owned page twice, with no type annotation
 */
import { GFP_KERNEL, Page, drop, intoPhys, release } from "ownkit";

// correct use: release once; `using` does not release a consumed owner again
export function correct(): void {
  using page = Page.alloc(GFP_KERNEL);
  release(page);
}

export function misuse(): void {
  using page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}

export function misuseAfterIntoPhys(): void {
  const page = Page.alloc(GFP_KERNEL);
  intoPhys(page);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}

export function misuseAfterDrop(): void {
  const page = Page.alloc(GFP_KERNEL);
  drop(page);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}
