// A hostile caller swaps the super constructor of Page or Machine (Object.setPrototypeOf on the
// class), so caller code runs between the module-local slots' fill and the `#` field initialisers
// that read them. Neither class may then make two owners of one page, or a machine of stale parts.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { GFP_KERNEL, Page, PageAccess } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";

/** Installs `evil` as `target`'s super constructor; `false` when the class refuses it. */
function swapSuper(target: object, evil: object): boolean {
  return Reflect.setPrototypeOf(target, evil);
}

for (const victim of [Page, PageAccess] as const) {
  test(`a super constructor swapped into ${victim.name} cannot give two owners one page`, () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const saved = Object.getPrototypeOf(victim) as object;
    const pages: Owned<Page>[] = [];
    let armed = true;
    function Evil(this: unknown): object {
      if (armed) {
        armed = false;
        pages.push(Page.alloc(GFP_KERNEL, machine)); // overwrites the slots of the outer page
      }
      return Reflect.construct(saved as new () => object, [], new.target);
    }
    try {
      if (swapSuper(victim, Evil)) {
        try {
          pages.push(Page.alloc(GFP_KERNEL, machine));
        } catch {
          // refusing the construction is fine too
        }
      }
    } finally {
      Reflect.setPrototypeOf(victim, saved);
    }
    const pfns = pages.map((page) => page.pfn);
    expect(new Set(pfns).size).toBe(pfns.length);
    for (const page of pages) page.release();
    expect(machine.leakReport()).toBeNull();
  });
}

test("a super constructor swapped into Machine cannot hand it parts built for another call", () => {
  const MachineBuild = Object.getPrototypeOf(Machine) as new (config: object) => object;
  const swapped = swapSuper(Machine, function Passthrough(this: unknown): object {
    return Reflect.construct(Object, [], new.target);
  });
  let taken: unknown;
  try {
    if (swapped) {
      // Parts built by the base constructor called alone, then taken by a machine whose super builds none.
      new MachineBuild({ ramSize: 2 << 20 });
      taken = new Machine({ ramSize: 1 << 20 }).nrPages;
    }
  } finally {
    Reflect.setPrototypeOf(Machine, MachineBuild);
  }
  expect(taken).toBeUndefined();
  expect(swapped).toBe(false);
});

test("a subclass of Machine and a config getter that builds another machine each get their own parts", () => {
  class Sub extends Machine {}
  let inner: Machine | undefined;
  const config = {
    get ramSize(): number {
      inner ??= new Machine({ ramSize: 2 << 20 });
      return 1 << 20;
    },
  };
  const outer = new Sub(config);
  expect(Machine.isMachine(outer)).toBe(true);
  expect(outer.nrPages).toBe(256);
  expect(inner!.nrPages).toBe(512);
  const pfn = outer.allocPages(GFP_KERNEL, 0);
  expect(inner!.isAllocated(pfn)).toBe(false);
  outer.freePages(pfn, outer.pageGen(pfn), 0);
  // A config whose getter throws leaves nothing for the next machine.
  expect(() => new Machine({ get ramSize(): number { throw new Error("config failed"); } })).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  expect(new Machine({ ramSize: 1 << 20 }).nrPages).toBe(256);
});

test("Page cannot be constructed by a subclass, Reflect.construct or the base classes", () => {
  const PageCtor = Page as unknown as new (...args: unknown[]) => object;
  class Sub extends PageCtor {}
  expect(() => new Sub(Symbol("Page"))).toThrow(expect.objectContaining({ errno: "EPERM" }));
  expect(() => Reflect.construct(PageCtor, [undefined], Object)).toThrow(expect.objectContaining({ errno: "EPERM" }));
  // The key does not leak through the constructor's source.
  expect(Function.prototype.toString.call(Page)).not.toMatch(/Symbol\(/);
});
