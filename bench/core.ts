/**
 * Benchmarks of the runtime memory core, each a ratio against a baseline measured in the same
 * rounds: order-0 allocate + free and order-4 folio allocate + put against minimal typed-array free
 * lists, `kmap_local` map + unmap against `subarray`, 64 KiB and 4 KiB copies in and out against
 * `Uint8Array.prototype.set`, and the figures of a 16 GiB machine (metadata bytes per page,
 * start-up time, backing before use). Every machine here uses the flat memory model (the default
 * up to 1 GiB, forced for the 16 GiB one); the sparse model's rows are in `bench/scale.ts`.
 *
 * @module
 */
import { GFP_KERNEL, KERNEL_STRUCT_PAGE_BYTES, Machine, __GFP_COMP, metadataBytesPerPage } from "ownkit/core";
import { compare, keep, measure, type BenchRow, type RunOptions } from "./harness.js";

export type { BenchRow } from "./harness.js";

/** Operations per task call for the small operations. */
export const INNER = 1024;

/**
 * A minimal typed-array free list: the cheapest possible allocator of fixed-size blocks, the
 * baseline of the allocation rows.
 */
export class MinimalFreeList {
  private readonly next: Int32Array;
  private head = 0;

  /** @param blocks - How many blocks the list holds. */
  constructor(blocks: number) {
    this.next = new Int32Array(blocks);
    for (let i = 0; i < blocks; i++) this.next[i] = i + 1 < blocks ? i + 1 : -1;
  }

  /** Pops a block index. */
  alloc(): number {
    const block = this.head;
    if (block < 0) throw new Error("ENOMEM");
    this.head = this.next[block]!;
    return block;
  }

  /** Pushes a block index back. */
  free(block: number): void {
    this.next[block] = this.head;
    this.head = block;
  }
}

/**
 * A task that allocates 32 order-0 pages through the core and frees them in reverse order, `INNER`
 * pairs per call: the core side of the allocation rows (also used by the debug suite).
 *
 * @param machine - The machine to allocate from.
 * @param inner - Pairs per call, a multiple of 32.
 * @returns The task.
 */
export function coreAllocFreeTask(machine: Machine, inner = INNER): () => void {
  const batch = new Uint32Array(32);
  return () => {
    for (let round = 0; round < inner / 32; round++) {
      for (let i = 0; i < 32; i++) batch[i] = machine.allocPages(GFP_KERNEL, 0);
      for (let i = 31; i >= 0; i--) {
        const pfn = batch[i]!;
        machine.freePages(pfn, machine.pageGen(pfn), 0);
      }
    }
  };
}

/**
 * Order-0 allocate + free through the core (debug off) of `machine` against a minimal typed-array
 * free list, as one row; shared by the flat row here and the sparse-model row of the scale suite.
 *
 * @param options - Time and rounds.
 * @param machine - The machine to allocate from.
 * @param suite - The row's suite.
 * @param name - The row's name.
 * @returns One row (target: within 2x).
 */
export async function allocFreeRow(options: RunOptions, machine: Machine, suite: string, name: string): Promise<BenchRow> {
  const list = new MinimalFreeList(16384);
  const batch = new Uint32Array(32);
  const samples = await measure(options, {
    baseline: () => {
      for (let round = 0; round < INNER / 32; round++) {
        for (let i = 0; i < 32; i++) batch[i] = list.alloc();
        for (let i = 31; i >= 0; i--) list.free(batch[i]!);
      }
    },
    core: coreAllocFreeTask(machine),
  }, INNER);
  machine.checkConsistency();
  return compare({ suite, name, unit: "ns/pair", baseline: "typed-array free list", kind: "slowdown", limit: 2 }, samples.core!, samples.baseline!);
}

/**
 * Order-0 allocate + free through the core (debug off) against a minimal typed-array free list.
 *
 * @param options - Time and rounds.
 * @returns One row (target: within 2x).
 */
export async function benchAllocFree(options: RunOptions): Promise<BenchRow[]> {
  return [await allocFreeRow(options, new Machine({ ramSize: 64 << 20 }), "core", "order-0 alloc+free")];
}

/**
 * Order-4 folio (64 KiB compound page) allocate + put through the core against a free list of
 * 16-page blocks.
 *
 * @param options - Time and rounds.
 * @returns One informational row: the buddy allocator splits and merges where the list does not.
 */
export async function benchFolioAllocPut(options: RunOptions): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const list = new MinimalFreeList(1024);
  const inner = 256;
  const batch = new Uint32Array(8);
  const samples = await measure(options, {
    baseline: () => {
      for (let round = 0; round < inner / 8; round++) {
        for (let i = 0; i < 8; i++) batch[i] = list.alloc();
        for (let i = 7; i >= 0; i--) list.free(batch[i]!);
      }
    },
    core: () => {
      for (let round = 0; round < inner / 8; round++) {
        for (let i = 0; i < 8; i++) batch[i] = machine.allocPages(GFP_KERNEL | __GFP_COMP, 4);
        for (let i = 7; i >= 0; i--) {
          const pfn = batch[i]!;
          machine.folioPut(pfn, machine.pageGen(pfn));
        }
      }
    },
  }, inner);
  machine.checkConsistency();
  return [compare({
    suite: "core",
    name: "order-4 folio alloc+put",
    unit: "ns/pair",
    baseline: "free list of 16-page blocks",
    kind: "slowdown",
    note: "order-4 folio alloc+put: informational; the buddy allocator splits, marks 16 pages and merges, the list pops a number",
  }, samples.core!, samples.baseline!)];
}

/**
 * Copies into and out of a block through the core against `Uint8Array.prototype.set` on plain
 * arrays, at one size.
 *
 * @param options - Time and rounds.
 * @param size - Bytes per copy (a power of two, at least a page).
 * @param limit - The minimum speed ratio, or undefined for an informational row.
 * @returns Two rows: copy in (`memcpy_to_page`) and copy out (`memcpy_from_page`).
 */
export async function benchCopy(options: RunOptions, size: number, limit: number | undefined): Promise<BenchRow[]> {
  const machine = new Machine({ ramSize: 64 << 20 });
  const order = Math.log2(size / machine.pageSize);
  const pfn = machine.allocPages(GFP_KERNEL | (order > 0 ? __GFP_COMP : 0), order);
  const gen = machine.pageGen(pfn);
  const src = new Uint8Array(size).map((_, i) => i & 0xff);
  const dst = new Uint8Array(size);
  const plain = new Uint8Array(size);
  const inner = Math.max(4, (256 * 1024) / size);
  const samples = await measure(options, {
    setIn: () => {
      for (let i = 0; i < inner; i++) plain.set(src, 0);
    },
    coreIn: () => {
      for (let i = 0; i < inner; i++) machine.write(pfn, gen, 0, src);
    },
    setOut: () => {
      for (let i = 0; i < inner; i++) dst.set(plain);
    },
    coreOut: () => {
      for (let i = 0; i < inner; i++) machine.read(pfn, gen, 0, dst);
    },
  }, inner);
  if (order > 0) machine.folioPut(pfn, gen);
  else machine.freePages(pfn, gen, 0);
  const label = `${size / 1024} KiB`;
  const spec = { suite: "core", unit: "ns/copy", baseline: "Uint8Array.prototype.set", kind: "speed" as const, ...(limit === undefined ? {} : { limit }) };
  const note = limit === undefined ? `${label} copies: informational (the 0.8x target is for 64 KiB); the per-call checks weigh more on a small copy` : undefined;
  return [
    compare({ ...spec, name: `${label} copy in (write)`, ...(note === undefined ? {} : { note }) }, samples.coreIn!, samples.setIn!),
    compare({ ...spec, name: `${label} copy out (read)` }, samples.coreOut!, samples.setOut!),
  ];
}

/**
 * Map + view + unmap of a local mapping of `machine` against creating a `subarray` view, as one
 * row; shared by the flat row here and the sparse-model row of the scale suite.
 *
 * @param options - Time and rounds.
 * @param machine - The machine to map on.
 * @param suite - The row's suite.
 * @param name - The row's name.
 * @returns One row (target: within 4x).
 */
export async function kmapLocalRow(options: RunOptions, machine: Machine, suite: string, name: string): Promise<BenchRow> {
  const pfn = machine.allocPages(GFP_KERNEL, 0);
  const gen = machine.pageGen(pfn);
  const backing = new Uint8Array(machine.pageSize * 1024);
  const samples = await measure(options, {
    baseline: () => {
      for (let i = 0; i < INNER; i++) keep(backing.subarray(i, i + 4096));
    },
    core: () => {
      for (let i = 0; i < INNER; i++) {
        const id = machine.kmapLocal(pfn, gen, 0);
        keep(machine.kmapLocalView(id));
        machine.kunmapLocal(id);
      }
    },
  }, INNER);
  machine.freePages(pfn, gen, 0);
  return compare({ suite, name, unit: "ns/op", baseline: "Uint8Array subarray", kind: "slowdown", limit: 4 }, samples.core!, samples.baseline!);
}

/**
 * Map + view + unmap of a local mapping through the core against creating a `subarray` view.
 *
 * @param options - Time and rounds.
 * @returns One row (target: within 4x).
 */
export async function benchKmapLocal(options: RunOptions): Promise<BenchRow[]> {
  return [await kmapLocalRow(options, new Machine({ ramSize: 64 << 20 }), "core", "kmap_local map+view+unmap")];
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
    // Flat, as every machine of this suite (the sparse model has its rows in the scale suite), so
    // the metadata call sites see one class.
    machine = new Machine({ ramSize: 16 * 2 ** 30, memoryModel: "flat" });
    times.push(performance.now() - start);
    if (i < 2) machine = undefined;
  }
  times.sort((a, b) => a - b);
  const bytes = metadataBytesPerPage();
  const backed = machine!.memoryUsage().backedBytes;
  return [
    { suite: "core", name: "metadata bytes per page", value: bytes, unit: "bytes", baseline: "kernel struct page", baselineValue: KERNEL_STRUCT_PAGE_BYTES, ratio: bytes / KERNEL_STRUCT_PAGE_BYTES, target: "<= 20 bytes", pass: bytes <= 20 },
    { suite: "core", name: "16 GiB machine start-up (median of 3)", value: times[1]!, unit: "ms", target: "< 1000 ms", pass: times[1]! < 1000 },
    { suite: "core", name: "16 GiB machine backing before use", value: backed, unit: "bytes", target: "0", pass: backed === 0 },
  ];
}

/**
 * Runs the whole core suite.
 *
 * @param options - Time and rounds.
 * @returns Every row, in order.
 */
export async function benchCore(options: RunOptions): Promise<BenchRow[]> {
  return [
    ...(await benchAllocFree(options)),
    ...(await benchFolioAllocPut(options)),
    ...(await benchKmapLocal(options)),
    ...(await benchCopy(options, 64 * 1024, 0.8)),
    ...(await benchCopy(options, 4096, undefined)),
    ...benchMachineFigures(),
  ];
}
