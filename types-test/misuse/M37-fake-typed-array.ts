/**
 * @misuse M37
 * @title a Proxy around a Uint8Array (passes instanceof) passed as the bytes to write
 * @runtime
 * @expect-throw EINVAL "bytes is not a Uint8Array"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.write(0, new Uint8Array([1, 2, 3]));
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.write(0, new Proxy(new Uint8Array([1, 2, 3]), {}));
}
