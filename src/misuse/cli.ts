#!/usr/bin/env node
/**
 * The `ownkit-misuse` command: runs a misuse catalogue and prints a table of verdicts.
 *
 * @remarks
 * `ownkit-misuse <dir> [--compiler <id>]... [--json <file>] [--result <file>] [--no-runtime] [--keep-temp]`, or
 * `ownkit-misuse --examples [<source>...] [--config <dir>] [--compiler <id>]... [--json <file>] [--keep-temp]`
 * to compile the documentation's TypeScript examples. Exits 0 when every row passed, 1 when any
 * failed, 2 on a usage or configuration error.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DEFAULT_EXAMPLE_SOURCES, formatExamplesReport, runExamples } from "./examples.js";
import { formatReport } from "./report.js";
import { runCatalogue } from "./run.js";

const USAGE = `usage: ownkit-misuse <dir> [--compiler <id>]... [--json <file>] [--result <file>] [--no-runtime] [--keep-temp]
       ownkit-misuse --examples [<source>...] [--config <dir>] [--compiler <id>]... [--json <file>] [--keep-temp]

Type-checks every case in <dir> with each compiler of <dir>/misuse.config.json (or the typescript
package of the current directory) and runs its runtime cases.

  --compiler <id>   only this compiler (repeatable, or comma-separated)
  --json <file>     also write { "passed", "failed", "rows" } to <file>
  --result <file>   also write the whole result (cases, diagnostics, runtime outcomes) to <file>
  --no-runtime      type-check runtime cases but do not execute them
  --keep-temp       keep the generated files under .tmp/misuse/

With --examples, compiles every \`\`\`ts block of the Markdown sources and of the @example tags of
the TypeScript sources (default: ${DEFAULT_EXAMPLE_SOURCES.join(" ")}), each as its own module,
and checks the errors their "// error TS<code>: <message>" comments quote.

  --config <dir>    the directory whose misuse.config.json names the compilers (default: .)
  --json <file>     also write { "passed", "failed", "skipped", "rows" } to <file>
`;

interface CliArgs {
  readonly dir: string | undefined;
  readonly examples: boolean;
  readonly sources: string[];
  readonly config: string | undefined;
  readonly only: string[];
  readonly json: string | undefined;
  readonly result: string | undefined;
  readonly runtime: boolean;
  readonly keepTemp: boolean;
}

/** Thrown for a command line that cannot be run. */
class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs {
  let dir: string | undefined;
  let examples = false;
  let config: string | undefined;
  const sources: string[] = [];
  let json: string | undefined;
  let resultFile: string | undefined;
  let runtime = true;
  let keepTemp = false;
  const only: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    const value = (): string => {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      index += 1;
      return next;
    };
    if (arg === "--compiler") only.push(...value().split(",").filter((id) => id !== ""));
    else if (arg === "--json") json = value();
    else if (arg === "--result") resultFile = value();
    else if (arg === "--no-runtime") runtime = false;
    else if (arg === "--keep-temp") keepTemp = true;
    else if (arg === "--examples") examples = true;
    else if (arg === "--config") config = value();
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else if (dir === undefined) dir = arg;
    else sources.push(arg);
  }
  if (examples) {
    if (!runtime || resultFile !== undefined) throw new UsageError("--no-runtime and --result are for a catalogue, not --examples");
    return { dir: undefined, examples, sources: dir === undefined ? [] : [dir, ...sources], config, only, json, result: undefined, runtime, keepTemp };
  }
  if (dir === undefined) throw new UsageError("missing catalogue directory");
  if (sources.length > 0) throw new UsageError(`unexpected argument ${sources[0] ?? ""}`);
  if (config !== undefined) throw new UsageError("--config is for --examples (a catalogue reads <dir>/misuse.config.json)");
  return { dir, examples, sources, config, only, json, result: resultFile, runtime, keepTemp };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`ownkit-misuse: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.examples) return examplesMain(args);
  if (args.dir === undefined) return 2;
  let result;
  try {
    result = await runCatalogue({ dir: args.dir, only: args.only, runtime: args.runtime, keepTemp: args.keepTemp });
  } catch (error) {
    process.stderr.write(`ownkit-misuse: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  process.stdout.write(formatReport(result));
  if (args.json !== undefined) {
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ passed: result.passed, failed: result.failed, rows: result.rows }, null, 2)}\n`);
  }
  if (args.result !== undefined) {
    const file = resolve(args.result);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result)}\n`);
  }
  return result.failed === 0 ? 0 : 1;
}

async function examplesMain(args: CliArgs): Promise<number> {
  let result;
  try {
    result = await runExamples({
      ...(args.sources.length > 0 ? { sources: args.sources } : {}),
      ...(args.config !== undefined ? { configDir: args.config } : {}),
      only: args.only,
      keepTemp: args.keepTemp,
    });
  } catch (error) {
    process.stderr.write(`ownkit-misuse: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  process.stdout.write(formatExamplesReport(result));
  if (args.json !== undefined) {
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ passed: result.passed, failed: result.failed, skipped: result.skipped, rows: result.rows }, null, 2)}\n`);
  }
  return result.failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
