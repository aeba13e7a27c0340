import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  countedResult,
  notRunResult,
  readReport,
  singleResult,
  summaryLines,
  totals,
  vitestResult,
} from "../../scripts/test-summary.mjs";

/** The counts of a vitest JSON report (the fields the aggregator reads, plus some it ignores). */
function vitestReport(passed: number, failed: number, pending = 0, todo = 0): string {
  return JSON.stringify({ numTotalTests: passed + failed + pending + todo, numPassedTests: passed, numFailedTests: failed, numPendingTests: pending, numTodoTests: todo, success: failed === 0 });
}

const exited0 = { ok: true, seconds: 2.34 };
const exited1 = { ok: false, seconds: 12 };

describe("vitestResult", () => {
  test("counts failed tests, and skipped and todo tests as failed", () => {
    expect(vitestResult("runtime", vitestReport(250, 2, 3, 1), exited1)).toEqual({ suite: "runtime", passed: 250, failed: 6, note: "12.0s, 4 skipped" });
  });

  test("a clean report passes every test", () => {
    expect(vitestResult("runtime", vitestReport(258, 0), exited0)).toEqual({ suite: "runtime", passed: 258, failed: 0, note: "2.3s" });
  });

  test("skipped tests fail the suite even when vitest exited 0", () => {
    expect(vitestResult("runtime", vitestReport(10, 0, 1), exited0)).toMatchObject({ passed: 10, failed: 1, note: "2.3s, 1 skipped" });
  });

  test("a missing report is one failure, 'no report written'", () => {
    expect(vitestResult("runtime", undefined, exited1)).toEqual({ suite: "runtime", passed: 0, failed: 1, note: "no report written" });
    expect(vitestResult("runtime", undefined, exited0)).toEqual({ suite: "runtime", passed: 0, failed: 1, note: "no report written" });
  });

  test("a non-zero exit with no failed test in the report counts one failure", () => {
    expect(vitestResult("runtime", vitestReport(258, 0), exited1)).toEqual({ suite: "runtime", passed: 258, failed: 1, note: "12.0s, exited non-zero" });
  });

  test("a report that is not JSON or lacks the counts is one failure", () => {
    expect(vitestResult("runtime", "{ truncated", exited0)).toEqual({ suite: "runtime", passed: 0, failed: 1, note: "2.3s, unreadable report" });
    expect(vitestResult("runtime", JSON.stringify({ numPassedTests: 3 }), exited0)).toMatchObject({ passed: 0, failed: 1 });
  });
});

describe("countedResult", () => {
  test("takes { passed, failed } as written", () => {
    expect(countedResult("misuse", JSON.stringify({ passed: 119, failed: 0 }), exited0)).toEqual({ suite: "misuse", passed: 119, failed: 0, note: "2.3s" });
    expect(countedResult("misuse", JSON.stringify({ passed: 117, failed: 2, rows: [] }), exited1)).toEqual({ suite: "misuse", passed: 117, failed: 2, note: "12.0s" });
  });

  test("a missing report is one failure, and so is a non-zero exit with zero failures reported", () => {
    expect(countedResult("tsd", undefined, exited1)).toEqual({ suite: "tsd", passed: 0, failed: 1, note: "no report written" });
    expect(countedResult("tsd", JSON.stringify({ passed: 11, failed: 0 }), exited1)).toEqual({ suite: "tsd", passed: 11, failed: 1, note: "12.0s, exited non-zero" });
    expect(countedResult("tsd", JSON.stringify({ passed: "11", failed: 0 }), exited0)).toEqual({ suite: "tsd", passed: 0, failed: 1, note: "2.3s, unreadable report" });
  });
});

test("a single check passes on exit 0, and a suite that did not run is one failure", () => {
  expect(singleResult("build", exited0)).toEqual({ suite: "build", passed: 1, failed: 0, note: "2.3s" });
  expect(singleResult("build", exited1)).toEqual({ suite: "build", passed: 0, failed: 1, note: "12.0s" });
  expect(notRunResult("tsd", "the build failed")).toEqual({ suite: "tsd", passed: 0, failed: 1, note: "not run: the build failed" });
});

test("readReport gives the file's text, or undefined when there is no file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ownkit-summary-"));
  const path = join(dir, "report.json");
  expect(readReport(path)).toBeUndefined();
  writeFileSync(path, '{"passed":1,"failed":0}');
  expect(readReport(path)).toBe('{"passed":1,"failed":0}');
});

describe("summaryLines", () => {
  const results = [
    singleResult("build", exited0),
    vitestResult("runtime tests", vitestReport(250, 2, 3), exited1),
    vitestResult("missing", undefined, exited1),
    notRunResult("misuse", "the build failed"),
  ];

  test("one aligned line per suite, then exactly `N passed, N failed` on its own line", () => {
    expect(summaryLines(results)).toEqual([
      "build              1 passed    0 failed  (2.3s)",
      "runtime tests    250 passed    5 failed  (12.0s, 3 skipped)",
      "missing            0 passed    1 failed  (no report written)",
      "misuse             0 passed    1 failed  (not run: the build failed)",
      "251 passed, 7 failed",
    ]);
    expect(`${summaryLines(results).join("\n")}\n`).toMatch(/\n251 passed, 7 failed\n$/);
    expect(totals(results)).toEqual({ passed: 251, failed: 7 });
  });

  test("with every suite passing, and with no suites at all", () => {
    expect(summaryLines([singleResult("build", exited0)]).at(-1)).toBe("1 passed, 0 failed");
    expect(summaryLines([])).toEqual(["0 passed, 0 failed"]);
  });
});
