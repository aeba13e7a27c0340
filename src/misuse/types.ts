/**
 * The data the misuse runner works on: cases, markers, compilers, diagnostics and verdicts.
 *
 * @module
 */

/**
 * One `// @expect-error TS<code> "<fragment>"` marker, attached to the line it applies to.
 *
 * @invariant `line` is the first non-blank, non-comment line after the marker (1-based).
 */
export interface ExpectedDiagnostic {
  /** The diagnostic code without its `TS` prefix, for example `2339`. */
  readonly code: number;
  /** A substring the diagnostic's flattened message chain must contain. */
  readonly fragment: string;
  /** The compiler id in `@expect-error[id]`, or `undefined` when the marker applies to every compiler. */
  readonly compiler: string | undefined;
  /** The 1-based line the marker applies to. */
  readonly line: number;
  /** The 1-based line the marker itself is written on. */
  readonly markerLine: number;
  /**
   * For a doc example's quote: `true` when the quote does not open with an elision, so the message
   * must start with {@link ExpectedDiagnostic.fragment} (a quote of a message chain's later part, or
   * of the middle of a message, is not what `tsc` prints first). Absent for a catalogue marker,
   * whose fragment may be anywhere in the message.
   */
  readonly anchored?: boolean;
}

/** The `@expect-throw <ERRNO> "<fragment>"` header tag of a runtime case. */
export interface ExpectedThrow {
  /** The errno name the error thrown by `misuse()` must carry, for example `"EBUSY"`. */
  readonly errno: string;
  /** A substring of the thrown error's message. */
  readonly fragment: string;
}

/**
 * One file of a misuse catalogue, parsed: its header tags and its markers.
 *
 * @invariant `problems` is empty exactly when the file is a well-formed case; a case with problems
 * is reported as a catalogue error and never judged against compiler output.
 */
export interface MisuseCase {
  /** The `@misuse` id (such as `"M2"`), or the file name without extension when the tag is missing. */
  readonly id: string;
  /** The `@title` text, or an empty string. */
  readonly title: string;
  /** The absolute path of the file. */
  readonly file: string;
  /** The file's source lines, so results can show the line of code a diagnostic points at. */
  readonly lines: readonly string[];
  /** The markers, in file order. */
  readonly expected: readonly ExpectedDiagnostic[];
  /** Whether the header has `@runtime` (the file exports `correct()` and `misuse()`). */
  readonly runtime: boolean;
  /** The `@expect-throw` tag of a runtime case. */
  readonly expectThrow: ExpectedThrow | undefined;
  /** What is wrong with the file as a catalogue entry (malformed markers, missing tags, ...). */
  readonly problems: readonly string[];
}

/** A compiler the catalogue is checked with. */
export interface CompilerSpec {
  /** The id used in `--compiler`, in `@expect-error[id]` and in results, such as `"tsc-5.9"`. */
  readonly id: string;
  /** A human label such as `"tsc 5.9"`. */
  readonly label: string;
  /** The absolute path of the compiler's `tsc` script, run with the current Node. */
  readonly tsc: string;
}

/**
 * One diagnostic printed by a compiler, with the source line it points at.
 *
 * @invariant `message` is `messageChain` joined with single spaces after trimming each entry.
 */
export interface Diagnostic {
  /** The absolute path of the file, or `undefined` for a diagnostic without a location. */
  readonly file: string | undefined;
  /** The 1-based line, or 0 without a location. */
  readonly line: number;
  /** The 1-based column, or 0 without a location. */
  readonly column: number;
  /** The diagnostic code without its `TS` prefix. */
  readonly code: number;
  /** `"error"`, or another category the compiler printed. */
  readonly category: string;
  /** The whole message chain flattened into one sentence: what markers match against. */
  readonly message: string;
  /** The message chain as the compiler printed it, one entry per line, indentation removed. */
  readonly messageChain: readonly string[];
  /** The text of the source line the diagnostic points at (empty when unknown). */
  readonly sourceLine: string;
}

/** A verdict: `"pass"` or `"fail"`. */
export type Verdict = "pass" | "fail";

/** How one marked line fared with one compiler. */
export interface LineOutcome {
  /** The 1-based line the markers apply to. */
  readonly line: number;
  /** The source text of that line. */
  readonly sourceLine: string;
  /** The markers that apply to this line for this compiler. */
  readonly expected: readonly ExpectedDiagnostic[];
  /** The diagnostics the compiler reported on this line. */
  readonly actual: readonly Diagnostic[];
  /** Whether `actual` is exactly `expected` (one matching diagnostic per marker, nothing more). */
  readonly verdict: Verdict;
}

/** The type-check result of one case with one compiler. */
export interface TypeCheck {
  /** The compiler id. */
  readonly compiler: string;
  /** The overall verdict for this case and compiler. */
  readonly verdict: Verdict;
  /** Why it failed, one sentence per problem; empty on a pass. */
  readonly reasons: readonly string[];
  /** One entry per marked line. */
  readonly lines: readonly LineOutcome[];
  /** Diagnostics on lines without a marker (the correct use that did not compile). */
  readonly unmarked: readonly Diagnostic[];
  /** Every diagnostic the compiler reported in this file, in output order. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The outcome of calling one exported function of a runtime case. */
export interface CallOutcome {
  /** Whether the function threw (or its promise rejected). */
  readonly threw: boolean;
  /** The thrown value's `errno` property, when it had a string one. */
  readonly errno: string | undefined;
  /** The thrown value's `name`, when it had one. */
  readonly name: string | undefined;
  /** The thrown value's message (or its string form). */
  readonly message: string | undefined;
}

/** The result of executing one runtime case. */
export interface RuntimeCheck {
  /** The overall verdict of the execution. */
  readonly verdict: Verdict;
  /** Why it failed, one sentence per problem; empty on a pass. */
  readonly reasons: readonly string[];
  /** What `correct()` did, or `undefined` when the module could not be run. */
  readonly correct: CallOutcome | undefined;
  /** What `misuse()` did, or `undefined` when the module could not be run. */
  readonly misuse: CallOutcome | undefined;
}

/** Everything the runner found out about one case. */
export interface CaseResult {
  /** The parsed case. */
  readonly case: MisuseCase;
  /** One type check per compiler, in compiler order; empty for a case with catalogue problems. */
  readonly typeChecks: readonly TypeCheck[];
  /** The execution of a runtime case, `undefined` for other cases. */
  readonly runtime: RuntimeCheck | undefined;
}

/** One line of the runner's report: a (case, compiler) pair, a runtime execution or a catalogue error. */
export interface ResultRow {
  /** The case id, or `"-"` for a row that concerns the whole catalogue. */
  readonly case: string;
  /** The case title. */
  readonly title: string;
  /** The case file, relative to the working directory. */
  readonly file: string;
  /** The compiler id, `"node"` for a runtime execution, `"-"` for a catalogue error. */
  readonly compiler: string;
  /** What kind of check the row is. */
  readonly kind: "type" | "runtime" | "catalogue";
  /** What was expected, in short (`TS2339 "does not exist"`, `throws EBUSY "live"`). */
  readonly expected: string;
  /** What happened, in short (`TS2339`, `none`, `EBUSY`). */
  readonly got: string;
  /** The verdict. */
  readonly verdict: Verdict;
  /** Why it failed; empty on a pass. */
  readonly reasons: readonly string[];
}

/** How one compiler invocation over the whole catalogue went. */
export interface CompilerRun {
  /** The compiler. */
  readonly compiler: CompilerSpec;
  /** The compiler's `--version` output word, such as `"5.9.3"`, when it could be read. */
  readonly version: string | undefined;
  /** Wall-clock seconds the invocation took. */
  readonly seconds: number;
  /** The exit status (`null` when it was killed; 0 when there was nothing to check). */
  readonly exitCode: number | null;
  /** Every diagnostic it printed. */
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics outside every case file (configuration, library files); each fails the run. */
  readonly stray: readonly Diagnostic[];
  /**
   * What went wrong with the invocation itself, naming the compiler: it was killed, or it exited
   * non-zero without an error diagnostic (then with its exit status and the first lines it printed).
   */
  readonly problem: string | undefined;
  /** The raw output, for debugging. */
  readonly output: string;
}

/** The result of a catalogue run (what `runCatalogue` resolves to). */
export interface CatalogueResult {
  /** The absolute catalogue directory. */
  readonly dir: string;
  /** The compilers used, with their runs. */
  readonly compilerRuns: readonly CompilerRun[];
  /** One entry per case file, in file-name order. */
  readonly cases: readonly CaseResult[];
  /** The flat report: one row per (case, compiler), per runtime execution and per catalogue error. */
  readonly rows: readonly ResultRow[];
  /** How many rows passed. */
  readonly passed: number;
  /** How many rows failed. */
  readonly failed: number;
  /** Wall-clock seconds for the whole run. */
  readonly seconds: number;
}
