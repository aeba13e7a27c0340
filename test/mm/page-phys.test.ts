import { describe, expect, expectTypeOf, test } from "vitest";
import { Machine, PG_owner_priv_1 } from "../../src/core/index.js";
import { GFP_KERNEL, Page, intoPhys, toPhysAddr, type BorrowedPage, type PhysAddr } from "../../src/mm/index.js";
import { unsafe, type Owned } from "../../src/ownership/index.js";
import { BAD_NUMBERS, expectKernelError, expectUnchanged } from "../core/helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** 4 MiB: reserved [0, 64K), a hole at 1 MiB, MMIO inside RAM at 2 MiB and above RAM at 16 MiB. */
function layout(): Machine {
  return new Machine({
    ramSize: 4 * MiB,
    ranges: [
      { kind: "reserved", start: 0, size: 64 * KiB },
      { kind: "hole", start: 1 * MiB, size: 64 * KiB },
      { kind: "mmio", start: 2 * MiB, size: 64 * KiB },
      { kind: "mmio", start: 16 * MiB, size: 64 * KiB },
    ],
  });
}

describe("phys, intoPhys and fromPhys", () => {
  test("phys is the page-aligned physical address", () => {
    const machine = layout();
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const addr = page.phys();
    expectTypeOf(addr).toEqualTypeOf<PhysAddr>();
    expect(addr).toBe(page.pfn * 4096);
  });

  test("phys of a page its owner released is EFAULT, like every other access through the stale handle", () => {
    const machine = layout();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const alias: Page = page;
    expect(alias.phys()).toBe(page.phys());
    page.release();
    expectUnchanged(machine, () => alias.phys(), "EFAULT", /page_to_phys: use of a released resource/);
  });

  test("intoPhys keeps the page allocated and marked; fromPhys takes it back once (correct use of M27)", () => {
    const machine = layout();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    page.write(0, new Uint8Array([7]));
    const addr = page.phys();
    const pfn = page.pfn;
    intoPhys(page);
    expectTypeOf(page).toBeNever();
    expect(machine.isAllocated(pfn)).toBe(true);
    expect(machine.pageFlags(pfn) & PG_owner_priv_1).not.toBe(0);
    const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys just above", (token) => Page.fromPhys(token, addr, machine));
    expect(machine.pageFlags(pfn) & PG_owner_priv_1).toBe(0);
    expect(back.read(0, 1)[0]).toBe(7);
    back.release();
    expect(machine.isAllocated(pfn)).toBe(false);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("M27: a second fromPhys for the same address fails: the page already has an owner", () => {
    const machine = layout();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const addr = page.phys();
    intoPhys(page);
    using first: Owned<Page> = unsafe("SAFETY: addr came from intoPhys", (token) => Page.fromPhys(token, addr, machine));
    expectUnchanged(machine, () => unsafe("SAFETY: wrong on purpose", (token) => Page.fromPhys(token, addr, machine)), "EBUSY", /the page already has an owner/);
    expect(first.phys()).toBe(addr);
  });

  test("fromPhys of a page that was never handed over, a free page, reserved RAM or a hole is refused", () => {
    const machine = layout();
    using owned: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const from = (addr: number): Owned<Page> => unsafe("SAFETY: testing the checks", (token) => Page.fromPhys(token, toPhysAddr(addr), machine));
    expectUnchanged(machine, () => from(owned.phys()), "EBUSY", /already has an owner/);
    expectUnchanged(machine, () => from(3 * MiB), "EFAULT", /page is free/);
    expectUnchanged(machine, () => from(0), "EINVAL", /reserved/);
    expectUnchanged(machine, () => from(1 * MiB), "EINVAL", /not RAM/);
    expectUnchanged(machine, () => from(2 * MiB), "EINVAL", /not RAM/);
    expectUnchanged(machine, () => from(16 * MiB), "EINVAL", /not RAM/);
    expectUnchanged(machine, () => from(owned.phys() + 1), "EINVAL", /not page-aligned/);
    for (const bad of BAD_NUMBERS) expectUnchanged(machine, () => from(bad), "EINVAL");
  });

  test("intoPhys of a released page, a borrowed page or a non-page fails and changes nothing", () => {
    const machine = layout();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const alias: Owned<Page> = page;
    page.release();
    expectUnchanged(machine, () => intoPhys(alias), "EALREADY", /already released/);
    using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    let kept: Page | undefined; // misuse on purpose: the borrow kept past its block
    unsafe("SAFETY: the owner above keeps the page allocated", (token) => {
      const borrowed = Page.borrowPhys(token, owner.phys(), machine)!;
      expectUnchanged(machine, () => intoPhys(borrowed as unknown as Owned<Page>), "EPERM", /borrowed, not owned/);
      // the failed hand-over gave the borrow its scope back: usable inside the block, not after it
      expect(borrowed.read(0, 1).length).toBe(1);
      kept = borrowed;
    });
    expectKernelError(() => kept!.read(0, 1), "EFAULT", /after its unsafe block ended/);
    expect(owner.read(0, 1).length).toBe(1);
    expectKernelError(() => intoPhys({} as Owned<Page>), "EINVAL", /not a Page/);
  });

  test("a handle used after intoPhys is EFAULT, and releasing it is EALREADY", () => {
    const machine = layout();
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const alias: Owned<Page> = page;
    const addr = page.phys();
    intoPhys(page);
    expectUnchanged(machine, () => alias.read(0, 1), "EFAULT", /handed over with intoPhys/);
    expectUnchanged(machine, () => alias.isHighmem, "EFAULT", /PageHighMem: page was handed over with intoPhys/);
    expectUnchanged(machine, () => alias.release(), "EALREADY", /handed over with intoPhys/);
    alias[Symbol.dispose](); // disposing a consumed owner is silent
    const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys", (token) => Page.fromPhys(token, addr, machine));
    back.release();
  });
});

describe("borrowPhys (M28) and borrowPhysUnchecked", () => {
  test("borrowPhys gives a working borrow of an allocated page and of reserved RAM", () => {
    const machine = layout();
    using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    owner.write(0, new Uint8Array([3]));
    unsafe("SAFETY: the owner keeps the page allocated; the reserved range is never freed", (token) => {
      const borrowed = Page.borrowPhys(token, owner.phys(), machine);
      expect(borrowed).not.toBeNull();
      expect(borrowed!.read(0, 1)[0]).toBe(3);
      borrowed!.write(1, new Uint8Array([4]));
      const reserved = Page.borrowPhys(token, toPhysAddr(0), machine);
      reserved!.write(0, new Uint8Array([1, 2]));
      expect([...reserved!.read(0, 2)]).toEqual([1, 2]);
      expect(reserved!.withPageMapped((view) => view[1])).toBe(2);
    });
    expect(owner.read(1, 1)[0]).toBe(4);
  });

  test("M28: holes, MMIO (inside and above RAM) and frames beyond RAM give null", () => {
    const machine = layout();
    unsafe("SAFETY: only probing", (token) => {
      for (const addr of [1 * MiB, 2 * MiB, 16 * MiB, 8 * MiB, 2 ** 32, 2 ** 52]) {
        expect(Page.borrowPhys(token, toPhysAddr(addr), machine)).toBeNull();
      }
      expectKernelError(() => Page.borrowPhys(token, toPhysAddr(4097), machine), "EINVAL", /^borrow_phys: address is not page-aligned/);
      for (const bad of BAD_NUMBERS.filter((n) => !Number.isSafeInteger(n) || n < 0)) {
        // The error names the operation called, not the address check inside it.
        expectKernelError(() => Page.borrowPhys(token, bad as PhysAddr, machine), "EINVAL", /^borrow_phys: addr is not a non-negative safe integer/);
        expectKernelError(() => Page.borrowPhysUnchecked(token, bad as PhysAddr, machine), "EINVAL", /^borrow_phys_unchecked: addr is not a non-negative safe integer/);
        expectKernelError(() => Page.fromPhys(token, bad as PhysAddr, machine), "EINVAL", /^from_phys: addr is not a non-negative safe integer/);
      }
    });
  });

  test("borrowPhysUnchecked of a hole is allowed, and the core rejects the access with EFAULT", () => {
    const machine = layout();
    unsafe("SAFETY: wrong on purpose: the address is a hole", (token) => {
      const hole = Page.borrowPhysUnchecked(token, toPhysAddr(1 * MiB), machine);
      expectUnchanged(machine, () => hole.read(0, 1), "EFAULT", /no memory/);
      // Beyond RAM, in the name of the call (not of the pageGen it would have made next).
      for (const addr of [4 * MiB, 8 * MiB, 2 ** 32, 2 ** 34 * 4096 - 4096, 2 ** 52]) {
        expectUnchanged(machine, () => Page.borrowPhysUnchecked(token, toPhysAddr(addr), machine), "EINVAL", /^borrow_phys_unchecked: pfn is out of range/);
      }
      // The last frame of RAM is still borrowed (a free page: the core rejects the access).
      const last = Page.borrowPhysUnchecked(token, toPhysAddr(4 * MiB - 4096), machine);
      expectUnchanged(machine, () => last.read(0, 1), "EFAULT", /^memcpy_from_page: use after free \(pfn=1023/);
    });
  });

  test("a borrow cannot free the page: release is EPERM and dispose is EPERM (JavaScript callers)", () => {
    const machine = layout();
    using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    unsafe("SAFETY: the owner keeps the page allocated", (token) => {
      const borrowed = Page.borrowPhys(token, owner.phys(), machine)!;
      const asOwner = borrowed as unknown as Owned<Page>;
      expectUnchanged(machine, () => asOwner.release(), "EPERM", /borrowed, not owned/);
      expectUnchanged(machine, () => asOwner[Symbol.dispose](), "EPERM", /borrowed, not owned/);
    });
    expect(machine.isAllocated(owner.pfn)).toBe(true);
  });

  test("a borrow used after its unsafe block ended is EFAULT", () => {
    const machine = layout();
    using owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    let kept: Page | undefined;
    unsafe("SAFETY: the borrow is kept only to show the run-time check", (token) => {
      kept = Page.borrowPhys(token, owner.phys(), machine)!;
      expect(kept.read(0, 1).length).toBe(1);
    });
    expectUnchanged(machine, () => kept!.read(0, 1), "EFAULT", /after its unsafe block ended/);
  });

  test("the lifetime of a borrow is the token's", () => {
    expectTypeOf(Page.borrowPhys<"scope">).returns.toEqualTypeOf<BorrowedPage<"scope"> | null>();
    expectTypeOf<BorrowedPage<"scope">>().toMatchTypeOf<Page>();
    expectTypeOf<BorrowedPage<"scope">>().not.toHaveProperty("release");
  });
});
