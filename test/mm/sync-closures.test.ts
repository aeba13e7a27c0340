import { describe, expect, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, Machine, type MachineConfig } from "../../src/core/index.js";
import { AddressSpace, Folio, Page, type LockedFolio, type MapGuard, type UniqueFolio } from "../../src/mm/index.js";
import type { ARef, Owned } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

const SYNC = "a mapping closure must be synchronous";

const machines: Record<string, { config: MachineConfig; gfp: number }> = {
  plain: { config: { ramSize: 8 << 20 }, gfp: GFP_KERNEL },
  highmem: { config: { ramSize: 16 << 20, highmemStart: 4 << 20 }, gfp: GFP_HIGHUSER },
};

/** Lets every pending continuation run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe.each(Object.entries(machines))("on a %s machine, a closure that returns a promise is EINVAL and its mapping is released at once", (_name, { config, gfp }) => {
  test("withPageMapped and withPointerIntoPage", async () => {
    const machine = new Machine(config);
    using page: Owned<Page> = Page.alloc(gfp, machine);
    // correct use: synchronous closures
    expect(page.withPageMapped((view) => view.length)).toBe(4096);
    expect(page.withPointerIntoPage(8, 4, (view) => view.length)).toBe(4);
    let depthInside = -1;
    let depthAfterAwait = -1;
    const error = expectKernelError(
      () =>
        page.withPageMapped(async () => {
          depthInside = machine.kmapLocalDepth();
          await null;
          depthAfterAwait = machine.kmapLocalDepth();
        }),
      "EINVAL",
      SYNC,
    );
    expect(error.op).toBe("with_page_mapped");
    expect(depthInside).toBe(1);
    expect(machine.kmapLocalDepth()).toBe(0);
    expectKernelError(() => page.withPointerIntoPage(0, 16, () => Promise.resolve(1)), "EINVAL", SYNC);
    // a thenable that is not a Promise is refused too
    expectKernelError(() => page.withPageMapped(() => ({ then: () => undefined })), "EINVAL", SYNC);
    expect(machine.kmapLocalDepth()).toBe(0);
    await settle();
    // the rest of the async closure ran later, with no mapping live
    expect(depthAfterAwait).toBe(0);
    expect(machine.consistencyProblems()).toEqual([]);
  });

  test("folio map and mapMut: the guard dies, the borrow ends, the slot is free", async () => {
    const machine = new Machine(config);
    using unique: UniqueFolio = Folio.alloc(1, gfp, machine);
    let kept: MapGuard<unknown, "write"> | undefined;
    expectKernelError(
      () =>
        unique.mapMut(0, async (guard) => {
          kept = guard as MapGuard<unknown, "write">;
          await null;
        }),
      "EINVAL",
      SYNC,
    );
    expect(machine.kmapLocalDepth()).toBe(0);
    expectKernelError(() => kept!.view, "EFAULT", "after its closure returned");
    // the write borrow ended: an exclusive operation works again
    unique.write(0, new Uint8Array([7]));
    expectKernelError(() => unique.map(0, async ({ view }) => view[0]), "EINVAL", SYNC);
    expect(unique.map(0, ({ view }) => view[0])).toBe(7);
    // the same on a locked folio
    {
      using locked: LockedFolio = unique.lock();
      expectKernelError(() => locked.mapMut(0, async () => 0), "EINVAL", SYNC);
      expectKernelError(() => locked.map(0, async () => 0), "EINVAL", SYNC);
      locked.write(0, new Uint8Array([8]));
      expect(machine.kmapLocalDepth()).toBe(0);
    }
    await settle();
    expect(unique.map(0, ({ view }) => view[0])).toBe(8);
  });

  test("chunk iteration stops at the first chunk whose body returns a promise", async () => {
    const machine = new Machine(config);
    using unique: UniqueFolio = Folio.alloc(1, gfp, machine);
    const size = unique.size;
    // correct use: a synchronous body sees every byte once
    let seen = 0;
    unique.forEachChunk(0, size, (view) => void (seen += view.length));
    expect(seen).toBe(size);
    let calls = 0;
    expectKernelError(
      () =>
        unique.forEachChunkMut(0, size, async () => {
          calls++;
        }),
      "EINVAL",
      SYNC,
    );
    expect(calls).toBe(1);
    expectKernelError(() => unique.forEachChunk(0, size, async () => undefined), "EINVAL", SYNC);
    expect(machine.kmapLocalDepth()).toBe(0);
    unique.write(0, new Uint8Array(size));
    {
      using locked: LockedFolio = unique.lock();
      expectKernelError(() => locked.forEachChunk(0, size, async () => undefined), "EINVAL", SYNC);
      expectKernelError(() => locked.forEachChunkMut(0, size, async () => undefined), "EINVAL", SYNC);
      expect(machine.kmapLocalDepth()).toBe(0);
    }
    await settle();
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

test("a shared folio's map refuses a promise too, and readFolio's fill keeps its own message", async () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using space = AddressSpace.create(machine);
  using shared: ARef<Folio> = space.readFolio(0, (locked) => {
    locked.zeroOut(0, locked.size);
    locked.markUptodate();
  });
  expectKernelError(() => shared.map(0, async () => 0), "EINVAL", SYNC);
  expect(machine.kmapLocalDepth()).toBe(0);
  expectKernelError(() => space.readFolio(1, async () => undefined), "EINVAL", "fill must be synchronous");
  await settle();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a refused async closure that later rejects is observed: no unhandled rejection, on every closure-scoped API", async () => {
  const machine = new Machine({ ramSize: 8 << 20, highmemStart: 4 << 20 });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    using page: Owned<Page> = Page.alloc(GFP_HIGHUSER, machine);
    using unique: UniqueFolio = Folio.alloc(1, GFP_HIGHUSER, machine);
    using space = AddressSpace.create(machine);
    const rejecting = async (): Promise<never> => {
      await null;
      throw new Error("rejected after the mapping ended");
    };
    const error = expectKernelError(() => page.withPageMapped(rejecting), "EINVAL", SYNC);
    expect(error.message).toContain("it returned a promise");
    expectKernelError(() => page.withPointerIntoPage(0, 8, rejecting), "EINVAL", SYNC);
    expectKernelError(() => unique.map(0, rejecting), "EINVAL", SYNC);
    expectKernelError(() => unique.mapMut(0, rejecting), "EINVAL", SYNC);
    expectKernelError(() => unique.forEachChunk(0, unique.size, rejecting), "EINVAL", SYNC);
    expectKernelError(() => unique.forEachChunkMut(0, unique.size, rejecting), "EINVAL", SYNC);
    expectKernelError(() => space.readFolio(0, rejecting), "EINVAL", "fill must be synchronous");
    // a thenable whose `then` throws when called is observed as well
    expectKernelError(
      () =>
        page.withPageMapped(() => ({
          then: () => {
            throw new Error("then throws");
          },
        })),
      "EINVAL",
      SYNC,
    );
    await settle();
    await settle();
    expect(unhandled).toEqual([]);
    expect(machine.kmapLocalDepth()).toBe(0);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
