/**
 * The price of the ownership layer: the same operations through the kit's public API
 * (`Owned<Page>`, `kmapLocal` guards, `UniqueFolio`, `LockedFolio`, `MapGuard`) and through the
 * memory core directly, measured in the same rounds on the same kind of machine.
 *
 * Targets: at most 1.5x the core for operations on 4 KiB or more, at most 3x for the smallest ones
 * (allocate, map); 64 KiB copies through the kit at least 0.8x of `Uint8Array.prototype.set`.
 *
 * @module
 */
import { GFP_KERNEL, Machine, __GFP_COMP, type MachineConfig } from "ownkit/core";
import { Folio, Page, kmapLocal, type KmapLocal, type LockedFolio, type Owned, type UniqueFolio } from "ownkit";
import { compare, keep, measure, type BenchRow, type RunOptions } from "./harness.js";

/** Operations per task call for the small operations. */
const INNER = 1024;
/** The kit's overhead limit for the smallest operations. */
export const SMALL_LIMIT = 3;
/** The kit's overhead limit for operations on 4 KiB or more. */
export const LARGE_LIMIT = 1.5;

/** The task pairs of one kit row: the kit side and the core side of the same work. */
export interface KitCase {
  /** The row name. */
  readonly name: string;
  /** The unit of the figures. */
  readonly unit: string;
  /** Operations per task call. */
  readonly inner: number;
  /** The overhead limit (kit / core). */
  readonly limit: number;
  /** The kit side. */
  readonly kit: () => void;
  /** The core side. */
  readonly core: () => void;
  /** Gives back what the case allocated once its tasks are done. */
  readonly done: () => void;
}

/**
 * Builds the kit-versus-core cases on a machine; the debug suite builds the same cases on a debug
 * machine.
 *
 * @param config - The machine configuration.
 * @param inner - Operations per task call of the allocation and mapping cases (a quarter of it for
 *   order-4 folios); the debug suite lowers it because a debug allocation records two stacks.
 * @returns The cases, each with its own machine state.
 */
export function kitCases(config: MachineConfig, inner = INNER): KitCase[] {
  const machine = new Machine({ ramSize: 64 << 20, ...config });
  const cases: KitCase[] = [];
  const src4k = new Uint8Array(4096).map((_, i) => i & 0xff);
  const dst4k = new Uint8Array(4096);

  cases.push({
    name: "Owned<Page> alloc+release (using)",
    unit: "ns/pair",
    inner,
    limit: SMALL_LIMIT,
    kit: () => {
      for (let i = 0; i < inner; i++) {
        using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
        keep(page);
      }
    },
    core: () => {
      for (let i = 0; i < inner; i++) {
        const pfn = machine.allocPages(GFP_KERNEL, 0);
        machine.freePages(pfn, machine.pageGen(pfn), 0);
      }
    },
    done: () => {},
  });

  cases.push({
    name: "Owned<Page> alloc+release() (no using)",
    unit: "ns/pair",
    inner,
    limit: SMALL_LIMIT,
    kit: () => {
      for (let i = 0; i < inner; i++) {
        const owner: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
        owner.release();
      }
    },
    core: () => {
      for (let i = 0; i < inner; i++) {
        const pfn = machine.allocPages(GFP_KERNEL, 0);
        machine.freePages(pfn, machine.pageGen(pfn), 0);
      }
    },
    done: () => {},
  });

  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const pfn = page.pfn;
  const gen = machine.pageGen(pfn);
  cases.push({
    name: "kmapLocal(page) guard (using) + view",
    unit: "ns/op",
    inner,
    limit: SMALL_LIMIT,
    kit: () => {
      for (let i = 0; i < inner; i++) {
        using map: KmapLocal = kmapLocal(page);
        keep(map.view);
      }
    },
    core: () => {
      for (let i = 0; i < inner; i++) {
        const id = machine.kmapLocal(pfn, gen, 0);
        keep(machine.kmapLocalView(id));
        machine.kunmapLocal(id);
      }
    },
    done: () => {},
  });
  cases.push({
    name: "page.withPageMapped(view => view[0])",
    unit: "ns/op",
    inner,
    limit: SMALL_LIMIT,
    kit: () => {
      let sum = 0;
      for (let i = 0; i < inner; i++) sum += page.withPageMapped((view) => view[0]!);
      keep(sum);
    },
    core: () => {
      let sum = 0;
      for (let i = 0; i < inner; i++) {
        const id = machine.kmapLocal(pfn, gen, 0);
        sum += machine.kmapLocalView(id)[0]!;
        machine.kunmapLocal(id);
      }
      keep(sum);
    },
    done: () => {},
  });
  cases.push({
    name: "page.write 4 KiB",
    unit: "ns/copy",
    inner: 64,
    limit: LARGE_LIMIT,
    kit: () => {
      for (let i = 0; i < 64; i++) page.write(0, src4k);
    },
    core: () => {
      for (let i = 0; i < 64; i++) machine.write(pfn, gen, 0, src4k);
    },
    done: () => {},
  });
  cases.push({
    name: "page.read 4 KiB (into)",
    unit: "ns/copy",
    inner: 64,
    limit: LARGE_LIMIT,
    kit: () => {
      for (let i = 0; i < 64; i++) page.read(0, dst4k);
    },
    core: () => {
      for (let i = 0; i < 64; i++) machine.read(pfn, gen, 0, dst4k);
    },
    done: () => {
      page.release();
    },
  });

  const folioInner = Math.max(8, inner >> 2);
  cases.push({
    name: "UniqueFolio order-4 alloc+release (using)",
    unit: "ns/pair",
    inner: folioInner,
    limit: SMALL_LIMIT,
    kit: () => {
      for (let i = 0; i < folioInner; i++) {
        using folio: UniqueFolio = Folio.alloc(4, GFP_KERNEL, machine);
        keep(folio);
      }
    },
    core: () => {
      for (let i = 0; i < folioInner; i++) {
        const head = machine.allocPages(GFP_KERNEL | __GFP_COMP, 4);
        machine.folioPut(head, machine.pageGen(head));
      }
    },
    done: () => {},
  });

  const unique: UniqueFolio = Folio.alloc(4, GFP_KERNEL, machine);
  const { pfn: head, gen: headGen } = (() => {
    const p = machine.allocPages(GFP_KERNEL | __GFP_COMP, 4);
    return { pfn: p, gen: machine.pageGen(p) };
  })();
  cases.push({
    name: "folio.map(0, guard => guard.view[0]) (MapGuard)",
    unit: "ns/op",
    inner,
    limit: SMALL_LIMIT,
    kit: () => {
      let sum = 0;
      for (let i = 0; i < inner; i++) sum += unique.map(0, (guard) => guard.view[0]!);
      keep(sum);
    },
    core: () => {
      let sum = 0;
      for (let i = 0; i < inner; i++) {
        const id = machine.kmapLocal(head, headGen, 0);
        sum += machine.kmapLocalView(id)[0]!;
        machine.kunmapLocal(id);
      }
      keep(sum);
    },
    done: () => {},
  });
  cases.push({
    name: "folio.lock() (using) + write 4 KiB + unlock",
    unit: "ns/op",
    inner: 64,
    limit: LARGE_LIMIT,
    kit: () => {
      for (let i = 0; i < 64; i++) {
        using locked: LockedFolio = unique.lock();
        locked.write(0, src4k);
      }
    },
    core: () => {
      for (let i = 0; i < 64; i++) {
        if (!machine.folioTrylock(head, headGen)) throw new Error("folio already locked");
        machine.write(head, headGen, 0, src4k);
        machine.folioUnlock(head, headGen);
      }
    },
    done: () => {},
  });
  cases.push({
    name: "UniqueFolio write 4 KiB",
    unit: "ns/copy",
    inner: 64,
    limit: LARGE_LIMIT,
    kit: () => {
      for (let i = 0; i < 64; i++) unique.write(0, src4k);
    },
    core: () => {
      for (let i = 0; i < 64; i++) machine.write(head, headGen, 0, src4k);
    },
    done: () => {},
  });
  cases.push({
    name: "UniqueFolio memcpyFromFolio 4 KiB",
    unit: "ns/copy",
    inner: 64,
    limit: LARGE_LIMIT,
    kit: () => {
      for (let i = 0; i < 64; i++) unique.memcpyFromFolio(dst4k, 0);
    },
    core: () => {
      for (let i = 0; i < 64; i++) machine.read(head, headGen, 0, dst4k);
    },
    done: () => {
      unique.release();
      machine.folioPut(head, headGen);
      machine.checkConsistency();
    },
  });
  return cases;
}

/**
 * Runs the kit-versus-core cases.
 *
 * @param options - Time and rounds.
 * @returns One row per case (kit time / core time).
 */
async function benchKitCases(options: RunOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const item of kitCases({})) {
    const samples = await measure(options, { kit: item.kit, core: item.core }, item.inner);
    item.done();
    rows.push(compare({ suite: "kit", name: item.name, unit: item.unit, baseline: "core directly", kind: "slowdown", limit: item.limit }, samples.kit!, samples.core!));
  }
  return rows;
}

/**
 * 64 KiB copies into and out of a `UniqueFolio` against the core and against
 * `Uint8Array.prototype.set`.
 *
 * @param options - Time and rounds.
 * @returns Four rows: in and out, each against the core (at most 1.5x) and against `set` (at least 0.8x).
 */
async function benchKitCopy64(options: RunOptions): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const size = 64 * 1024;
  const unique: UniqueFolio = Folio.alloc(4, GFP_KERNEL, machine);
  const head = machine.allocPages(GFP_KERNEL | __GFP_COMP, 4);
  const gen = machine.pageGen(head);
  const src = new Uint8Array(size).map((_, i) => i & 0xff);
  const dst = new Uint8Array(size);
  const plain = new Uint8Array(size);
  const inner = 8;
  const samples = await measure(options, {
    setIn: () => {
      for (let i = 0; i < inner; i++) plain.set(src, 0);
    },
    coreIn: () => {
      for (let i = 0; i < inner; i++) machine.write(head, gen, 0, src);
    },
    kitIn: () => {
      for (let i = 0; i < inner; i++) unique.write(0, src);
    },
    setOut: () => {
      for (let i = 0; i < inner; i++) dst.set(plain);
    },
    coreOut: () => {
      for (let i = 0; i < inner; i++) machine.read(head, gen, 0, dst);
    },
    kitOut: () => {
      for (let i = 0; i < inner; i++) unique.memcpyFromFolio(dst, 0);
    },
  }, inner);
  unique.release();
  machine.folioPut(head, gen);
  const base = { suite: "kit", unit: "ns/copy" };
  return [
    compare({ ...base, name: "UniqueFolio write 64 KiB", baseline: "core directly", kind: "slowdown", limit: LARGE_LIMIT }, samples.kitIn!, samples.coreIn!),
    compare({ ...base, name: "UniqueFolio memcpyFromFolio 64 KiB", baseline: "core directly", kind: "slowdown", limit: LARGE_LIMIT }, samples.kitOut!, samples.coreOut!),
    compare({ ...base, name: "UniqueFolio write 64 KiB", baseline: "Uint8Array.prototype.set", kind: "speed", limit: 0.8 }, samples.kitIn!, samples.setIn!),
    compare({ ...base, name: "UniqueFolio memcpyFromFolio 64 KiB", baseline: "Uint8Array.prototype.set", kind: "speed", limit: 0.8 }, samples.kitOut!, samples.setOut!),
  ];
}

/**
 * Runs the whole kit suite.
 *
 * @param options - Time and rounds.
 * @returns Every row, in order.
 */
export async function benchKit(options: RunOptions): Promise<BenchRow[]> {
  return [...(await benchKitCases(options)), ...(await benchKitCopy64(options))];
}
