/**
 * Executing runtime cases: `correct()` must return, `misuse()` must throw the tagged errno.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { createRequire } from "node:module";
import { basename, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { kernelError } from "../errors.js";
import type { CallOutcome, MisuseCase, RuntimeCheck } from "./types.js";

/** The kinds of transpiler the runner can use for runtime cases, in the order it tries them. */
export type TranspilerKind = "typescript" | "esbuild" | "node";

/** The order in which {@link loadTranspiler} tries the transpilers when none is named. */
export const TRANSPILER_ORDER: readonly TranspilerKind[] = ["typescript", "esbuild", "node"];

/** Turns one case's TypeScript into an ES module that the running Node can execute (`using` included). */
export interface Transpiler {
  /** Which transpiler this is, with its version where known, e.g. `"esbuild 0.28.2"`. */
  readonly name: string;
  /**
   * Transpiles one file.
   *
   * @param source - The TypeScript source.
   * @param fileName - The file's path, for messages.
   * @returns The JavaScript, an ES module.
   */
  transpile(source: string, fileName: string): string;
}

/** The part of the TypeScript API the runner uses (TypeScript 7.0 has no JS API, so it lacks it). */
interface TypeScriptApi {
  readonly version?: string;
  readonly transpileModule?: (source: string, options: { compilerOptions: Record<string, unknown>; fileName: string }) => { outputText: string };
}

/** The part of esbuild's API the runner uses. */
interface EsbuildApi {
  readonly version?: string;
  readonly transformSync?: (source: string, options: Record<string, unknown>) => { code: string };
}

/** Node's own type stripping (`module.stripTypeScriptTypes`, Node 22.13 and later). */
type StripTypes = (source: string, options: { mode: "transform"; sourceUrl?: string }) => string;

function tryRequire(cwd: string, name: string): unknown {
  try {
    return createRequire(join(cwd, "package.json"))(name);
  } catch {
    return undefined;
  }
}

/** Whether this Node parses `using` declarations itself (Node 24 and later). */
function nodeHasUsing(): boolean {
  try {
    // The body is only parsed, never run.
    new Function("{ using resource = null; }");
    return true;
  } catch {
    return false;
  }
}

function typescriptTranspiler(cwd: string): Transpiler | string {
  const ts = tryRequire(cwd, "typescript") as TypeScriptApi | undefined;
  if (ts === undefined) return "typescript: no typescript package resolves";
  const transpileModule = ts.transpileModule;
  if (typeof transpileModule !== "function") return `typescript ${ts.version ?? "?"}: no JS API (transpileModule), as in TypeScript 7.0`;
  return {
    name: `typescript ${ts.version ?? "?"}`,
    transpile: (source, fileName) =>
      // module 99 is ESNext, target 9 is ES2022: numbers, so the enums need not be imported.
      transpileModule(source, { fileName, compilerOptions: { module: 99, target: 9, sourceMap: false, inlineSourceMap: false } }).outputText,
  };
}

function esbuildTranspiler(cwd: string): Transpiler | string {
  const esbuild = tryRequire(cwd, "esbuild") as EsbuildApi | undefined;
  const transformSync = esbuild?.transformSync;
  if (typeof transformSync !== "function") return "esbuild: no esbuild package resolves";
  return {
    name: `esbuild ${esbuild?.version ?? "?"}`,
    transpile: (source, fileName) => transformSync(source, { loader: "ts", format: "esm", target: "es2022", sourcefile: fileName }).code,
  };
}

function nodeTranspiler(): Transpiler | string {
  const strip = (nodeModule as { stripTypeScriptTypes?: StripTypes }).stripTypeScriptTypes;
  if (typeof strip !== "function") return `node ${process.versions.node}: no module.stripTypeScriptTypes (Node 22.13 and later)`;
  if (!nodeHasUsing()) return `node ${process.versions.node}: type stripping keeps \`using\`, which this Node cannot run (Node 24 and later)`;
  return {
    name: `node ${process.versions.node} type stripping`,
    transpile: (source, fileName) => strip(source, { mode: "transform", sourceUrl: fileName }),
  };
}

/**
 * Finds a transpiler for runtime cases in a project: its `typescript` package when that has the JS
 * API (TypeScript 5.x and 6.x), else its `esbuild` package (which `tsx` and `vite` bring), else
 * Node's own type stripping when the running Node also executes `using` (Node 24 and later).
 *
 * @remarks
 * A project whose only TypeScript is 7.0 (no JS API) therefore needs esbuild on Node 20 and 22 and
 * nothing more on Node 24.
 *
 * @param cwd - The directory packages are resolved from.
 * @param order - The transpilers to try, in order.
 * @returns The first transpiler that is available.
 * @throws KernelError `ENOENT` when none of them is, with the reason for each.
 */
export function loadTranspiler(cwd: string, order: readonly TranspilerKind[] = TRANSPILER_ORDER): Transpiler {
  const reasons: string[] = [];
  for (const kind of order) {
    const found = kind === "typescript" ? typescriptTranspiler(cwd) : kind === "esbuild" ? esbuildTranspiler(cwd) : nodeTranspiler();
    if (typeof found !== "string") return found;
    reasons.push(found);
  }
  throw kernelError(
    "ENOENT",
    "misuse_runtime",
    "runtime cases need a transpiler: TypeScript 5.x/6.x, esbuild (npm install -D esbuild), or Node 24 or later",
    { cwd, tried: reasons.join("; ") },
  );
}

const RESULT_PREFIX = "@@ownkit-misuse-result@@";

// Runs in a child process: imports the case, calls correct() then misuse(), prints what happened.
const HARNESS = `
const mod = await import(process.argv[1]);
async function call(name) {
  if (typeof mod[name] !== "function") return { missing: true };
  try {
    await mod[name]();
    return { threw: false };
  } catch (error) {
    const errno = error !== null && typeof error === "object" && typeof error.errno === "string" ? error.errno : undefined;
    const name = error !== null && typeof error === "object" && typeof error.name === "string" ? error.name : undefined;
    return { threw: true, errno, name, message: error instanceof Error ? error.message : String(error) };
  }
}
const result = { correct: await call("correct"), misuse: await call("misuse") };
process.stdout.write("\\n${RESULT_PREFIX}" + JSON.stringify(result) + "\\n");
`;

/**
 * Turns a case into an ES module file in a directory of the project.
 *
 * @remarks
 * The file must live inside the project so that bare imports (including the package's own name)
 * resolve as they would for a consumer. Relative imports of other `.ts` files are not supported.
 *
 * @param transpiler - The transpiler, from {@link loadTranspiler}.
 * @param kase - The case.
 * @param dir - The directory to write into.
 * @param index - A number that keeps the file name unique.
 * @returns The path of the written `.mjs` file.
 */
export function transpileCase(transpiler: Transpiler, kase: MisuseCase, dir: string, index: number): string {
  const outputText = transpiler.transpile(readFileSync(kase.file, "utf8"), kase.file);
  const path = join(dir, `${index}-${basename(kase.file, extname(kase.file))}.mjs`);
  writeFileSync(path, outputText);
  return path;
}

interface HarnessResult {
  readonly correct: CallOutcome & { readonly missing?: boolean };
  readonly misuse: CallOutcome & { readonly missing?: boolean };
}

function execute(file: string, cwd: string, timeoutSeconds: number): Promise<{ result: HarnessResult | undefined; output: string; exitCode: number | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", HARNESS, pathToFileURL(file).href], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutSeconds * 1000,
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", fail);
    child.on("close", (exitCode) => {
      const output = Buffer.concat(chunks).toString("utf8");
      const line = output.split("\n").reverse().find((text) => text.startsWith(RESULT_PREFIX));
      done({ result: line === undefined ? undefined : (JSON.parse(line.slice(RESULT_PREFIX.length)) as HarnessResult), output, exitCode });
    });
  });
}

function outcome(call: CallOutcome): CallOutcome {
  return { threw: call.threw, errno: call.errno, name: call.name, message: call.message };
}

function describeThrow(call: CallOutcome): string {
  return `${call.name ?? "error"}${call.errno === undefined ? " without errno" : ` ${call.errno}`}: ${call.message ?? ""}`;
}

/**
 * Executes one runtime case and judges it against its `@expect-throw` tag.
 *
 * @remarks
 * Passes when `correct()` returns without throwing, `misuse()` throws an error whose `errno`
 * property equals the tag's errno and whose message contains the tag's fragment, and the process
 * then exits with code 0 (no unhandled rejection or other late error). Both functions may be async.
 * The case runs in its own Node process, so state it leaves behind cannot affect others.
 *
 * @param transpiler - The transpiler, from {@link loadTranspiler}.
 * @param kase - The case (a runtime case without catalogue problems).
 * @param dir - A directory inside the project for the transpiled file.
 * @param cwd - The working directory of the child process.
 * @param index - A number that keeps the transpiled file name unique.
 * @param timeoutSeconds - How long the case may run.
 * @returns The check.
 */
export async function runRuntimeCase(
  transpiler: Transpiler,
  kase: MisuseCase,
  dir: string,
  cwd: string,
  index: number,
  timeoutSeconds = 60,
): Promise<RuntimeCheck> {
  const expected = kase.expectThrow;
  if (expected === undefined) {
    return { verdict: "fail", reasons: ["no @expect-throw tag"], correct: undefined, misuse: undefined };
  }
  let file: string;
  try {
    file = transpileCase(transpiler, kase, dir, index);
  } catch (error) {
    return { verdict: "fail", reasons: [`could not transpile: ${String(error)}`], correct: undefined, misuse: undefined };
  }
  const { result, output, exitCode } = await execute(file, cwd, timeoutSeconds);
  const detail = output.split("\n").filter((text) => !text.startsWith(RESULT_PREFIX)).join("\n").trim().split("\n").slice(0, 12).join("\n");
  if (result === undefined) {
    return { verdict: "fail", reasons: [`module did not run to completion (load error, crash or timeout): ${detail}`], correct: undefined, misuse: undefined };
  }
  const reasons: string[] = [];
  // An error that surfaces after the calls (an unhandled rejection, a failing exit hook) is a failure too.
  if (exitCode !== 0) reasons.push(`the case's process exited with code ${exitCode} after correct() and misuse() returned: ${detail}`);
  if (result.correct.missing) reasons.push("module does not export a correct() function");
  else if (result.correct.threw) reasons.push(`correct() threw ${describeThrow(result.correct)}`);
  if (result.misuse.missing) reasons.push("module does not export a misuse() function");
  else if (!result.misuse.threw) reasons.push(`misuse did not throw: misuse() returned, expected ${expected.errno} "${expected.fragment}"`);
  else if (result.misuse.errno !== expected.errno || !(result.misuse.message ?? "").includes(expected.fragment)) {
    reasons.push(`misuse() threw ${describeThrow(result.misuse)}; expected ${expected.errno} "${expected.fragment}"`);
  }
  return {
    verdict: reasons.length === 0 ? "pass" : "fail",
    reasons,
    correct: result.correct.missing ? undefined : outcome(result.correct),
    misuse: result.misuse.missing ? undefined : outcome(result.misuse),
  };
}
