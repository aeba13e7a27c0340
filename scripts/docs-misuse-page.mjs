#!/usr/bin/env node
// Writes docs/generated/misuse-catalogue.md: every case of types-test/misuse with its source and what
// each compiler actually printed for it (or what its runtime misuse threw). Run by scripts/docs.mjs
// after the build, so the page always shows the current compilers' own words.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// `npm test` runs the catalogue once and passes its whole result here (OWNKIT_MISUSE_RESULT, written
// by `ownkit-misuse --result`); on its own the page runs the catalogue itself.
const saved = process.env.OWNKIT_MISUSE_RESULT;
const result =
  saved !== undefined && existsSync(saved)
    ? JSON.parse(readFileSync(saved, "utf8"))
    : await (await import(join(root, "dist/misuse/index.js"))).runCatalogue({ dir: "types-test/misuse", cwd: root });
const labels = new Map(result.compilerRuns.map((run) => [run.compiler.id, run.compiler.label]));

const byId = (a, b) => Number(a.case.id.slice(1)) - Number(b.case.id.slice(1)) || a.case.file.localeCompare(b.case.file);
const cases = [...result.cases].sort(byId);
const out = [];
out.push("---", "title: Misuse catalogue", "---", "", "# Misuse catalogue", "");
out.push(
  "Every mistake the kit rules out, as a small consuming program from `types-test/misuse/`, with what",
  "each supported compiler printed for it when this site was built. Each file holds the correct use,",
  "which compiles, and the misuse, marked `// @expect-error TS<code> \"<fragment>\"`; runtime cases",
  "export `correct()` and `misuse()` and name the errno the misuse must raise. `npm test` fails when a",
  "misuse compiles, fails differently, or a correct use stops compiling.",
  "",
  `Result of this build: ${result.passed} passed, ${result.failed} failed, on ${[...labels.values()].join(", ")}.`,
  "",
);
for (const entry of cases) {
  const c = entry.case;
  out.push(`## ${c.id}: ${c.title || basename(c.file)}`, "");
  out.push(`\`types-test/misuse/${basename(c.file)}\``, "");
  out.push("```ts", ...c.lines.filter((line, i) => i > 0 || line.trim() !== ""), "```", "");
  if (entry.runtime !== undefined) {
    const m = entry.runtime.misuse;
    out.push(`At run time \`misuse()\` ${m?.threw ? `threw **${m.errno ?? m.name}**:` : "did not throw."}`, "");
    if (m?.threw) out.push("```text", m.message ?? "", "```", "");
  }
  // Group compilers that printed the same thing.
  const groups = new Map();
  for (const check of entry.typeChecks) {
    const text = check.diagnostics.map((d) => `line ${d.line}: error TS${d.code}: ${d.messageChain.join("\n  ")}`).join("\n");
    const key = `${check.verdict}\n${text}`;
    if (!groups.has(key)) groups.set(key, { verdict: check.verdict, text, compilers: [] });
    groups.get(key).compilers.push(labels.get(check.compiler) ?? check.compiler);
  }
  for (const group of groups.values()) {
    const verdict = group.verdict === "pass" ? "as expected" : "**not as expected**";
    out.push(`${group.compilers.join(", ")} (${verdict}):`, "");
    out.push("```text", group.text === "" ? "(no errors)" : group.text, "```", "");
  }
}
mkdirSync(join(root, "docs/generated"), { recursive: true });
writeFileSync(join(root, "docs/generated/misuse-catalogue.md"), `${out.join("\n")}\n`);
process.stdout.write(`docs: wrote docs/generated/misuse-catalogue.md (${cases.length} cases, ${result.passed} passed, ${result.failed} failed)\n`);
