/**
 * The cost of the debug options (`debug: true`: page poisoning, allocation and free stacks, the
 * guarded `kmap_local` layout): the same operations on a debug machine against a plain one, and the
 * binder workload (target: at most 10x slower in debug mode).
 *
 * @module
 */
import { Machine } from "ownkit/core";
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
  rows.push(compareBinder(options, { suite: "debug", name: "binder transactions (kit)", baseline: "kit, debug off", limit: 10 }, kitRunner({ debug: true }), kitRunner({})));
  return rows;
}
