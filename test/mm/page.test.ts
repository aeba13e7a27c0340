import { describe, expect, expectTypeOf, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import {
  GFP_HIGHUSER,
  GFP_KERNEL,
  Page,
  __GFP_COMP,
  __GFP_NOWARN,
  __GFP_ZERO,
  pageConsts,
  userSliceReader,
  type PageView,
  type PhysAddr,
} from "../../src/mm/index.js";
import { Arc, unsafe, type Owned } from "../../src/ownership/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "../core/helpers.js";

const small = (): Machine => new Machine({ ramSize: 1 << 20, cpus: 2 });

describe("allocation: the caller picks the GFP flags", () => {
  test("alloc returns an owner; disposing it frees the page", () => {
    const machine = small();
    const free = machine.nrFreePages();
    {
      using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
      expectTypeOf(page).toEqualTypeOf<Owned<Page>>();
      expect(machine.nrFreePages()).toBe(free - 1);
      expect(page.machine).toBe(machine);
      expect(machine.isAllocated(page.pfn)).toBe(true);
    }
    expect(machine.nrFreePages()).toBe(free);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("without __GFP_ZERO a reused page keeps its old bytes; with it the page is zeroed", () => {
    const machine = small();
    const first: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    first.write(0, new Uint8Array([9, 9, 9]));
    const pfn = first.pfn;
    first.release();
    const again: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    expect(again.pfn).toBe(pfn);
    expect([...again.read(0, 3)]).toEqual([9, 9, 9]);
    again.release();
    const zeroed: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
    expect(zeroed.pfn).toBe(pfn);
    expect([...zeroed.read(0, 3)]).toEqual([0, 0, 0]);
    zeroed.release();
  });

  test("bad flags, __GFP_COMP and a non-Machine are EINVAL with the machine unchanged", () => {
    const machine = small();
    expectUnchanged(machine, () => Page.alloc(0x10000000, machine), "EINVAL", /unknown GFP flags/);
    expectUnchanged(machine, () => Page.alloc(GFP_KERNEL | __GFP_COMP, machine), "EINVAL", /use Folio.alloc/);
    for (const bad of BAD_NUMBERS) expectUnchanged(machine, () => Page.alloc(bad, machine), "EINVAL");
    expectKernelError(() => Page.alloc(GFP_KERNEL, {} as Machine), "EINVAL", /not a Machine/);
  });

  test("ENOMEM leaves the machine unchanged, and the machine works afterwards", () => {
    const machine = new Machine({ ramSize: 64 << 10 });
    const pages: Owned<Page>[] = [];
    for (let i = 0; i < 16; i++) pages.push(Page.alloc(GFP_KERNEL, machine));
    expectUnchanged(machine, () => Page.alloc(GFP_KERNEL | __GFP_NOWARN, machine), "ENOMEM");
    const last: Owned<Page> = pages.pop()!;
    last.release();
    pages.push(Page.alloc(GFP_KERNEL, machine));
    for (const page of pages) page.release();
    expect(machine.nrFreePages()).toBe(16);
  });

  test("the default machine is used when none is given", () => {
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO);
    expect(page.machine.pageSize).toBe(pageConsts().PAGE_SIZE);
  });
});

describe("checked access (M25 for pages)", () => {
  test("read, write and fillZero move bytes within the page", () => {
    const machine = small();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
    page.write(4090, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect([...page.read(4090, 6)]).toEqual([1, 2, 3, 4, 5, 6]);
    const into = new Uint8Array(2);
    expect(page.read(4092, into)).toBe(into);
    expect([...into]).toEqual([3, 4]);
    page.fillZero(4091, 2);
    expect([...page.read(4090, 6)]).toEqual([1, 0, 0, 4, 5, 6]);
    expect(page.read(4096, 0).length).toBe(0);
  });

  test("a range leaving the page or a bad number is EINVAL and nothing is written", () => {
    const machine = small();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
    const before = page.read(0, 4096);
    expectUnchanged(machine, () => page.write(4094, new Uint8Array(3)), "EINVAL", /range leaves the page/);
    expectUnchanged(machine, () => page.read(1, 4096), "EINVAL", /range leaves the page/);
    expectUnchanged(machine, () => page.fillZero(0, 4097), "EINVAL");
    for (const bad of BAD_NUMBERS) {
      expectUnchanged(machine, () => page.write(bad, new Uint8Array([7])), "EINVAL");
      expectUnchanged(machine, () => page.read(bad, 1), "EINVAL");
      expectUnchanged(machine, () => page.read(0, bad), "EINVAL");
      expectUnchanged(machine, () => page.fillZero(bad, 1), "EINVAL");
      expectUnchanged(machine, () => page.fillZero(0, bad), "EINVAL");
      expectUnchanged(machine, () => page.withPointerIntoPage(bad, 1, () => 0), "EINVAL");
      expectUnchanged(machine, () => page.withPointerIntoPage(0, bad, () => 0), "EINVAL");
    }
    expectKernelError(() => page.write(0, [1, 2] as unknown as Uint8Array), "EINVAL", /not a Uint8Array/);
    expectKernelError(() => page.read(0, "4" as unknown as number), "EINVAL");
    expect(page.read(0, 4096)).toEqual(before);
  });
});

describe("closure-scoped mappings", () => {
  test("withPageMapped lends PAGE_SIZE bytes on a local slot, released when the closure returns", () => {
    const machine = small();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
    const length = page.withPageMapped((view) => {
      expectTypeOf(view).not.toMatchTypeOf<Uint8Array>();
      expect(machine.kmapLocalDepth()).toBe(1);
      view[5] = 42;
      return view.length;
    });
    expect(length).toBe(4096);
    expect(machine.kmapLocalDepth()).toBe(0);
    expect(page.read(5, 1)[0]).toBe(42);
  });

  test("the slot is released when the closure throws", () => {
    const machine = small();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    expect(() =>
      page.withPageMapped(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(machine.kmapLocalDepth()).toBe(0);
  });

  test("withPointerIntoPage lends exactly the range, and EINVAL without calling fn when it leaves the page", () => {
    const machine = small();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
    page.withPointerIntoPage(100, 4, (bytes) => {
      expect(bytes.length).toBe(4);
      bytes.fill(7);
    });
    expect([...page.read(99, 6)]).toEqual([0, 7, 7, 7, 7, 0]);
    expect(page.withPointerIntoPage(4096, 0, (bytes) => bytes.length)).toBe(0);
    let called = false;
    expectUnchanged(machine, () => page.withPointerIntoPage(4095, 2, () => (called = true)), "EINVAL", /range leaves the page/);
    expect(called).toBe(false);
    expectKernelError(() => page.withPageMapped(null as never), "EINVAL", /fn is not a function/);
  });

  test("the view type carries a lifetime and is a plain Uint8Array at run time", () => {
    expectTypeOf<PageView<"a">>().not.toMatchTypeOf<Uint8Array>();
    expectTypeOf<PageView<"a">["subarray"]>().returns.toEqualTypeOf<PageView<"a">>();
    expectTypeOf<PageView<"a">>().not.toEqualTypeOf<PageView<"b">>();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, small());
    page.withPageMapped((view) => {
      expect(view).toBeInstanceOf(Uint8Array);
      expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    });
  });

  test("copyFromUser copies a user buffer straight into the page", () => {
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, small());
    const reader = userSliceReader(new Uint8Array([1, 2, 3, 4, 5]));
    page.copyFromUser(reader, 10, 3);
    expect(reader.length).toBe(2);
    page.copyFromUser(reader, 20, 2);
    expect([...page.read(10, 3)]).toEqual([1, 2, 3]);
    expect([...page.read(20, 2)]).toEqual([4, 5]);
    expectKernelError(() => page.copyFromUser(reader, 0, 1), "EFAULT", /shorter than len/);
    expectKernelError(() => page.copyFromUser(userSliceReader(new Uint8Array(8)), 4090, 8), "EINVAL", /range leaves the page/);
    expectKernelError(() => page.copyFromUser({} as never, 0, 1), "EINVAL", /not a UserSliceReader/);
  });
});

describe("raw access needs an Unsafe token", () => {
  test("readRaw, writeRaw and fillZeroRaw inside an unsafe block", () => {
    using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, small());
    const out = unsafe("SAFETY: ranges are inside the page and nothing else touches it", (token) => {
      page.writeRaw(token, 8, new Uint8Array([5, 6, 7]));
      page.fillZeroRaw(token, 9, 1);
      const into = new Uint8Array(3);
      page.readRaw(token, 8, into);
      return [...into];
    });
    expect(out).toEqual([5, 0, 7]);
  });

  test("a token kept past its block is EPERM; the core still rejects an out-of-page range", () => {
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, small());
    let kept: unknown;
    unsafe("SAFETY: the token is kept only to show the run-time check", (token) => {
      kept = token;
      expectKernelError(() => page.writeRaw(token, 4095, new Uint8Array(2)), "EINVAL", /range leaves/);
    });
    expectKernelError(() => page.readRaw(kept as never, 0, new Uint8Array(1)), "EPERM", /after its unsafe\(\) block ended/);
    expectKernelError(() => page.readRaw({ reason: "SAFETY: forged", active: true } as never, 0, new Uint8Array(1)), "EPERM");
  });
});

describe("sharing and ownership", () => {
  test("Arc<Owned<Page>> shares a page on the TypeScript side; the last share frees it", () => {
    const machine = small();
    const free = machine.nrFreePages();
    const first: Arc<Owned<Page>> = Arc.new(Page.alloc(GFP_KERNEL | __GFP_ZERO, machine));
    const second: Arc<Owned<Page>> = first.clone();
    expectTypeOf(second.value).toEqualTypeOf<Page>();
    second.value.write(0, new Uint8Array([1]));
    expect(first.value.read(0, 1)[0]).toBe(1);
    expect(Arc.strongCount(first)).toBe(2);
    first.drop();
    expect(machine.nrFreePages()).toBe(free - 1);
    second.drop();
    expect(machine.nrFreePages()).toBe(free);
  });

  test("Page is Ownable but not refcounted: the class declares why", () => {
    expectTypeOf<Page>().not.toHaveProperty("release");
    expectTypeOf<Owned<Page>>().toHaveProperty("release");
    expectTypeOf<Owned<Page>>().not.toHaveProperty("clone");
    expectTypeOf(Page.alloc).returns.toEqualTypeOf<Owned<Page>>();
  });

  test("a HIGHMEM page is allocated only when the caller asks for it", () => {
    const machine = new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20 });
    using low: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    using high: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    expect(low.isHighmem).toBe(false);
    expect(high.isHighmem).toBe(true);
    expect(high.phys() >= 1 << 20).toBe(true);
    expectTypeOf(high.phys()).toEqualTypeOf<PhysAddr>();
  });
});
