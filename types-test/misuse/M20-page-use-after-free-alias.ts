/**
 * @misuse M20
 * @title reading a page through an alias after it was freed
 * @runtime
 * @expect-throw EFAULT "use after free"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const reader: Page = page;
  reader.read(0, 4);
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const reader: Page = page;
  page.release();
  reader.read(0, 4); // the core: BUG: KASAN: use-after-free, with the allocation and free stacks
}
