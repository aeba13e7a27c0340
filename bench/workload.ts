/**
 * The binder workload (`examples/binder.ts`): transactions copied page by page into receivers'
 * lazily allocated pages and read back with a checksum, through the kit (`Owned<Page>`,
 * `withPointerIntoPage`, `kmapLocal` with `using`) against the identical loop on plain
 * `ArrayBuffer` pages, and on a debug machine against a plain one.
 *
 * @module
 */
import { Machine, type MachineConfig } from "ownkit/core";
import { kitPageStore, plainPageStore, runBinderWith, type BinderResult } from "../examples/binder.js";
import { median, type BenchRow, type RunOptions } from "./harness.js";

/** One way of running the workload: returns the run's result. */
export type BinderRunner = (transactions: number) => BinderResult;

/**
 * Runs the workload on the kit's pages on a fresh machine.
 *
 * @param config - The machine configuration (for example `{ debug: true }`).
 * @returns The runner.
 */
export function kitRunner(config: MachineConfig): BinderRunner {
  return (transactions) => {
    const machine = new Machine({ ramSize: 64 << 20, ...config });
    const result = runBinderWith(kitPageStore(machine), { transactions });
    machine.checkConsistency();
    return result;
  };
}

/** Runs the workload on plain `ArrayBuffer` pages. */
export const plainRunner: BinderRunner = (transactions) => runBinderWith(plainPageStore(), { transactions });

/** The transactions per round. */
export function transactionsPerRound(options: RunOptions): number {
  return options.quick ? 3000 : 10_000;
}

/** What a binder comparison row needs. */
export interface BinderSpec {
  /** The suite name. */
  readonly suite: string;
  /** The row name. */
  readonly name: string;
  /** What the baseline is. */
  readonly baseline: string;
  /** The maximum slowdown, or undefined for an informational row. */
  readonly limit?: number;
  /** A remark for the notes. */
  readonly note?: string;
}

/**
 * Runs two ways of the workload in alternating order for `options.rounds` rounds (after one warm-up
 * run each) and compares their transaction rates.
 *
 * @param options - Rounds and size.
 * @param spec - Names and target.
 * @param subject - The measured way.
 * @param base - The baseline way.
 * @returns The row: transactions per second of each, and the slowdown (baseline rate / subject rate).
 */
export function compareBinder(options: RunOptions, spec: BinderSpec, subject: BinderRunner, base: BinderRunner): BenchRow {
  const transactions = transactionsPerRound(options);
  const rate = (result: BinderResult): number => {
    if (result.checksumFailures !== 0) throw new Error(`binder: ${result.checksumFailures} checksum failures (${result.store})`);
    return result.transactions / (result.elapsedMs / 1000);
  };
  rate(subject(transactions));
  rate(base(transactions));
  const subjectRates: number[] = [];
  const baseRates: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      subjectRates.push(rate(subject(transactions)));
      baseRates.push(rate(base(transactions)));
    } else {
      baseRates.push(rate(base(transactions)));
      subjectRates.push(rate(subject(transactions)));
    }
  }
  const ratios = subjectRates.map((s, i) => baseRates[i]! / s);
  const ratio = median(ratios);
  const row: BenchRow = {
    suite: spec.suite,
    name: spec.name,
    value: median(subjectRates),
    unit: "tx/s",
    baseline: spec.baseline,
    baselineValue: median(baseRates),
    ratio,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    rounds: ratios,
    ...(spec.note === undefined ? {} : { note: spec.note }),
  };
  return spec.limit === undefined ? row : { ...row, target: `<= ${spec.limit}x`, pass: ratio <= spec.limit };
}

/**
 * Runs the workload suite: binder through the kit against the same loop on plain `ArrayBuffer`s.
 *
 * @param options - Rounds and size.
 * @returns One informational row (the ratio is the slowdown: plain rate / kit rate).
 */
export async function benchWorkload(options: RunOptions): Promise<BenchRow[]> {
  return [
    compareBinder(
      options,
      {
        suite: "workload",
        name: `binder transactions (${transactionsPerRound(options)}/round)`,
        baseline: "same loop, plain ArrayBuffer",
        note: "binder: ratio = plain tx/s / kit tx/s (slowdown); informational, no target was set for the whole workload",
      },
      kitRunner({}),
      plainRunner,
    ),
  ];
}
