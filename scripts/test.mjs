#!/usr/bin/env node
// Runs every suite (build, type check, runtime tests on Node 20 and Node 24, tsd, the misuse runner
// on every compiler, the doc examples on every compiler, the consumer matrix, the docs site in a
// browser) and ends with one line: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { countedResult, notRunResult, readReport, singleResult, summaryLines, totals, vitestResult } from "./test-summary.mjs";

const root = new URL("..", import.meta.url).pathname;
const tmp = join(root, ".tmp");
mkdirSync(tmp, { recursive: true });
const tsc = join(root, "node_modules/typescript/bin/tsc");
const misuseResult = join(tmp, "misuse-result.json");

/** @type {import("./test-summary.mjs").SuiteResult[]} */
const results = [];

function run(command, args, options = {}) {
  const started = Date.now();
  const child = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  return { ok: child.status === 0, seconds: (Date.now() - started) / 1000 };
}

function heading(text) {
  process.stdout.write(`\n=== ${text} ===\n`);
}

/**
 * Where a suite writes its report. A report left by an earlier run is removed first: it must not
 * stand in for one this run failed to write.
 */
function freshReport(suite) {
  const out = join(tmp, `${suite.replace(/\W+/g, "-")}.json`);
  rmSync(out, { force: true });
  return out;
}

/** A suite that counts as one check: it passes when the command exits 0. */
function single(suite, command, args) {
  heading(suite);
  const result = run(command, args);
  results.push(singleResult(suite, result));
  return result.ok;
}

/** A vitest run whose counts come from its JSON report. */
function vitest(suite, nodeCommand) {
  heading(suite);
  const out = freshReport(suite);
  const args = [
    ...nodeCommand.slice(1),
    join(root, "node_modules/vitest/vitest.mjs"),
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${out}`,
  ];
  const result = run(nodeCommand[0], args);
  results.push(vitestResult(suite, readReport(out), result));
}

/** A runner that writes `{ passed, failed }` to a JSON file given as `--json FILE`. */
function counted(suite, command, args, options = {}) {
  heading(suite);
  const out = freshReport(suite);
  const result = run(command, [...args, "--json", out], options);
  results.push(countedResult(suite, readReport(out), result));
}

const EXAMPLES = "doc examples (README, docs/*.md, @example; every compiler)";

/**
 * The doc examples: every ```ts block of the README, the guides and the `@example` tags, compiled on
 * the catalogue's compilers. Counted like the catalogue, one row per (block, compiler); the blocks
 * marked `no-compile` are named in the note, never counted as passed.
 */
function examples(misuseCli) {
  counted(EXAMPLES, process.execPath, [misuseCli, "--examples", "--config", "types-test/misuse"]);
  const report = readReport(join(tmp, `${EXAMPLES.replace(/\W+/g, "-")}.json`));
  let skipped;
  try {
    skipped = report === undefined ? undefined : JSON.parse(report).skipped;
  } catch {
    skipped = undefined; // an unreadable report already counts as a failure
  }
  const result = results[results.length - 1];
  if (Array.isArray(skipped) && result !== undefined) result.note += `, ${skipped.length} blocks marked no-compile`;
}

/** A suite that could not run: one failure, so a missing suite never reads as a pass. */
function notRun(suite, note) {
  results.push(notRunResult(suite, note));
}

const built = single("build (tsc, declarations)", process.execPath, [tsc, "-p", "tsconfig.build.json"]);
single("type check (src, tests, examples, bench)", process.execPath, [tsc, "-p", "tsconfig.json"]);
vitest("runtime tests on Node 20", [process.execPath]);
vitest("runtime tests on Node 24", ["npx", "--yes", "node@24"]);
if (built) {
  counted("tsd type tests", process.execPath, [join(root, "scripts/tsd.mjs")]);
  const misuseCli = join(root, "dist/misuse/cli.js");
  if (existsSync(misuseCli)) {
    rmSync(misuseResult, { force: true });
    counted("misuse runner (every compiler)", process.execPath, [misuseCli, "types-test/misuse", "--result", misuseResult]);
  } else {
    notRun("misuse runner (every compiler)", "dist/misuse/cli.js missing");
  }
  if (existsSync(misuseCli)) examples(misuseCli);
  else notRun(EXAMPLES, "dist/misuse/cli.js missing");
} else {
  notRun("tsd type tests", "the build failed");
  notRun("misuse runner (every compiler)", "the build failed");
  notRun(EXAMPLES, "the build failed");
}
if (built) counted("consumer matrix (packed tarball, TypeScript 5.2 to 7.0, Node 20 and 24)", process.execPath, [join(root, "scripts/consumer-matrix.mjs")]);
else notRun("consumer matrix (packed tarball, TypeScript 5.2 to 7.0, Node 20 and 24)", "the build failed");
// The docs site's misuse catalogue page shows the run above instead of running the catalogue again.
counted("docs site in headless Chromium", process.execPath, [join(root, "scripts/test-docs.mjs")], {
  env: { ...process.env, ...(existsSync(misuseResult) ? { OWNKIT_MISUSE_RESULT: misuseResult } : {}) },
});

heading("summary");
process.stdout.write(`${summaryLines(results).join("\n")}\n`);
process.exit(totals(results).failed === 0 ? 0 : 1);
