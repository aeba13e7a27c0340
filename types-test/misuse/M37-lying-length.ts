/**
 * @misuse M37
 * @title a source array whose length lies (8 KiB with length 1) written into a page
 * @runtime
 * @expect-throw EINVAL "range leaves the page (offset=0, length=8192"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.write(0, new Uint8Array(4096).fill(1));
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  using neighbour: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const src = new Uint8Array(8192).fill(0xee);
  Object.defineProperty(src, "length", { value: 1 });
  try {
    page.write(0, src);
  } finally {
    // Nothing was written: the neighbour page still reads zeros where the copy would have landed.
    if (neighbour.read(0, 1)[0] === 0xee) throw new Error("the lying length overwrote the neighbour page");
  }
}
