/**
 * @misuse M24
 * @title using a local page mapping from another CPU
 * @runtime
 * @expect-throw EPERM "local mapping used from another CPU"
 */
import { GFP_HIGHUSER, KmapLocal, Page, kmapLocal, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20, cpus: 2 });

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  machine.onCpu(1, () => {
    using map: KmapLocal = kmapLocal(page);
    map.view[0] = 1;
  });
}

export function misuse(): void {
  const page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  const map: KmapLocal = kmapLocal(page);
  machine.onCpu(1, () => map.view[0]);
}
