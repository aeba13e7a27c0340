/**
 * The type-check cost of the kit for its consumers: generated programs with N uses of the kit
 * (`typecheck-gen.ts`) against the same programs written against an unbranded declaration file,
 * checked by the TypeScript JS compiler (`node_modules/typescript`) and the TS 7 native compiler
 * (`node_modules/ts7`) with `--extendedDiagnostics`.
 *
 * Rows per compiler: check time with the kit against the unbranded baseline at every N (target at
 * most 1.5x); instantiations at every N, per use and their growth between N steps (target: linear:
 * the instantiations one more use adds, measured between consecutive N, stay within 10% from one
 * step to the next); and the diagnostics (target: none, in particular no TS2589 "excessively deep").
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./build.js";
import { median, type BenchRow, type RunOptions } from "./harness.js";
import { writeProject, type Variant } from "./typecheck-gen.js";

/** A compiler to measure. */
interface Compiler {
  /** The row prefix. */
  readonly name: string;
  /** The compiler's `bin/tsc`, run with Node. */
  readonly bin: string;
  /** Extra Node options. */
  readonly nodeArgs: readonly string[];
  /** Repetitions at a given N (the check time reported is the median). */
  readonly reps: (n: number, quick: boolean) => number;
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

const COMPILERS: readonly Compiler[] = [
  {
    name: `tsc ${version("typescript")}`,
    bin: join(ROOT, "node_modules/typescript/bin/tsc"),
    nodeArgs: ["--max-old-space-size=4096"],
    reps: (n, quick) => (quick ? 1 : n <= 100 ? 3 : n <= 1000 ? 2 : 1),
  },
  {
    name: `tsgo ${version("ts7")}`,
    bin: join(ROOT, "node_modules/ts7/bin/tsc"),
    nodeArgs: [],
    reps: (n) => (n <= 1000 ? 3 : 1),
  },
];

/** What one compiler run reported. */
export interface CheckRun {
  /** `Check time` in milliseconds. */
  readonly checkMs: number;
  /** `Total time` in milliseconds. */
  readonly totalMs: number;
  /** `Instantiations`. */
  readonly instantiations: number;
  /** `Memory used` in KiB. */
  readonly memoryKiB: number;
  /** The `error TS....` lines. */
  readonly errors: readonly string[];
}

function field(output: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+([\\d.]+)`, "m").exec(output);
  if (match === null) throw new Error(`--extendedDiagnostics printed no "${name}"`);
  return Number(match[1]);
}

/**
 * Parses the output of `tsc --extendedDiagnostics` (both compilers print `Check time`, `Total time`,
 * `Instantiations` and `Memory used`).
 *
 * @param output - The compiler's standard output.
 * @returns The figures and the error lines.
 */
export function parseDiagnostics(output: string): CheckRun {
  return {
    checkMs: field(output, "Check time") * 1000,
    totalMs: field(output, "Total time") * 1000,
    instantiations: field(output, "Instantiations"),
    memoryKiB: field(output, "Memory used"),
    errors: output.split("\n").filter((line) => /error TS\d+/.test(line)),
  };
}

function check(compiler: Compiler, dir: string): CheckRun {
  const result = spawnSync(process.execPath, [...compiler.nodeArgs, compiler.bin, "-p", dir, "--extendedDiagnostics"], { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  if (result.error !== undefined) throw result.error;
  return parseDiagnostics(`${result.stdout}\n${result.stderr}`);
}

/** The numbers of uses measured. */
export function sizes(options: RunOptions): readonly number[] {
  return options.quick ? [10, 100, 1000] : [100, 1000, 10_000];
}

/** The figures of one compiler, variant and N. */
interface Point {
  readonly n: number;
  readonly checkMs: number;
  readonly totalMs: number;
  readonly instantiations: number;
  readonly memoryKiB: number;
  readonly errors: readonly string[];
}

function measurePoint(compiler: Compiler, dir: string, n: number, reps: number): Point {
  const runs: CheckRun[] = [];
  for (let i = 0; i < reps; i++) runs.push(check(compiler, dir));
  const last = runs[runs.length - 1]!;
  return {
    n,
    checkMs: median(runs.map((run) => run.checkMs)),
    totalMs: median(runs.map((run) => run.totalMs)),
    instantiations: last.instantiations,
    memoryKiB: last.memoryKiB,
    errors: runs.flatMap((run) => run.errors),
  };
}

const CHECK_LIMIT = 1.5;

function rowsFor(compiler: Compiler, points: Readonly<Record<Variant, readonly Point[]>>): BenchRow[] {
  const suite = "typecheck";
  const rows: BenchRow[] = [];
  const [kit0, ...kit] = points.kit;
  const [plain0, ...plain] = points.unbranded;
  for (let i = 0; i < kit.length; i++) {
    const k = kit[i]!;
    const p = plain[i]!;
    const ratio = k.checkMs / p.checkMs;
    rows.push({
      suite,
      name: `${compiler.name}: check time, N=${k.n}`,
      value: k.checkMs,
      unit: "ms",
      baseline: "unbranded .d.ts",
      baselineValue: p.checkMs,
      ratio,
      target: `<= ${CHECK_LIMIT}x`,
      pass: ratio <= CHECK_LIMIT,
      details: { kit: k, unbranded: p },
    });
  }
  // Linearity: the instantiations each further use adds (the slope between two N) must stay the
  // same from one step to the next; the first step is measured from the import-only program.
  let previousSlope: number | undefined;
  for (let i = 0; i < kit.length; i++) {
    const k = kit[i]!;
    const p = plain[i]!;
    const before = i === 0 ? kit0! : kit[i - 1]!;
    const slope = (k.instantiations - before.instantiations) / (k.n - before.n);
    const plainBefore = i === 0 ? plain0! : plain[i - 1]!;
    const plainSlope = (p.instantiations - plainBefore.instantiations) / (p.n - plainBefore.n);
    const growth = i === 0 ? undefined : k.instantiations / before.instantiations;
    const growthText = growth === undefined ? "" : `, x${growth.toFixed(2)} for x${k.n / before.n} N`;
    const label = `${compiler.name}: instantiations, N=${k.n} (${(k.instantiations / k.n).toFixed(1)}/use, +${slope.toFixed(1)}/added use${growthText})`;
    const base: BenchRow = {
      suite,
      name: label,
      value: k.instantiations,
      unit: "inst",
      baseline: "unbranded .d.ts",
      baselineValue: p.instantiations,
      details: { n: k.n, perUse: k.instantiations / k.n, addedPerUse: slope, unbrandedAddedPerUse: plainSlope, growth, importOnly: kit0!.instantiations },
    };
    if (previousSlope === undefined) rows.push(base);
    else {
      const ratio = slope / previousSlope;
      rows.push({ ...base, ratio, target: "linear: 0.9-1.1", pass: ratio >= 0.9 && ratio <= 1.1 });
    }
    previousSlope = slope;
  }
  const errors = [...points.kit, ...points.unbranded].flatMap((point) => point.errors);
  const deep = errors.filter((line) => line.includes("TS2589")).length;
  rows.push({
    suite,
    name: `${compiler.name}: diagnostics over all programs (TS2589: ${deep})`,
    value: errors.length,
    unit: "errors",
    target: "0",
    pass: errors.length === 0,
    ...(errors.length === 0 ? {} : { note: `${compiler.name}: ${errors.slice(0, 3).join(" | ")}` }),
  });
  return rows;
}

/**
 * Runs the type-check suite: writes the programs into `.tmp/typecheck/` and checks each with each
 * compiler.
 *
 * @param options - `quick` selects smaller N and fewer repetitions.
 * @returns The rows of every compiler.
 */
export async function benchTypecheck(options: RunOptions): Promise<BenchRow[]> {
  const ns = [0, ...sizes(options)];
  const dirOf = (variant: Variant, n: number): string => join(ROOT, ".tmp", "typecheck", `${variant}-${n}`);
  for (const n of ns) {
    writeProject(dirOf("kit", n), "kit", n, ROOT);
    writeProject(dirOf("unbranded", n), "unbranded", n, ROOT);
  }
  const rows: BenchRow[] = [];
  for (const compiler of COMPILERS) {
    const points: Record<Variant, Point[]> = { kit: [], unbranded: [] };
    for (const [index, n] of ns.entries()) {
      const reps = n === 0 ? 1 : compiler.reps(n, options.quick);
      // Alternate which program goes first so neither always meets a colder machine.
      const order: Variant[] = index % 2 === 0 ? ["kit", "unbranded"] : ["unbranded", "kit"];
      for (const variant of order) points[variant].push(measurePoint(compiler, dirOf(variant, n), n, reps));
      process.stderr.write(` ${compiler.name.split(" ")[0]}:${n}`);
    }
    rows.push(...rowsFor(compiler, points));
  }
  return rows;
}
