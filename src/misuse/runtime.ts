/**
 * Executing runtime cases: `correct()` must return, `misuse()` must throw the tagged errno.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { kernelError } from "../errors.js";
import type { CallOutcome, MisuseCase, RuntimeCheck } from "./types.js";

/** The part of the TypeScript API the runner uses to turn a case into JavaScript. */
interface Transpiler {
  transpileModule(source: string, options: { compilerOptions: Record<string, unknown>; fileName: string }): { outputText: string };
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
 * Loads the `typescript` package that resolves from a directory, for its `transpileModule`.
 *
 * @param cwd - The directory to resolve from.
 * @returns The TypeScript API.
 * @throws KernelError `ENOENT` when no `typescript` package resolves from `cwd`.
 */
export function loadTranspiler(cwd: string): Transpiler {
  const require = createRequire(join(cwd, "package.json"));
  try {
    return require("typescript") as Transpiler;
  } catch {
    throw kernelError("ENOENT", "misuse_runtime", "runtime cases need the typescript package, and none resolves from the working directory", { cwd });
  }
}

/**
 * Turns a case into an ES module file (`using` lowered for ES2022) in a directory of the project.
 *
 * @remarks
 * The file must live inside the project so that bare imports (including the package's own name)
 * resolve as they would for a consumer. Relative imports of other `.ts` files are not supported.
 *
 * @param transpiler - The TypeScript API.
 * @param kase - The case.
 * @param dir - The directory to write into.
 * @param index - A number that keeps the file name unique.
 * @returns The path of the written `.mjs` file.
 */
export function transpileCase(transpiler: Transpiler, kase: MisuseCase, dir: string, index: number): string {
  const source = readFileSync(kase.file, "utf8");
  const { outputText } = transpiler.transpileModule(source, {
    fileName: kase.file,
    // module 99 is ESNext, target 9 is ES2022: numbers, so the enums need not be imported.
    compilerOptions: { module: 99, target: 9, sourceMap: false, inlineSourceMap: false },
  });
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
 * @param transpiler - The TypeScript API.
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
