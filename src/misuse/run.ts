/**
 * Running a whole misuse catalogue: every case with every compiler, then the runtime cases.
 *
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { kernelError } from "../errors.js";
import { compilerVersion, parseDiagnostics, typeCheck, writeTsconfig } from "./compile.js";
import { type CompilerConfig, loadConfig } from "./config.js";
import { parseCase } from "./markers.js";
import { judgeCase } from "./match.js";
import { buildRows } from "./report.js";
import { loadTranspiler, runRuntimeCase } from "./runtime.js";
import type { CaseResult, CatalogueResult, CompilerRun, CompilerSpec, Diagnostic, MisuseCase, RuntimeCheck } from "./types.js";

/** What {@link runCatalogue} should run, and how. */
export interface RunOptions {
  /** The catalogue directory, absolute or relative to `cwd`. */
  readonly dir: string;
  /** The working directory: compiler paths, temporary files and printed paths are relative to it. */
  readonly cwd?: string;
  /** Only these compiler ids, in this order (default: every configured compiler). */
  readonly only?: readonly string[];
  /** Compilers to use instead of those in `misuse.config.json`. */
  readonly compilers?: Readonly<Record<string, CompilerConfig>>;
  /** Compiler options merged over those in `misuse.config.json`. */
  readonly compilerOptions?: Readonly<Record<string, unknown>>;
  /** Whether to execute runtime cases (default `true`); they are type-checked either way. */
  readonly runtime?: boolean;
  /** Keep the generated tsconfig and transpiled files under `.tmp/misuse/` (default `false`). */
  readonly keepTemp?: boolean;
  /** How long one compiler invocation or one runtime case may take (default 300 s). */
  readonly timeoutSeconds?: number;
}

/** The case files of a catalogue: `.ts`, `.mts`, `.cts` and `.tsx` files, not declarations. */
function caseFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.(?:[mc]?ts|tsx)$/.test(name) && !/\.d\.[mc]?ts$/.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/**
 * What went wrong with a compiler invocation itself, or `undefined` when it ran to a verdict: it was
 * killed, or it exited non-zero without printing any error diagnostic (a crash after partial output,
 * an option it rejects in a form the parser does not read).
 */
function invocationProblem(compiler: CompilerSpec, cwd: string, exitCode: number | null, output: string, diagnostics: readonly Diagnostic[], timeout: number): string | undefined {
  const name = `compiler ${compiler.id} (${relative(cwd, compiler.tsc) || compiler.tsc})`;
  if (exitCode === null) return `${name} was killed (timeout after ${timeout}s?)`;
  if (exitCode === 0 || diagnostics.some((diagnostic) => diagnostic.category === "error")) return undefined;
  const lines = output.trim() === "" ? [] : output.trimEnd().split(/\r?\n/);
  const shown = lines.length === 0 ? "it printed nothing" : `its output began:\n${lines.slice(0, 12).join("\n")}${lines.length > 12 ? "\n..." : ""}`;
  return `${name} exited with status ${exitCode} without an error diagnostic; ${shown}`;
}

/**
 * Type-checks the given cases with one compiler in one invocation and sorts its diagnostics.
 *
 * @param compiler - The compiler.
 * @param tsconfig - The tsconfig listing the cases, or `undefined` when there is nothing to check.
 * @param cwd - The working directory.
 * @param cases - The cases the tsconfig lists; a diagnostic in any other file is stray.
 * @param timeout - How long the invocation may take, in seconds.
 * @returns The run: diagnostics, stray diagnostics, timing and any problem with the invocation.
 */
export async function compileAll(compiler: CompilerSpec, tsconfig: string | undefined, cwd: string, cases: readonly MisuseCase[], timeout: number): Promise<CompilerRun> {
  const versionPromise = compilerVersion(compiler, cwd);
  if (tsconfig === undefined) {
    return { compiler, version: await versionPromise, seconds: 0, exitCode: 0, diagnostics: [], stray: [], problem: undefined, output: "" };
  }
  const byFile = new Map(cases.map((kase) => [kase.file, kase]));
  const strayLines = new Map<string, string[]>();
  const lineText = (file: string, line: number): string => {
    const kase = byFile.get(file);
    if (kase) return kase.lines[line - 1] ?? "";
    if (!strayLines.has(file)) strayLines.set(file, existsSync(file) ? readFileSync(file, "utf8").split(/\r?\n/) : []);
    return strayLines.get(file)?.[line - 1] ?? "";
  };
  const { output, exitCode, seconds } = await typeCheck(compiler, tsconfig, cwd, timeout);
  const diagnostics = parseDiagnostics(output, cwd, lineText);
  const stray = diagnostics.filter((diagnostic) => diagnostic.file === undefined || !byFile.has(diagnostic.file));
  const problem = invocationProblem(compiler, cwd, exitCode, output, diagnostics, timeout);
  return { compiler, version: await versionPromise, seconds, exitCode, diagnostics, stray, problem, output };
}

/** Runs tasks with at most `limit` in flight, keeping their order. */
async function pooled<Result>(tasks: readonly (() => Promise<Result>)[], limit: number): Promise<Result[]> {
  const results: Result[] = new Array<Result>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function runtimeChecks(cases: readonly MisuseCase[], tmp: string, cwd: string, timeout: number): Promise<RuntimeCheck[]> {
  if (cases.length === 0) return Promise.resolve([]);
  let transpiler: ReturnType<typeof loadTranspiler>;
  try {
    transpiler = loadTranspiler(cwd);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return Promise.resolve(cases.map(() => ({ verdict: "fail", reasons: [reason], correct: undefined, misuse: undefined })));
  }
  const tasks = cases.map((kase, index) => () => runRuntimeCase(transpiler, kase, tmp, cwd, index, timeout));
  return pooled(tasks, Math.max(2, availableParallelism()));
}

/**
 * Runs a misuse catalogue: type-checks every case with every configured compiler (one invocation
 * per compiler over all cases), executes the runtime cases, and judges each.
 *
 * @remarks
 * Each (case, compiler) pair and each runtime execution is one row of the result; a file that is
 * not a well-formed case, a diagnostic outside the case files and an empty catalogue are failed
 * rows too. Temporary files go to `<cwd>/.tmp/misuse/`, inside the project, so that cases resolve
 * packages (including the project's own name) as a consumer would.
 *
 * @example
 * ```ts
 * import { runCatalogue } from "ownkit/misuse";
 *
 * const result = await runCatalogue({ dir: "types-test/misuse" });
 * for (const { case: kase, typeChecks } of result.cases) {
 *   const marked = typeChecks[0]?.lines[0]?.actual[0];
 *   if (marked) console.log(`${kase.id}: ${marked.sourceLine.trim()}\n  ${marked.message}`);
 * }
 * console.log(`${result.passed} passed, ${result.failed} failed`);
 * ```
 *
 * @param options - The catalogue and how to run it.
 * @returns The results: per case, per compiler, and the flat rows with their counts.
 * @throws KernelError `ENOENT` when the directory or a compiler does not exist, `EINVAL` for a
 * malformed configuration or an unknown compiler id.
 */
export async function runCatalogue(options: RunOptions): Promise<CatalogueResult> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const dir = resolve(cwd, options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw kernelError("ENOENT", "misuse_run", "catalogue directory not found", { dir });
  }
  const timeout = options.timeoutSeconds ?? 300;
  const config = loadConfig(dir, cwd, { compilers: options.compilers, compilerOptions: options.compilerOptions, only: options.only });
  const cases = caseFiles(dir).map((file) => parseCase(file, readFileSync(file, "utf8"), config.knownCompilers));
  const valid = cases.filter((kase) => kase.problems.length === 0);

  const tmpRoot = join(cwd, ".tmp", "misuse");
  mkdirSync(tmpRoot, { recursive: true });
  const tmp = mkdtempSync(join(tmpRoot, "run-"));
  try {
    const tsconfig = valid.length === 0 ? undefined : writeTsconfig(tmp, valid.map((kase) => kase.file), config.compilerOptions, cwd);
    const runtimeCases = options.runtime === false ? [] : valid.filter((kase) => kase.runtime);
    const [compilerRuns, runtimeResults] = await Promise.all([
      Promise.all(config.compilers.map((compiler) => compileAll(compiler, tsconfig, cwd, valid, timeout))),
      runtimeChecks(runtimeCases, tmp, cwd, timeout),
    ]);
    const caseResults: CaseResult[] = cases.map((kase) => {
      if (kase.problems.length > 0) return { case: kase, typeChecks: [], runtime: undefined };
      const typeChecks = compilerRuns.map((run) => {
        const mine: Diagnostic[] = run.diagnostics.filter((diagnostic) => diagnostic.file === kase.file);
        return judgeCase(kase, run.compiler.id, mine);
      });
      const at = runtimeCases.indexOf(kase);
      return { case: kase, typeChecks, runtime: at === -1 ? undefined : runtimeResults[at] };
    });
    const rows = buildRows(caseResults, compilerRuns, cwd, dir);
    const passed = rows.filter((row) => row.verdict === "pass").length;
    return {
      dir,
      compilerRuns,
      cases: caseResults,
      rows,
      passed,
      failed: rows.length - passed,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (!options.keepTemp) rmSync(tmp, { recursive: true, force: true });
  }
}
