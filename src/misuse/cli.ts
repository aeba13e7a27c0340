#!/usr/bin/env node
/**
 * The `ownkit-misuse` command: runs a misuse catalogue and prints a table of verdicts.
 *
 * @remarks
 * `ownkit-misuse <dir> [--compiler <id>]... [--json <file>] [--result <file>] [--no-runtime] [--keep-temp]`. Exits 0
 * when every row passed, 1 when any failed, 2 on a usage or configuration error.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { formatReport } from "./report.js";
import { runCatalogue } from "./run.js";

const USAGE = `usage: ownkit-misuse <dir> [--compiler <id>]... [--json <file>] [--result <file>] [--no-runtime] [--keep-temp]

Type-checks every case in <dir> with each compiler of <dir>/misuse.config.json (or the typescript
package of the current directory) and runs its runtime cases.

  --compiler <id>   only this compiler (repeatable, or comma-separated)
  --json <file>     also write { "passed", "failed", "rows" } to <file>
  --result <file>   also write the whole result (cases, diagnostics, runtime outcomes) to <file>
  --no-runtime      type-check runtime cases but do not execute them
  --keep-temp       keep the generated files under .tmp/misuse/
`;

interface CliArgs {
  readonly dir: string;
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
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else if (dir === undefined) dir = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (dir === undefined) throw new UsageError("missing catalogue directory");
  return { dir, only, json, result: resultFile, runtime, keepTemp };
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

process.exitCode = await main(process.argv.slice(2));
