/**
 * Runs the benchmark suites, prints one table of ratios against baselines measured in the same run,
 * and writes it to `bench/results/<timestamp>.json`.
 *
 * Usage: `npm run bench [-- --quick] [-- --only core,kit] [-- --time 200] [-- --rounds 5] [-- --no-save]
 * [-- --no-build]`. Suites: `core`, `kit`, `borrow`, `debug`, `page-owner`, `workload`, `scale`, `typecheck`.
 *
 * The runtime suites import the built package (`ownkit`, `ownkit/core`: the `tsc` output in `dist/`),
 * which is rebuilt first when a source file is newer, so they measure what a consumer runs rather
 * than tsx's on-the-fly transform of the sources.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ensureBuild } from "./build.js";
import type { BenchRow, RunOptions } from "./harness.js";
import { saveRun, table } from "./report.js";

/** A suite: its name and how to run it. */
interface Suite {
  readonly name: string;
  readonly run: (options: RunOptions) => Promise<BenchRow[]>;
}

const SUITES: readonly Suite[] = [
  // Loaded after the build: the runtime suites import the built package (`ownkit`).
  { name: "core", run: async (options) => (await import("./core.js")).benchCore(options) },
  { name: "kit", run: async (options) => (await import("./kit.js")).benchKit(options) },
  { name: "borrow", run: async (options) => (await import("./borrow.js")).benchBorrow(options) },
  { name: "debug", run: async (options) => (await import("./debug.js")).benchDebug(options) },
  { name: "page-owner", run: async (options) => (await import("./page-owner.js")).benchPageOwner(options) },
  { name: "workload", run: async (options) => (await import("./workload.js")).benchWorkload(options) },
  { name: "scale", run: async (options) => (await import("./scale.js")).benchScale(options) },
  { name: "typecheck", run: async (options) => (await import("./typecheck.js")).benchTypecheck(options) },
];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    time: { type: "string" },
    rounds: { type: "string" },
    "no-save": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
  },
});

const quick = values.quick === true;
const options: RunOptions = {
  quick,
  time: Number(values.time ?? (quick ? 60 : 150)),
  rounds: Number(values.rounds ?? (quick ? 3 : 5)),
};
const only = values.only?.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
const unknown = only?.filter((name) => !SUITES.some((suite) => suite.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${unknown.join(", ")}; suites: ${SUITES.map((suite) => suite.name).join(", ")}\n`);
  process.exit(2);
}

const started = performance.now();
if (values["no-build"] !== true && ensureBuild()) process.stderr.write("built dist/ (the suites measure the built package)\n");
const rows: BenchRow[] = [];
for (const suite of SUITES) {
  if (only !== undefined && !only.includes(suite.name)) continue;
  const suiteStart = performance.now();
  process.stderr.write(`running ${suite.name}...`);
  rows.push(...(await suite.run(options)));
  process.stderr.write(` ${((performance.now() - suiteStart) / 1000).toFixed(1)} s\n`);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${table(rows)}\n`);
if (values["no-save"] !== true) {
  const path = saveRun(rows, { options: { ...options, only: only ?? "all" }, seconds });
  process.stdout.write(`\nsaved ${path} (${seconds.toFixed(0)} s)\n`);
}
