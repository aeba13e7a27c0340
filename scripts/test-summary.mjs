// The counting behind `npm test` (scripts/test.mjs): one result per suite from its exit status and
// report, and the summary that ends with `N passed, N failed`. Pure functions, except readReport.
import { existsSync, readFileSync } from "node:fs";

/**
 * Reads a report file a suite wrote, or `undefined` when it wrote none.
 * @param {string} path
 * @returns {string | undefined}
 */
export function readReport(path) {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** @param {number} seconds */
function time(seconds) {
  return `${seconds.toFixed(1)}s`;
}

/** @param {unknown} value @param {readonly string[]} keys */
function numbers(value, keys) {
  if (typeof value !== "object" || value === null) return false;
  return keys.every((key) => Number.isInteger(value[key]) && value[key] >= 0);
}

/** Parses a report; a missing or unreadable one is one failure, so it never reads as a pass. */
function parse(suite, text, keys, seconds) {
  if (text === undefined) return { failure: { suite, passed: 0, failed: 1, note: "no report written" } };
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    report = undefined;
  }
  if (!numbers(report, keys)) return { failure: { suite, passed: 0, failed: 1, note: `${time(seconds)}, unreadable report` } };
  return { report };
}

/**
 * A suite that counts as one check: it passes when the command exits 0.
 * @param {string} suite
 * @param {{ ok: boolean, seconds: number }} run
 */
export function singleResult(suite, { ok, seconds }) {
  return { suite, passed: ok ? 1 : 0, failed: ok ? 0 : 1, note: time(seconds) };
}

/**
 * A vitest run, counted from its JSON report. A skipped or todo test counts as failed, and a run
 * that exited non-zero with no failed test counts one failure more.
 * @param {string} suite
 * @param {string | undefined} text
 * @param {{ ok: boolean, seconds: number }} run
 */
export function vitestResult(suite, text, { ok, seconds }) {
  const parsed = parse(suite, text, ["numPassedTests", "numFailedTests", "numPendingTests", "numTodoTests"], seconds);
  if (parsed.failure) return parsed.failure;
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = parsed.report;
  const skipped = numPendingTests + numTodoTests;
  const unexplained = !ok && numFailedTests === 0;
  const notes = [time(seconds), ...(skipped ? [`${skipped} skipped`] : []), ...(unexplained ? ["exited non-zero"] : [])];
  return { suite, passed: numPassedTests, failed: numFailedTests + skipped + (unexplained ? 1 : 0), note: notes.join(", ") };
}

/**
 * A runner that writes `{ passed, failed }`; a run that exited non-zero with no failure in it counts
 * one failure more.
 * @param {string} suite
 * @param {string | undefined} text
 * @param {{ ok: boolean, seconds: number }} run
 */
export function countedResult(suite, text, { ok, seconds }) {
  const parsed = parse(suite, text, ["passed", "failed"], seconds);
  if (parsed.failure) return parsed.failure;
  const { passed, failed } = parsed.report;
  const unexplained = !ok && failed === 0;
  return { suite, passed, failed: failed + (unexplained ? 1 : 0), note: unexplained ? `${time(seconds)}, exited non-zero` : time(seconds) };
}

/**
 * A suite that could not run: one failure, so a missing suite never reads as a pass.
 * @param {string} suite
 * @param {string} note
 */
export function notRunResult(suite, note) {
  return { suite, passed: 0, failed: 1, note: `not run: ${note}` };
}

/**
 * The sums over all suites.
 * @param {readonly { passed: number, failed: number }[]} results
 */
export function totals(results) {
  return {
    passed: results.reduce((sum, result) => sum + result.passed, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
  };
}

/**
 * The summary: one aligned line per suite, then `N passed, N failed`.
 * @param {readonly { suite: string, passed: number, failed: number, note: string }[]} results
 * @returns {string[]}
 */
export function summaryLines(results) {
  const width = Math.max(0, ...results.map((result) => result.suite.length));
  const lines = results.map(
    (result) => `${result.suite.padEnd(width)}  ${String(result.passed).padStart(5)} passed  ${String(result.failed).padStart(3)} failed  (${result.note})`,
  );
  const { passed, failed } = totals(results);
  return [...lines, `${passed} passed, ${failed} failed`];
}
