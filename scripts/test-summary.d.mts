/** The result of one suite of `npm test`. */
export interface SuiteResult {
  /** The suite's name. */
  readonly suite: string;
  /** How many checks passed. */
  readonly passed: number;
  /** How many checks failed (skipped tests, a missing report and an unexplained non-zero exit included). */
  readonly failed: number;
  /** Timing and remarks, shown in parentheses. */
  readonly note: string;
}

/** How a suite's command ended. */
export interface SuiteRun {
  /** Whether it exited 0. */
  readonly ok: boolean;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/** Reads a report file a suite wrote, or `undefined` when it wrote none. */
export function readReport(path: string): string | undefined;
/** A suite that counts as one check: it passes when the command exits 0. */
export function singleResult(suite: string, run: SuiteRun): SuiteResult;
/** A vitest run, counted from the text of its JSON report (`undefined`: none was written). */
export function vitestResult(suite: string, text: string | undefined, run: SuiteRun): SuiteResult;
/** A runner that writes `{ passed, failed }`, counted from the text of that report. */
export function countedResult(suite: string, text: string | undefined, run: SuiteRun): SuiteResult;
/** A suite that could not run: one failure. */
export function notRunResult(suite: string, note: string): SuiteResult;
/** The sums over all suites. */
export function totals(results: readonly Pick<SuiteResult, "passed" | "failed">[]): { passed: number; failed: number };
/** The summary: one aligned line per suite, then `N passed, N failed`. */
export function summaryLines(results: readonly SuiteResult[]): string[];
