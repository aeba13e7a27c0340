/**
 * The sparse memory map at server scale: start-up time and memory of 1 GiB, 256 GiB and 64 TiB
 * machines, against the eager layout (five flat typed arrays of 20 bytes per page, every max-order
 * block threaded onto the free list at start-up) measured in the same run where it fits in memory,
 * the memory of a 64 TiB machine after touching N pages, and the runtime rows of the sparse model
 * (order-0 alloc+free and `kmap_local` on a machine forced to `memoryModel: "sparse"`).
 *
 * Every machine of this suite is sparse, so the metadata call sites see one class here; run the
 * suite alone (`--only scale`) for the sparse runtime rows unaffected by the core suite's flat
 * machines.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GFP_KERNEL, Machine } from "ownkit/core";
import { allocFreeRow, kmapLocalRow } from "./core.js";
import { keep, median, type BenchRow, type RunOptions } from "./harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const GIB = 2 ** 30;
const TIB = 2 ** 40;
const PAGE = 4096;
/** Pages per max-order block. */
const BLOCK = 1024;
/** The start-up target of a 64 TiB machine. */
const START_LIMIT_MS = 100;

/** Heap and array-buffer bytes after two full collections. */
function liveBytes(): number {
  // Four collections: V8 accounts a freed array buffer's bytes only a collection or two after the
  // one that freed it.
  for (let i = 0; i < 4; i++) gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * The bytes `value` keeps alive: live bytes while it is reachable minus `before`.
 */
function retained(value: unknown, before: number): number {
  keep(value);
  const withIt = liveBytes();
  keep(undefined);
  return Math.max(0, withIt - before);
}

/**
 * The eager layout the sparse map replaced: the five per-page arrays allocated for every frame,
 * every page marked free and every max-order block threaded onto a doubly linked free list.
 */
class EagerLayout {
  readonly flagsGen: Int32Array;
  readonly refcount: Int32Array;
  readonly link0: Uint32Array;
  readonly link1: Uint32Array;
  readonly genHigh: Uint32Array;

  constructor(nrPages: number) {
    this.flagsGen = new Int32Array(nrPages);
    this.refcount = new Int32Array(nrPages);
    this.link0 = new Uint32Array(nrPages);
    this.link1 = new Uint32Array(nrPages);
    this.genHigh = new Uint32Array(nrPages);
    const none = 0xffffffff;
    this.flagsGen.fill(1);
    let head = none;
    for (let pfn = 0; pfn < nrPages; pfn += BLOCK) {
      this.link0[pfn] = head;
      this.link1[pfn] = none;
      if (head !== none) this.link1[head] = pfn;
      head = pfn;
      this.flagsGen[pfn] = 1 | 2 | (10 << 12);
    }
  }

  /** Bytes of per-page metadata: 20 per frame. */
  bytes(): number {
    return this.flagsGen.byteLength * 5;
  }
}

/**
 * Start-up time (median over the rounds) and memory of one way of building a machine of
 * `ramSize`; the live bytes are the largest of the rounds, as V8 accounts array-buffer bytes
 * lazily and a round can see the previous round's buffers still counted.
 */
interface Startup {
  readonly ms: number;
  readonly metadataBytes: number;
  readonly liveBytes: number;
}

/** Builds `rounds` layouts with `make` and measures each: median time, last metadata, most retained. */
function measureStartup<Layout extends object>(rounds: number, make: () => Layout, metadataOf: (layout: Layout) => number): Startup {
  const times: number[] = [];
  let metadataBytes = 0;
  let live = 0;
  for (let round = 0; round < rounds; round++) {
    const before = liveBytes();
    const start = performance.now();
    const layout = make();
    times.push(performance.now() - start);
    metadataBytes = metadataOf(layout);
    live = Math.max(live, retained(layout, before));
  }
  return { ms: median(times), metadataBytes, liveBytes: live };
}

function startSparse(ramSize: number, rounds: number): Startup {
  return measureStartup(rounds, () => new Machine({ ramSize, memoryModel: "sparse" }), (machine) => machine.memoryUsage().metadataBytes);
}

function startEager(ramSize: number, rounds: number): Startup {
  return measureStartup(rounds, () => new EagerLayout(ramSize / PAGE), (layout) => layout.bytes());
}

function label(ramSize: number): string {
  return ramSize >= TIB ? `${ramSize / TIB} TiB` : `${ramSize / GIB} GiB`;
}

/** The rows of one size measured against the eager layout. */
function comparedRows(ramSize: number, rounds: number): BenchRow[] {
  // Eager first and dropped before the sparse machine, so neither sees the other's garbage.
  const eager = startEager(ramSize, rounds);
  const sparse = startSparse(ramSize, rounds);
  const name = label(ramSize);
  return [
    {
      suite: "scale",
      name: `${name} machine start-up`,
      value: sparse.ms,
      unit: "ms",
      baseline: "eager layout",
      baselineValue: eager.ms,
      ratio: sparse.ms / eager.ms,
      details: { rounds },
    },
    {
      suite: "scale",
      name: `${name} metadata at start-up`,
      value: sparse.metadataBytes,
      unit: "bytes",
      baseline: "eager layout",
      baselineValue: eager.metadataBytes,
      ratio: sparse.metadataBytes / eager.metadataBytes,
    },
    {
      suite: "scale",
      name: `${name} heap + array buffers at start-up`,
      value: sparse.liveBytes,
      unit: "bytes",
      baseline: "eager layout",
      baselineValue: eager.liveBytes,
      ratio: sparse.liveBytes / eager.liveBytes,
    },
  ];
}

/** The 64 TiB rows: no eager baseline (it would need 320 GiB of metadata), the target instead. */
function hugeRows(rounds: number): BenchRow[] {
  const ramSize = 64 * TIB;
  const sparse = startSparse(ramSize, rounds);
  return [
    {
      suite: "scale",
      name: "64 TiB machine start-up",
      value: sparse.ms,
      unit: "ms",
      target: `< ${START_LIMIT_MS} ms`,
      pass: sparse.ms < START_LIMIT_MS,
      note: `64 TiB: no eager baseline (its layout would take ${(((ramSize / PAGE) * 20) / GIB).toFixed(0)} GiB of metadata); start-up is the median of ${rounds}`,
    },
    {
      suite: "scale",
      name: "64 TiB metadata at start-up",
      value: sparse.metadataBytes,
      unit: "bytes",
      target: "0",
      pass: sparse.metadataBytes === 0,
    },
    { suite: "scale", name: "64 TiB heap + array buffers at start-up", value: sparse.liveBytes, unit: "bytes" },
  ];
}

/** Memory of a 64 TiB machine after allocating `pages` order-0 pages, per page touched. */
function touchRow(pages: number): BenchRow {
  const before = liveBytes();
  const machine = new Machine({ ramSize: 64 * TIB });
  const start = performance.now();
  for (let i = 0; i < pages; i++) machine.allocPages(GFP_KERNEL, 0);
  const ms = performance.now() - start;
  const metadata = machine.memoryUsage().metadataBytes;
  const live = retained(machine, before);
  const perPage = metadata / pages;
  return {
    suite: "scale",
    name: `64 TiB, ${pages} pages touched: metadata`,
    value: metadata,
    unit: "bytes",
    target: "<= 21 bytes per page touched",
    pass: perPage <= 21,
    details: { pages, bytesPerPage: perPage, liveBytes: live, allocMs: ms },
    note: `64 TiB, ${pages} pages allocated: ${perPage.toFixed(2)} metadata bytes per page touched (whole 128 MiB sections of 20 bytes per page), heap + array buffers ${(live / 1e6).toFixed(1)} MB`,
  };
}

/**
 * Order-0 allocate + free on a sparse machine against the minimal typed-array free list (the core
 * suite's row, with the sparse model forced on a 64 MiB machine).
 *
 * @param options - Time and rounds.
 * @returns One row (target: within 2x, as for the flat model).
 */
export async function benchSparseAllocFree(options: RunOptions): Promise<BenchRow[]> {
  return [await allocFreeRow(options, new Machine({ ramSize: 64 << 20, memoryModel: "sparse" }), "scale", "order-0 alloc+free (sparse model)")];
}

/**
 * Map + view + unmap of a local mapping on a sparse machine against creating a `subarray` view.
 *
 * @param options - Time and rounds.
 * @returns One row (target: within 4x, as for the flat model).
 */
export async function benchSparseKmapLocal(options: RunOptions): Promise<BenchRow[]> {
  return [await kmapLocalRow(options, new Machine({ ramSize: 64 << 20, memoryModel: "sparse" }), "scale", "kmap_local map+view+unmap (sparse model)")];
}

/**
 * Runs the scale suite.
 *
 * @param options - `quick` skips the 256 GiB eager baseline (1.3 GB) and uses fewer rounds.
 * @returns The sparse model's runtime rows, the start-up and memory rows at 1 GiB, 256 GiB and
 *   64 TiB, and the touch rows.
 */
export async function benchScale(options: RunOptions): Promise<BenchRow[]> {
  const rounds = options.quick ? 1 : 3;
  const rows = [...(await benchSparseAllocFree(options)), ...(await benchSparseKmapLocal(options))];
  rows.push(...comparedRows(GIB, rounds));
  if (!options.quick) rows.push(...comparedRows(256 * GIB, 1));
  rows.push(...hugeRows(rounds), touchRow(2 ** 15), touchRow(2 ** 20));
  return Promise.resolve(rows);
}
