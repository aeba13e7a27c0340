/**
 * Running one compiler over every case of a catalogue in a single invocation, and reading its output.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { CompilerSpec, Diagnostic } from "./types.js";

const LOCATED = /^(.+)\((\d+),(\d+)\): (error|warning|message|suggestion) TS(\d+): (.*)$/;
const UNLOCATED = /^(error|warning|message|suggestion) TS(\d+): (.*)$/;

/**
 * Reads `--pretty false` compiler output into diagnostics.
 *
 * @remarks
 * Each diagnostic starts with `file(line,col): error TSxxxx: message` (or `error TSxxxx: message`
 * without a location); indented lines that follow continue its message chain. Lines of any other
 * shape are ignored.
 *
 * @param output - The compiler's standard output.
 * @param cwd - The directory the compiler ran in; file names are resolved against it.
 * @param lineText - Gives the text of a source line, for {@link Diagnostic.sourceLine}.
 * @returns The diagnostics in output order.
 */
export function parseDiagnostics(
  output: string,
  cwd: string,
  lineText: (file: string, line: number) => string = () => "",
): Diagnostic[] {
  const found: { file: string | undefined; line: number; column: number; code: number; category: string; chain: string[] }[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const located = LOCATED.exec(raw);
    if (located) {
      found.push({
        file: resolve(cwd, located[1] ?? ""),
        line: Number(located[2]),
        column: Number(located[3]),
        category: located[4] ?? "error",
        code: Number(located[5]),
        chain: [located[6] ?? ""],
      });
      continue;
    }
    const unlocated = UNLOCATED.exec(raw);
    if (unlocated) {
      found.push({ file: undefined, line: 0, column: 0, category: unlocated[1] ?? "error", code: Number(unlocated[2]), chain: [unlocated[3] ?? ""] });
      continue;
    }
    const last = found[found.length - 1];
    if (last && /^\s+\S/.test(raw)) last.chain.push(raw.trim());
  }
  return found.map(({ chain, ...rest }) => ({
    ...rest,
    messageChain: chain,
    message: chain.map((part) => part.trim()).join(" "),
    sourceLine: rest.file === undefined ? "" : lineText(rest.file, rest.line),
  }));
}

/** The compiler options whose value is one path. */
const PATH_OPTIONS = ["baseUrl", "rootDir", "outDir", "outFile", "declarationDir", "tsBuildInfoFile"] as const;
/** The compiler options whose value is a list of paths. */
const PATH_LIST_OPTIONS = ["rootDirs", "typeRoots"] as const;

/** Whether a `types` entry is a path (`./x`, `../x`, absolute) rather than a package name. */
function isPathEntry(entry: string): boolean {
  return entry.startsWith("./") || entry.startsWith("../") || entry === "." || entry === ".." || isAbsolute(entry);
}

/**
 * Makes the path-valued compiler options absolute, resolved against the working directory.
 *
 * @remarks
 * A tsconfig resolves relative paths against its own directory, and the runner's tsconfig lives in a
 * temporary directory, so configured paths are made absolute first: `baseUrl`, `rootDir`, `outDir`,
 * `outFile`, `declarationDir`, `tsBuildInfoFile`, each entry of `rootDirs` and `typeRoots`, each
 * `types` entry that is a path rather than a package name, and each `paths` substitution (against
 * `baseUrl` when it is set, as the compiler does). Values of the wrong type are left for the compiler
 * to report.
 *
 * @param compilerOptions - The options from the configuration.
 * @param cwd - The working directory the configured paths are relative to.
 * @returns A copy of the options with those paths absolute.
 */
export function resolveOptionPaths(compilerOptions: Readonly<Record<string, unknown>>, cwd: string): Record<string, unknown> {
  const options: Record<string, unknown> = { ...compilerOptions };
  for (const name of PATH_OPTIONS) {
    const value = options[name];
    if (typeof value === "string") options[name] = resolve(cwd, value);
  }
  for (const name of PATH_LIST_OPTIONS) {
    const value = options[name];
    if (Array.isArray(value)) options[name] = value.map((entry: unknown) => (typeof entry === "string" ? resolve(cwd, entry) : entry));
  }
  const types = options["types"];
  if (Array.isArray(types)) options["types"] = types.map((entry: unknown) => (typeof entry === "string" && isPathEntry(entry) ? resolve(cwd, entry) : entry));
  const paths = options["paths"];
  if (typeof paths === "object" && paths !== null && !Array.isArray(paths)) {
    const base = typeof options["baseUrl"] === "string" ? options["baseUrl"] : cwd;
    options["paths"] = Object.fromEntries(
      Object.entries(paths).map(([pattern, targets]: [string, unknown]) => [
        pattern,
        Array.isArray(targets) ? targets.map((target: unknown) => (typeof target === "string" ? resolve(base, target) : target)) : targets,
      ]),
    );
  }
  return options;
}

/**
 * Writes the tsconfig that lists every case file, with the runner's fixed options added.
 *
 * @remarks
 * `noEmit` is always on, and `moduleDetection: "force"` makes every case its own module, so
 * declarations and errors cannot leak from one case into another. Path-valued options are resolved
 * against `cwd` ({@link resolveOptionPaths}), not against the directory the file is written to.
 *
 * @param dir - The (temporary) directory to write `tsconfig.json` into.
 * @param files - The absolute paths of the case files.
 * @param compilerOptions - The options from the configuration.
 * @param cwd - The working directory the options' relative paths are relative to.
 * @returns The path of the written file.
 */
export function writeTsconfig(dir: string, files: readonly string[], compilerOptions: Readonly<Record<string, unknown>>, cwd: string): string {
  const path = join(dir, "tsconfig.json");
  const config = { compilerOptions: { ...resolveOptionPaths(compilerOptions, cwd), noEmit: true, moduleDetection: "force" }, files };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** What a compiler invocation printed. */
export interface CompilerOutput {
  /** Standard output and standard error, concatenated. */
  readonly output: string;
  /** The exit code (`null` when it was killed). */
  readonly exitCode: number | null;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/**
 * Runs a compiler's `tsc` script with the current Node.
 *
 * @param compiler - The compiler.
 * @param args - The arguments after the script.
 * @param cwd - The directory to run in.
 * @param timeoutSeconds - How long to wait before killing it.
 * @returns What it printed, its exit code and how long it took.
 */
export function runCompiler(compiler: CompilerSpec, args: readonly string[], cwd: string, timeoutSeconds = 300): Promise<CompilerOutput> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [compiler.tsc, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutSeconds * 1000 });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", fail);
    child.on("close", (exitCode) => {
      done({ output: Buffer.concat(chunks).toString("utf8"), exitCode, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/**
 * Type-checks a project with one compiler: `tsc -p <tsconfig> --noEmit --pretty false`.
 *
 * @param compiler - The compiler.
 * @param tsconfig - The tsconfig written by {@link writeTsconfig}.
 * @param cwd - The directory to run in (diagnostic paths are relative to it).
 * @param timeoutSeconds - How long to wait before killing the compiler.
 * @returns The compiler's output.
 */
export function typeCheck(compiler: CompilerSpec, tsconfig: string, cwd: string, timeoutSeconds?: number): Promise<CompilerOutput> {
  return runCompiler(compiler, ["-p", tsconfig, "--noEmit", "--pretty", "false"], cwd, timeoutSeconds);
}

/**
 * Reads a compiler's version with `tsc --version`.
 *
 * @param compiler - The compiler.
 * @param cwd - The directory to run in.
 * @returns The version, such as `"5.9.3"`, or `undefined` when it could not be read.
 */
export async function compilerVersion(compiler: CompilerSpec, cwd: string): Promise<string | undefined> {
  try {
    const { output } = await runCompiler(compiler, ["--version"], cwd, 60);
    return /Version\s+(\S+)/.exec(output)?.[1];
  } catch {
    return undefined;
  }
}
