/**
 * @misuse M27
 * @title Page.fromPhys twice for the same address
 * @runtime
 * @expect-throw EBUSY "the page already has an owner"
 */
import { GFP_KERNEL, Page, intoPhys, unsafe, type Owned, type PhysAddr } from "ownkit";

export function correct(): void {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const addr: PhysAddr = page.phys();
  intoPhys(page);
  using back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys just above", (token) => Page.fromPhys(token, addr));
  back.write(0, new Uint8Array([1]));
}

export function misuse(): void {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const addr: PhysAddr = page.phys();
  intoPhys(page);
  unsafe("SAFETY: wrong: the second call takes an address already taken back", (token) => {
    Page.fromPhys(token, addr);
    Page.fromPhys(token, addr);
    return 0;
  });
}
