// `Page`'s construction slots must not keep the last page's machine (or borrow scope) alive: a
// machine whose pages were all released is collectable without waiting for a page on another one.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { Page } from "../../src/mm/index.js";
import { unsafe } from "../../src/ownership/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 6 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    gc();
  }
  return ref.deref() === undefined;
}

test("a machine whose only page was released is collectable", async () => {
  const ref = ((): WeakRef<Machine> => {
    const machine = new Machine({ ramSize: 1 << 20 });
    Page.alloc(GFP_KERNEL, machine).release();
    return new WeakRef(machine);
  })();
  expect(await collected(ref)).toBe(true);
});

test("a machine whose last page handle was a borrow is collectable, and so is the borrow's token", async () => {
  const refs = ((): WeakRef<object>[] => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    let token: object | undefined;
    unsafe("SAFETY: the page is allocated above and freed only after the block", (t) => {
      token = t;
      Page.borrowPhys(t, (pfn * machine.pageSize) as never, machine);
    });
    machine.freePages(pfn, machine.pageGen(pfn), 0);
    return [new WeakRef(machine), new WeakRef(token!)];
  })();
  expect(await collected(refs[0]!)).toBe(true);
  expect(await collected(refs[1]!)).toBe(true);
});
