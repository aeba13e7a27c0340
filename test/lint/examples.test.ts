// The examples are correct uses (the deliberate run-time misuse is marked with a disable comment):
// linted with the recommended config, they must produce no report and no parse error.
import tsParser from "@typescript-eslint/parser";
import { ESLint } from "eslint";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import plugin from "../../src/lint/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("the recommended config over examples/", () => {
  it("reports nothing (M16, M17, M18 are absent from the correct uses)", async () => {
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        { ...plugin.configs.recommended, files: ["examples/**/*.ts"] },
        {
          files: ["examples/**/*.ts"],
          languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: root } },
          linterOptions: { reportUnusedDisableDirectives: "error" },
        },
      ],
    });
    const results = await eslint.lintFiles(["examples/**/*.ts"]);
    expect(results.length).toBeGreaterThan(10);
    const reports = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.ruleId ?? "fatal"} ${m.message}`));
    expect(reports).toEqual([]);
  }, 60_000);

  it("flags the deliberate M19 and M22 misuses when their disable comments are ignored", async () => {
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      allowInlineConfig: false,
      overrideConfig: [
        { ...plugin.configs.recommended, files: ["examples/**/*.ts"] },
        { files: ["examples/**/*.ts"], languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: root } } },
      ],
    });
    const [result] = await eslint.lintFiles(["examples/runtime-misuse.ts"]);
    expect(result?.messages.map((m) => m.ruleId)).toEqual([
      "ownkit/no-use-after-move", // M19: the page used after its alias took it
      "ownkit/no-manual-kunmap-order",
      "ownkit/no-manual-kunmap-order",
      "ownkit/no-manual-kunmap-order",
      "ownkit/no-use-after-move", // the guard unmapped in a callback, then again
    ]);
  }, 60_000);
});
