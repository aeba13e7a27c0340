/**
 * The cost of the debug options (`debug: true`: page poisoning, allocation and free stacks, the
 * guarded `kmap_local` layout): the same operations on a debug machine against a plain one, and the
 * binder workload (target: at most 10x slower in debug mode).
 *
 * @module
 */
import { GFP_KERNEL, Page, type Owned } from "ownkit";
import { Machine, type MachineConfig } from "ownkit/core";
import { coreAllocFreeTask } from "./core.js";
import { compare, measure, type BenchRow, type RunOptions } from "./harness.js";
import { kitCases } from "./kit.js";
import { compareBinder, kitRunner } from "./workload.js";

/** The kit cases the debug suite repeats (the rest add nothing the debug options touch). */
const CASES = new Set([
  "Owned<Page> alloc+release (using)",
  "kmapLocal(page) guard (using) + view",
  "page.write 4 KiB",
  "UniqueFolio order-4 alloc+release (using)",
  "folio.lock() (using) + write 4 KiB + unlock",
]);

/**
 * Runs the debug suite.
 *
 * @param options - Time and rounds.
 * @returns One row per operation (debug time / plain time) and the binder row.
 */
export async function benchDebug(options: RunOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const note = "debug: allocation rows pay a page_owner capture (stack depot) per allocation and per free, plus poison fill and check; informational";
  const plainMachine = new Machine({ ramSize: 64 << 20 });
  const debugMachine = new Machine({ ramSize: 64 << 20, debug: true });
  // A debug allocation records two stacks: small batches and few calls keep a round short.
  const inner = 32;
  const core = await measure(options, { debug: coreAllocFreeTask(debugMachine, inner), plain: coreAllocFreeTask(plainMachine, inner) }, inner, 8);
  rows.push(compare({ suite: "debug", name: "core order-0 alloc+free", unit: "ns/pair", baseline: "debug off", kind: "slowdown", note }, core.debug!, core.plain!));
  const plainCases = kitCases({}, inner);
  const debugCases = kitCases({ debug: true }, inner);
  for (let i = 0; i < plainCases.length; i++) {
    const plain = plainCases[i]!;
    const debug = debugCases[i]!;
    if (CASES.has(plain.name)) {
      const samples = await measure(options, { debug: debug.kit, plain: plain.kit }, plain.inner, 8);
      rows.push(compare({ suite: "debug", name: plain.name, unit: plain.unit, baseline: "debug off", kind: "slowdown" }, samples.debug!, samples.plain!));
    }
    plain.done();
    debug.done();
  }
  rows.push(...(await viewGuardRows(options)));
  rows.push(compareBinder(options, { suite: "debug", name: "binder transactions (kit)", baseline: "kit, debug off", limit: 10 }, kitRunner({ debug: true }), kitRunner({})));
  return rows;
}

/**
 * One task of the view-guard rows: map a page, copy its 4 KiB out through the view, unmap.
 *
 * @param config - The machine configuration.
 * @param inner - Operations per call.
 * @returns The task and its cleanup.
 */
function mapCopyTask(config: MachineConfig, inner: number): { task: () => void; done: () => void } {
  const machine = new Machine({ ramSize: 16 << 20, ...config });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  let sum = 0;
  return {
    task: () => {
      for (let i = 0; i < inner; i++) sum += page.withPageMapped((view) => view.slice().length);
    },
    done: () => {
      page.release();
      if (sum < 0) throw new Error("unreachable");
    },
  };
}

/**
 * The price of debug views (`debug.views`): map + copy 4 KiB out (`view.slice()`) + unmap, against
 * the same on a machine without them (target at most 3x), and with `debug: true`, whose mappings
 * also record where they were made and ended (informational).
 *
 * @param options - Time and rounds.
 * @returns The two rows.
 */
async function viewGuardRows(options: RunOptions): Promise<BenchRow[]> {
  const inner = 64;
  const plain = mapCopyTask({}, inner);
  const views = mapCopyTask({ debug: { views: true } }, inner);
  const full = mapCopyTask({ debug: true }, inner);
  const samples = await measure(options, { plain: plain.task, views: views.task, full: full.task }, inner, 8);
  plain.done();
  views.done();
  full.done();
  const name = "withPageMapped + copy 4 KiB out (view.slice()) + unmap";
  const note = "debug.views lends a guarded Proxy per mapping and checks it on every access; debug: true also captures two stacks per mapping";
  return [
    compare({ suite: "debug", name: `${name}, debug.views`, unit: "ns/op", baseline: "debug off", kind: "slowdown", limit: 3, note }, samples.views!, samples.plain!),
    compare({ suite: "debug", name: `${name}, debug: true`, unit: "ns/op", baseline: "debug off", kind: "slowdown", note }, samples.full!, samples.plain!),
  ];
}
