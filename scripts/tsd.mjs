#!/usr/bin/env node
// Runs tsd over types-test/*.test-d.ts against the built declarations and counts, per file, whether
// every assertion held. Writes { passed, failed } to the file after --json.
import { readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import tsdModule from "tsd";

// tsd is CommonJS; under ESM its default export may arrive wrapped.
const tsd = typeof tsdModule === "function" ? tsdModule : tsdModule.default;

const root = new URL("..", import.meta.url).pathname;
const jsonAt = process.argv.indexOf("--json");
const files = readdirSync(join(root, "types-test")).filter((f) => f.endsWith(".test-d.ts")).sort();
const diagnostics = await tsd({
  cwd: root,
  typingsFile: "dist/index.d.ts",
  testFiles: files.map((f) => join("types-test", f)),
});
let passed = 0;
let failed = 0;
for (const file of files) {
  const mine = diagnostics.filter((d) => d.fileName && relative(root, d.fileName) === join("types-test", file));
  if (mine.length === 0) {
    passed += 1;
    console.log(`  ok    ${file}`);
  } else {
    failed += 1;
    console.log(`  FAIL  ${file}`);
    for (const d of mine) console.log(`        ${d.line}:${d.column} ${d.message}`);
  }
}
const stray = diagnostics.filter((d) => !d.fileName || !files.some((f) => relative(root, d.fileName) === join("types-test", f)));
for (const d of stray) {
  failed += 1;
  console.log(`  FAIL  ${d.fileName ?? "(no file)"}: ${d.message}`);
}
if (files.length === 0) {
  failed += 1;
  console.log("  FAIL  no tsd test files in types-test/");
}
console.log(`tsd: ${passed} passed, ${failed} failed`);
if (jsonAt !== -1) writeFileSync(process.argv[jsonAt + 1], JSON.stringify({ passed, failed }));
process.exit(failed === 0 ? 0 : 1);
