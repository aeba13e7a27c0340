/**
 * @misuse M25
 * @title a write whose range leaves the page
 * @runtime
 * @expect-throw EINVAL "range leaves the page"
 */
import { GFP_KERNEL, Page, __GFP_ZERO, pageConsts, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 8 << 20 });
const { PAGE_SIZE } = pageConsts(machine);

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
  page.write(PAGE_SIZE - 2, Uint8Array.of(1, 2));
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
  try {
    page.write(PAGE_SIZE - 1, Uint8Array.of(1, 2));
  } finally {
    // Nothing was written: the byte that fits is still zero.
    if (page.read(PAGE_SIZE - 1, 1)[0] !== 0) throw new Error("a failed write changed the page");
  }
}
