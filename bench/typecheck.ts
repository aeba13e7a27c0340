/**
 * The type-check cost of the kit for its consumers: generated programs with N uses of the kit
 * (`typecheck-gen.ts`) against the same programs written against an unbranded declaration file,
 * checked by the TypeScript JS compiler (`node_modules/typescript`) and the TS 7 native compiler
 * (`node_modules/ts7`) with `--extendedDiagnostics`.
 *
 * Rows per compiler: check time with the kit against the unbranded baseline at every N (target at
 * most 1.5x, the median of interleaved repetitions); instantiations at every N, per use and their
 * growth between N steps (target: linear: the instantiations one more use adds, measured between
 * consecutive N, stay within 10% from one step to the next); and the diagnostics (target: none, in particular no TS2589 "excessively deep").
 *
 * A further row per compiler checks a program of N = 1000 closure borrows of a user resource through
 * the kit's generic `withBorrow` (`typecheck-borrow-gen.ts`) against the same program with plain
 * classes (target at most 1.5x).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./build.js";
import { median, type BenchRow, type RunOptions } from "./harness.js";
import { writeBorrowProject } from "./typecheck-borrow-gen.js";
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
    reps: (n, quick) => (quick ? 1 : n <= 1000 ? 3 : 2),
  },
  {
    name: `tsgo ${version("ts7")}`,
    bin: join(ROOT, "node_modules/ts7/bin/tsc"),
    nodeArgs: [],
    reps: (n) => (n <= 1000 ? 5 : 3),
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
/** Why a check-time row misses its target, printed under the table. */
const MISSED_CHECK =
  "missed: every closure call makes a fresh lifetime, and its guard and view types are instantiated for it (66 instantiations per use, linear); a non-generic closure would meet the target but let a view be assigned to an outer view-typed variable, so the stronger guarantee is kept";

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

function point(n: number, runs: readonly CheckRun[]): Point {
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

/**
 * Checks the kit and the unbranded program of one N `reps` times, interleaved (kit, unbranded,
 * unbranded, kit, ...), so a burst of load on the machine hits both.
 */
function measurePair(compiler: Compiler, dirs: Readonly<Record<Variant, string>>, n: number, reps: number): { kit: Point; unbranded: Point; ratios: number[] } {
  const runs: Record<Variant, CheckRun[]> = { kit: [], unbranded: [] };
  const ratios: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order: Variant[] = rep % 2 === 0 ? ["kit", "unbranded"] : ["unbranded", "kit"];
    for (const variant of order) runs[variant].push(check(compiler, dirs[variant]));
    ratios.push(runs.kit[rep]!.checkMs / runs.unbranded[rep]!.checkMs);
  }
  return { kit: point(n, runs.kit), unbranded: point(n, runs.unbranded), ratios };
}

const CHECK_LIMIT = 1.5;

function rowsFor(compiler: Compiler, points: Readonly<Record<Variant, readonly Point[]>>, ratios: readonly (readonly number[])[]): BenchRow[] {
  const suite = "typecheck";
  const rows: BenchRow[] = [];
  const [kit0, ...kit] = points.kit;
  const [plain0, ...plain] = points.unbranded;
  for (let i = 0; i < kit.length; i++) {
    const k = kit[i]!;
    const p = plain[i]!;
    const perRep = ratios[i + 1]!;
    const ratio = median(perRep);
    rows.push({
      suite,
      name: `${compiler.name}: check time, N=${k.n}`,
      value: k.checkMs,
      unit: "ms",
      baseline: "unbranded .d.ts",
      baselineValue: p.checkMs,
      ratio,
      ...(perRep.length > 1 ? { spread: [Math.min(...perRep), Math.max(...perRep)] as const, rounds: perRep } : {}),
      target: `<= ${CHECK_LIMIT}x`,
      pass: ratio <= CHECK_LIMIT,
      details: { kit: k, unbranded: p },
      ...(ratio <= CHECK_LIMIT ? {} : { note: `${compiler.name} N=${k.n}: ${MISSED_CHECK}` }),
    });
  }
  // Linearity: the instantiations each further use adds (the slope between two consecutive N) must
  // stay within 10% from one step to the next. The step from the import-only program also carries
  // the one-time cost of the kit's types on first use, so slopes start at the second N.
  let previousSlope: number | undefined;
  for (let i = 0; i < kit.length; i++) {
    const k = kit[i]!;
    const p = plain[i]!;
    const before = i === 0 ? undefined : kit[i - 1]!;
    const slope = before === undefined ? undefined : (k.instantiations - before.instantiations) / (k.n - before.n);
    const plainBefore = i === 0 ? undefined : plain[i - 1]!;
    const plainSlope = plainBefore === undefined ? undefined : (p.instantiations - plainBefore.instantiations) / (p.n - plainBefore.n);
    const growth = before === undefined ? "" : `, x${(k.instantiations / before.instantiations).toFixed(2)} for x${k.n / before.n} N`;
    const added = slope === undefined ? "" : `, +${slope.toFixed(1)} per added use`;
    const base: BenchRow = {
      suite,
      name: `${compiler.name}: instantiations, N=${k.n} (${(k.instantiations / k.n).toFixed(1)}/use${added}${growth})`,
      value: k.instantiations,
      unit: "inst",
      baseline: "unbranded .d.ts",
      baselineValue: p.instantiations,
      details: { n: k.n, perUse: k.instantiations / k.n, addedPerUse: slope, unbrandedAddedPerUse: plainSlope, importOnly: kit0!.instantiations },
    };
    if (slope === undefined || previousSlope === undefined) rows.push(base);
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
    const ratios: number[][] = [];
    for (const n of ns) {
      const reps = n === 0 ? 1 : compiler.reps(n, options.quick);
      const pair = measurePair(compiler, { kit: dirOf("kit", n), unbranded: dirOf("unbranded", n) }, n, reps);
      points.kit.push(pair.kit);
      points.unbranded.push(pair.unbranded);
      ratios.push(pair.ratios);
      process.stderr.write(` ${compiler.name.split(" ")[0]}:${n}`);
    }
    rows.push(...rowsFor(compiler, points, ratios));
  }
  rows.push(...borrowRows(options));
  return rows;
}

/** The closure-borrow rows: the kit's `withBorrow` program against plain classes, per compiler. */
function borrowRows(options: RunOptions): BenchRow[] {
  const n = options.quick ? 100 : 1000;
  const dirs: Record<Variant, string> = {
    kit: join(ROOT, ".tmp", "typecheck", `borrow-kit-${n}`),
    unbranded: join(ROOT, ".tmp", "typecheck", `borrow-plain-${n}`),
  };
  writeBorrowProject(dirs.kit, "kit", n, ROOT);
  writeBorrowProject(dirs.unbranded, "unbranded", n, ROOT);
  const rows: BenchRow[] = [];
  for (const compiler of COMPILERS) {
    const pair = measurePair(compiler, dirs, n, compiler.reps(n, options.quick));
    const ratio = median(pair.ratios);
    const errors = [...pair.kit.errors, ...pair.unbranded.errors];
    rows.push({
      suite: "typecheck",
      name: `${compiler.name}: ${n} closure borrows (withBorrow), check time`,
      value: pair.kit.checkMs,
      unit: "ms",
      baseline: "plain classes",
      baselineValue: pair.unbranded.checkMs,
      ratio,
      ...(pair.ratios.length > 1 ? { spread: [Math.min(...pair.ratios), Math.max(...pair.ratios)] as const, rounds: pair.ratios } : {}),
      target: `<= ${CHECK_LIMIT}x`,
      pass: ratio <= CHECK_LIMIT && errors.length === 0,
      details: { kit: pair.kit, plain: pair.unbranded },
      ...(errors.length !== 0
        ? { note: `${compiler.name}: ${errors.slice(0, 3).join(" | ")}` }
        : ratio <= CHECK_LIMIT
          ? {}
          : { note: `${compiler.name} closure borrows: ${MISSED_CHECK}` }),
    });
    process.stderr.write(` ${compiler.name.split(" ")[0]}:borrow`);
  }
  return rows;
}
