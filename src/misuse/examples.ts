/**
 * Doc examples as misuse cases: every fenced ```` ```ts ```` block of the Markdown guides and of the
 * `@example` tags in doc comments, compiled on every configured compiler, each quoted error checked.
 *
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { kernelError } from "../errors.js";
import { writeTsconfig } from "./compile.js";
import { type CompilerConfig, loadConfig } from "./config.js";
import { judgeCase, showExpected } from "./match.js";
import { formatRows } from "./report.js";
import { compileAll } from "./run.js";
import type { CompilerRun, CompilerSpec, Diagnostic, ExpectedDiagnostic, MisuseCase, ResultRow, TypeCheck } from "./types.js";

/** Where a block was found: a Markdown file, or a doc comment's `@example` tag in a source file. */
export type ExampleSourceKind = "markdown" | "doc-comment";

/**
 * One fenced TypeScript block of the docs, with the errors its comments quote.
 *
 * @invariant `lines[i]` is the text of line `firstLine + i` of `source`, without the doc comment's
 * ` * ` prefix or the fence's indentation.
 */
export interface ExampleBlock {
  /** The absolute path of the file the block is in. */
  readonly source: string;
  /** Whether the block is in a Markdown file or a doc comment. */
  readonly kind: ExampleSourceKind;
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The 1-based line of the block's first line of code (the line after the fence). */
  readonly firstLine: number;
  /** The code, one entry per line. */
  readonly lines: readonly string[];
  /**
   * Why the block is not compiled (the text after `no-compile:` in the fence's info string), or
   * `undefined` for a block that is compiled.
   */
  readonly noCompile: string | undefined;
  /** The quoted errors; each `line` is a line of `source`, as is each `markerLine`. */
  readonly expected: readonly ExpectedDiagnostic[];
  /** What is wrong with the block as an example (a malformed quote, a marker without reason). */
  readonly problems: readonly string[];
}

/** The languages of a fence that make it a TypeScript example. */
const TS_LANGUAGES = new Set(["ts", "typescript", "mts", "cts"]);
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`~]*)\s*(.*)$/;
const NO_COMPILE = /^no-compile(?::\s*(.*))?$/;
/** A comment that claims to quote a compiler error: `// error TS…` or `// error:`. */
const ERROR_WORD = /\/\/\s*error(?:\[[^\]]*\])?(?:\s+TS\d|\s*:)/;
/**
 * `<code> // error TS2345: <message>`, or `// error[<compiler id>] TS2345: <message>`; the code
 * before it is empty for a comment on its own line.
 */
const ERROR_QUOTE = /^(.*?)\/\/\s*error(?:\[([^\]\s]+)\])? (TS(\d+)): (.*)$/;
/** A comment line that continues the quote above it: `//` and at least two spaces. */
const CONTINUATION = /^\s*\/\/ {2,}(\S.*)$/;
/** A comment directive that silences the compiler: `ts-ignore`, `ts-expect-error` or `ts-nocheck` after an at sign. */
const SILENCER = /\/[/*]\s*@ts-(ignore|expect-error|nocheck)\b/;
/** A fence language that starts like TypeScript but is not one of {@link TS_LANGUAGES} (`ts:title`, `ts{1,3}`). */
const TS_LIKE = /^(ts|typescript|mts|cts)[^\w\s]/i;

/**
 * Reads the message fragment out of a quoted error, as the consumer matrix does: the text before the
 * first `...` (or `…`) elision, or the first non-empty piece between elisions, without surrounding
 * double quotes or a final period.
 *
 * @param quote - The quoted message (continuation lines already joined with spaces).
 * @returns The fragment; empty when the quote elides everything.
 */
export function quoteFragment(quote: string): string {
  return quotePieces(quote).pieces[0] ?? "";
}

/** A quoted message split at its elisions, as {@link parseQuotes} reads it. */
export interface QuotePieces {
  /**
   * The non-empty pieces between elisions (`...` or `…`), in order, each without surrounding double
   * quotes or a final period; the first is the {@link quoteFragment}, the one that is checked.
   */
  readonly pieces: string[];
  /** Whether the quote opens with text rather than an elision: the message must then start with it. */
  readonly anchored: boolean;
}

/**
 * Splits a quoted message at its elisions; the message must start with the first piece unless the
 * quote opens with an elision (then it must contain it). The later pieces are for the reader.
 *
 * @param quote - The quoted message (continuation lines already joined with spaces).
 * @returns The pieces and whether the first is anchored at the message's start.
 */
export function quotePieces(quote: string): QuotePieces {
  const parts = quote.replace(/\s+/g, " ").split(/\.\.\.|…/).map((part) => part.trim());
  const pieces = parts
    .map((part) => part.replace(/^"/, "").replace(/"$/, "").replace(/\.$/, "").trim())
    .filter((part) => part !== "");
  return { pieces, anchored: (parts[0] ?? "") !== "" };
}

/** Whether a line of code is blank or entirely a `//` comment. */
function blankOrComment(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === "" || trimmed.startsWith("//") || trimmed.startsWith("/*") || trimmed.startsWith("*");
}

/** The errors a block quotes, and what is wrong with its quotes. */
export interface QuotedErrors {
  /** The quoted errors, in order; each `line` is the source line it applies to. */
  readonly expected: ExpectedDiagnostic[];
  /** One sentence per malformed quote, naming its source line. */
  readonly problems: string[];
}

/** A block marked `no-compile`, as the report lists it. */
export interface SkippedExample {
  /** `file:line` of the block's fence, the file relative to the working directory. */
  readonly where: string;
  /** The reason given after `no-compile:`. */
  readonly reason: string;
}

/**
 * Reads the errors a block's comments quote.
 *
 * @remarks
 * A quote is `// error TS<code>: <message>`, either after the code on the offending line or on a
 * line of its own directly under it (then it applies to the nearest line above that is neither
 * blank nor a comment, so several quotes under one line expect several diagnostics there). Where
 * compilers word an error differently, `// error[<compiler id>] TS<code>: <message>` applies to that
 * compiler only, and on its line replaces the plain quotes for it (as `@expect-error[<id>]` does). Comment
 * lines right after a quote that start with `//` and two or more spaces continue its message. The
 * message is matched as {@link quotePieces} reads it: it must start with the quote's
 * {@link quoteFragment}, or contain it when the quote opens with `...`. A comment that says
 * `// error` in another shape, or whose fragment is empty, is a problem, and so is a
 * `ts-ignore`, `ts-expect-error` or `ts-nocheck` directive (after an at sign), which would hide errors.
 *
 * @param lines - The block's code.
 * @param firstLine - The source line of `lines[0]`.
 * @returns The quoted errors (lines are source lines) and the problems.
 */
export function parseQuotes(lines: readonly string[], firstLine: number): QuotedErrors {
  const expected: ExpectedDiagnostic[] = [];
  const problems: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? "";
    const silencer = SILENCER.exec(text);
    if (silencer) {
      problems.push(`line ${firstLine + index}: an example may not silence the compiler with @ts-${silencer[1] ?? ""}; quote the error instead`);
      continue;
    }
    if (!ERROR_WORD.test(text)) continue;
    const markerLine = firstLine + index;
    const quote = ERROR_QUOTE.exec(text);
    if (!quote) {
      problems.push(`line ${markerLine}: an error quote needs its code, as in "// error TS2345: Argument of type ...": ${text.trim()}`);
      continue;
    }
    const parts = [quote[5] ?? ""];
    while (index + 1 < lines.length) {
      const more = CONTINUATION.exec(lines[index + 1] ?? "");
      if (!more || ERROR_WORD.test(lines[index + 1] ?? "")) break;
      parts.push(more[1] ?? "");
      index += 1;
    }
    const { pieces, anchored } = quotePieces(parts.join(" "));
    const fragment = pieces[0] ?? "";
    if (fragment === "") {
      problems.push(`line ${markerLine}: the quote of ${quote[3]} has no message text before its first "..." to check`);
      continue;
    }
    let target = markerLine - firstLine;
    if ((quote[1] ?? "").trim() === "") {
      target -= 1;
      while (target >= 0 && blankOrComment(lines[target] ?? "")) target -= 1;
      if (target < 0) {
        problems.push(`line ${markerLine}: the quote of ${quote[3]} has no line of code above it`);
        continue;
      }
    }
    expected.push({ code: Number(quote[4]), fragment, compiler: quote[2], line: firstLine + target, markerLine, anchored });
  }
  return { expected, problems };
}

/** Builds a block from its fence and code. */
function makeBlock(source: string, kind: ExampleSourceKind, line: number, lines: string[], info: string): ExampleBlock {
  const problems: string[] = [];
  let noCompile: string | undefined;
  if (info !== "") {
    const marker = NO_COMPILE.exec(info);
    if (!marker) problems.push(`line ${line}: unknown fence option "${info}" (the only one is "no-compile: <reason>")`);
    else {
      noCompile = (marker[1] ?? "").trim();
      // A reason says something: at least two words ("-" or "x" is no reason).
      if ((noCompile.match(/\p{L}{2,}/gu) ?? []).length < 2) problems.push(`line ${line}: "no-compile" needs a reason: \`\`\`ts no-compile: <why this block is not compiled>`);
    }
  }
  const quotes = noCompile === undefined ? parseQuotes(lines, line + 1) : { expected: [], problems: [] };
  return { source, kind, line, firstLine: line + 1, lines, noCompile, expected: quotes.expected, problems: [...problems, ...quotes.problems] };
}

/**
 * Finds the fenced TypeScript blocks of some lines of Markdown.
 *
 * @param source - The file, for the blocks' `source`.
 * @param kind - What kind of file the lines come from.
 * @param lines - The Markdown, one entry per line (a doc comment's with its ` * ` prefix removed).
 * @param lineOf - The source line of `lines[i]`.
 * @returns The blocks whose language is `ts` (or `typescript`, `mts`, `cts`), in order.
 */
function fencedBlocks(source: string, kind: ExampleSourceKind, lines: readonly string[], lineOf: (index: number) => number): ExampleBlock[] {
  const blocks: ExampleBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = FENCE.exec(lines[index] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", lang = "", info = ""] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end += 1) {
      const text = lines[end] ?? "";
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(text);
      if (close && (close[1] ?? "")[0] === fence[0] && (close[1] ?? "").length >= fence.length) break;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
    }
    if (TS_LANGUAGES.has(lang.toLowerCase())) blocks.push(makeBlock(source, kind, lineOf(index), body, info.trim()));
    else if (TS_LIKE.test(lang)) {
      // Neither compiled nor silently skipped: a misspelt fence would hide its example.
      const block = makeBlock(source, kind, lineOf(index), body, "");
      blocks.push({ ...block, problems: [`line ${block.line}: unknown fence language "${lang}" (a TypeScript example is \`\`\`ts, with "no-compile: <reason>" as its only option)`, ...block.problems] });
    }
    index = end;
  }
  return blocks;
}

/**
 * Extracts the TypeScript blocks of a Markdown file.
 *
 * @param source - The file's path (kept in each block).
 * @param text - The file's text.
 * @returns The ```` ```ts ```` blocks, in order.
 */
export function markdownExamples(source: string, text: string): ExampleBlock[] {
  return fencedBlocks(source, "markdown", text.split(/\r?\n/), (index) => index + 1);
}

/**
 * Extracts the TypeScript blocks of the `@example` tags in a source file's doc comments.
 *
 * @remarks
 * A tag's section runs from `@example` to the next block tag (a line starting with `@`) or the end
 * of the comment; each fenced TypeScript block in it is an example, and a section with text but no
 * fence at all is a block with a problem (its code would go unchecked). Fences outside `@example`
 * sections are not examples.
 *
 * @param source - The file's path (kept in each block).
 * @param text - The file's text.
 * @returns The blocks, in order.
 */
export function docCommentExamples(source: string, text: string): ExampleBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: ExampleBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (!/^\s*\/\*\*/.test(lines[index] ?? "") || (lines[index] ?? "").includes("*/")) continue;
    let section: { start: number; lines: string[] } | undefined;
    const flush = (): void => {
      if (section === undefined) return;
      const start = section.start;
      const found = fencedBlocks(source, "doc-comment", section.lines, (at) => start + at + 1);
      blocks.push(...found);
      // An example whose code is not fenced would be neither compiled nor reported.
      if (found.length === 0 && !section.lines.some((text) => FENCE.test(text)) && section.lines.some((text) => text.trim() !== "")) {
        const block = makeBlock(source, "doc-comment", start + 1, [], "");
        blocks.push({ ...block, problems: [`line ${start + 1}: an @example without a fenced \`\`\`ts block is not compiled; fence its code`] });
      }
      section = undefined;
    };
    let at = index + 1;
    for (; at < lines.length; at += 1) {
      const raw = lines[at] ?? "";
      const closes = raw.includes("*/");
      const content = (closes ? raw.slice(0, raw.indexOf("*/")) : raw).replace(/^\s*\* ?/, "");
      if (/^\s*@\w/.test(content) && !(section !== undefined && insideFence(section.lines))) {
        flush();
        if (/^\s*@example\b/.test(content)) section = { start: at, lines: [content.replace(/^\s*@example\b\s*/, "")] };
      } else if (section !== undefined) {
        section.lines.push(content);
      }
      if (closes) break;
    }
    flush();
    index = at;
  }
  return blocks;
}

/** Whether some lines of Markdown end inside an open fence. */
function insideFence(lines: readonly string[]): boolean {
  let open: string | undefined;
  for (const text of lines) {
    const fence = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined) continue;
    if (open === undefined) open = fence;
    else if (fence[0] === open[0] && fence.length >= open.length && /^\s*(`{3,}|~{3,})\s*$/.test(text)) open = undefined;
  }
  return open !== undefined;
}

/**
 * The implicit import of an example: the package's name and the names its root entry point exports.
 *
 * @invariant `names` holds each name once.
 */
export interface ExamplePrelude {
  /** The module the names are imported from, such as `"ownkit"`. */
  readonly module: string;
  /** The names the module exports (values and types). */
  readonly names: ReadonlySet<string>;
}

/**
 * Reads the names a declaration file exports: `export { a, b as c }` and `export type { ... }`
 * lists (re-exports included) and `export declare const|function|class ...`, `export type`,
 * `export interface` declarations.
 *
 * @param text - The text of a `.d.ts` file.
 * @returns The exported names.
 */
export function declaredExports(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, list = ""] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const entry of list.split(",")) {
      const name = entry.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  for (const [, name = ""] of text.matchAll(/export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|var|function|class|enum|namespace|type|interface)\s+([A-Za-z_$][\w$]*)/g)) names.add(name);
  return names;
}

/**
 * Finds the prelude of a project: its `package.json` name and the names exported by the
 * declaration file its root entry point resolves to (`exports["."].types`, or `types`).
 *
 * @param cwd - The project directory.
 * @returns The prelude, or `undefined` when the project has no package name or declaration file.
 */
export function projectPrelude(cwd: string): ExamplePrelude | undefined {
  const manifestFile = join(cwd, "package.json");
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { name?: unknown; types?: unknown; exports?: unknown };
  const root = typeof manifest.exports === "object" && manifest.exports !== null ? (manifest.exports as Record<string, unknown>)["."] : undefined;
  const rootTypes = typeof root === "object" && root !== null ? (root as Record<string, unknown>)["types"] : undefined;
  const types = typeof rootTypes === "string" ? rootTypes : manifest.types;
  if (typeof manifest.name !== "string" || typeof types !== "string" || !existsSync(join(cwd, types))) return undefined;
  return { module: manifest.name, names: declaredExports(readFileSync(join(cwd, types), "utf8")) };
}

/**
 * The implicit import line of a block: every name of the prelude the block uses and neither imports
 * nor declares at its top level.
 *
 * @remarks
 * A name counts as used when it occurs as a word in the code outside strings and `//` comments; as
 * declared when it follows `const`, `let`, `var`, `using`, `function`, `class`, `type`,
 * `interface`, `enum` or `namespace`, or appears in an `import` statement of the block. An extra
 * name (a property that is spelled like an export) is harmless: an unused import is no error.
 *
 * @param lines - The block's code.
 * @param prelude - The prelude.
 * @returns The `import { ... } from "<module>";` line, or `undefined` when the block needs none.
 */
export function preludeImport(lines: readonly string[], prelude: ExamplePrelude): string | undefined {
  const code = lines.map((line) => line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""').replace(/\/\/.*$/, "")).join("\n");
  const taken = new Set<string>();
  for (const [, name = ""] of code.matchAll(/\b(?:const|let|var|using|function|class|type|interface|enum|namespace)\s+([A-Za-z_$][\w$]*)/g)) taken.add(name);
  for (const [statement] of code.matchAll(/\bimport\b[^;]*?\bfrom\s*""/g)) {
    for (const [word] of statement.matchAll(/[A-Za-z_$][\w$]*/g)) taken.add(word);
  }
  const used = new Set<string>();
  for (const [word] of code.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) {
    if (prelude.names.has(word) && !taken.has(word)) used.add(word);
  }
  return used.size === 0 ? undefined : `import { ${[...used].sort().join(", ")} } from "${prelude.module}";`;
}

/** The sources {@link runExamples} reads when it is given none: this project's own. */
export const DEFAULT_EXAMPLE_SOURCES: readonly string[] = ["README.md", "docs/*.md", "src/**/*.ts"];

/** Lists the files under a directory, recursively, skipping `node_modules` and dot directories. */
function walk(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else found.push(path);
  }
  return found;
}

/**
 * Expands source patterns into files: a plain path, `dir/*.ext` (that directory only) or
 * `dir/**\/*.ext` (and every directory below it). Declaration files are never sources.
 *
 * @param patterns - The patterns, relative to `cwd`.
 * @param cwd - The working directory.
 * @returns The absolute paths, without duplicates, in pattern order then name order.
 * @throws KernelError `ENOENT` for a plain path that does not exist.
 */
export function expandSources(patterns: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const pattern of patterns) {
    const glob = /^(.*?)\/?(\*\*\/)?\*(\.[\w.]+)$/.exec(pattern);
    if (glob) {
      const dir = resolve(cwd, glob[1] || ".");
      if (!existsSync(dir)) continue;
      const ext = glob[3] ?? "";
      const candidates = glob[2] ? walk(dir) : readdirSync(dir).sort().map((name) => join(dir, name));
      files.push(...candidates.filter((path) => path.endsWith(ext) && !/\.d\.[mc]?ts$/.test(path) && statSync(path).isFile()));
    } else {
      const path = resolve(cwd, pattern);
      if (!existsSync(path)) throw kernelError("ENOENT", "misuse_examples", "example source not found", { path });
      files.push(...(statSync(path).isDirectory() ? walk(path).filter((file) => /\.(md|[mc]?ts)$/.test(file) && !/\.d\.[mc]?ts$/.test(file)) : [path]));
    }
  }
  return [...new Set(files)];
}

/**
 * Extracts the examples of one file: Markdown blocks from a `.md` file, `@example` blocks from a
 * TypeScript file.
 *
 * @param file - The file's path.
 * @param text - Its text.
 * @returns The blocks.
 */
export function extractExamples(file: string, text: string): ExampleBlock[] {
  return /\.(md|markdown)$/i.test(file) ? markdownExamples(file, text) : docCommentExamples(file, text);
}

/** What {@link runExamples} should check, and how. */
export interface ExamplesOptions {
  /** The files to read (see {@link expandSources}); default {@link DEFAULT_EXAMPLE_SOURCES}. */
  readonly sources?: readonly string[];
  /** The directory whose `misuse.config.json` names the compilers and options (default `cwd`). */
  readonly configDir?: string;
  /** The working directory: sources, compiler paths and temporary files are relative to it. */
  readonly cwd?: string;
  /** Only these compiler ids, in this order (default: every configured compiler). */
  readonly only?: readonly string[];
  /** Compilers to use instead of those in `misuse.config.json`. */
  readonly compilers?: Readonly<Record<string, CompilerConfig>>;
  /** Compiler options merged over those in `misuse.config.json`. */
  readonly compilerOptions?: Readonly<Record<string, unknown>>;
  /**
   * The implicit import of the package's public names (see {@link preludeImport}): default
   * {@link projectPrelude} of `cwd`; `false` for none.
   */
  readonly prelude?: ExamplePrelude | false;
  /** Keep the generated modules under `.tmp/misuse/` (default `false`). */
  readonly keepTemp?: boolean;
  /** How long one compiler invocation may take (default 300 s). */
  readonly timeoutSeconds?: number;
}

/** How one example fared: its block and, when compiled, one type check per compiler. */
export interface ExampleResult {
  /** The block. */
  readonly block: ExampleBlock;
  /** The module the block was compiled as, or `undefined` when it was not compiled. */
  readonly module: string | undefined;
  /** One type check per compiler, in compiler order; empty for a block that was not compiled. */
  readonly typeChecks: readonly TypeCheck[];
}

/** The result of {@link runExamples}. */
export interface ExamplesResult {
  /** The files read. */
  readonly sources: readonly string[];
  /** The compilers used, with their runs. */
  readonly compilerRuns: readonly CompilerRun[];
  /** One entry per block, in source order. */
  readonly examples: readonly ExampleResult[];
  /** One row per (compiled block, compiler), per malformed block and per compiler run that went wrong. */
  readonly rows: readonly ResultRow[];
  /** The blocks marked `no-compile`, with their reasons. */
  readonly skipped: readonly SkippedExample[];
  /** How many rows passed. */
  readonly passed: number;
  /** How many rows failed. */
  readonly failed: number;
  /** Wall-clock seconds for the whole run. */
  readonly seconds: number;
}

/** A file name for a block's module: its source path and line, flattened. */
function moduleName(cwd: string, block: ExampleBlock): string {
  return `${relative(cwd, block.source).replace(/[^\w.-]+/g, "_")}-L${block.line}.ts`;
}

/**
 * Makes the relative module specifiers of a line of code (`from "./x.js"`, `import("../x.js")`)
 * resolve from the block's own file when the line is compiled from another directory.
 *
 * @param line - A line of the block.
 * @param sourceDir - The directory of the file the block is in.
 * @param moduleDir - The directory the block is compiled in.
 * @returns The line with each relative specifier rewritten.
 */
export function rebaseImports(line: string, sourceDir: string, moduleDir: string): string {
  return line.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*)\2/g, (_, lead: string, quote: string, spec: string) => {
    let target = relative(moduleDir, resolve(sourceDir, spec)).split(sep).join("/");
    if (!target.startsWith(".")) target = `./${target}`;
    return `${lead}${quote}${target}${quote}`;
  });
}

/**
 * The block as a case: a module whose line numbers are the source's (padded with blank lines), with
 * the prelude's import, when the block needs one, on the first line.
 */
function blockCase(cwd: string, block: ExampleBlock, file: string, prelude: ExamplePrelude | undefined): MisuseCase {
  const lines = [...new Array<string>(block.firstLine - 1).fill(""), ...block.lines];
  const imports = prelude === undefined ? undefined : preludeImport(block.lines, prelude);
  if (imports !== undefined) lines[0] = imports;
  for (let index = block.firstLine - 1; index < lines.length; index += 1) lines[index] = rebaseImports(lines[index] ?? "", dirname(block.source), dirname(file));
  const where = `${relative(cwd, block.source)}:${block.line}`;
  return { id: where, title: exampleTitle(block), file, lines, expected: block.expected, runtime: false, expectThrow: undefined, problems: [] };
}

/** A short title for a block: its first line that is not an import, blank or a comment. */
function exampleTitle(block: ExampleBlock): string {
  const line = block.lines.find((text) => !blankOrComment(text) && !/^\s*import\b/.test(text));
  return (line ?? block.lines[0] ?? "").trim();
}

function typeRow(kase: MisuseCase, check: TypeCheck, file: string): ResultRow {
  const got = check.diagnostics.length === 0 ? "compiles" : check.diagnostics.map((diagnostic) => `TS${diagnostic.code} at line ${diagnostic.line}`).join(", ");
  return {
    case: kase.id,
    title: kase.title,
    file,
    compiler: check.compiler,
    kind: "type",
    expected: kase.expected.length === 0 ? "compiles" : kase.expected.map((marker) => `${showExpected(marker)} at line ${marker.line}`).join("; "),
    got,
    verdict: check.verdict,
    reasons: check.reasons,
  };
}

/** The block, with a problem for each quote that names a compiler the configuration does not define. */
function withKnownCompilers(block: ExampleBlock, known: readonly string[]): ExampleBlock {
  const unknown = block.expected.filter((marker) => marker.compiler !== undefined && !known.includes(marker.compiler));
  if (unknown.length === 0) return block;
  const problems = unknown.map((marker) => `line ${marker.markerLine}: unknown compiler id "${marker.compiler ?? ""}" in error[...] (known: ${known.join(", ")})`);
  return { ...block, problems: [...block.problems, ...problems] };
}

/** Whether a diagnostic is one the parser reports (TS1xxx), which stops a program's semantic checks. */
function syntactic(diagnostic: Diagnostic): boolean {
  return diagnostic.code >= 1000 && diagnostic.code < 2000;
}

/**
 * Compiles the blocks in one invocation; when some block does not parse, compiles the others again
 * without it.
 *
 * @remarks
 * A compiler reports only syntax errors for a program in which any file has one, so one block with
 * a syntax error would hide every type error of the others, and a block whose quoted error is gone
 * or whose code is wrong would pass. The second invocation is needed only then.
 *
 * The blocks that do not parse are returned apart: no invocation can check their type errors (a
 * compiler skips the type check of a file with a syntax error), so quoting the syntax error must not
 * make them pass. They are the files with a diagnostic of the first invocation when all of its
 * diagnostics are syntactic (had none of them a syntax error, the type check would have run and
 * reported any other error).
 */
async function compileIsolatingSyntax(
  compiler: CompilerSpec,
  tsconfig: string | undefined,
  cwd: string,
  cases: readonly MisuseCase[],
  timeout: number,
  tmp: string,
  compilerOptions: Readonly<Record<string, unknown>>,
): Promise<{ run: CompilerRun; unparsed: ReadonlySet<string | undefined> }> {
  const first = await compileAll(compiler, tsconfig, cwd, cases, timeout);
  const broken = new Set(first.diagnostics.filter(syntactic).map((diagnostic) => diagnostic.file));
  const unparsed = first.diagnostics.length > 0 && first.diagnostics.every(syntactic) ? broken : new Set<string | undefined>();
  const rest = cases.filter((kase) => !broken.has(kase.file));
  if (broken.size === 0 || rest.length === 0) return { run: first, unparsed };
  const dir = join(tmp, `parsed-${compiler.id.replace(/[^\w.-]+/g, "_")}`);
  mkdirSync(dir, { recursive: true });
  const second = await compileAll(compiler, writeTsconfig(dir, rest.map((kase) => kase.file), compilerOptions, cwd), cwd, rest, timeout);
  const diagnostics = [...first.diagnostics.filter((diagnostic) => broken.has(diagnostic.file)), ...second.diagnostics];
  const run: CompilerRun = {
    ...second,
    seconds: first.seconds + second.seconds,
    diagnostics,
    stray: [...new Map([...first.stray, ...second.stray].map((diagnostic) => [`${diagnostic.file}:${diagnostic.line}:${diagnostic.code}:${diagnostic.message}`, diagnostic])).values()],
    problem: first.problem ?? second.problem,
    output: `${first.output}${second.output}`,
  };
  return { run, unparsed };
}

/**
 * Compiles every TypeScript example of the docs on every configured compiler and checks each quoted
 * error.
 *
 * @remarks
 * Each block becomes its own module under `<cwd>/.tmp/misuse/`, inside the project, so that
 * `import ... from "ownkit"` (or a subpath) resolves as it does for the misuse catalogue: through
 * the package's own `exports` (the built `dist/`); relative specifiers resolve from the block's own
 * file ({@link rebaseImports}), and the names of the package root the block uses are imported
 * implicitly on its first line ({@link preludeImport}); its lines keep their numbers in the source.
 * All blocks are checked in one invocation per compiler (a second one, without them, when some
 * block does not parse). A block must compile with no diagnostic except the errors its comments quote, and each
 * quoted error must be reported on its line with its code and message fragment (see
 * {@link parseQuotes}), on every compiler. A block marked ```` ```ts no-compile: <reason> ```` is
 * not compiled; it is listed in {@link ExamplesResult.skipped} with its reason. A malformed block,
 * a diagnostic outside the blocks and a run that finds no block are failed rows.
 *
 * @example
 * ```ts
 * import { runExamples } from "ownkit/misuse";
 *
 * const result = await runExamples({ sources: ["README.md", "docs/*.md"], configDir: "types-test/misuse" });
 * console.log(`${result.passed} passed, ${result.failed} failed, ${result.skipped.length} not compiled`);
 * ```
 *
 * @param options - The sources and how to check them.
 * @returns One row per (block, compiler), the skipped blocks and the counts.
 * @throws KernelError `ENOENT` when a source or a compiler does not exist, `EINVAL` for a malformed
 * configuration or an unknown compiler id.
 */
export async function runExamples(options: ExamplesOptions = {}): Promise<ExamplesResult> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const timeout = options.timeoutSeconds ?? 300;
  const config = loadConfig(resolve(cwd, options.configDir ?? "."), cwd, { compilers: options.compilers, compilerOptions: options.compilerOptions, only: options.only });
  const sources = expandSources(options.sources ?? DEFAULT_EXAMPLE_SOURCES, cwd);
  const blocks = sources.flatMap((file) => extractExamples(file, readFileSync(file, "utf8"))).map((block) => withKnownCompilers(block, config.knownCompilers));
  const prelude = options.prelude === false ? undefined : (options.prelude ?? projectPrelude(cwd));

  const tmpRoot = join(cwd, ".tmp", "misuse");
  mkdirSync(tmpRoot, { recursive: true });
  const tmp = mkdtempSync(join(tmpRoot, "examples-"));
  try {
    const compiled = blocks.filter((block) => block.noCompile === undefined && block.problems.length === 0);
    const cases = new Map<ExampleBlock, MisuseCase>();
    for (const block of compiled) {
      const file = join(tmp, moduleName(cwd, block));
      const kase = blockCase(cwd, block, file, prelude);
      writeFileSync(file, `${kase.lines.join("\n")}\n`);
      cases.set(block, kase);
    }
    const all = [...cases.values()];
    const tsconfig = all.length === 0 ? undefined : writeTsconfig(tmp, all.map((kase) => kase.file), config.compilerOptions, cwd);
    const runs = await Promise.all(config.compilers.map((compiler) => compileIsolatingSyntax(compiler, tsconfig, cwd, all, timeout, tmp, config.compilerOptions)));
    const compilerRuns = runs.map((entry) => entry.run);

    const rows: ResultRow[] = [];
    const examples: ExampleResult[] = blocks.map((block) => {
      const where = `${relative(cwd, block.source)}:${block.line}`;
      const file = relative(cwd, block.source);
      const kase = cases.get(block);
      if (kase === undefined) {
        if (block.problems.length > 0) {
          rows.push({ case: where, title: exampleTitle(block), file, compiler: "-", kind: "catalogue", expected: "-", got: "-", verdict: "fail", reasons: block.problems.map((problem) => `${file}: ${problem}`) });
        }
        return { block, module: undefined, typeChecks: [] };
      }
      const typeChecks = runs.map(({ run, unparsed }) => {
        const judged = judgeCase(kase, run.compiler.id, run.diagnostics.filter((diagnostic) => diagnostic.file === kase.file), { markerRequired: false });
        // A block that does not parse had no type check: quoting its syntax error proves nothing.
        const check: TypeCheck = unparsed.has(kase.file)
          ? { ...judged, verdict: "fail", reasons: [...judged.reasons, "the block does not parse, so its type errors were not checked: an example must parse (show a syntax error in a `text` block)"] }
          : judged;
        rows.push(typeRow(kase, check, file));
        return check;
      });
      return { block, module: kase.file, typeChecks };
    });
    for (const run of compilerRuns) {
      if (run.problem !== undefined) {
        rows.push({ case: "-", title: "compiler run", file: "-", compiler: run.compiler.id, kind: "catalogue", expected: "exit 0 or errors", got: run.exitCode === null ? "killed" : `exit ${run.exitCode}, no errors`, verdict: "fail", reasons: [run.problem] });
      }
      if (run.stray.length > 0) {
        rows.push({
          case: "-",
          title: "diagnostics outside the examples",
          file: "-",
          compiler: run.compiler.id,
          kind: "catalogue",
          expected: "none",
          got: run.stray.map((diagnostic) => `TS${diagnostic.code}`).join(", "),
          verdict: "fail",
          reasons: run.stray.map((diagnostic) => `${diagnostic.file === undefined ? "" : `${relative(cwd, diagnostic.file)}(${diagnostic.line},${diagnostic.column}): `}TS${diagnostic.code}: ${diagnostic.message}`),
        });
      }
    }
    if (blocks.length === 0) {
      rows.push({ case: "-", title: "no examples", file: "-", compiler: "-", kind: "catalogue", expected: "ts blocks", got: "none", verdict: "fail", reasons: [`no \`\`\`ts block in ${sources.length} source file(s)`] });
    }
    const skipped = blocks
      .filter((block) => block.noCompile !== undefined && block.problems.length === 0)
      .map((block) => ({ where: `${relative(cwd, block.source)}:${block.line}`, reason: block.noCompile ?? "" }));
    const passed = rows.filter((row) => row.verdict === "pass").length;
    return { sources, compilerRuns, examples, rows, skipped, passed, failed: rows.length - passed, seconds: (performance.now() - started) / 1000 };
  } finally {
    if (!options.keepTemp) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Formats an examples run as the CLI prints it: the table of rows, the reasons for each failure,
 * the blocks not compiled with their reasons, the compilers with their timings, and
 * `examples: N passed, N failed`.
 *
 * @param result - The run.
 * @returns The text, ending with a newline.
 */
export function formatExamplesReport(result: ExamplesResult): string {
  const compiled = result.examples.filter((example) => example.module !== undefined).length;
  const notes = [
    `${result.examples.length} blocks in ${result.sources.length} files: ${compiled} compiled, ${result.skipped.length} marked no-compile`,
    ...result.skipped.map((entry) => `  no-compile ${entry.where}: ${entry.reason}`),
  ];
  return formatRows(result.rows, result.compilerRuns, result.seconds, "examples", notes);
}
