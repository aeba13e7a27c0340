/**
 * @misuse M23
 * @title nesting more local page mappings than the CPU has slots
 * @runtime
 * @expect-throw ENOSPC "no free kmap_local slot"
 */
import { GFP_HIGHUSER, KmapLocal, Page, kmapLocal, type Owned } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20 });

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  const guards: KmapLocal[] = [];
  for (let i = 0; i < 15; i++) guards.push(kmapLocal(page));
  while (guards.length > 0) guards.pop()?.[Symbol.dispose]();
}

export function misuse(): void {
  const page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
  for (let i = 0; i < 16; i++) kmapLocal(page);
}
