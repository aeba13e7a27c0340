/**
 * @misuse M39
 * @title an unsafe token used after its block, through a closure that kept it
 * @runtime
 * @expect-throw EPERM "Unsafe token used after its unsafe() block ended"
 */
import { GFP_KERNEL, Page, unsafe, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const addr = owner.phys();
  unsafe("SAFETY: owner keeps the page allocated for the whole block", (token) => Page.borrowPhys(token, addr, machine)?.read(0, 1)[0]);
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20 });
  using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const addr = owner.phys();
  let borrowLater: (() => unknown) | undefined;
  unsafe("SAFETY: owner keeps the page allocated for the whole block", (token) => {
    borrowLater = () => Page.borrowPhys(token, addr, machine); // the token outlives the block
  });
  borrowLater?.();
}
