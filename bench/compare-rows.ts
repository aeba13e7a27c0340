/**
 * The runtime rows of `npm run bench:compare`, written against kit modules passed in rather than
 * imported, so the same rows run against two builds (a base ref and the head) in one process.
 *
 * This module imports no `ownkit` code at run time (its `ownkit` imports are type-only): the
 * compare tool loads it once per side (`compare-rows.ts?side=base`, `?side=head`), so each side has
 * its own closures and V8 keeps separate type feedback for them, and passes that side's modules to
 * {@link runtimeRows}. The rows mirror those of `bench/core.ts`, `bench/kit.ts` and `bench/debug.ts`
 * but time only the subject (the kit or the core), not the baseline: the comparison is base build
 * against head build. They use public names only (`ownkit`, and `Machine` and the GFP flags of
 * `ownkit/core`); a row whose names a build lacks is skipped with the names as the reason.
 *
 * @module
 */
import type * as CoreModule from "ownkit/core";
import type * as RootModule from "ownkit";

/** The kit modules of one build: `dist/index.js` (`ownkit`) and `dist/core/index.js` (`ownkit/core`). */
export interface KitModules {
  /** The `ownkit` module. */
  readonly root: Readonly<Record<string, unknown>>;
  /** The `ownkit/core` module. */
  readonly core: Readonly<Record<string, unknown>>;
}

/** A row's task on one side: `run` performs `inner` operations; `done` gives back what the setup took. */
export interface RowTask {
  /** Performs the row's `inner` operations once. */
  readonly run: () => void;
  /** Releases what the setup allocated (called once, after the last round). */
  readonly done?: () => void;
}

/** One runtime row of the comparison, independent of the build it runs against. */
export interface CompareRowDef {
  /** The row name (the same on both sides; rows are paired by it). */
  readonly name: string;
  /** The unit of the figure, for example `ns/pair`. */
  readonly unit: string;
  /** Operations per `run` call; the figure is the time of one call divided by it. */
  readonly inner: number;
  /**
   * The names the row uses, as `root.Name`, `core.Name`, `core.Name#method` (a prototype method) or
   * `root.Name.member` (a static member); the row is skipped when a build lacks one.
   */
  readonly needs: readonly string[];
  /** Builds the task against one build's modules (called only when every name in `needs` is there). */
  readonly setup: (kit: KitModules) => RowTask;
}

/**
 * Says which of a row's names a build lacks.
 *
 * @param kit - The build's modules.
 * @param needs - Names as in {@link CompareRowDef.needs}.
 * @returns The missing names (empty when the row can run).
 */
export function missingNames(kit: KitModules, needs: readonly string[]): string[] {
  const missing: string[] = [];
  for (const need of needs) {
    const match = /^(root|core)\.([A-Za-z_$][\w$]*)(?:([#.])([A-Za-z_$][\w$]*))?$/.exec(need);
    if (match === null) throw new Error(`bad row name requirement: ${need}`);
    const [, where, name, sep, member] = match;
    const value: unknown = kit[where as "root" | "core"][name!];
    if (value === undefined) {
      missing.push(need);
      continue;
    }
    if (member === undefined) continue;
    const holder: unknown = sep === "#" ? (value as { prototype?: unknown }).prototype : value;
    if (holder === null || (typeof holder !== "object" && typeof holder !== "function") || !(member in holder)) missing.push(need);
  }
  return missing;
}

type Core = typeof CoreModule;
type Root = typeof RootModule;

/** Keeps results alive so the optimiser cannot drop the measured work (one per side: this module is loaded per side). */
export let sink: unknown;

function keep(value: unknown): void {
  sink = value;
}

// SAFETY: Each row lists every name it takes from these modules in `needs`, and the compare tool
// calls `setup` only when missingNames(kit, needs) is empty, so the names read below exist; their
// shapes are those of the public API (`ownkit`, `ownkit/core`), which both builds share.
function core(kit: KitModules): Core {
  return kit.core as unknown as Core;
}
function root(kit: KitModules): Root {
  return kit.root as unknown as Root;
}

const MACHINE = ["core.Machine", "core.GFP_KERNEL"];
const ALLOC = [...MACHINE, "core.Machine#allocPages", "core.Machine#freePages", "core.Machine#pageGen"];
const FOLIO_CORE = [...MACHINE, "core.__GFP_COMP", "core.Machine#allocPages", "core.Machine#folioPut", "core.Machine#pageGen"];
const KMAP_CORE = [...ALLOC, "core.Machine#kmapLocal", "core.Machine#kmapLocalView", "core.Machine#kunmapLocal"];
const PAGE = [...MACHINE, "root.Page", "root.Page.alloc"];
const FOLIO = [...MACHINE, "root.Folio", "root.Folio.alloc"];
const RAM = 64 << 20;

function coreAllocFree(kit: KitModules, config: Record<string, unknown>, inner: number): RowTask {
  const { Machine, GFP_KERNEL } = core(kit);
  const machine = new Machine({ ramSize: RAM, ...config });
  const batch = new Array<number>(32).fill(0);
  return {
    run: () => {
      for (let round = 0; round < inner / 32; round++) {
        for (let i = 0; i < 32; i++) batch[i] = machine.allocPages(GFP_KERNEL, 0);
        for (let i = 31; i >= 0; i--) {
          const pfn = batch[i]!;
          machine.freePages(pfn, machine.pageGen(pfn), 0);
        }
      }
    },
    done: () => machine.checkConsistency(),
  };
}

function pageAllocUsing(kit: KitModules, config: Record<string, unknown>, inner: number): RowTask {
  const { Machine, GFP_KERNEL } = core(kit);
  const { Page } = root(kit);
  const machine = new Machine({ ramSize: RAM, ...config });
  return {
    run: () => {
      for (let i = 0; i < inner; i++) {
        using page = Page.alloc(GFP_KERNEL, machine);
        keep(page);
      }
    },
  };
}

function copyRow(size: number, direction: "in" | "out"): CompareRowDef {
  const label = `${size / 1024} KiB`;
  const inner = Math.max(4, (256 * 1024) / size);
  return {
    name: `core ${label} copy ${direction} (${direction === "in" ? "write" : "read"})`,
    unit: "ns/copy",
    inner,
    needs: [...FOLIO_CORE, "core.Machine#freePages", direction === "in" ? "core.Machine#write" : "core.Machine#read"],
    setup: (kit) => {
      const { Machine, GFP_KERNEL, __GFP_COMP } = core(kit);
      const machine = new Machine({ ramSize: RAM });
      const order = Math.log2(size / machine.pageSize);
      const pfn = machine.allocPages(GFP_KERNEL | (order > 0 ? __GFP_COMP : 0), order);
      const gen = machine.pageGen(pfn);
      const buffers = placedBuffers(size);
      return {
        run:
          direction === "in"
            ? () => {
                for (let i = 0; i < inner; i++) machine.write(pfn, gen, 0, buffers[i & 3]!);
              }
            : () => {
                for (let i = 0; i < inner; i++) machine.read(pfn, gen, 0, buffers[i & 3]!);
              },
        done: () => {
          if (order > 0) machine.folioPut(pfn, gen);
          else machine.freePages(pfn, gen, 0);
        },
      };
    },
  };
}

/**
 * Four buffers of `size` bytes in one allocation, at offsets 0, 1088, 2176 and 3264 modulo 4 KiB
 * (64-byte aligned), filled with a byte pattern. The copy rows cycle through them: how fast a copy
 * runs depends on where its source and destination lie relative to each other (4 KiB aliasing),
 * which differs between the loaded copies of a build for no reason in the code, so each call
 * averages over four placements instead of drawing one.
 *
 * @param size - Bytes per buffer.
 * @returns The four buffers.
 */
function placedBuffers(size: number): Uint8Array[] {
  const stride = size + 1088;
  const backing = new Uint8Array(stride * 4).map((_, i) => i & 0xff);
  return [0, 1, 2, 3].map((k) => backing.subarray(k * stride, k * stride + size));
}

/** Operations per call of the small rows (as in `bench/core.ts` and `bench/kit.ts`). */
const INNER = 1024;

/**
 * Every runtime row of the comparison, in table order.
 *
 * @returns The row definitions; each is set up against one build's modules by the compare tool.
 */
export function runtimeRows(): CompareRowDef[] {
  const src4k = placedBuffers(4096);
  const dst4k = placedBuffers(4096);
  const src64k = placedBuffers(65536);
  const dst64k = placedBuffers(65536);
  return [
    // core (bench/core.ts): the subject side of each row.
    { name: "core order-0 alloc+free", unit: "ns/pair", inner: INNER, needs: ALLOC, setup: (kit) => coreAllocFree(kit, {}, INNER) },
    {
      name: "core order-4 folio alloc+put",
      unit: "ns/pair",
      inner: 256,
      needs: FOLIO_CORE,
      setup: (kit) => {
        const { Machine, GFP_KERNEL, __GFP_COMP } = core(kit);
        const machine = new Machine({ ramSize: RAM });
        const batch = new Array<number>(8).fill(0);
        return {
          run: () => {
            for (let round = 0; round < 256 / 8; round++) {
              for (let i = 0; i < 8; i++) batch[i] = machine.allocPages(GFP_KERNEL | __GFP_COMP, 4);
              for (let i = 7; i >= 0; i--) {
                const pfn = batch[i]!;
                machine.folioPut(pfn, machine.pageGen(pfn));
              }
            }
          },
          done: () => machine.checkConsistency(),
        };
      },
    },
    {
      name: "core kmap_local map+view+unmap",
      unit: "ns/op",
      inner: INNER,
      needs: KMAP_CORE,
      setup: (kit) => {
        const { Machine, GFP_KERNEL } = core(kit);
        const machine = new Machine({ ramSize: RAM });
        const pfn = machine.allocPages(GFP_KERNEL, 0);
        const gen = machine.pageGen(pfn);
        return {
          run: () => {
            for (let i = 0; i < INNER; i++) {
              const id = machine.kmapLocal(pfn, gen, 0);
              keep(machine.kmapLocalView(id));
              machine.kunmapLocal(id);
            }
          },
          done: () => machine.freePages(pfn, gen, 0),
        };
      },
    },
    copyRow(65536, "in"),
    copyRow(65536, "out"),
    copyRow(4096, "in"),
    copyRow(4096, "out"),
    {
      name: "core 1 GiB machine start-up",
      unit: "ns/machine",
      inner: 1,
      needs: MACHINE,
      setup: (kit) => {
        const { Machine } = core(kit);
        return { run: () => keep(new Machine({ ramSize: 2 ** 30 })) };
      },
    },

    // kit (bench/kit.ts): the kit side of each row.
    { name: "kit Owned<Page> alloc+release (using)", unit: "ns/pair", inner: INNER, needs: PAGE, setup: (kit) => pageAllocUsing(kit, {}, INNER) },
    {
      name: "kit Owned<Page> alloc+release() (no using)",
      unit: "ns/pair",
      inner: INNER,
      needs: PAGE,
      setup: (kit) => {
        const { Machine, GFP_KERNEL } = core(kit);
        const { Page } = root(kit);
        const machine = new Machine({ ramSize: RAM });
        return {
          run: () => {
            for (let i = 0; i < INNER; i++) Page.alloc(GFP_KERNEL, machine).release();
          },
        };
      },
    },
    ...pageRows(src4k, dst4k),
    {
      name: "kit UniqueFolio order-4 alloc+release (using)",
      unit: "ns/pair",
      inner: INNER >> 2,
      needs: FOLIO,
      setup: (kit) => {
        const { Machine, GFP_KERNEL } = core(kit);
        const { Folio } = root(kit);
        const machine = new Machine({ ramSize: RAM });
        return {
          run: () => {
            for (let i = 0; i < INNER >> 2; i++) {
              using folio = Folio.alloc(4, GFP_KERNEL, machine);
              keep(folio);
            }
          },
        };
      },
    },
    ...folioRows(src4k, dst4k, src64k, dst64k),

    // debug (bench/debug.ts): the debug machine's side.
    { name: "debug core order-0 alloc+free", unit: "ns/pair", inner: 32, needs: ALLOC, setup: (kit) => coreAllocFree(kit, { debug: true }, 32) },
    { name: "debug kit Owned<Page> alloc+release (using)", unit: "ns/pair", inner: 32, needs: PAGE, setup: (kit) => pageAllocUsing(kit, { debug: true }, 32) },
  ];
}

function pageRows(src4k: readonly Uint8Array[], dst4k: readonly Uint8Array[]): CompareRowDef[] {
  const withPage = (kit: KitModules, body: (page: RootModule.Owned<RootModule.Page>) => () => void): RowTask => {
    const { Machine, GFP_KERNEL } = core(kit);
    const { Page } = root(kit);
    const machine = new Machine({ ramSize: RAM });
    const page = Page.alloc(GFP_KERNEL, machine);
    return { run: body(page), done: () => page.release() };
  };
  return [
    {
      name: "kit kmapLocal(page) guard (using) + view",
      unit: "ns/op",
      inner: INNER,
      needs: [...PAGE, "root.kmapLocal"],
      setup: (kit) => {
        const { kmapLocal } = root(kit);
        return withPage(kit, (page) => () => {
          for (let i = 0; i < INNER; i++) {
            using map = kmapLocal(page);
            keep(map.view);
          }
        });
      },
    },
    {
      name: "kit page.withPageMapped(view => view[0])",
      unit: "ns/op",
      inner: INNER,
      needs: [...PAGE, "root.Page#withPageMapped"],
      setup: (kit) =>
        withPage(kit, (page) => () => {
          let sum = 0;
          for (let i = 0; i < INNER; i++) sum += page.withPageMapped((view) => view[0]!);
          keep(sum);
        }),
    },
    {
      name: "kit page.write 4 KiB",
      unit: "ns/copy",
      inner: 64,
      needs: [...PAGE, "root.Page#write"],
      setup: (kit) =>
        withPage(kit, (page) => () => {
          for (let i = 0; i < 64; i++) page.write(0, src4k[i & 3]!);
        }),
    },
    {
      name: "kit page.read 4 KiB (into)",
      unit: "ns/copy",
      inner: 64,
      needs: [...PAGE, "root.Page#read"],
      setup: (kit) =>
        withPage(kit, (page) => () => {
          for (let i = 0; i < 64; i++) page.read(0, dst4k[i & 3]!);
        }),
    },
  ];
}

function folioRows(src4k: readonly Uint8Array[], dst4k: readonly Uint8Array[], src64k: readonly Uint8Array[], dst64k: readonly Uint8Array[]): CompareRowDef[] {
  const withFolio = (kit: KitModules, body: (folio: RootModule.UniqueFolio) => () => void): RowTask => {
    const { Machine, GFP_KERNEL } = core(kit);
    const { Folio } = root(kit);
    const machine = new Machine({ ramSize: RAM });
    const folio = Folio.alloc(4, GFP_KERNEL, machine);
    return { run: body(folio), done: () => folio.release() };
  };
  const copy = (name: string, inner: number, method: "write" | "memcpyFromFolio", buffers: readonly Uint8Array[]): CompareRowDef => ({
    name,
    unit: "ns/copy",
    inner,
    needs: [...FOLIO],
    setup: (kit) =>
      withFolio(kit, (folio) =>
        method === "write"
          ? () => {
              for (let i = 0; i < inner; i++) folio.write(0, buffers[i & 3]!);
            }
          : () => {
              for (let i = 0; i < inner; i++) folio.memcpyFromFolio(buffers[i & 3]!, 0);
            },
      ),
  });
  return [
    {
      name: "kit folio.map(0, guard => guard.view[0]) (MapGuard)",
      unit: "ns/op",
      inner: INNER,
      needs: FOLIO,
      setup: (kit) =>
        withFolio(kit, (folio) => () => {
          let sum = 0;
          for (let i = 0; i < INNER; i++) sum += folio.map(0, (guard) => guard.view[0]!);
          keep(sum);
        }),
    },
    {
      name: "kit folio.lock() (using) + write 4 KiB + unlock",
      unit: "ns/op",
      inner: 64,
      needs: FOLIO,
      setup: (kit) =>
        withFolio(kit, (folio) => () => {
          for (let i = 0; i < 64; i++) {
            using locked = folio.lock();
            locked.write(0, src4k[i & 3]!);
          }
        }),
    },
    copy("kit UniqueFolio write 4 KiB", 64, "write", src4k),
    copy("kit UniqueFolio memcpyFromFolio 4 KiB", 64, "memcpyFromFolio", dst4k),
    copy("kit UniqueFolio write 64 KiB", 8, "write", src64k),
    copy("kit UniqueFolio memcpyFromFolio 64 KiB", 8, "memcpyFromFolio", dst64k),
  ];
}
