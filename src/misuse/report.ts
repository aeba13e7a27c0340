/**
 * Turning case results into report rows, and rows into the text table the CLI prints.
 *
 * @module
 */
import { relative } from "node:path";
import { markersFor, showExpected } from "./match.js";
import type { CaseResult, CatalogueResult, CompilerRun, ResultRow, RuntimeCheck, TypeCheck } from "./types.js";

function typeRow(result: CaseResult, check: TypeCheck, file: string): ResultRow {
  const kase = result.case;
  const markers = markersFor(kase.expected, check.compiler);
  const marked = check.lines.flatMap((line) => line.actual.map((diagnostic) => `TS${diagnostic.code}`));
  let got = markers.length === 0 ? (check.unmarked.length === 0 ? "compiles" : "") : marked.length === 0 ? "none" : marked.join(", ");
  const unmarked = check.unmarked.map((diagnostic) => `TS${diagnostic.code} at line ${diagnostic.line}`);
  if (unmarked.length > 0) got = [got, ...unmarked].filter((part) => part !== "").join("; ");
  return {
    case: kase.id,
    title: kase.title,
    file,
    compiler: check.compiler,
    kind: "type",
    expected: markers.length === 0 ? "compiles" : markers.map(showExpected).join("; "),
    got,
    verdict: check.verdict,
    reasons: check.reasons,
  };
}

function runtimeRow(result: CaseResult, check: RuntimeCheck, file: string): ResultRow {
  const expected = result.case.expectThrow;
  let got: string;
  if (check.misuse === undefined) got = "did not run";
  else if (check.correct?.threw) got = `correct() threw ${check.correct.errno ?? check.correct.name ?? "error"}`;
  else if (!check.misuse.threw) got = "returned";
  else got = `throws ${check.misuse.errno ?? check.misuse.name ?? "error"}`;
  return {
    case: result.case.id,
    title: result.case.title,
    file,
    compiler: "node",
    kind: "runtime",
    expected: expected === undefined ? "-" : `throws ${expected.errno} "${expected.fragment}"`,
    got,
    verdict: check.verdict,
    reasons: check.reasons,
  };
}

/**
 * Builds the report rows: per case, one row per compiler and one for its execution, or one
 * catalogue-error row; then one row per compiler run that went wrong outside the cases.
 *
 * @param cases - The case results.
 * @param compilerRuns - The compiler runs.
 * @param cwd - The directory file names are shown relative to.
 * @param dir - The catalogue directory, named by the row for an empty catalogue.
 * @returns The rows.
 */
export function buildRows(cases: readonly CaseResult[], compilerRuns: readonly CompilerRun[], cwd: string, dir: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const result of cases) {
    const file = relative(cwd, result.case.file);
    if (result.case.problems.length > 0) {
      rows.push({
        case: result.case.id,
        title: result.case.title,
        file,
        compiler: "-",
        kind: "catalogue",
        expected: "-",
        got: "-",
        verdict: "fail",
        reasons: result.case.problems.map((problem) => `catalogue error in ${file}: ${problem}`),
      });
      continue;
    }
    for (const check of result.typeChecks) rows.push(typeRow(result, check, file));
    if (result.runtime !== undefined) rows.push(runtimeRow(result, result.runtime, file));
  }
  for (const run of compilerRuns) {
    if (run.problem !== undefined) {
      rows.push({
        case: "-",
        title: "compiler run",
        file: "-",
        compiler: run.compiler.id,
        kind: "catalogue",
        expected: "exit 0 or errors",
        got: run.exitCode === null ? "killed" : `exit ${run.exitCode}, no errors`,
        verdict: "fail",
        reasons: [run.problem],
      });
    }
    if (run.stray.length === 0) continue;
    rows.push({
      case: "-",
      title: "diagnostics outside the case files",
      file: "-",
      compiler: run.compiler.id,
      kind: "catalogue",
      expected: "none",
      got: run.stray.map((diagnostic) => `TS${diagnostic.code}`).join(", "),
      verdict: "fail",
      reasons: run.stray.map((diagnostic) => {
        const where = diagnostic.file === undefined ? "" : `${relative(cwd, diagnostic.file)}(${diagnostic.line},${diagnostic.column}): `;
        return `${where}TS${diagnostic.code}: ${diagnostic.message}`;
      }),
    });
  }
  if (cases.length === 0) {
    rows.push({
      case: "-",
      title: "empty catalogue",
      file: "-",
      compiler: "-",
      kind: "catalogue",
      expected: "case files",
      got: "none",
      verdict: "fail",
      reasons: [`no .ts case files in ${relative(cwd, dir) || "."}`],
    });
  }
  return rows;
}

function cell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/**
 * Formats a run as the CLI prints it: a table (case, title, compiler, expected, got, verdict), the
 * reasons for each failure, the compilers with their timings, and `misuse: N passed, N failed`.
 *
 * @param result - The run.
 * @returns The text, ending with a newline.
 */
export function formatReport(result: CatalogueResult): string {
  return formatRows(result.rows, result.compilerRuns, result.seconds, "misuse");
}

/**
 * Formats report rows as a table, the reasons for each failure, the compilers with their timings,
 * and `<label>: N passed, N failed`.
 *
 * @param rows - The rows.
 * @param compilerRuns - The compiler runs, for their timings.
 * @param seconds - Wall-clock seconds of the whole run.
 * @param label - The word that starts the last line.
 * @param notes - Lines printed before the timings (such as the blocks that were not compiled).
 * @returns The text, ending with a newline.
 */
export function formatRows(rows: readonly ResultRow[], compilerRuns: readonly CompilerRun[], seconds: number, label: string, notes: readonly string[] = []): string {
  const header = ["case", "title", "compiler", "expected", "got", "verdict"];
  const limits = [44, 36, 10, 48, 28, 7];
  const body = rows.map((row) => [row.case, row.title, row.compiler, row.expected, row.got, row.verdict === "pass" ? "pass" : "FAIL"]);
  const table = [header, ...body].map((cells) => cells.map((text, index) => cell(text, limits[index] ?? 40)));
  const widths = header.map((_, index) => Math.max(...table.map((cells) => (cells[index] ?? "").length)));
  const lines = table.map((cells) => cells.map((text, index) => text.padEnd(widths[index] ?? 0)).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((width) => "-".repeat(width)).join("  "));
  const failures = rows.filter((row) => row.verdict === "fail");
  if (failures.length > 0) {
    lines.push("", "failures:");
    for (const row of failures) {
      lines.push(`  ${row.case} [${row.compiler}] ${row.file}`);
      for (const reason of row.reasons) lines.push(`    ${reason.replace(/\n/g, "\n      ")}`);
    }
  }
  if (notes.length > 0) lines.push("", ...notes);
  lines.push("");
  for (const run of compilerRuns) {
    lines.push(`${run.compiler.id} (${run.compiler.label}${run.version === undefined || run.compiler.label.includes(run.version) ? "" : `, ${run.version}`}): ${run.seconds.toFixed(2)}s`);
  }
  lines.push(`total: ${seconds.toFixed(2)}s`);
  lines.push(`${label}: ${rows.filter((row) => row.verdict === "pass").length} passed, ${rows.filter((row) => row.verdict === "fail").length} failed`);
  return `${lines.join("\n")}\n`;
}
