/**
 * Printing and saving benchmark rows: a fixed-width table with notes, and a JSON file per run.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, platform, release } from "node:os";
import type { BenchRow } from "./harness.js";

function format(value: number | undefined): string {
  if (value === undefined) return "";
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return value.toFixed(0);
  return abs >= 100 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

function ratioText(row: BenchRow): string {
  return row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`;
}

function spreadText(row: BenchRow): string {
  return row.spread === undefined ? "" : `${row.spread[0].toFixed(2)}-${row.spread[1].toFixed(2)}`;
}

/**
 * Formats rows as a fixed-width table, followed by the rows' notes.
 *
 * @param rows - Benchmark rows from any suite.
 * @returns The table text.
 */
export function table(rows: readonly BenchRow[]): string {
  const header = ["suite", "benchmark", "value", "unit", "baseline", "base value", "ratio", "spread", "target", "ok"];
  const body = rows.map((row) => [
    row.suite,
    row.name,
    format(row.value),
    row.unit,
    row.baseline ?? "",
    format(row.baselineValue),
    ratioText(row),
    spreadText(row),
    row.target ?? "info",
    row.pass === undefined ? "" : row.pass ? "pass" : "MISS",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  const notes = rows.filter((row) => row.note !== undefined).map((row) => `  - ${row.note}`);
  const misses = rows.filter((row) => row.pass === false).length;
  const targets = rows.filter((row) => row.pass !== undefined).length;
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    `${targets - misses} of ${targets} targets met${misses > 0 ? `, ${misses} MISS` : ""}. ratio = median of the per-round ratios; spread = lowest-highest round.`,
    ...(notes.length > 0 ? ["notes:", ...notes] : []),
  ].join("\n");
}

/** What a saved run records besides its rows. */
export interface RunInfo {
  /** The command-line options of the run. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Seconds the whole run took. */
  readonly seconds: number;
}

/**
 * Writes the rows of a run to `bench/results/<timestamp>.json`.
 *
 * @param rows - Every row of the run.
 * @param info - The run's options and duration.
 * @returns The path written.
 */
export function saveRun(rows: readonly BenchRow[], info: RunInfo): string {
  const date = new Date();
  const stamp = date.toISOString().replace(/[:.]/g, "-");
  const dir = new URL("results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${stamp}.json`, dir);
  const machine = { platform: platform(), release: release(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown" };
  const record = { date: date.toISOString(), node: process.version, machine, ...info, rows };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file.pathname;
}
