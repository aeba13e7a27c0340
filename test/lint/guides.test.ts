// The guides' and the README's TypeScript examples are correct uses, apart from the lines that show a
// misuse with its error in a comment: linted with ownkit/no-use-after-move, no other line may report.
import tsParser from "@typescript-eslint/parser";
import { ESLint } from "eslint";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import plugin from "../../src/lint/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = join(root, ".tmp", "lint-guides");

/** The ```ts blocks of a Markdown file. */
function blocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/** A line that shows a misuse on purpose: its comment names the error it causes. */
const showsMisuse = (line: string): boolean => /\/\/.*(error|KernelError|EALREADY|EFAULT|EBUSY|EINVAL|ownkit\/)/.test(line);

describe("ownkit/no-use-after-move over the guides and the README", () => {
  it("reports nothing on their correct lines", async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const sources = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const files: string[] = [];
    for (const source of sources) {
      blocks(readFileSync(join(root, source), "utf8")).forEach((code, index) => {
        const file = `${source.replace(/[/.]/g, "_")}-${index}.ts`;
        writeFileSync(join(dir, file), `${code}\nexport {};\n`);
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThan(20);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { noEmit: true }, include: ["*.ts"] }));
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ["**/*.ts"], plugins: { ownkit: plugin }, rules: { "ownkit/no-use-after-move": "error" } },
        { files: ["**/*.ts"], languageOptions: { parser: tsParser, parserOptions: { project: "./tsconfig.json", tsconfigRootDir: dir } } },
      ],
    });
    const results = await eslint.lintFiles(files.map((f) => join(dir, f)));
    expect(results.filter((r) => r.messages.every((m) => m.fatal !== true)).length).toBeGreaterThan(20);
    // The rule did run with types: the lines that show a move misuse on purpose are reported.
    const shown = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "ownkit/no-use-after-move"));
    expect(shown.length).toBeGreaterThan(0);
    const reports = results.flatMap((result) => {
      const lines = readFileSync(result.filePath, "utf8").split("\n");
      return result.messages
        // A block with `...` elisions is a sketch, not a program: it does not parse and is skipped.
        .filter((m) => m.fatal !== true)
        .filter((m) => !showsMisuse(lines[m.line - 1] ?? ""))
        .map((m) => `${result.filePath}:${m.line} ${m.ruleId ?? "fatal"} ${m.message}`);
    });
    expect(reports).toEqual([]);
  }, 120_000);
});
