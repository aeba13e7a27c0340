/**
 * The misuse runner: checks that a catalogue of consuming programs fails to compile (or throws)
 * exactly where and how each one says it should, on every configured compiler.
 *
 * @remarks
 * A catalogue is a directory of `.ts` files, one per misuse. Type cases mark each line that must not
 * compile with `// @expect-error TS<code> "<message fragment>"` (optionally
 * `// @expect-error[<compiler id>] ...` where compilers word it differently); every other line must
 * compile. Runtime cases have `@runtime` and `@expect-throw <ERRNO> "<fragment>"` in their header and
 * export `correct()` and `misuse()`. Run it with {@link runCatalogue} or the `ownkit-misuse` CLI.
 *
 * The same checks apply to documentation: {@link runExamples} (`ownkit-misuse --examples`) compiles
 * every fenced TypeScript block of Markdown files and of `@example` doc-comment tags, and checks the
 * errors their `// error TS<code>: <message>` comments quote.
 *
 * The compilers are those of `misuse.config.json` (several TypeScript versions side by side under
 * npm aliases), or the project's own `typescript`, 7.0 included. Runtime cases are transpiled with
 * the first of {@link TRANSPILER_ORDER} that is available (see {@link loadTranspiler}).
 *
 * @packageDocumentation
 */
export { runCatalogue } from "./run.js";
export type { RunOptions } from "./run.js";
export { CONFIG_FILE, DEFAULT_COMPILER_OPTIONS, loadConfig } from "./config.js";
export type { CompilerConfig, MisuseConfig, ResolvedConfig } from "./config.js";
export { parseCase } from "./markers.js";
export { parseDiagnostics } from "./compile.js";
export { judgeCase, markersFor } from "./match.js";
export type { JudgeOptions } from "./match.js";
export { formatReport, formatRows } from "./report.js";
export {
  DEFAULT_EXAMPLE_SOURCES,
  declaredExports,
  docCommentExamples,
  expandSources,
  extractExamples,
  formatExamplesReport,
  markdownExamples,
  parseQuotes,
  preludeImport,
  projectPrelude,
  quoteFragment,
  quotePieces,
  rebaseImports,
  runExamples,
} from "./examples.js";
export type { ExampleBlock, ExamplePrelude, ExampleResult, ExampleSourceKind, ExamplesOptions, ExamplesResult, QuotePieces, QuotedErrors, SkippedExample } from "./examples.js";
export { TRANSPILER_ORDER, loadTranspiler } from "./runtime.js";
export type { Transpiler, TranspilerKind } from "./runtime.js";
export type {
  CallOutcome,
  CaseResult,
  CatalogueResult,
  CompilerRun,
  CompilerSpec,
  Diagnostic,
  ExpectedDiagnostic,
  ExpectedThrow,
  LineOutcome,
  MisuseCase,
  ResultRow,
  RuntimeCheck,
  TypeCheck,
  Verdict,
} from "./types.js";
