/**
 * Runs every benchmark suite, prints one table and writes `bench/results/bench.json`.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { benchCore, type BenchRow } from "./core.js";

function format(value: number | undefined, digits = 2): string {
  if (value === undefined) return "";
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toFixed(digits);
}

/**
 * Formats rows as a fixed-width table.
 *
 * @param rows - Benchmark rows from any suite.
 * @returns The table text.
 */
export function table(rows: readonly BenchRow[]): string {
  const header = ["suite", "benchmark", "value", "unit", "baseline", "base value", "ratio", "target", "ok"];
  const body = rows.map((row) => [
    row.suite,
    row.name,
    format(row.value),
    row.unit,
    row.baseline ?? "",
    format(row.baselineValue),
    row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`,
    row.target ?? "",
    row.pass === undefined ? "" : row.pass ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

const time = Number(process.env.OWNKIT_BENCH_TIME ?? 500);
const rows: BenchRow[] = [...(await benchCore({ time }))];
process.stdout.write(`${table(rows)}\n`);
mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(new URL("results/bench.json", import.meta.url), `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`);
