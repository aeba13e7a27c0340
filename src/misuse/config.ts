/**
 * The runner's configuration: `<dir>/misuse.config.json`, or the `typescript` package of the
 * working directory when there is none.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { kernelError } from "../errors.js";
import type { CompilerSpec } from "./types.js";

/** One compiler entry of `misuse.config.json`. */
export interface CompilerConfig {
  /** A human label such as `"tsc 5.9"`; the id when omitted. */
  readonly label?: string;
  /** The path of the compiler's `tsc` script, relative to the working directory. */
  readonly tsc: string;
}

/**
 * The shape of `misuse.config.json`.
 *
 * @remarks
 * Without `compilers` the runner uses the `typescript` package of the working directory, whatever
 * its version (7.0 included). To run several, install them side by side under npm aliases
 * (`npm install -D ts60@npm:typescript@6.0 ts7@npm:typescript@7.0`) and list each alias's
 * `bin/tsc` here.
 *
 * @example
 * ```json
 * {
 *   "compilers": {
 *     "tsc-5.9": { "label": "tsc 5.9", "tsc": "node_modules/typescript/bin/tsc" },
 *     "tsc-6.0": { "label": "tsc 6.0", "tsc": "node_modules/ts60/bin/tsc" },
 *     "tsgo-7.0": { "label": "tsgo 7.0", "tsc": "node_modules/ts7/bin/tsc" }
 *   },
 *   "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext" }
 * }
 * ```
 */
export interface MisuseConfig {
  /** The compilers, by id, in the order they are run and reported. */
  readonly compilers?: Readonly<Record<string, CompilerConfig>>;
  /** Compiler options for every case, as in a `tsconfig.json`. */
  readonly compilerOptions?: Readonly<Record<string, unknown>>;
}

/** The configuration after defaults are applied and paths resolved. */
export interface ResolvedConfig {
  /** The compilers to run, in order. */
  readonly compilers: readonly CompilerSpec[];
  /** Every compiler id the configuration defines (markers may name any of them). */
  readonly knownCompilers: readonly string[];
  /** The compiler options, before the runner adds `noEmit` and `moduleDetection`. */
  readonly compilerOptions: Readonly<Record<string, unknown>>;
  /** The absolute path of the configuration file, or `undefined` when defaults were used. */
  readonly configFile: string | undefined;
}

/** The compiler options used when the configuration gives none. */
export const DEFAULT_COMPILER_OPTIONS: Readonly<Record<string, unknown>> = {
  strict: true,
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2022", "ESNext.Disposable"],
  skipLibCheck: true,
};

/** The name of the configuration file looked up in a catalogue directory. */
export const CONFIG_FILE = "misuse.config.json";

/**
 * Finds the `typescript` package that resolves from a directory and describes its `tsc`.
 *
 * @param cwd - The directory to resolve from.
 * @returns The compiler, with id `"tsc"`.
 * @throws KernelError `ENOENT` when no `typescript` package resolves from `cwd`.
 */
export function defaultCompiler(cwd: string): CompilerSpec {
  const require = createRequire(join(cwd, "package.json"));
  let manifest: string;
  try {
    manifest = require.resolve("typescript/package.json");
  } catch {
    throw kernelError("ENOENT", "misuse_config", "no typescript package resolves from the working directory and no misuse.config.json names a compiler", { cwd });
  }
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version?: string };
  return { id: "tsc", label: `tsc ${version ?? "?"}`, tsc: join(dirname(manifest), "bin", "tsc") };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readConfig(file: string): MisuseConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw kernelError("EINVAL", "misuse_config", "configuration is not valid JSON", { file, error: String(error) });
  }
  if (!isRecord(parsed)) throw kernelError("EINVAL", "misuse_config", "configuration is not an object", { file });
  const { compilers, compilerOptions } = parsed;
  if (compilers !== undefined) {
    if (!isRecord(compilers)) throw kernelError("EINVAL", "misuse_config", "compilers is not an object", { file });
    for (const [id, entry] of Object.entries(compilers)) {
      if (!isRecord(entry) || typeof entry["tsc"] !== "string" || (entry["label"] !== undefined && typeof entry["label"] !== "string")) {
        throw kernelError("EINVAL", "misuse_config", 'compiler entry needs { "tsc": string, "label"?: string }', { file, id });
      }
    }
  }
  if (compilerOptions !== undefined && !isRecord(compilerOptions)) {
    throw kernelError("EINVAL", "misuse_config", "compilerOptions is not an object", { file });
  }
  return parsed as MisuseConfig;
}

/**
 * Loads the configuration of a catalogue, applies defaults and resolves compiler paths.
 *
 * @param dir - The catalogue directory (absolute, or relative to `cwd`).
 * @param cwd - The working directory compiler paths are relative to.
 * @param overrides - Compilers and options that replace or extend the file's, and the ids to keep.
 * @returns The resolved configuration.
 * @throws KernelError `EINVAL` for a malformed file or an unknown compiler id, `ENOENT` for a
 * compiler script that does not exist.
 */
export function loadConfig(
  dir: string,
  cwd: string,
  overrides: {
    readonly compilers?: Readonly<Record<string, CompilerConfig>> | undefined;
    readonly compilerOptions?: Readonly<Record<string, unknown>> | undefined;
    readonly only?: readonly string[] | undefined;
  } = {},
): ResolvedConfig {
  const file = resolve(cwd, dir, CONFIG_FILE);
  const config = existsSync(file) ? readConfig(file) : {};
  const entries = Object.entries(overrides.compilers ?? config.compilers ?? {});
  let all: CompilerSpec[] = entries.map(([id, entry]) => ({ id, label: entry.label ?? id, tsc: resolve(cwd, entry.tsc) }));
  if (all.length === 0) all = [defaultCompiler(cwd)];
  const knownCompilers = all.map((compiler) => compiler.id);
  let compilers = all;
  if (overrides.only !== undefined && overrides.only.length > 0) {
    compilers = overrides.only.map((id) => {
      const found = all.find((compiler) => compiler.id === id);
      if (!found) throw kernelError("EINVAL", "misuse_config", "unknown compiler id", { id, known: knownCompilers.join(", ") });
      return found;
    });
  }
  for (const compiler of compilers) {
    if (!existsSync(compiler.tsc)) throw kernelError("ENOENT", "misuse_config", "compiler script not found", { id: compiler.id, tsc: compiler.tsc });
  }
  const compilerOptions = { ...(config.compilerOptions ?? DEFAULT_COMPILER_OPTIONS), ...overrides.compilerOptions };
  return { compilers, knownCompilers, compilerOptions, configFile: existsSync(file) ? file : undefined };
}
