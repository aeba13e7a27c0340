/**
 * @misuse M38
 * @title a released alias used after its frame was reused 65,536 times
 * @runtime
 * @expect-throw EFAULT "stale handle"
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const alias: Page = page;
  alias.read(0, 1);
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const alias: Page = page;
  page.release();
  // the same frame is reused 65,536 times: a 16-bit generation would be back at the alias's value
  for (let i = 1; i < 0x10000; i++) {
    const next: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    next.release();
  }
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  owner.write(0, new Uint8Array([0xee]));
  alias.read(0, 1); // EFAULT: the 48-bit generation tells the alias from the new owner
}
