/**
 * Benchmarks of the runtime memory core, each printed as a ratio against a baseline measured in the
 * same run: order-0 allocate + free, 64 KiB copies, `kmap_local` map + unmap, and the figures of a
 * 16 GiB machine (metadata bytes per page, start-up time).
 *
 * @module
 */
import { Bench } from "tinybench";
import { GFP_KERNEL, KERNEL_STRUCT_PAGE_BYTES, Machine, __GFP_COMP, metadataBytesPerPage } from "../src/core/index.js";

/** One line of a benchmark table. */
export interface BenchRow {
  /** The suite, for example `"core"`. */
  readonly suite: string;
  /** What was measured. */
  readonly name: string;
  /** The subject's figure (ns per operation, bytes, ms...). */
  readonly value: number;
  /** The unit of `value`. */
  readonly unit: string;
  /** What the ratio compares against, when there is a baseline. */
  readonly baseline?: string;
  /** The baseline's figure in the same unit. */
  readonly baselineValue?: number;
  /** The ratio as the target states it (see `target`). */
  readonly ratio?: number;
  /** The goal, for example `"<= 2x baseline"`. */
  readonly target?: string;
  /** Whether the goal was met. */
  readonly pass?: boolean;
}

/** Options of the core suite. */
export interface CoreBenchOptions {
  /** Milliseconds per task (default 500). */
  readonly time?: number;
}

const INNER = 1024;
let sink: unknown;

/**
 * A minimal typed-array free list: the cheapest possible page allocator, used as the baseline.
 */
class MinimalFreeList {
  private readonly next: Int32Array;
  private head = 0;

  constructor(pages: number) {
    this.next = new Int32Array(pages);
    for (let i = 0; i < pages; i++) this.next[i] = i + 1 < pages ? i + 1 : -1;
  }

  alloc(): number {
    const pfn = this.head;
    if (pfn < 0) throw new Error("ENOMEM");
    this.head = this.next[pfn]!;
    return pfn;
  }

  free(pfn: number): void {
    this.next[pfn] = this.head;
    this.head = pfn;
  }
}

/** Median nanoseconds per inner operation of a finished tinybench task. */
function nsPerOp(bench: Bench, name: string, inner: number): number {
  const task = bench.tasks.find((t) => t.name === name);
  const result = task?.result;
  if (result === undefined || !("latency" in result)) throw new Error(`benchmark ${name} did not complete`);
  return (result.latency.p50 * 1e6) / inner;
}

/**
 * Order-0 allocate + free through the core (debug off) against a minimal typed-array free list.
 *
 * @param options - Suite options.
 * @returns One row: ns per allocate+free pair and the ratio (target: within 2x).
 */
export async function benchAllocFree(options: CoreBenchOptions = {}): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const list = new MinimalFreeList(16384);
  const batch = new Uint32Array(32);
  const bench = new Bench({ time: options.time ?? 500 });
  bench.add("baseline", () => {
    for (let round = 0; round < INNER / 32; round++) {
      for (let i = 0; i < 32; i++) batch[i] = list.alloc();
      for (let i = 31; i >= 0; i--) list.free(batch[i]!);
    }
  });
  bench.add("core", () => {
    for (let round = 0; round < INNER / 32; round++) {
      for (let i = 0; i < 32; i++) batch[i] = machine.allocPages(GFP_KERNEL, 0);
      for (let i = 31; i >= 0; i--) {
        const pfn = batch[i]!;
        machine.freePages(pfn, machine.pageGen(pfn), 0);
      }
    }
  });
  await bench.run();
  const base = nsPerOp(bench, "baseline", INNER);
  const core = nsPerOp(bench, "core", INNER);
  machine.checkConsistency();
  return [{ suite: "core", name: "order-0 alloc+free", value: core, unit: "ns/pair", baseline: "typed-array free list", baselineValue: base, ratio: core / base, target: "<= 2x baseline", pass: core / base <= 2 }];
}

/**
 * Copying 64 KiB into and out of a folio through the core against `Uint8Array.prototype.set`.
 *
 * @param options - Suite options.
 * @returns One row: ns per in+out pair and the speed ratio (target: at least 0.8x).
 */
export async function benchCopy(options: CoreBenchOptions = {}): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const size = 64 * 1024;
  const order = Math.log2(size / machine.pageSize);
  const pfn = machine.allocPages(GFP_KERNEL | __GFP_COMP, order);
  const gen = machine.pageGen(pfn);
  const src = new Uint8Array(size).map((_, i) => i & 0xff);
  const dst = new Uint8Array(size);
  const plain = new Uint8Array(size);
  const inner = 16;
  const bench = new Bench({ time: options.time ?? 500 });
  bench.add("baseline", () => {
    for (let i = 0; i < inner; i++) {
      plain.set(src, 0);
      dst.set(plain);
    }
  });
  bench.add("core", () => {
    for (let i = 0; i < inner; i++) {
      machine.write(pfn, gen, 0, src);
      machine.read(pfn, gen, 0, dst);
    }
  });
  await bench.run();
  const base = nsPerOp(bench, "baseline", inner);
  const core = nsPerOp(bench, "core", inner);
  machine.folioPut(pfn, gen);
  const speed = base / core;
  return [{ suite: "core", name: "64 KiB copy in+out", value: core, unit: "ns/pair", baseline: "Uint8Array.prototype.set", baselineValue: base, ratio: speed, target: ">= 0.8x speed", pass: speed >= 0.8 }];
}

/**
 * Map + view + unmap of a local mapping against creating a `subarray` view.
 *
 * @param options - Suite options.
 * @returns One row: ns per map+unmap and the ratio (target: within 4x).
 */
export async function benchKmapLocal(options: CoreBenchOptions = {}): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const pfn = machine.allocPages(GFP_KERNEL, 0);
  const gen = machine.pageGen(pfn);
  const backing = new Uint8Array(machine.pageSize * 1024);
  const bench = new Bench({ time: options.time ?? 500 });
  bench.add("baseline", () => {
    for (let i = 0; i < INNER; i++) sink = backing.subarray(i, i + 4096);
  });
  bench.add("core", () => {
    for (let i = 0; i < INNER; i++) {
      const id = machine.kmapLocal(pfn, gen, 0);
      sink = machine.kmapLocalView(id);
      machine.kunmapLocal(id);
    }
  });
  await bench.run();
  const base = nsPerOp(bench, "baseline", INNER);
  const core = nsPerOp(bench, "core", INNER);
  machine.freePages(pfn, gen, 0);
  return [{ suite: "core", name: "kmap_local map+view+unmap", value: core, unit: "ns/op", baseline: "Uint8Array subarray", baselineValue: base, ratio: core / base, target: "<= 4x baseline", pass: core / base <= 4 }];
}

/**
 * The figures of a 16 GiB machine: metadata bytes per page (against the kernel's 64-byte
 * `struct page`), start-up time, and backing allocated before any use.
 *
 * @returns Three rows.
 */
export function benchMachineFigures(): BenchRow[] {
  const times: number[] = [];
  let machine: Machine | undefined;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    machine = new Machine({ ramSize: 16 * 2 ** 30 });
    times.push(performance.now() - start);
    if (i < 2) machine = undefined;
  }
  times.sort((a, b) => a - b);
  const bytes = metadataBytesPerPage();
  const backed = machine!.memoryUsage().backedBytes;
  return [
    { suite: "core", name: "metadata bytes per page", value: bytes, unit: "bytes", baseline: "kernel struct page", baselineValue: KERNEL_STRUCT_PAGE_BYTES, ratio: bytes / KERNEL_STRUCT_PAGE_BYTES, target: "<= 16 bytes", pass: bytes <= 16 },
    { suite: "core", name: "16 GiB machine start-up (median of 3)", value: times[1]!, unit: "ms", target: "< 1000 ms", pass: times[1]! < 1000 },
    { suite: "core", name: "16 GiB machine backing before use", value: backed, unit: "bytes", target: "0", pass: backed === 0 },
  ];
}

/**
 * Runs the whole core suite.
 *
 * @param options - Suite options.
 * @returns Every row, in order.
 */
export async function benchCore(options: CoreBenchOptions = {}): Promise<BenchRow[]> {
  const rows = [
    ...(await benchAllocFree(options)),
    ...(await benchCopy(options)),
    ...(await benchKmapLocal(options)),
    ...benchMachineFigures(),
  ];
  void sink;
  return rows;
}
