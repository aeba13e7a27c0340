/**
 * @misuse M19
 * @title double free of a page through an alias
 * @runtime
 * @expect-throw EINVAL "double free"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.write(0, new Uint8Array([1]));
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const alias: Owned<Page> = page;
  page.release();
  alias.release(); // the core: BUG: KASAN: double-free, with the allocation and free stacks
}
