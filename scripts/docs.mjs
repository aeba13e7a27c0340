#!/usr/bin/env node
// Builds the API site into docs/api with TypeDoc (`npm run docs`).
//
// typedoc.json lists every module entry point the package exports. This wrapper passes TypeDoc only
// the ones that exist, so the site builds while a subpath module is not there yet, and says which
// were left out. Any TypeDoc warning fails the build (`treatWarningsAsErrors` in typedoc.json).
// Extra arguments are passed on to TypeDoc.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const config = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8"));
/** @type {string[]} */
const listed = config.entryPoints ?? [];
const present = listed.filter((path) => existsSync(join(root, path)));
const missing = listed.filter((path) => !present.includes(path));

if (present.length === 0) {
  process.stderr.write(`docs: none of the entry points in typedoc.json exist (${listed.join(", ")})\n`);
  process.exit(1);
}
if (missing.length > 0) {
  process.stdout.write(`docs: not documented because the file does not exist yet: ${missing.join(", ")}\n`);
}

// The misuse catalogue page shows what the compilers print today, so build and run it first.
for (const step of [
  [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  [join(root, "scripts/docs-misuse-page.mjs")],
]) {
  const built = spawnSync(process.execPath, step, { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const typedoc = join(root, "node_modules/typedoc/bin/typedoc");
const args = [typedoc, ...present.flatMap((path) => ["--entryPoints", path]), ...process.argv.slice(2)];
const child = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
process.exit(child.status ?? 1);
