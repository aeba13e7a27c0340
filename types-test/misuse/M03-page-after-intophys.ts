/**
 * @misuse M3
 * @title using a page after intoPhys(page)
 */
import { GFP_KERNEL, Page, intoPhys, type Owned, type PhysAddr } from "ownkit";

// correct use: read the address first, then hand the page over
export function correct(): PhysAddr {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const addr: PhysAddr = page.phys();
  intoPhys(page);
  return addr;
}

export function misuse(): PhysAddr {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  intoPhys(page);
  // @expect-error TS2339 "Property 'phys' does not exist on type 'never'"
  return page.phys();
}

export function misuseUnannotated(): void {
  const page = Page.alloc(GFP_KERNEL);
  intoPhys(page);
  // @expect-error TS2339 "Property 'write' does not exist on type 'never'"
  page.write(0, new Uint8Array(1));
}
