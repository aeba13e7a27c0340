/**
 * @misuse M30
 * @title tearing down a machine with pages still allocated
 * @runtime
 * @expect-throw EBUSY "order 0"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 8 << 20, debug: { pageOwner: true } });
  {
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    page.fillZero(0, 16);
  }
  machine.teardown();
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 8 << 20, debug: { pageOwner: true } });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.fillZero(0, 16);
  machine.teardown(); // the page was never released: the leak report names it
}
