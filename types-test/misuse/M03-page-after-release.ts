/**
 * @misuse M3
 * @title using a page after release() (annotated binding)
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";

// correct use: read, then release last
export function correct(): number {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const first = page.read(0, 1)[0] ?? 0;
  page.release();
  return first;
}

export function misuse(): Uint8Array {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  page.release();
  // @expect-error TS2339 "Property 'read' does not exist on type 'never'"
  return page.read(0, 1);
}
