/**
 * @misuse M34
 * @title reaching the backing memory around a view (a DataView over its buffer), on a debug machine
 * @runtime
 * @expect-throw EPERM "the buffer of a mapped view is not lent in debug mode"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  // a DataView over a copy of the mapped bytes
  page.withPointerIntoPage(0, 16, (bytes) => new DataView(bytes.slice().buffer).getUint8(0));
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  using neighbour: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  // the buffer is the whole backing chunk: a DataView over it would reach the neighbour's page
  page.withPointerIntoPage(0, 16, (bytes) => {
    new DataView(Reflect.get(bytes, "buffer")).setUint8(neighbour.phys() % (1 << 22), 1);
  });
}
