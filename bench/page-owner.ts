/**
 * page_owner's cost: the memory its stacks take on a 256 MiB machine used once over (every page
 * allocated, then freed), and the time an order-0 allocation + free pays for its two captures, each
 * against the old way measured in the same run: an `Error` kept unformatted per event (30 frames),
 * recorded at the same points of a plain machine.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GFP_KERNEL, Machine } from "ownkit/core";
import { compare, keep, measure, median, type BenchRow, type RunOptions } from "./harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MIB = 2 ** 20;
/** The machine the memory rows use up once. */
const RAM = 256 * MIB;
/** The target for the page_owner memory of that workload. */
const LIMIT_BYTES = 10 * 1000 * 1000;

/** The old page_owner: the last allocation and free `Error` of each block, kept unformatted. */
class OldPageOwner {
  readonly allocStacks = new Map<number, Error>();
  readonly freeStacks = new Map<number, Error>();

  recordAlloc(pfn: number): void {
    this.allocStacks.set(pfn, oldCapture());
  }

  recordFree(pfn: number): void {
    this.freeStacks.set(pfn, oldCapture());
  }
}

/** The old capture: 30 frames, formatted only if a report reads `stack`. */
function oldCapture(): Error {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const captured = new Error();
  Error.stackTraceLimit = previous;
  return captured;
}

/** Heap and array-buffer bytes after two full collections. */
function liveBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Allocates every free order-0 page of a machine, then frees them all, recording each event in
 * `old` when given.
 *
 * @returns The number of events (allocations + frees).
 */
function useOnceOver(machine: Machine, old?: OldPageOwner): number {
  const pfns = new Uint32Array(machine.nrFreePages());
  for (let i = 0; i < pfns.length; i++) {
    pfns[i] = machine.allocPages(GFP_KERNEL, 0);
    old?.recordAlloc(pfns[i]!);
  }
  for (let i = 0; i < pfns.length; i++) {
    machine.freePages(pfns[i]!, machine.pageGen(pfns[i]!), 0);
    old?.recordFree(pfns[i]!);
  }
  return 2 * pfns.length;
}

/** Bytes still held after building a machine and using it once over, and the events recorded. */
function footprint(way: "plain" | "new" | "old"): { bytes: number; events: number; stacks: number } {
  const before = liveBytes();
  const machine = new Machine({ ramSize: RAM, debug: way === "new" ? { pageOwner: true } : false });
  const old = way === "old" ? new OldPageOwner() : undefined;
  const events = useOnceOver(machine, old);
  const bytes = liveBytes() - before;
  keep([machine, old]);
  keep(undefined);
  return { bytes, events, stacks: machine.memoryUsage().debugStackEntries };
}

/**
 * Bytes per distinct stack, the depot's worst case: every site allocates and frees once, from code
 * of its own (a generated function per site).
 */
function distinctStackBytes(sites: number): number {
  const makers = Array.from({ length: sites }, (_, i) =>
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one distinct call site per function
    new Function("machine", "gfp", `const pfn = machine.allocPages(gfp, 0);\nmachine.freePages(pfn, machine.pageGen(pfn), 0);\n//# sourceURL=bench-site-${i}.js`) as (machine: Machine, gfp: number) => void,
  );
  const measureWay = (debug: boolean): number => {
    const machine = new Machine({ ramSize: 64 * MIB, debug: debug ? { pageOwner: true } : false });
    const before = liveBytes();
    for (const make of makers) make(machine, GFP_KERNEL);
    const bytes = liveBytes() - before;
    keep(machine);
    return bytes;
  };
  const plain = measureWay(false);
  return (measureWay(true) - plain) / (2 * sites);
}

/** The memory rows: total and per recorded stack, new against old. */
function memoryRows(options: RunOptions): BenchRow[] {
  const rounds = options.quick ? 1 : 3;
  const plain: number[] = [];
  const fresh: number[] = [];
  const old: number[] = [];
  let events = 0;
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither way always runs on the heap the other left.
    const order = round % 2 === 0 ? (["plain", "new", "old"] as const) : (["old", "new", "plain"] as const);
    for (const way of order) {
      const result = footprint(way);
      events = result.events;
      if (way === "new" && result.stacks !== events) throw new Error(`page_owner recorded ${result.stacks} of ${events} events`);
      (way === "plain" ? plain : way === "new" ? fresh : old).push(result.bytes);
    }
  }
  const base = median(plain);
  const newBytes = Math.max(0, median(fresh) - base);
  const oldBytes = Math.max(0, median(old) - base);
  const perDistinct = distinctStackBytes(options.quick ? 500 : 2000);
  const note = `page_owner memory: ${events} events (256 MiB machine, every page allocated then freed), heap + array buffers after GC, a plain machine's subtracted; the depot keeps a distinct stack once (${perDistinct.toFixed(0)} bytes per distinct stack when every stack differs)`;
  return [
    {
      suite: "page-owner",
      name: "page_owner memory, 256 MiB used once over",
      value: newBytes / 1e6,
      unit: "MB",
      baseline: "old: Error per event",
      baselineValue: oldBytes / 1e6,
      ratio: newBytes / oldBytes,
      target: "<= 10 MB",
      pass: newBytes <= LIMIT_BYTES,
      note,
      details: { events, plainBytes: base, newBytes, oldBytes, bytesPerDistinctStack: perDistinct },
    },
    {
      suite: "page-owner",
      name: "page_owner bytes per recorded stack",
      value: newBytes / events,
      unit: "bytes",
      baseline: "old: Error per event",
      baselineValue: oldBytes / events,
      ratio: newBytes / oldBytes,
    },
  ];
}

/** A task of `inner` order-0 allocate + free pairs, run `depth` frames below the task. */
function allocFreeTask(machine: Machine, inner: number, depth: number, old?: OldPageOwner): () => void {
  const pairs = (): void => {
    for (let i = 0; i < inner; i++) {
      const pfn = machine.allocPages(GFP_KERNEL, 0);
      old?.recordAlloc(pfn);
      machine.freePages(pfn, machine.pageGen(pfn), 0);
      old?.recordFree(pfn);
    }
  };
  const nest = (level: number): void => (level === 0 ? pairs() : nest(level - 1));
  return () => nest(depth);
}

const CAPTURE_NOTE =
  "page_owner capture: the depot turns the shown frames into text at capture (no receivers kept); the old way kept 30 raw frames and formatted them only for a report";

/**
 * Runs the page_owner suite.
 *
 * @param options - Time and rounds.
 * @returns The memory rows and one capture-cost row per stack depth.
 */
export async function benchPageOwner(options: RunOptions): Promise<BenchRow[]> {
  const rows = memoryRows(options);
  const inner = 32;
  for (const depth of [0, 40]) {
    const debugMachine = new Machine({ ramSize: 64 * MIB, debug: { pageOwner: true } });
    const oldMachine = new Machine({ ramSize: 64 * MIB });
    const old = new OldPageOwner();
    const samples = await measure(options, { depot: allocFreeTask(debugMachine, inner, depth), old: allocFreeTask(oldMachine, inner, depth, old) }, inner, 8);
    rows.push(
      compare(
        {
          suite: "page-owner",
          name: `pageOwner alloc+free, caller ${depth === 0 ? "shallow" : `${depth} frames deep`}`,
          unit: "ns/pair",
          baseline: "old: Error per event",
          kind: "slowdown",
          ...(depth === 0 ? { note: CAPTURE_NOTE } : {}),
        },
        samples.depot!,
        samples.old!,
      ),
    );
  }
  return rows;
}
