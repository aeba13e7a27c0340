#!/usr/bin/env node
// Runs every suite (build, type check, runtime tests on Node 20 and Node 24, tsd, the misuse runner
// on every compiler, the docs site in a browser) and ends with one line: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const tmp = join(root, ".tmp");
mkdirSync(tmp, { recursive: true });
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** @type {{ suite: string, passed: number, failed: number, note: string }[]} */
const results = [];

function run(command, args, options = {}) {
  const started = Date.now();
  const child = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  return { ok: child.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function heading(text) {
  process.stdout.write(`\n=== ${text} ===\n`);
}

/** A suite that counts as one check: it passes when the command exits 0. */
function single(suite, command, args) {
  heading(suite);
  const { ok, seconds } = run(command, args);
  results.push({ suite, passed: ok ? 1 : 0, failed: ok ? 0 : 1, note: `${seconds}s` });
  return ok;
}

/** A vitest run whose counts come from its JSON report. */
function vitest(suite, nodeCommand) {
  heading(suite);
  const out = join(tmp, `${suite.replace(/\W+/g, "-")}.json`);
  const args = [
    ...nodeCommand.slice(1),
    join(root, "node_modules/vitest/vitest.mjs"),
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${out}`,
  ];
  // A report left by an earlier run must not stand in for one this run failed to write.
  rmSync(out, { force: true });
  const { ok, seconds } = run(nodeCommand[0], args);
  if (!existsSync(out)) {
    results.push({ suite, passed: 0, failed: 1, note: "no report written" });
    return;
  }
  const report = JSON.parse(readFileSync(out, "utf8"));
  const skipped = report.numPendingTests + report.numTodoTests;
  // A skipped test is a defect here: count it as failed.
  const failed = report.numFailedTests + skipped + (ok || report.numFailedTests > 0 ? 0 : 1);
  results.push({ suite, passed: report.numPassedTests, failed, note: `${seconds}s${skipped ? `, ${skipped} skipped` : ""}` });
}

/** A runner that writes `{ passed, failed }` to a JSON file given as `--json FILE`. */
function counted(suite, command, args) {
  heading(suite);
  const out = join(tmp, `${suite.replace(/\W+/g, "-")}.json`);
  // A report left by an earlier run must not stand in for one this run failed to write.
  rmSync(out, { force: true });
  const { ok, seconds } = run(command, [...args, "--json", out]);
  if (!existsSync(out)) {
    results.push({ suite, passed: 0, failed: 1, note: "no report written" });
    return;
  }
  const report = JSON.parse(readFileSync(out, "utf8"));
  const failed = report.failed + (ok || report.failed > 0 ? 0 : 1);
  results.push({ suite, passed: report.passed, failed, note: `${seconds}s` });
}

/** A suite that could not run: one failure, so a missing suite never reads as a pass. */
function notRun(suite, note) {
  results.push({ suite, passed: 0, failed: 1, note: `not run: ${note}` });
}

const built = single("build (tsc, declarations)", process.execPath, [tsc, "-p", "tsconfig.build.json"]);
single("type check (src, tests, examples, bench)", process.execPath, [tsc, "-p", "tsconfig.json"]);
vitest("runtime tests on Node 20", [process.execPath]);
vitest("runtime tests on Node 24", ["npx", "--yes", "node@24"]);
if (built) {
  counted("tsd type tests", process.execPath, [join(root, "scripts/tsd.mjs")]);
  const misuseCli = join(root, "dist/misuse/cli.js");
  if (existsSync(misuseCli)) {
    counted("misuse runner (every compiler)", process.execPath, [misuseCli, "types-test/misuse"]);
  } else {
    notRun("misuse runner (every compiler)", "dist/misuse/cli.js missing");
  }
} else {
  notRun("tsd type tests", "the build failed");
  notRun("misuse runner (every compiler)", "the build failed");
}
counted("docs site in headless Chromium", process.execPath, [join(root, "scripts/test-docs.mjs")]);

heading("summary");
const width = Math.max(...results.map((r) => r.suite.length));
for (const r of results) {
  process.stdout.write(`${r.suite.padEnd(width)}  ${String(r.passed).padStart(5)} passed  ${String(r.failed).padStart(3)} failed  (${r.note})\n`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
