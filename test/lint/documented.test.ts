import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { plugin } from "../../src/lint/index.js";

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("every rule of ownkit/eslint-plugin is documented", () => {
  const names = Object.keys(plugin.rules);

  test("the README's lint table has a row per rule", () => {
    // A rule row: | `ownkit/<rule>` | M<n> | what it flags |
    const rows = read("README.md").split("\n").map((line) => /^\| `ownkit\/([\w-]+)` \| M\d/.exec(line)?.[1]).filter((name) => name !== undefined);
    expect(rows.sort()).toEqual([...names].sort());
  });

  test("the lint guide has a section per rule", () => {
    const guide = read("docs/lint.md");
    for (const name of names) expect(guide, name).toContain(`\n## \`ownkit/${name}\`\n`);
  });

  test("the recommended config turns on every rule", () => {
    expect(Object.keys(plugin.configs.recommended.rules).sort()).toEqual(names.map((name) => `ownkit/${name}`).sort());
  });
});
