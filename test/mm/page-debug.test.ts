import { describe, expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { GFP_KERNEL, Page } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const debugMachine = (): Machine => new Machine({ ramSize: 1 << 20, debug: true });

/** A named allocation site, so the stacks in the report can be recognised. */
function allocateScratchPage(machine: Machine): Owned<Page> {
  return Page.alloc(GFP_KERNEL, machine);
}

/** A named free site. */
function releaseScratchPage(page: Owned<Page>): void {
  page.release();
}

describe("M19: double free through an alias", () => {
  test("correct use: one release, and `using` does not release again", () => {
    const machine = debugMachine();
    {
      using page: Owned<Page> = allocateScratchPage(machine);
      page.write(0, new Uint8Array([1]));
    }
    const page: Owned<Page> = allocateScratchPage(machine);
    releaseScratchPage(page);
    expect(machine.nrFreePages()).toBe(256);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("the second release is rejected by the core with the allocation and first-free stacks", () => {
    const machine = debugMachine();
    const page: Owned<Page> = allocateScratchPage(machine);
    const alias: Owned<Page> = page;
    releaseScratchPage(page);
    const error = expectUnchanged(machine, () => alias.release(), "EINVAL", /double free/);
    expect(error.report).toContain("BUG: KASAN: double-free");
    expect(error.report).toMatch(/Allocated by:\n(.*\n)*?.*allocateScratchPage[\s\S]*Freed by:\n(.*\n)*?.*releaseScratchPage/);
  });

  test("after the page was reallocated to someone else the alias's release is a stale handle, and the new owner keeps its page", () => {
    const machine = debugMachine();
    const page: Owned<Page> = allocateScratchPage(machine);
    const alias: Owned<Page> = page;
    releaseScratchPage(page);
    using other: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    expect(other.pfn).toBe(alias.pfn);
    const error = expectUnchanged(machine, () => alias.release(), "EINVAL", /stale handle/);
    expect(error.report).toContain("reallocated since the handle was made");
    expect(machine.isAllocated(other.pfn)).toBe(true);
    other.write(0, new Uint8Array([5]));
  });

  test("without debug the error still comes, without stacks", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const alias: Owned<Page> = page;
    page.release();
    const error = expectUnchanged(machine, () => alias.release(), "EINVAL", /double free/);
    expect(error.report).toContain("BUG: KASAN: double-free");
    expect(error.report).not.toContain("releaseScratchPage");
  });
});

describe("M20: use after free through an alias", () => {
  test("correct use: access before release", () => {
    const machine = debugMachine();
    const page: Owned<Page> = allocateScratchPage(machine);
    page.write(8, new Uint8Array([1, 2]));
    expect([...page.read(8, 2)]).toEqual([1, 2]);
    page.withPageMapped((view) => view.length);
    expect(page.isHighmem).toBe(false);
    releaseScratchPage(page);
  });

  test("read, write, fillZero and mapping through a freed alias are EFAULT with both stacks", () => {
    const machine = debugMachine();
    const page: Owned<Page> = allocateScratchPage(machine);
    const alias: Page = page;
    releaseScratchPage(page);
    const operations: [string, () => unknown][] = [
      ["read", () => alias.read(0, 4)],
      ["write", () => alias.write(0, new Uint8Array([1]))],
      ["fillZero", () => alias.fillZero(0, 1)],
      ["withPageMapped", () => alias.withPageMapped((view) => view[0])],
      ["withPointerIntoPage", () => alias.withPointerIntoPage(0, 1, (view) => view[0])],
      ["isHighmem", () => alias.isHighmem],
    ];
    for (const [, operation] of operations) {
      const error = expectUnchanged(machine, operation, "EFAULT", /use after free/);
      expect(error.report).toContain("BUG: KASAN: use-after-free");
      expect(error.report).toMatch(/Allocated by:\n(.*\n)*?.*allocateScratchPage[\s\S]*Freed by:\n(.*\n)*?.*releaseScratchPage/);
    }
  });

  test("a write through a freed alias after reallocation is refused and the new owner's bytes stay", () => {
    const machine = debugMachine();
    const page: Owned<Page> = allocateScratchPage(machine);
    const alias: Page = page;
    releaseScratchPage(page);
    using other: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    other.fillZero(0, 4096);
    expectKernelError(() => alias.write(0, new Uint8Array([9])), "EFAULT", /stale handle/);
    expectKernelError(() => alias.isHighmem, "EFAULT", /PageHighMem: .*stale handle/);
    expect(other.isHighmem).toBe(false);
    expect(other.read(0, 1)[0]).toBe(0);
  });
});
