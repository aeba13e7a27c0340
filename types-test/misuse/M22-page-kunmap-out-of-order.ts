/**
 * @misuse M22
 * @title releasing kmapLocal mappings of pages out of order
 * @runtime
 * @expect-throw EINVAL "mappings must be released in LIFO order"
 */
import { GFP_HIGHUSER, KmapLocal, Page, kmapLocal, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20 });

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  using outer: KmapLocal = kmapLocal(page);
  using inner: KmapLocal = kmapLocal(page);
  inner.view.set(outer.view.subarray(0, 8));
}

export function misuse(): void {
  const page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  const outer: KmapLocal = kmapLocal(page);
  kmapLocal(page);
  outer.unmap(); // expected the innermost mapping
}
