import { describe, expect, expectTypeOf, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { GFP_HIGHUSER, GFP_KERNEL, KmapLocal, Page, __GFP_ZERO, kmapLocal } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "../core/helpers.js";

const highmem = (): Machine => new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20, cpus: 2 });

describe("kmapLocal guards", () => {
  test("a HIGHMEM page is reachable through its guard; `using` unmaps in LIFO order", () => {
    const machine = highmem();
    using first: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
    using second: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
    expect(first.isHighmem).toBe(true);
    {
      using outer: KmapLocal = kmapLocal(first);
      using inner: KmapLocal = kmapLocal(second, 16);
      expectTypeOf(outer.view).toEqualTypeOf<Uint8Array>();
      expect(inner.view.length).toBe(4096 - 16);
      outer.view.set([1, 2, 3]);
      inner.view.set(outer.view.subarray(0, 3));
      expect(machine.kmapLocalDepth()).toBe(2);
    }
    expect(machine.kmapLocalDepth()).toBe(0);
    expect([...second.read(16, 3)]).toEqual([1, 2, 3]);
  });

  test("an explicit unmap consumes the guard; `using` does not unmap again", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    using map: KmapLocal = kmapLocal(page);
    expect(map.live).toBe(true);
    map.unmap();
    expect(machine.kmapLocalDepth()).toBe(0);
  });

  test("a bad offset is EINVAL and nothing is mapped", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    for (const bad of [...BAD_NUMBERS, 4096]) expectUnchanged(machine, () => kmapLocal(page, bad), "EINVAL", /^kmap_local_page: /);
    expectKernelError(() => kmapLocal({} as Page), "EINVAL", /not a Page/);
  });

  test("a page cannot be freed while mapped; it can after the unmap", () => {
    const machine = highmem();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const map: KmapLocal = kmapLocal(page);
    expectUnchanged(machine, () => page[Symbol.dispose](), "EBUSY", /still mapped/);
    map.unmap();
    page.release();
  });
});

describe("M22: releasing local mappings out of order", () => {
  test("correct use: innermost first", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    const a: KmapLocal = kmapLocal(page);
    const b: KmapLocal = kmapLocal(page);
    b.unmap();
    a.unmap();
    expect(machine.kmapLocalDepth()).toBe(0);
  });

  test("releasing the outer guard first names both mappings and leaves the slots as they were", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    const a: KmapLocal = kmapLocal(page);
    const b: KmapLocal = kmapLocal(page);
    const error = expectUnchanged(machine, () => a[Symbol.dispose](), "EINVAL", /LIFO order/);
    expect(error.values.expected).toMatch(/^kmap_local#\d+ \(cpu 0, slot 1/);
    expect(error.values.actual).toMatch(/^kmap_local#\d+ \(cpu 0, slot 0/);
    expect(a.live).toBe(true);
    b.unmap();
    a.unmap();
  });

  test("withPageMapped reports a mapping its closure left live; the leak report lists the mapping", () => {
    const machine = highmem();
    const page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    let leaked: KmapLocal | undefined;
    expectKernelError(() => page.withPageMapped(() => void (leaked = kmapLocal(page))), "EINVAL", /LIFO order/);
    leaked![Symbol.dispose]();
    // The closure's own mapping was released; withPageMapped's stays live (its id was never handed
    // out), so the page cannot be freed and the leak report names the mapping.
    expect(machine.kmapLocalDepth()).toBe(1);
    expectKernelError(() => page.release(), "EBUSY", /still mapped/);
    expect(machine.leakReport()).toContain("kmap_local#1");
  });
});

describe("M23: more nested local mappings than the CPU has slots", () => {
  test("correct use: 15 nested mappings", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    const guards: KmapLocal[] = [];
    for (let i = 0; i < 15; i++) guards.push(kmapLocal(page));
    while (guards.length > 0) guards.pop()![Symbol.dispose]();
  });

  test("the 16th fails with ENOSPC and the earlier mappings are untouched", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
    const guards: KmapLocal[] = [];
    for (let i = 0; i < 15; i++) guards.push(kmapLocal(page));
    guards[14]!.view[0] = 7;
    expectUnchanged(machine, () => kmapLocal(page), "ENOSPC", /no free kmap_local slot/);
    expectUnchanged(machine, () => page.withPageMapped(() => 0), "ENOSPC");
    expect(guards.every((guard) => guard.live)).toBe(true);
    expect(guards[0]!.view[0]).toBe(7);
    while (guards.length > 0) guards.pop()![Symbol.dispose]();
  });

  test("with the debug guard layout the limit is 16 nested mappings", () => {
    const machine = new Machine({ ramSize: 1 << 20, debug: { kmapLocalGuard: true } });
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const guards: KmapLocal[] = [];
    for (let i = 0; i < 16; i++) guards.push(kmapLocal(page));
    expectKernelError(() => kmapLocal(page), "ENOSPC");
    while (guards.length > 0) guards.pop()![Symbol.dispose]();
  });
});

describe("M24: a local mapping used from another CPU", () => {
  test("correct use: map, use and unmap on one CPU (CPU 1 here)", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    machine.onCpu(1, () => {
      using map: KmapLocal = kmapLocal(page);
      map.view[0] = 1;
      expect(page.withPageMapped((view) => view[0])).toBe(1);
    });
  });

  test("reading the view or releasing the guard on another CPU is EPERM", () => {
    const machine = highmem();
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    using map: KmapLocal = kmapLocal(page);
    machine.onCpu(1, () => {
      expectKernelError(() => map.view, "EPERM", /another CPU/);
      expectUnchanged(machine, () => map[Symbol.dispose](), "EPERM", /another CPU/);
    });
    expect(map.live).toBe(true);
  });
});
