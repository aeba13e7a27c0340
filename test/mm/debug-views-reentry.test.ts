import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { Page, kmapLocal, type KmapLocal } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

const ENDED = "view used after its mapping ended";

/**
 * A debug view's own methods that run the caller's code (a `sort` comparator, the getters of an
 * array-like `set` source) while they write: the code may end the mapping and hand the frame to a
 * new owner; the write must then fail, never land in the new owner's page.
 */
describe("on a debug machine, caller code run by a view's writing method cannot redirect the write", () => {
  /** Ends `map`, frees its page and gives the frame to a new owner who fills 16 bytes with 0x5a. */
  function handOver(machine: Machine, map: KmapLocal, page: Owned<Page>): Owned<Page> {
    map.unmap();
    page.release();
    const next: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    next.write(0, new Uint8Array(16).fill(0x5a));
    return next;
  }

  test("sort(compareFn) whose comparator ends the mapping: EFAULT, the next owner's bytes untouched", () => {
    const machine = new Machine({ ramSize: 1 << 20, debug: true });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const phys = page.phys();
    const map: KmapLocal = kmapLocal(page);
    map.view.fill(0x11, 0, 16);
    let next: Owned<Page> | undefined;
    expectKernelError(
      () =>
        map.view.subarray(0, 16).sort((a, b) => {
          next ??= handOver(machine, map, page);
          return a - b;
        }),
      "EFAULT",
      ENDED,
    );
    expect(next?.phys()).toBe(phys); // the frame really changed owner
    expect(next?.read(0, 16)).toEqual(new Uint8Array(16).fill(0x5a));
    next?.release();
  });

  test("set(arrayLike) whose element getter ends the mapping: EFAULT, the next owner's bytes untouched", () => {
    const machine = new Machine({ ramSize: 1 << 20, debug: true });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const map: KmapLocal = kmapLocal(page);
    let next: Owned<Page> | undefined;
    const source = {
      length: 4,
      get 0(): number {
        next ??= handOver(machine, map, page);
        return 0xee;
      },
      1: 1,
      2: 2,
      3: 3,
    };
    expectKernelError(() => map.view.set(source), "EFAULT", ENDED);
    expect(next?.read(0, 16)).toEqual(new Uint8Array(16).fill(0x5a));
    next?.release();
  });

  test("set(arrayLike) whose length getter ends the mapping: EFAULT", () => {
    const machine = new Machine({ ramSize: 1 << 20, debug: true });
    const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const map: KmapLocal = kmapLocal(page);
    let next: Owned<Page> | undefined;
    const source = {
      get length(): number {
        next ??= handOver(machine, map, page);
        return 2;
      },
      0: 1,
      1: 2,
    };
    expectKernelError(() => map.view.set(source, 4), "EFAULT", ENDED);
    expect(next?.read(0, 16)).toEqual(new Uint8Array(16).fill(0x5a));
    next?.release();
  });

  test("correct use: sort and set behave as on a Uint8Array, with and without debug views", () => {
    const sources: ArrayLike<number>[] = [
      [1, 2, 3],
      [Number.NaN, Number.POSITIVE_INFINITY, -0, 1.7, 256, -1],
      { length: 3, 0: 9, 2: 7 },
      { length: 2.9, 0: 4, 1: 5 },
      { length: -5 },
      new Uint16Array([0x1ff, 2]),
      new Float64Array([3.5, -2]),
    ];
    for (const debug of [false, true]) {
      const machine = new Machine({ ramSize: 1 << 20, debug });
      using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
      page.withPageMapped((view) => {
        for (const source of sources) {
          const expected = new Uint8Array(16);
          expected.set(source, 3);
          view.fill(0, 0, 16);
          view.set(source, 3);
          expect(view.slice(0, 16)).toEqual(expected);
        }
        // a lying length larger than the view: the native range error, at once
        expect(() => view.set({ length: 2 ** 40 })).toThrow(RangeError);
        view.set([5, 3, 9, 1]);
        view.subarray(0, 4).sort((a, b) => b - a);
        expect(view.slice(0, 4)).toEqual(new Uint8Array([9, 5, 3, 1]));
        view.subarray(0, 4).sort();
        expect(view.slice(0, 4)).toEqual(new Uint8Array([1, 3, 5, 9]));
        // another view of the page as the source
        view.subarray(8, 12).set(view.subarray(0, 4));
        expect(view.slice(8, 12)).toEqual(new Uint8Array([1, 3, 5, 9]));
      });
    }
  });
});
