/**
 * @misuse M1
 * @title ARef<Page>: counting references to a page
 */
import { GFP_KERNEL, Page, type ARef, type Owned } from "ownkit";

// correct use: a page has exactly one owner
export function correct(): number {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  return page.pfn;
}

// @expect-error TS2344 "ARef needs an AlwaysRefCounted resource: a page has no refcount; use Owned<Page>"
export type CountedPage = ARef<Page>;
