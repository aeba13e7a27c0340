import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { GFP_HIGHUSER, KmapLocal, Page, __GFP_ZERO, kmapLocal, pageConsts, userSliceReader } from "../../src/mm/index.js";
import { unsafe, type Owned } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

/** The same page code for every machine: allocate with the caller's flags, map, copy, read back. */
function exercise(machine: Machine): unknown[] {
  const { PAGE_SIZE } = pageConsts(machine);
  using page: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
  page.write(PAGE_SIZE - 4, new Uint8Array([1, 2, 3, 4]));
  page.copyFromUser(userSliceReader(new Uint8Array([9, 8, 7])), 100, 3);
  const mapped = page.withPageMapped((view) => [view.length, view[PAGE_SIZE - 1], view[101]]);
  const pointed = page.withPointerIntoPage(PAGE_SIZE - 4, 4, (bytes) => [...bytes]);
  let local: number[];
  {
    using map: KmapLocal = kmapLocal(page, PAGE_SIZE - 2);
    local = [map.view.length, ...map.view];
  }
  const raw = unsafe("SAFETY: in-page range, no concurrent access", (token) => {
    const into = new Uint8Array(3);
    page.readRaw(token, 100, into);
    return [...into];
  });
  const outOfPage = expectKernelError(() => page.read(PAGE_SIZE - 1, 2), "EINVAL").message;
  const depth = machine.kmapLocalDepth();
  return [mapped, pointed, local, raw, outOfPage, depth];
}

test("the same page code gives the same results on a HIGHMEM, a force-map and a plain machine", () => {
  const highmem = new Machine({ ramSize: 2 << 20, highmemStart: 1 << 20 });
  const forceMap = new Machine({ ramSize: 2 << 20, debug: { forceMap: true } });
  const plain = new Machine({ ramSize: 2 << 20 });

  const onHighmem = exercise(highmem);
  // The HIGHMEM run really used a page above the boundary, only reachable through a mapping.
  using probe: Owned<Page> = Page.alloc(GFP_HIGHUSER, highmem);
  expect(probe.isHighmem).toBe(true);
  expect(highmem.pageAddress(probe.pfn, highmem.pageGen(probe.pfn))).toBeNull();

  expect(exercise(forceMap)).toEqual(onHighmem);
  expect(exercise(plain)).toEqual(onHighmem);
  expect(onHighmem[0]).toEqual([4096, 4, 8]);
  expect(onHighmem[2]).toEqual([2, 3, 4]);
  for (const machine of [highmem, forceMap, plain]) expect(machine.consistencyProblems()).toEqual([]);
});

test("the page code follows a machine's page size (64 KiB pages, HIGHMEM)", () => {
  const big = new Machine({ ramSize: 16 << 20, pageShift: 16, highmemStart: 8 << 20 });
  const [mapped, , local] = exercise(big) as [number[], number[], number[]];
  expect(mapped).toEqual([65536, 4, 8]);
  expect(local).toEqual([2, 3, 4]);
});
