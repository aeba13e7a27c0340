import { describe, expect, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, Machine, liveViewBytes, type MachineConfig } from "../../src/core/index.js";
import { Folio, Page, kmapLocal, type KmapLocal, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef, Owned } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

const ENDED = "view used after its mapping ended";
const READ_ONLY = "write through a read-only mapping";

/** Views in the closures are typed as branded views; the tests keep them as plain arrays on purpose. */
type Kept = Uint8Array;

const debugMachines: Record<string, MachineConfig> = {
  "views only": { ramSize: 8 << 20, debug: { views: true } },
  "debug: true": { ramSize: 8 << 20, debug: true },
  "views with stacks": { ramSize: 8 << 20, debug: { viewStacks: true } },
  "HIGHMEM + poison": { ramSize: 16 << 20, highmemStart: 4 << 20, debug: { poison: true } },
  "force-map + views": { ramSize: 8 << 20, debug: { forceMap: true, views: true } },
};

describe.each(Object.entries(debugMachines))("on a debug machine (%s), a view kept after its mapping fails loudly", (_name, config) => {
  const gfp = config.highmemStart === undefined ? GFP_KERNEL : GFP_HIGHUSER;

  test("withPageMapped: every access through a kept view and what derives from it is EFAULT, the next owner untouched", () => {
    const machine = new Machine(config);
    const page: Owned<Page> = Page.alloc(gfp, machine);
    let kept: Kept | undefined;
    let derived: Kept | undefined;
    let iterator: Iterator<number> | undefined;
    // correct use: inside the closure the view is the page
    page.withPageMapped((view) => {
      view[0] = 7;
      view.fill(1, 1, 4);
      expect(view[0]).toBe(7);
      expect(Array.from(view.subarray(0, 4))).toEqual([7, 1, 1, 1]);
      expect(view.slice(0, 2)).toEqual(new Uint8Array([7, 1]));
      kept = view as unknown as Kept;
      derived = view.subarray(16, 32) as unknown as Kept;
      iterator = (view as unknown as Kept)[Symbol.iterator]();
      expect(iterator.next().value).toBe(7);
    });
    page.release();
    // the page goes to another owner, who writes it
    using next: Owned<Page> = Page.alloc(gfp, machine);
    next.write(0, new Uint8Array(32).fill(0x5a));
    const attempts: (() => unknown)[] = [
      () => kept![0],
      () => (kept![0] = 1),
      () => kept!.length,
      () => kept!.subarray(0, 4),
      () => kept!.slice(),
      () => kept!.set([1, 2]),
      () => kept!.fill(0),
      () => kept!.valueOf(),
      () => kept!.forEach(() => undefined),
      () => [...kept!],
      () => Object.keys(kept!),
      () => derived![0],
      () => (derived![0] = 1),
      () => iterator!.next(),
      () => new DataView(kept!.buffer),
    ];
    for (const attempt of attempts) expectKernelError(attempt, "EFAULT", ENDED);
    expect(next.read(0, 32)).toEqual(new Uint8Array(32).fill(0x5a));
    const report = expectKernelError(() => kept![0], "EFAULT").report ?? "";
    expect(report).toContain("use-after-scope");
    expect(report).toMatch(/The mapping: kmap_local#\d+ of pfn 0x[0-9a-f]+ .*read-write, made by with_page_mapped/);
    expect(report).toContain("Ended by kunmap_local");
    if (typeof config.debug === "object" && config.debug.viewStacks === true) expect(report).toMatch(/Mapped at:\n\s+at .*debug-views\.test\.ts/);
    else expect(report).toContain("stack not recorded");
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("withPointerIntoPage, kmapLocal guards and chunk iteration lend views that die too", async () => {
    const machine = new Machine(config);
    using page: Owned<Page> = Page.alloc(gfp, machine);
    let kept: Kept | undefined;
    page.withPointerIntoPage(8, 8, (bytes) => {
      bytes[0] = 3;
      kept = bytes as unknown as Kept;
    });
    expect(page.read(8, 1)[0]).toBe(3);
    expectKernelError(() => kept![0], "EFAULT", ENDED);
    let guardView: Kept;
    {
      using map: KmapLocal = kmapLocal(page);
      guardView = map.view;
      guardView[1] = 4;
    }
    expect(page.read(1, 1)[0]).toBe(4);
    expectKernelError(() => guardView[1], "EFAULT", ENDED);
    using unique: UniqueFolio = Folio.alloc(1, gfp, machine);
    const chunks: Kept[] = [];
    unique.forEachChunkMut(0, unique.size, (view) => {
      view.fill(9);
      chunks.push(view as unknown as Kept);
    });
    for (const chunk of chunks) expectKernelError(() => chunk[0], "EFAULT", ENDED);
    // a view kept by a timer callback started inside the closure
    let later: unknown;
    page.withPageMapped((view) => {
      setTimeout(() => {
        try {
          later = view[0];
        } catch (error) {
          later = error;
        }
      }, 0);
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(later).toMatchObject({ errno: "EFAULT" });
  });

  test("a read-only mapping refuses every write, at the write, with its offset; nothing is written", () => {
    const machine = new Machine(config);
    const unique: UniqueFolio = Folio.alloc(0, gfp, machine);
    unique.write(0, new Uint8Array([1, 2, 3, 4]));
    unique.intoShared();
    const shared: ARef<Folio> = unique;
    // correct use: reading
    expect(shared.map(0, ({ view }) => (view[0] ?? 0) + (view[3] ?? 0))).toBe(5);
    const writes: ((view: Kept) => unknown)[] = [
      (view) => (view[2] = 0),
      (view) => (view.valueOf()[2] = 0),
      (view) => view.forEach((_, i, array) => (array[i] = 0)),
      (view) => view.set([0], 2),
      (view) => view.fill(0),
      (view) => view.reverse(),
      (view) => Object.defineProperty(view, "2", { value: 0 }),
      (view) => ((view as unknown as { [i: number]: number })[2] = 0),
    ];
    for (const write of writes) {
      const error = expectKernelError(() => shared.map(0, ({ view }) => write(view as unknown as Kept)), "EPERM", READ_ONLY);
      expect(error.report).toContain("read-only, made by folio_map");
    }
    expect(expectKernelError(() => shared.map(0, ({ view }) => ((view as unknown as Kept)[2] = 0)), "EPERM").values).toMatchObject({ offset: 2 });
    expect(expectKernelError(() => shared.map(0, ({ view }) => (view as unknown as Kept).set([0], 3)), "EPERM").message).toContain("at offset 0x3");
    expect(shared.map(0, ({ view }) => Array.from(view.slice(0, 4)))).toEqual([1, 2, 3, 4]);
    shared.forEachChunk(0, shared.size, (view) => {
      expectKernelError(() => ((view as unknown as Kept)[0] = 9), "EPERM", READ_ONLY);
    });
    expect(machine.kmapLocalDepth()).toBe(0);
    shared.put();
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("buffer is refused (it would reach other owners' pages); copies and liveViewBytes work while live", () => {
    const machine = new Machine(config);
    using page: Owned<Page> = Page.alloc(gfp, machine);
    page.write(0, new TextEncoder().encode("hello"));
    const text = page.withPageMapped((view) => {
      expectKernelError(() => (view as unknown as Kept).buffer, "EPERM", "buffer of a mapped view is not lent");
      expect(liveViewBytes(view).length).toBe(4096);
      expect(ArrayBuffer.isView(liveViewBytes(view))).toBe(true);
      return new TextDecoder().decode(view.slice(0, 5));
    });
    expect(text).toBe("hello");
    let kept: Kept | undefined;
    page.withPageMapped((view) => {
      kept = view as unknown as Kept;
    });
    expectKernelError(() => liveViewBytes(kept), "EFAULT", ENDED);
    expectKernelError(() => liveViewBytes({ length: 1 }), "EINVAL");
  });
});

describe("without debug views the hot paths lend plain arrays", () => {
  test("a view is a Uint8Array subarray of the machine's memory", () => {
    const machine = new Machine({ ramSize: 8 << 20, debug: { kmapLocalGuard: true } });
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    page.withPageMapped((view) => {
      expect(ArrayBuffer.isView(view)).toBe(true);
      expect(liveViewBytes(view)).toBe(view);
    });
  });

  test("debug.views: false turns the guard off on a poisoning machine; a bad value is EINVAL", () => {
    const machine = new Machine({ ramSize: 8 << 20, debug: { poison: true, views: false } });
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    expect(page.withPageMapped((view) => ArrayBuffer.isView(view))).toBe(true);
    expectKernelError(() => new Machine({ debug: { views: 1 as unknown as boolean } }), "EINVAL", "debug.views must be a boolean");
  });
});

describe("reaching around a guarded view, as a hurried user would", () => {
  test("methods taken while live, descriptors, copies through the view, and wrappers of the view", () => {
    const machine = new Machine({ ramSize: 8 << 20, debug: { views: true } });
    using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    page.write(0, new Uint8Array([1, 2, 3]));
    let set: ((bytes: ArrayLike<number>) => void) | undefined;
    let sub: ((begin?: number, end?: number) => Kept) | undefined;
    let kept: Kept | undefined;
    const copies = page.withPageMapped((view) => {
      const v = view as unknown as Kept;
      set = v.set;
      sub = v.subarray;
      kept = v;
      // correct use: copies out of a live view are plain arrays
      expect(Array.from(Uint8Array.from(v.subarray(0, 3)))).toEqual([1, 2, 3]);
      expect(Object.getOwnPropertyDescriptor(v, "1")?.value).toBe(2);
      expect(Object.prototype.toString.call(v)).toBe("[object Uint8Array]");
      expect(v instanceof Uint8Array).toBe(true);
      // a wrapper of the view is neither the view nor its memory
      const wrapper = new Proxy(v, {});
      expectKernelError(() => liveViewBytes(wrapper), "EINVAL");
      return [new Uint8Array(v.subarray(0, 3)), v.slice(0, 3)];
    });
    for (const copy of copies) expect(ArrayBuffer.isView(copy) && copy[2] === 3).toBe(true);
    expectKernelError(() => set!([9]), "EFAULT", ENDED);
    expectKernelError(() => sub!(0, 1), "EFAULT", ENDED);
    expectKernelError(() => Object.getOwnPropertyDescriptor(kept!, "0"), "EFAULT", ENDED);
    expectKernelError(() => Object.getOwnPropertyDescriptors(kept!), "EFAULT", ENDED);
    expectKernelError(() => Uint8Array.from(kept!), "EFAULT", ENDED);
    expectKernelError(() => 0 in kept!, "EFAULT", ENDED);
    expectKernelError(() => Reflect.get(kept!, "buffer"), "EFAULT", ENDED);
    expect(page.read(0, 3)).toEqual(new Uint8Array([1, 2, 3]));
  });
});
