/**
 * The measuring harness shared by the runtime suites: several tinybench rounds per comparison, each
 * round timing the subject and its baseline back to back, and rows built from the per-round ratios
 * (median and spread).
 *
 * @module
 */
import { Bench } from "tinybench";

/** One line of a benchmark table. */
export interface BenchRow {
  /** The suite, for example `"core"`. */
  readonly suite: string;
  /** What was measured. */
  readonly name: string;
  /** The subject's figure (ns per operation, bytes, ms...); the median over rounds. */
  readonly value: number;
  /** The unit of `value`. */
  readonly unit: string;
  /** What the ratio compares against, when there is a baseline. */
  readonly baseline?: string;
  /** The baseline's figure in the same unit; the median over rounds. */
  readonly baselineValue?: number;
  /** The ratio as the target states it (see `target`): the median of the per-round ratios. */
  readonly ratio?: number;
  /** The smallest and largest per-round ratio. */
  readonly spread?: readonly [number, number];
  /** The per-round ratios, in round order. */
  readonly rounds?: readonly number[];
  /** The goal, for example `"<= 2x"`; absent for rows that only inform. */
  readonly target?: string;
  /** Whether the goal was met; absent for rows without a target. */
  readonly pass?: boolean;
  /** A short remark printed under the table (what the ratio means, why a row is informational). */
  readonly note?: string;
  /** Further figures, saved in the JSON only. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** How long and how often the runtime suites measure. */
export interface RunOptions {
  /** Milliseconds per task per round. */
  readonly time: number;
  /** Rounds per comparison; the ratio reported is the median of the per-round ratios. */
  readonly rounds: number;
  /** Smaller sizes and fewer repetitions (`--quick`). */
  readonly quick: boolean;
}

/** Keeps results alive so the optimiser cannot drop the measured work. */
export let sink: unknown;

/**
 * Stores a value in {@link sink}.
 *
 * @param value - Anything the measured code produced.
 */
export function keep(value: unknown): void {
  sink = value;
}

/** Per-round nanoseconds per inner operation, by task name. */
export type Samples = Readonly<Record<string, readonly number[]>>;

/**
 * Times every task for `options.rounds` rounds; each round is a fresh tinybench run of all tasks,
 * in alternating order so neither side always runs first.
 *
 * @param options - Time per task and number of rounds.
 * @param tasks - The tasks by name; each call performs `inner` operations.
 * @param inner - Operations per task call.
 * @param minIterations - Task calls per round at least, whatever the time (tinybench's `iterations`).
 * @returns Median nanoseconds per operation of each task, per round.
 */
export async function measure(options: RunOptions, tasks: Readonly<Record<string, () => void>>, inner: number, minIterations = 64): Promise<Samples> {
  const names = Object.keys(tasks);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const bench = new Bench({ time: options.time, iterations: minIterations, warmupTime: Math.min(50, options.time / 2), warmupIterations: Math.min(16, minIterations), throws: true });
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) bench.add(name, tasks[name]!);
    await bench.run();
    for (const name of names) {
      const result = bench.getTask(name)?.result;
      if (result === undefined || !("latency" in result)) throw new Error(`benchmark task ${name} did not complete`);
      samples[name]!.push((result.latency.p50 * 1e6) / inner);
    }
  }
  return samples;
}

/**
 * The median of a list of numbers.
 *
 * @param values - At least one number.
 * @returns The middle value (the mean of the two middle ones for an even count).
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What a comparison row needs besides the samples. */
export interface CompareSpec {
  /** The suite name. */
  readonly suite: string;
  /** The row name. */
  readonly name: string;
  /** The unit of the two figures (`ns/op`, `ns/pair`...). */
  readonly unit: string;
  /** What the baseline is. */
  readonly baseline: string;
  /**
   * How the ratio is formed: `"slowdown"` is subject time / baseline time (lower is better, the
   * target is a maximum); `"speed"` is baseline time / subject time (higher is better, the target is
   * a minimum).
   */
  readonly kind: "slowdown" | "speed";
  /** The bound on the ratio; absent for an informational row. */
  readonly limit?: number;
  /** A remark for the notes under the table. */
  readonly note?: string;
}

/**
 * Builds a row comparing two tasks measured in the same rounds.
 *
 * @param spec - Names, unit and target.
 * @param subject - The subject's per-round figures.
 * @param base - The baseline's per-round figures.
 * @returns The row: median figures, the median per-round ratio and its spread.
 */
export function compare(spec: CompareSpec, subject: readonly number[], base: readonly number[]): BenchRow {
  const ratios = subject.map((s, i) => (spec.kind === "slowdown" ? s / base[i]! : base[i]! / s));
  const ratio = median(ratios);
  const row: BenchRow = {
    suite: spec.suite,
    name: spec.name,
    value: median(subject),
    unit: spec.unit,
    baseline: spec.baseline,
    baselineValue: median(base),
    ratio,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    rounds: ratios,
  };
  const withNote = spec.note === undefined ? row : { ...row, note: spec.note };
  if (spec.limit === undefined) return withNote;
  const target = spec.kind === "slowdown" ? `<= ${spec.limit}x` : `>= ${spec.limit}x`;
  const pass = spec.kind === "slowdown" ? ratio <= spec.limit : ratio >= spec.limit;
  return { ...withNote, target, pass };
}
