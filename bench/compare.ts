/**
 * Compares the runtime rows of two builds of the package in one interleaved series: a base ref
 * against the head (the working tree by default), each built by `tsc` into its own directory under
 * `.tmp/bench-compare/`, both loaded into one process and timed alternately (base, head, head,
 * base, … over many short rounds), so load on the machine hits both sides alike.
 *
 * Usage: `npm run bench:compare -- --base <git-ref> [--head <git-ref> | --head-worktree]
 * [--only <substring,…>] [--rounds N] [--copies N] [--time ms] [--limit 1.1] [--json]`.
 *
 * It prints one table (row, unit, base, head, head/base, fastest-round ratio, spread of the paired
 * per-round ratios) and flags every row whose head/base ratio is above the limit (1.10). The exit
 * code is 0 whatever the ratios: it is a report, not a test. `--json` prints the result as JSON
 * instead of the table.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CompareRowDef, KitModules, RowTask } from "./compare-rows.js";
import { missingNames } from "./compare-rows.js";
import { median } from "./harness.js";

/** The repository root. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the builds go. */
const BUILDS = join(ROOT, ".tmp", "bench-compare");

/** The default flag limit: a head figure more than 10% above the base one. */
export const DEFAULT_LIMIT = 1.1;

/** A side of the comparison. */
export type SideName = "base" | "head";

/** One build of the package, ready to load. */
export interface Build {
  /** What it was built from: a ref and its commit, or `working tree`. */
  readonly label: string;
  /** The `dist/` directory (holding `index.js` and `core/index.js`). */
  readonly dist: string;
}

/** How long and how often to measure. */
export interface CompareOptions {
  /** Measured rounds; each times every row once per side. */
  readonly rounds: number;
  /** Milliseconds per row per side per round. */
  readonly time: number;
  /** Unmeasured rounds first, to let the JIT settle (default 1). */
  readonly warmupRounds?: number;
  /** The head/base ratio above which a row is flagged. */
  readonly limit?: number;
  /** Called after each round (for progress output). */
  readonly onRound?: (round: number, of: number) => void;
}

/** A row set up on both sides. */
export interface PairedRow {
  /** The row name. */
  readonly name: string;
  /** The unit of the figures. */
  readonly unit: string;
  /** Operations per task call. */
  readonly inner: number;
  /** The base build's task, one per loaded copy of the build. */
  readonly base: readonly RowTask[];
  /** The head build's task, one per loaded copy of the build (as many as `base`). */
  readonly head: readonly RowTask[];
}

/** One loaded copy of a build: its modules and the rows loaded for it. */
export interface LoadedCopy {
  /** The copy's kit modules. */
  readonly kit: KitModules;
  /** The rows, loaded for this copy (their own module instance). */
  readonly rows: readonly CompareRowDef[];
}

/** A row that could not be compared, and why. */
export interface SkippedRow {
  /** The row name. */
  readonly name: string;
  /** Why it was skipped. */
  readonly reason: string;
}

/** One line of the comparison. */
export interface CompareResultRow {
  /** The row name. */
  readonly name: string;
  /** The unit of `base` and `head`. */
  readonly unit: string;
  /** The base build's figure: the median over rounds. */
  readonly base: number;
  /** The head build's figure: the median over rounds. */
  readonly head: number;
  /** `head / base` (above 1: the head is slower). */
  readonly ratio: number;
  /** The ratio of the fastest rounds: `min(head) / min(base)`. */
  readonly fastestRatio: number;
  /** The lowest and highest ratio of a round's head and base figures. */
  readonly spread: readonly [number, number];
  /** Whether `ratio` is above the limit. */
  readonly flagged: boolean;
  /** Whether `fastestRatio` is above the limit too (a flagged row where it is not is likely noise). */
  readonly confirmed: boolean;
  /** The base figure of each round. */
  readonly baseRounds: readonly number[];
  /** The head figure of each round. */
  readonly headRounds: readonly number[];
}

/** The whole comparison. */
export interface CompareReport {
  /** The base build. */
  readonly base: Build;
  /** The head build. */
  readonly head: Build;
  /** The options used. */
  readonly options: { readonly rounds: number; readonly time: number; readonly limit: number; readonly copies: number };
  /** The compared rows, in order. */
  readonly rows: readonly CompareResultRow[];
  /** The rows that were not compared. */
  readonly skipped: readonly SkippedRow[];
}

/**
 * Loads a build's kit modules (`dist/index.js` as `ownkit`, `dist/core/index.js` as `ownkit/core`).
 *
 * @param dist - The build's `dist/` directory.
 * @returns The two modules.
 */
export async function loadKit(dist: string): Promise<KitModules> {
  const root = (await import(pathToFileURL(join(dist, "index.js")).href)) as Record<string, unknown>;
  const core = (await import(pathToFileURL(join(dist, "core", "index.js")).href)) as Record<string, unknown>;
  return { root, core };
}

/**
 * The row groups, each timed on copies of the builds loaded for it alone: the debug rows run the
 * same kit functions as the plain ones on machines that take the slow paths, and sharing the loaded
 * code would let their type feedback shape the plain rows' optimised code (one program rarely
 * mixes both; `npm run bench` measures the plain suites before the debug one).
 */
export const ROW_GROUPS: readonly ((name: string) => boolean)[] = [(name) => !name.startsWith("debug "), (name) => name.startsWith("debug ")];

/**
 * Sets the rows up on both sides, pairing them by name; a row that a side lacks, whose names a
 * build lacks, or whose setup throws is skipped with the reason.
 *
 * @param base - The loaded copies of the base build (at least one).
 * @param head - The loaded copies of the head build (as many as `base`).
 * @param only - Substrings; when given, only rows whose name contains one of them.
 * @param group - The rows these copies are loaded for (see {@link ROW_GROUPS}); all by default.
 * @returns The rows to time and the skipped ones.
 */
export function pairRows(base: readonly LoadedCopy[], head: readonly LoadedCopy[], only?: readonly string[], group: (name: string) => boolean = () => true): { rows: PairedRow[]; skipped: SkippedRow[] } {
  if (base.length === 0 || base.length !== head.length) throw new Error("pairRows: both sides need the same number of copies, at least one");
  const rows: PairedRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const def of base[0]!.rows) {
    if (!group(def.name) || (only !== undefined && !only.some((part) => def.name.includes(part)))) continue;
    const find = (copy: LoadedCopy): CompareRowDef | undefined => copy.rows.find((row) => row.name === def.name);
    if (head.some((copy) => find(copy) === undefined)) {
      skipped.push({ name: def.name, reason: "no such row on the head side" });
      continue;
    }
    const missing = [
      ...missingNames(base[0]!.kit, def.needs).map((name) => `base lacks ${name}`),
      ...missingNames(head[0]!.kit, find(head[0]!)!.needs).map((name) => `head lacks ${name}`),
    ];
    if (missing.length > 0) {
      skipped.push({ name: def.name, reason: `${missing.join(", ")} (the compare rows use public names only)` });
      continue;
    }
    try {
      // Set up copy by copy, alternating sides, so neither side's objects are always the older ones.
      const baseTasks: RowTask[] = [];
      const headTasks: RowTask[] = [];
      base.forEach((copy, index) => {
        baseTasks.push(find(copy)!.setup(copy.kit));
        const other = head[index]!;
        headTasks.push(find(other)!.setup(other.kit));
      });
      rows.push({ name: def.name, unit: def.unit, inner: def.inner, base: baseTasks, head: headTasks });
    } catch (error) {
      skipped.push({ name: def.name, reason: `setup threw: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { rows, skipped };
}

/**
 * Times one task for about `time` milliseconds.
 *
 * @param task - The task.
 * @param inner - Operations per call.
 * @param time - Milliseconds to keep calling it (at least 3 calls).
 * @returns The median time of a call in nanoseconds, divided by `inner`.
 */
function timeSlot(task: RowTask, inner: number, time: number): number {
  const calls: number[] = [];
  const end = performance.now() + time;
  let now = performance.now();
  do {
    const start = now;
    task.run();
    now = performance.now();
    calls.push(now - start);
  } while (now < end || calls.length < 3);
  return (median(calls) * 1e6) / inner;
}

/**
 * Times paired rows in one interleaved series: every round times every row on every loaded copy of
 * both sides back to back, the side going first alternating (base-head, head-base, …).
 *
 * A side's figure for a round is the median over its copies; its figure for the row is the median
 * over rounds.
 *
 * @param rows - The rows, set up on both sides.
 * @param options - Rounds, time per slot, limit.
 * @returns One result per row, in order.
 */
export function runInterleaved(rows: readonly PairedRow[], options: CompareOptions): CompareResultRow[] {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const warmup = options.warmupRounds ?? 1;
  const samples = rows.map(() => ({ base: [] as number[], head: [] as number[] }));
  let flip = 0;
  for (let round = -warmup; round < options.rounds; round++) {
    rows.forEach((row, index) => {
      const figures: Record<SideName, number[]> = { base: [], head: [] };
      for (let copy = 0; copy < row.base.length; copy++) {
        const order: readonly SideName[] = (flip++ & 1) === 0 ? ["base", "head"] : ["head", "base"];
        for (const side of order) figures[side].push(timeSlot(row[side][copy]!, row.inner, options.time));
      }
      if (round >= 0) {
        samples[index]!.base.push(median(figures.base));
        samples[index]!.head.push(median(figures.head));
      }
    });
    if (round >= 0) options.onRound?.(round + 1, options.rounds);
  }
  for (const row of rows) for (const task of [...row.base, ...row.head]) task.done?.();
  return rows.map((row, index) => {
    const { base, head } = samples[index]!;
    const ratios = head.map((figure, i) => figure / base[i]!);
    const ratio = median(head) / median(base);
    return {
      name: row.name,
      unit: row.unit,
      base: median(base),
      head: median(head),
      ratio,
      fastestRatio: Math.min(...head) / Math.min(...base),
      spread: [Math.min(...ratios), Math.max(...ratios)] as const,
      flagged: ratio > limit,
      confirmed: ratio > limit && Math.min(...head) / Math.min(...base) > limit,
      baseRounds: base,
      headRounds: head,
    };
  });
}

function figure(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * Formats a comparison as a fixed-width table with the skipped rows and a summary under it.
 *
 * @param report - The comparison.
 * @returns The text.
 */
export function formatReport(report: CompareReport): string {
  const limit = report.options.limit;
  const header = ["row", "unit", "base", "head", "head/base", "fastest", "spread", "flag"];
  const body = report.rows.map((row) => [
    row.name,
    row.unit,
    figure(row.base),
    figure(row.head),
    `${row.ratio.toFixed(2)}x`,
    `${row.fastestRatio.toFixed(2)}x`,
    `${row.spread[0].toFixed(2)}-${row.spread[1].toFixed(2)}`,
    row.flagged ? (row.confirmed ? `SLOWER >${limit.toFixed(2)}x` : `SLOWER? (fastest not)`) : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i >= 2 && i <= 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  const flagged = report.rows.filter((row) => row.flagged).length;
  const unconfirmed = report.rows.filter((row) => row.flagged && !row.confirmed).length;
  return [
    `base: ${report.base.label}`,
    `head: ${report.head.label}`,
    `${report.options.rounds} interleaved rounds of ${report.options.time} ms per row per loaded copy (${report.options.copies} a side); figures are medians over copies and rounds; head/base = median head / median base; fastest = fastest head round / fastest base round; spread = lowest-highest per-round head/base.`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    `${report.rows.length} rows compared, ${flagged} flagged (head/base > ${limit.toFixed(2)}x${unconfirmed > 0 ? `; ${unconfirmed} of them not in the fastest rounds, likely noise: rerun with --only` : ""})${report.skipped.length > 0 ? `, ${report.skipped.length} skipped` : ""}.`,
    ...(report.skipped.length > 0 ? ["skipped:", ...report.skipped.map((row) => `  - ${row.name}: ${row.reason}`)] : []),
  ].join("\n");
}

/** Rows of `npm run bench` that this tool does not compare, and why. */
export const NOT_COMPARED: readonly SkippedRow[] = [
  { name: "workload binder transactions (and its debug row)", reason: "examples/binder.ts imports `ownkit` statically, so it cannot be pointed at a second build" },
  { name: "page-owner memory rows", reason: "memory figures, not run times; compare them with `npm run bench -- --only page-owner` on each ref" },
  { name: "typecheck rows", reason: "type-checker figures, not run times" },
];

function git(args: readonly string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
}

function tsc(project: string, outDir: string, cwd: string): void {
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project, "--outDir", outDir, "--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"],
    { cwd, stdio: ["ignore", "inherit", "inherit"] },
  );
}

/**
 * Builds a git ref into `.tmp/bench-compare/<commit>/dist` (kept and reused for the same commit):
 * `git archive` of the commit, `node_modules` symlinked, `tsc -p tsconfig.build.json`.
 *
 * @param ref - Any git ref.
 * @returns The build.
 */
export function buildRef(ref: string): Build {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const label = `${ref} (${commit.slice(0, 12)})`;
  const dir = join(BUILDS, commit.slice(0, 12));
  const dist = join(dir, "dist");
  if (existsSync(join(dir, ".built"))) return { label, dist };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive --format=tar "$1" | tar -x -C "$2"`, "sh", commit, dir], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  tsc(join(dir, "tsconfig.build.json"), dist, dir);
  writeFileSync(join(dir, ".built"), `${commit}\n`);
  return { label, dist };
}

/**
 * Builds the working tree's `src/` into `.tmp/bench-compare/worktree/dist` (rebuilt every run).
 *
 * @returns The build.
 */
export function buildWorktree(): Build {
  const dir = join(BUILDS, "worktree");
  const dist = join(dir, "dist");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ type: "module", private: true })}\n`);
  tsc(join(ROOT, "tsconfig.build.json"), dist, ROOT);
  const status = git(["status", "--porcelain", "--", "src"]);
  return { label: `working tree (${git(["rev-parse", "--short=12", "HEAD"])}${status.length > 0 ? " + uncommitted changes in src/" : ""})`, dist };
}

/**
 * Makes a loadable copy of a build's `dist/` (its own files, so its own module instances and JIT
 * state), under `.tmp/bench-compare/copies/<side>-<n>/`.
 *
 * @param dist - The build's `dist/`.
 * @param name - The copy's directory name.
 * @returns The copy's `dist/`.
 */
function copyDist(dist: string, name: string): string {
  const dir = join(BUILDS, "copies", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ type: "module", private: true })}\n`);
  cpSync(dist, join(dir, "dist"), { recursive: true });
  return join(dir, "dist");
}

/**
 * Runs the whole comparison: loads `copies` copies of each build and the rows once per copy, pairs
 * and times them.
 *
 * Each loaded copy of a build is compiled by V8 on its own, and two copies of the same code can
 * settle on machine code that differs by 10-20% for the whole process (measured: identical builds
 * flagged up to 7 of 23 rows with one copy a side). With several copies a side, the median over
 * copies discards a copy that was unlucky.
 *
 * @param base - The base build.
 * @param head - The head build.
 * @param options - Rounds, time, limit, progress.
 * @param copies - Copies of each build loaded (at least 1).
 * @param only - Substrings selecting rows.
 * @returns The report.
 */
export async function compareBuilds(base: Build, head: Build, options: CompareOptions, copies: number, only?: readonly string[]): Promise<CompareReport> {
  const rowsModule = new URL("./compare-rows.ts", import.meta.url).href;
  const load = async (build: Build, side: SideName, group: number, copy: number): Promise<LoadedCopy> => {
    const kit = await loadKit(group === 0 && copy === 0 ? build.dist : copyDist(build.dist, `${side}-g${group}-${copy}`));
    // One rows module instance per copy: its own closures, so V8 keeps separate type feedback.
    const rows = ((await import(`${rowsModule}?side=${side}-g${group}-${copy}`)) as typeof import("./compare-rows.js")).runtimeRows();
    return { kit, rows };
  };
  const rows: PairedRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const [index, group] of ROW_GROUPS.entries()) {
    // Loaded alternately (base 0, head 0, base 1, …) so neither side always loads first.
    const baseCopies: LoadedCopy[] = [];
    const headCopies: LoadedCopy[] = [];
    for (let copy = 0; copy < copies; copy++) {
      baseCopies.push(await load(base, "base", index, copy));
      headCopies.push(await load(head, "head", index, copy));
    }
    const paired = pairRows(baseCopies, headCopies, only, group);
    rows.push(...paired.rows);
    skipped.push(...paired.skipped);
  }
  const results = runInterleaved(rows, options);
  return {
    base,
    head,
    options: { rounds: options.rounds, time: options.time, limit: options.limit ?? DEFAULT_LIMIT, copies },
    rows: results,
    skipped: [...skipped, ...(only === undefined ? NOT_COMPARED : [])],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: "string" },
      head: { type: "string" },
      "head-worktree": { type: "boolean", default: false },
      only: { type: "string" },
      rounds: { type: "string", default: "6" },
      copies: { type: "string", default: "5" },
      time: { type: "string", default: "15" },
      limit: { type: "string", default: String(DEFAULT_LIMIT) },
      json: { type: "boolean", default: false },
    },
  });
  if (values.base === undefined || (values.head !== undefined && values["head-worktree"] === true)) {
    process.stderr.write("usage: npm run bench:compare -- --base <git-ref> [--head <git-ref> | --head-worktree] [--only rows] [--rounds N] [--copies N] [--time ms] [--limit 1.1] [--json]\n");
    process.exit(2);
  }
  const rounds = Number(values.rounds);
  const time = Number(values.time);
  const limit = Number(values.limit);
  const copies = Number(values.copies);
  if (!(Number.isInteger(rounds) && rounds >= 1 && Number.isInteger(copies) && copies >= 1 && time > 0 && limit > 0)) {
    process.stderr.write("--rounds and --copies must be positive integers, --time and --limit positive numbers\n");
    process.exit(2);
  }
  const only = values.only?.split(",").map((part) => part.trim()).filter((part) => part.length > 0);
  process.stderr.write(`building base ${values.base}...\n`);
  const base = buildRef(values.base);
  process.stderr.write(values.head === undefined ? "building the working tree...\n" : `building head ${values.head}...\n`);
  const head = values.head === undefined ? buildWorktree() : buildRef(values.head);
  const started = performance.now();
  const report = await compareBuilds(base, head, {
    rounds,
    time,
    limit,
    onRound: (round, of) => process.stderr.write(`\rround ${round}/${of}`),
  }, copies, only);
  process.stderr.write(` (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
