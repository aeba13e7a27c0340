/**
 * Judging one case against one compiler's diagnostics: did every marked line get exactly its marked
 * diagnostics, and did every other line compile?
 *
 * @module
 */
import type { Diagnostic, ExpectedDiagnostic, LineOutcome, MisuseCase, TypeCheck } from "./types.js";

/**
 * Selects the markers that apply to one compiler.
 *
 * @remarks
 * On a line with any `@expect-error[<id>]` marker for this compiler, only those markers apply to it;
 * on other lines the markers without a compiler id apply. Markers for other compilers never apply.
 *
 * @param expected - Every marker of a case.
 * @param compiler - The compiler id.
 * @returns The markers that apply, in file order.
 */
export function markersFor(expected: readonly ExpectedDiagnostic[], compiler: string): ExpectedDiagnostic[] {
  const specificLines = new Set(expected.filter((marker) => marker.compiler === compiler).map((marker) => marker.line));
  return expected.filter((marker) =>
    specificLines.has(marker.line) ? marker.compiler === compiler : marker.compiler === undefined,
  );
}

/**
 * Tells whether a diagnostic is the one a marker asks for: same code, fragment inside the message
 * (at its start for an anchored quote).
 *
 * @param marker - The marker.
 * @param diagnostic - The diagnostic.
 * @returns `true` when it matches.
 */
export function matches(marker: ExpectedDiagnostic, diagnostic: Diagnostic): boolean {
  if (marker.code !== diagnostic.code) return false;
  return marker.anchored === true ? diagnostic.message.startsWith(marker.fragment) : diagnostic.message.includes(marker.fragment);
}

/** Pairs each marker with a distinct matching diagnostic; `undefined` where none is left. */
function pair(markers: readonly ExpectedDiagnostic[], actual: readonly Diagnostic[]): (number | undefined)[] {
  let best: (number | undefined)[] = markers.map(() => undefined);
  let bestCount = -1;
  const current: (number | undefined)[] = [];
  const used = new Set<number>();
  const search = (index: number, count: number): void => {
    if (bestCount === markers.length) return;
    if (index === markers.length) {
      if (count > bestCount) [best, bestCount] = [[...current], count];
      return;
    }
    const marker = markers[index];
    actual.forEach((diagnostic, at) => {
      if (marker === undefined || used.has(at) || !matches(marker, diagnostic)) return;
      used.add(at);
      current.push(at);
      search(index + 1, count + 1);
      current.pop();
      used.delete(at);
    });
    current.push(undefined);
    search(index + 1, count);
    current.pop();
  };
  search(0, 0);
  return best;
}

/**
 * Shows a marker as `TS2339 "fragment"`.
 *
 * @param marker - The marker.
 * @returns The short form.
 */
export function showExpected(marker: ExpectedDiagnostic): string {
  return `TS${marker.code} "${marker.anchored === false ? "... " : ""}${marker.fragment}"`;
}

/**
 * Shows a diagnostic as `TS2345 "whole message"`.
 *
 * @param diagnostic - The diagnostic.
 * @returns The short form.
 */
export function showDiagnostic(diagnostic: Diagnostic): string {
  return `TS${diagnostic.code} "${diagnostic.message}"`;
}

function judgeLine(line: number, sourceLine: string, expected: ExpectedDiagnostic[], actual: Diagnostic[], reasons: string[]): LineOutcome {
  const where = `line ${line} \`${sourceLine.trim()}\``;
  if (actual.length === 0) {
    reasons.push(`misuse compiled: ${where} has no error, expected ${expected.map(showExpected).join(" and ")}`);
    return { line, sourceLine, expected, actual, verdict: "fail" };
  }
  const pairing = pair(expected, actual);
  const missing = expected.filter((_, index) => pairing[index] === undefined);
  const extra = actual.filter((_, at) => !pairing.includes(at));
  if (missing.length === 0 && extra.length === 0) return { line, sourceLine, expected, actual, verdict: "pass" };
  if (missing.length > 0) {
    const got = extra.length > 0 ? extra.map(showDiagnostic).join(" and ") : "no further diagnostic";
    reasons.push(`${where}: expected ${missing.map(showExpected).join(" and ")}, got ${got}`);
  } else {
    reasons.push(`${where}: unexpected extra ${extra.map(showDiagnostic).join(" and ")}`);
  }
  return { line, sourceLine, expected, actual, verdict: "fail" };
}

/** How {@link judgeCase} treats a case. */
export interface JudgeOptions {
  /**
   * Whether a case that is not a runtime case needs at least one marker (default `true`, as in a
   * catalogue); `false` for a doc example, which may simply compile.
   */
  readonly markerRequired?: boolean;
}

/**
 * Judges one case with one compiler.
 *
 * @remarks
 * Passes when every marked line got exactly its markers' diagnostics (one matching diagnostic per
 * marker, no others) and no other line has any diagnostic. Fails with one reason per problem:
 * `misuse compiled`, `expected TS… "…", got TS… "…"`, `unexpected extra TS…`, `correct use does
 * not compile: TS…`, or no marker applying to this compiler in a case that is not a runtime case.
 *
 * @param kase - The parsed case (without catalogue problems).
 * @param compiler - The compiler id.
 * @param diagnostics - The compiler's diagnostics in this case's file.
 * @param options - Whether a case without markers fails (it does by default).
 * @returns The type check.
 */
export function judgeCase(kase: MisuseCase, compiler: string, diagnostics: readonly Diagnostic[], options: JudgeOptions = {}): TypeCheck {
  const markers = markersFor(kase.expected, compiler);
  const reasons: string[] = [];
  if (markers.length === 0 && !kase.runtime && options.markerRequired !== false) reasons.push(`no @expect-error marker applies to compiler ${compiler}`);
  const markedLines = [...new Set(markers.map((marker) => marker.line))].sort((a, b) => a - b);
  const lines = markedLines.map((line) =>
    judgeLine(
      line,
      kase.lines[line - 1] ?? "",
      markers.filter((marker) => marker.line === line),
      diagnostics.filter((diagnostic) => diagnostic.line === line),
      reasons,
    ),
  );
  const unmarked = diagnostics.filter((diagnostic) => !markedLines.includes(diagnostic.line));
  for (const diagnostic of unmarked) {
    reasons.push(`correct use does not compile: TS${diagnostic.code} at line ${diagnostic.line} \`${diagnostic.sourceLine.trim()}\`: ${diagnostic.message}`);
  }
  return { compiler, verdict: reasons.length === 0 ? "pass" : "fail", reasons, lines, unmarked, diagnostics };
}
