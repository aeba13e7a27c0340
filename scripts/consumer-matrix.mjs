#!/usr/bin/env node
// The consumer matrix (`npm run test:consumers`): the package as its users get it.
//
// Packs the package once (`npm pack`, from the built dist/), installs the tarball into fresh consumer
// projects under .tmp/consumers/ (one ESM install, one CommonJS install), then for TypeScript 5.2,
// 5.9, 6.0 and 7.0 (taken from this repository's node_modules by path, so nothing is downloaded)
// × ESM with NodeNext, ESM with bundler resolution and CommonJS with NodeNext: type-checks the
// programs of test/fixtures/consumers/ and the README's examples, verbatim (the correct program must be
// clean, each misuse must report exactly its documented errors, a README example exactly the errors
// its comments name) and runs the compiled correct program on Node 20 and Node 24. Two more
// cells pin the documented errors of a consumer set-up that is wrong (no `ESNext.Disposable` lib,
// `moduleResolution: node10`), and the lint recipe for a TypeScript 7 project is checked
// (scripts/consumer-lint.mjs). Meanwhile it installs the repository with `npm install git+file://`
// into a fresh project (the committed HEAD; `prepare` must build dist/) and type-checks it there;
// `--no-git` skips that.
// `--json FILE` writes `{ "passed": n, "failed": n, "checks": [...] }`. Exits 1 when a check fails.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { compare, expectedDiagnostics, parseTscOutput, readmePrograms } from "./consumer-expect.mjs";
import { checkLintRecipe } from "./consumer-lint.mjs";

const root = new URL("..", import.meta.url).pathname;
const work = join(root, ".tmp/consumers");
const programs = join(root, "test/fixtures/consumers");
const started = Date.now();
const jsonIndex = process.argv.indexOf("--json");
const jsonFile = jsonIndex >= 0 ? process.argv[jsonIndex + 1] : undefined;
/** The README's examples, compiled verbatim in every cell beside the programs of test/fixtures/consumers/. */
const readme = readmePrograms(readFileSync(join(root, "README.md"), "utf8"));

/** TypeScript versions, by the directory of this repository's node_modules that holds each. */
const TYPESCRIPTS = [
  { id: "5.2", dir: "ts52", tags: ["old"] },
  { id: "5.9", dir: "typescript", tags: [] },
  { id: "6.0", dir: "ts60", tags: [] },
  { id: "7.0", dir: "ts7", tags: [] },
];
const BASE_OPTIONS = { strict: true, target: "ES2022", lib: ["ES2022", "ESNext.Disposable"], types: [], skipLibCheck: false, rootDir: "src" };
/** The consumer kinds: which install they use and their module options. */
const KINDS = [
  { id: "esm", label: "ESM, NodeNext", install: "module", options: { module: "NodeNext", moduleResolution: "NodeNext" } },
  { id: "bundler", label: "ESM, bundler", install: "module", options: { module: "ESNext", moduleResolution: "Bundler" } },
  { id: "cjs", label: "CommonJS, NodeNext", install: "commonjs", options: { module: "NodeNext", moduleResolution: "NodeNext" } },
];
/** Wrong set-ups whose documented error the matrix pins (type check only, TypeScript 5.9). */
const WRONG_SETUPS = [
  { id: "nolib", label: "ESM without ESNext.Disposable", install: "module", include: ["src/nolib"], options: { module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], skipLibCheck: true } },
  { id: "node10", label: "CommonJS, node10", install: "commonjs", include: ["src/node10"], options: { module: "CommonJS", moduleResolution: "node10" } },
];

/** @type {{ name: string, ok: boolean, detail: string }[]} */
const checks = [];
function check(name, ok, detail = "") {
  checks.push({ name, ok, detail });
  process.stdout.write(`${ok ? "ok  " : "FAIL"}  ${name}${detail ? `: ${detail}` : ""}\n`);
  return ok;
}

function finish() {
  const passed = checks.filter((entry) => entry.ok).length;
  const failed = checks.length - passed;
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ passed, failed, checks }, null, 2));
  process.stdout.write(`consumers: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
  process.exit(failed === 0 ? 0 : 1);
}

/** Runs a command; resolves with its exit code and combined output (never rejects). */
function exec(command, args, cwd, timeoutSeconds = 120) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutSeconds * 1000 });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => done({ code: -1, output: String(error) }));
    child.on("close", (code) => done({ code, output }));
  });
}

/** Runs tasks with at most `limit` in flight. */
async function pooled(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

const firstLines = (text, count = 6) => text.trim().split("\n").slice(0, count).join(" | ");

// 1. Pack once, from the dist/ the build left (the test aggregator builds first).
if (!check("dist/ is built", existsSync(join(root, "dist/index.js")), "run npm run build first")) finish();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const node24 = exec("npx", ["--yes", "node@24", "-p", "process.execPath"], work);
const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" });
let tarball;
try {
  const [info] = JSON.parse(pack.stdout);
  tarball = join(work, info.filename);
  const files = new Set(info.files.map((file) => file.path));
  const must = ["dist/index.js", "dist/index.d.ts", "dist/misuse/cli.js", "dist/lint/index.js", "LICENSE", "CHANGELOG.md", "README.md", "docs/getting-started.md"];
  const missing = must.filter((file) => !files.has(file));
  const stray = [...files].filter((file) => /^(docs\/api|docs\/generated|test|types-test|\.tmp|node_modules)\//.test(file));
  check("npm pack: the tarball holds dist/, LICENSE, CHANGELOG and the guides, and nothing of the repository's tests", missing.length === 0 && stray.length === 0, [...missing.map((file) => `missing ${file}`), ...stray.slice(0, 5).map((file) => `ships ${file}`)].join(", "));
} catch (error) {
  check("npm pack", false, `${String(error)} ${firstLines(pack.stderr ?? "")}`);
  finish();
}

// 2. One install per kind of consumer project.
for (const type of ["module", "commonjs"]) {
  const dir = join(work, type);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${type}`, private: true, type, dependencies: { ownkit: `file:${tarball}` } }, null, 2));
  const install = await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock"], dir);
  check(`npm install of the tarball into a fresh ${type === "module" ? "ESM" : "CommonJS"} project`, install.code === 0 && existsSync(join(dir, "node_modules/ownkit/dist/index.js")), install.code === 0 ? "" : firstLines(install.output));
  for (const name of readdirSync(programs)) cpSync(join(programs, name), join(dir, "src", name), { recursive: true });
  for (const program of readme) writeFileSync(join(dir, "src", program.name), program.text);
}

// 3. Type-check every cell, then run the compiled correct program on Node 20 and Node 24.
function tsconfig(dir, name, options, include) {
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...BASE_OPTIONS, ...options, outDir: `out/${name}` }, include }, null, 2));
  return `tsconfig.${name}.json`;
}

async function typeCheck(label, dir, name, ts, files, tags) {
  const tsc = join(root, "node_modules", ts.dir, "bin/tsc");
  const { code, output } = await exec(process.execPath, [tsc, "-p", `tsconfig.${name}.json`, "--pretty", "false"], dir);
  const actual = parseTscOutput(output);
  const problems = [];
  const globals = [];
  for (const file of files) {
    const relative = `src/${file}`;
    const expected = expectedDiagnostics(join(dir, relative), tags);
    globals.push(...expected.filter((entry) => entry.line === 0));
    const located = expected.filter((entry) => entry.line > 0);
    problems.push(...compare(located, actual.filter((entry) => entry.file === relative)).map((text) => `${file}: ${text}`));
  }
  problems.push(...compare(globals, actual.filter((entry) => entry.file === "")).map((text) => `(global): ${text}`));
  const elsewhere = actual.filter((entry) => entry.file !== "" && !files.some((file) => entry.file === `src/${file}`));
  problems.push(...elsewhere.map((entry) => `${entry.file || "(global)"}(${entry.line}): TS${entry.code} ${entry.message.slice(0, 160)}`));
  // First, so the detail names it: a compiler killed by the timeout or crashed explains every missing error.
  if (actual.length === 0 && code !== 0) problems.unshift(code === null ? "tsc was killed (timed out after 120 s)" : `tsc exited ${code} without a diagnostic: ${firstLines(output)}`);
  check(`TypeScript ${ts.id}, ${label}: type check (${files.length} programs, documented errors only)`, problems.length === 0, problems.slice(0, 6).join("; "));
}

// A git install builds dist/ through `prepare`; it runs beside the matrix (it installs the dev
// dependencies from npm's cache, most of its time is I/O).
async function installFromGit() {
  const dir = join(work, "git");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer-git", private: true, type: "module" }, null, 2));
  const install = await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `git+file://${root}`], dir, 600);
  const built = existsSync(join(dir, "node_modules/ownkit/dist/index.d.ts"));
  check("npm install git+file://<repository> builds dist/ (prepare)", install.code === 0 && built, install.code !== 0 ? firstLines(install.output) : built ? "" : "installed without dist/");
  cpSync(join(programs, "correct.ts"), join(dir, "src/correct.ts"));
  tsconfig(dir, "git", KINDS[0].options, ["src/correct.ts"]);
  await typeCheck("git install, ESM NodeNext", dir, "git", TYPESCRIPTS[1], ["correct.ts"], new Set(["esm", "5.9"]));
}
const gitInstall = process.argv.includes("--no-git") ? Promise.resolve() : installFromGit();

const topLevel = [...readdirSync(programs).filter((name) => name.endsWith(".ts")), ...readme.map((program) => program.name)];
check("README.md: its TypeScript examples are compiled in every cell", readme.length >= 5, `${readme.length} examples found`);

const compiles = [];
const runs = [];
for (const kind of KINDS) {
  const dir = join(work, kind.install);
  for (const ts of TYPESCRIPTS) {
    const name = `${kind.id}-${ts.id}`;
    tsconfig(dir, name, kind.options, ["src/*.ts"]);
    const tags = new Set([kind.id, ts.id, ...ts.tags]);
    compiles.push(() => typeCheck(kind.label, dir, name, ts, topLevel, tags));
    runs.push({ label: `TypeScript ${ts.id}, ${kind.label}`, dir, file: `out/${name}/correct.js` });
  }
}
for (const setup of WRONG_SETUPS) {
  const dir = join(work, setup.install);
  const ts = TYPESCRIPTS[1];
  tsconfig(dir, setup.id, setup.options, setup.include);
  const files = readdirSync(join(programs, setup.id)).map((name) => `${setup.id}/${name}`);
  compiles.push(() => typeCheck(setup.label, dir, setup.id, ts, files, new Set([setup.id, ts.id])));
}
await pooled(compiles, Math.max(2, availableParallelism()));

const resolved24 = await node24;
const nodes = [{ label: `Node ${process.versions.node}`, path: process.execPath }];
if (check("Node 24 available (npx --yes node@24)", resolved24.code === 0, resolved24.code === 0 ? "" : firstLines(resolved24.output))) {
  nodes.push({ label: "Node 24", path: resolved24.output.trim().split("\n").pop() });
}
const executions = [];
for (const run of runs) {
  for (const node of nodes) {
    executions.push(async () => {
      const { code, output } = await exec(node.path, [run.file], run.dir, 60);
      const ok = code === 0 && output.includes("consumer ok");
      check(`${run.label}: the compiled program runs on ${node.label}`, ok, ok ? "" : `exit ${code}: ${firstLines(output)}`);
    });
  }
}
await pooled(executions, Math.max(2, availableParallelism()));

await checkLintRecipe({ root, work, installed: join(work, "module/node_modules/ownkit"), check, exec, firstLines });
await gitInstall;
finish();
