/**
 * Parsing of misuse case files: the header tags and the `@expect-error` markers.
 *
 * @module
 */
import { basename, extname } from "node:path";
import type { ExpectedDiagnostic, ExpectedThrow, MisuseCase } from "./types.js";

// `// @expect-error TS2339 "fragment"` or `// @expect-error[tsgo-7.0] TS2339 "fragment"`; the
// fragment is double-quoted, with `\"` and `\\` as escapes.
const MARKER = /^\s*\/\/\s*@expect-error(?:\[([^\]\s]*)\])?\s+TS(\d+)\s+"((?:[^"\\]|\\.)*)"\s*$/;
const MARKER_WORD = /\/\/\s*@expect-error\b/;
const EXPECT_THROW = /^@expect-throw\s+([A-Z][A-Z0-9]*)\s+"((?:[^"\\]|\\.)*)"\s*$/;

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** The header block: the first `/** ... *\/` comment, when nothing but blank lines precede it. */
function headerTags(lines: readonly string[]): string[] {
  let start = 0;
  while (start < lines.length && (lines[start] ?? "").trim() === "") start += 1;
  const first = (lines[start] ?? "").trim();
  if (!first.startsWith("/**")) return [];
  const body: string[] = [];
  for (let index = start; index < lines.length; index += 1) {
    let text = (lines[index] ?? "").trim();
    const end = text.includes("*/");
    if (index === start) text = text.slice(3);
    if (end) text = text.slice(0, text.indexOf("*/"));
    text = text.replace(/^\*\s?/, "").trim();
    if (text !== "") body.push(text);
    if (end) break;
  }
  return body.filter((line) => line.startsWith("@"));
}

/**
 * Tells which lines are comments or blank, so markers can skip them to find the line they apply to.
 *
 * @param lines - The file's lines.
 * @returns One flag per line: `true` for a blank line or a line that is entirely comment.
 */
function commentOrBlank(lines: readonly string[]): boolean[] {
  const flags: boolean[] = [];
  let inBlock = false;
  for (const raw of lines) {
    const text = raw.trim();
    if (inBlock) {
      flags.push(true);
      if (text.includes("*/")) inBlock = false;
      continue;
    }
    if (text === "" || text.startsWith("//")) {
      flags.push(true);
    } else if (text.startsWith("/*")) {
      flags.push(text.endsWith("*/") || !text.includes("*/"));
      inBlock = !text.slice(2).includes("*/");
    } else {
      flags.push(false);
    }
  }
  return flags;
}

/**
 * Parses one case file of a misuse catalogue.
 *
 * @remarks
 * Header tags (in the leading `/** *\/` block): `@misuse <id>`, `@title <text>`, `@runtime` and
 * `@expect-throw <ERRNO> "<fragment>"`. Markers are whole-line comments
 * `// @expect-error TS<code> "<fragment>"`, optionally `// @expect-error[<compiler id>] ...`; each
 * applies to the next line that is neither blank nor a comment. Anything that looks like a marker
 * but does not parse, a marker with nothing after it, a compiler id not in `knownCompilers`, and a
 * file with no marker and no `@runtime` tag are recorded in {@link MisuseCase.problems}.
 *
 * @param file - The absolute path of the file.
 * @param source - The file's text.
 * @param knownCompilers - The compiler ids markers may name; `undefined` accepts any id.
 * @returns The parsed case.
 */
export function parseCase(file: string, source: string, knownCompilers?: readonly string[]): MisuseCase {
  const lines = source.split(/\r?\n/);
  const problems: string[] = [];
  let id: string | undefined;
  let title = "";
  let runtime = false;
  let expectThrow: ExpectedThrow | undefined;
  for (const tag of headerTags(lines)) {
    const [name = "", ...rest] = tag.split(/\s+/);
    const value = rest.join(" ");
    if (name === "@misuse") id = value;
    else if (name === "@title") title = value;
    else if (name === "@runtime") runtime = true;
    else if (name === "@expect-throw") {
      const match = EXPECT_THROW.exec(tag);
      if (match) expectThrow = { errno: match[1] ?? "", fragment: unescape(match[2] ?? "") };
      else problems.push(`malformed header tag (want @expect-throw ERRNO "fragment"): ${tag}`);
    }
  }
  if (id === undefined || id === "") id = basename(file, extname(file));

  const skip = commentOrBlank(lines);
  const expected: ExpectedDiagnostic[] = [];
  let malformed = 0;
  lines.forEach((text, index) => {
    if (!MARKER_WORD.test(text)) return;
    const markerLine = index + 1;
    const match = MARKER.exec(text);
    if (!match) {
      malformed += 1;
      problems.push(`line ${markerLine}: malformed marker (want // @expect-error TS<code> "<fragment>"): ${text.trim()}`);
      return;
    }
    const compiler = match[1];
    const fragment = unescape(match[3] ?? "");
    if (compiler === "") problems.push(`line ${markerLine}: empty compiler id in @expect-error[]`);
    else if (compiler !== undefined && knownCompilers !== undefined && !knownCompilers.includes(compiler)) {
      problems.push(`line ${markerLine}: unknown compiler id "${compiler}" (known: ${knownCompilers.join(", ")})`);
    }
    if (fragment.trim() === "") problems.push(`line ${markerLine}: empty message fragment`);
    let target = index + 1;
    while (target < lines.length && skip[target]) target += 1;
    if (target >= lines.length) {
      problems.push(`line ${markerLine}: marker with no code line after it`);
      return;
    }
    expected.push({ code: Number(match[2]), fragment, compiler, line: target + 1, markerLine });
  });

  if (expectThrow !== undefined && !runtime) problems.push("@expect-throw without @runtime");
  if (runtime && expectThrow === undefined) problems.push('@runtime case without @expect-throw ERRNO "fragment"');
  if (!runtime && expected.length === 0 && malformed === 0) problems.push("no @expect-error marker and no @runtime tag");
  return { id, title, file, lines, expected, runtime, expectThrow, problems };
}
