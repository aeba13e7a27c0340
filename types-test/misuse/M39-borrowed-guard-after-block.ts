/**
 * @misuse M39
 * @title a kmapLocal guard of a borrowed page used after its unsafe block
 * @runtime
 * @expect-throw EFAULT "mapping of a borrowed page used after its unsafe block ended"
 */
import { GFP_KERNEL, Page, kmapLocal, unsafe, type KmapLocal, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const addr = owner.phys();
  unsafe("SAFETY: owner keeps the page allocated for the whole block", (token) => {
    const page = Page.borrowPhys(token, addr, machine);
    if (page === null) return 0;
    using map: KmapLocal = kmapLocal(page);
    return map.view[0] ?? 0;
  });
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  const owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine); // still mapped at the end: not released
  const addr = owner.phys();
  let readLater: (() => number) | undefined;
  unsafe("SAFETY: owner keeps the page allocated for the whole block", (token) => {
    const page = Page.borrowPhys(token, addr, machine);
    if (page === null) return;
    const map: KmapLocal = kmapLocal(page);
    readLater = () => map.view[0] ?? 0; // the guard outlives the block
  });
  readLater?.();
}
