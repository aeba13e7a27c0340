/**
 * @misuse M3
 * @title using a page after release(page), with no type annotation
 */
import { GFP_KERNEL, Page, release } from "ownkit";

// correct use: read, then release last
export function correct(): number {
  const page = Page.alloc(GFP_KERNEL);
  const first = page.read(0, 1)[0] ?? 0;
  release(page);
  return first;
}

export function misuse(): Uint8Array {
  const page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2339 "Property 'read' does not exist on type 'never'"
  return page.read(0, 1);
}

export function misuseUsing(): void {
  using page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2339 "Property 'write' does not exist on type 'never'"
  page.write(0, new Uint8Array(1));
}
