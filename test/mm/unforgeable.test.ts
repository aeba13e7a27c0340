import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { Page, intoPhys, kmapLocal, type BorrowedPage, type KmapLocal } from "../../src/mm/index.js";
import { assertUnsafe, unsafe, whenUnsafeEnds, type Owned, type Unsafe } from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

describe("a released handle never passes a check again (M38)", () => {
  test("a stale Page alias stays dead after its frame is reused 70,000 times (past the old 16-bit wrap)", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const alias: Page = page;
    const pfn = page.pfn;
    page.release();
    let sameFrame = 0;
    for (let i = 0; i < 70_000; i++) {
      const next: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
      if (next.pfn === pfn) sameFrame++;
      if (i === 65_535) {
        // the exact reuse that brought a 16-bit generation back to the alias's value
        next.write(0, new Uint8Array([0xee]));
        expectKernelError(() => alias.read(0, 1), "EFAULT", /stale handle|use after free/);
        expectKernelError(() => alias.write(0, new Uint8Array([1])), "EFAULT");
        expect(next.read(0, 1)[0]).toBe(0xee);
      }
      next.release();
    }
    expect(sameFrame).toBe(70_000);
    expectKernelError(() => alias.read(0, 1), "EFAULT", "use after free");
    expect(machine.pageGen(pfn)).toBeGreaterThan(0xffff);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

describe("token and scope state cannot be changed from outside (M39)", () => {
  test("a token's active state and reason cannot be written, and a copy is not a token", () => {
    let kept: Unsafe<unknown> | undefined;
    unsafe("SAFETY: the test keeps the token to tamper with it", (token) => {
      kept = token as Unsafe<unknown>;
      // correct use inside the block
      assertUnsafe(token, "test");
    });
    const token = kept!;
    expect(token.active).toBe(false);
    expect(() => ((token as { active: boolean }).active = true)).toThrow(TypeError);
    expect(() => Object.defineProperty(token, "active", { value: true })).toThrow(TypeError);
    expect(() => ((token as { reason: string }).reason = "SAFETY: forged")).toThrow(TypeError);
    expect(token.active).toBe(false);
    expectKernelError(() => assertUnsafe(token, "test"), "EPERM", "used after its unsafe() block ended");
    const copy = Object.create(Object.getPrototypeOf(token) as object) as Unsafe<unknown>;
    expectKernelError(() => assertUnsafe(copy, "test"), "EPERM", "not an Unsafe token");
    const proxy = new Proxy(token, { get: (target, key) => (key === "active" ? true : Reflect.get(target, key)) });
    expectKernelError(() => assertUnsafe(proxy, "test"), "EPERM", "not an Unsafe token");
    expectKernelError(() => whenUnsafeEnds(copy, () => undefined), "EPERM");
  });

  test("the kmapLocal guard of a borrowed page ends with the unsafe block; the borrow too", () => {
    const machine = new Machine({ ramSize: 1 << 20, debug: { views: true } });
    using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    owner.write(0, new Uint8Array([42]));
    const addr = owner.phys();
    let guard: KmapLocal | undefined;
    let borrowed: BorrowedPage<unknown> | undefined;
    let view: Uint8Array | undefined;
    const inside = unsafe("SAFETY: owner keeps the page allocated for the whole block", (token) => {
      const page = Page.borrowPhys(token, addr, machine)!;
      borrowed = page as BorrowedPage<unknown>;
      const map = kmapLocal(page);
      guard = map;
      view = map.view;
      return map.view[0];
    });
    expect(inside).toBe(42);
    expectKernelError(() => guard!.view, "EFAULT", "unsafe block ended");
    expectKernelError(() => view![0], "EFAULT", "view used after its mapping ended");
    expectKernelError(() => borrowed!.read(0, 1), "EFAULT", "unsafe block ended");
    // the slot is still the caller's to release, LIFO
    expect(machine.kmapLocalDepth()).toBe(1);
    const release: KmapLocal = guard!;
    release.unmap();
    expect(machine.kmapLocalDepth()).toBe(0);
    // correct twin: a guard released inside the block
    expect(
      unsafe("SAFETY: owner keeps the page allocated", (token) => {
        using map: KmapLocal = kmapLocal(Page.borrowPhys(token, addr, machine)!);
        return map.view[0];
      }),
    ).toBe(42);
  });
});

describe("giving a mapped page away is EBUSY", () => {
  test("intoPhys and release inside withPageMapped or under a live kmapLocal guard", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    page.withPageMapped(() => {
      expectUnchanged(machine, () => intoPhys(page), "EBUSY", "still mapped");
      expectUnchanged(machine, () => page.release(), "EBUSY", "still mapped");
    });
    {
      using map: KmapLocal = kmapLocal(page);
      expectUnchanged(machine, () => intoPhys(page), "EBUSY", "still mapped");
      expect(map.view.length).toBe(4096);
    }
    // correct twin: unmapped, the page is handed over and taken back
    const addr = page.phys();
    intoPhys(page);
    const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys above", (token) => Page.fromPhys(token, addr, machine));
    back.release();
    expect(machine.leakReport()).toBeNull();
  });
});
