/**
 * @misuse M36
 * @title a view kept by a closure and used after its mapping ended, on a debug machine
 * @runtime
 * @expect-throw EFAULT "view used after its mapping ended"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.withPageMapped((view) => {
    const read = (): number => view[0] ?? 0;
    return read();
  });
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  let readLater: (() => number) | undefined;
  page.withPageMapped((view) => {
    readLater = () => view[0] ?? 0; // kept past the mapping
  });
  page.release();
  using next: Owned<Page> = Page.alloc(GFP_KERNEL, machine); // the frame's next owner
  next.write(0, new Uint8Array([0x5a]));
  readLater?.(); // debug views: EFAULT naming the mapping, never the next owner's byte
}
