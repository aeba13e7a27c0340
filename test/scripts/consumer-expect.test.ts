import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { readmePrograms } from "../../scripts/consumer-expect.mjs";

describe("readmePrograms", () => {
  test("turns each ```ts block that starts with an import into a program, trailing error comments into expectations", () => {
    const markdown = [
      "# Title",
      "```ts",
      'import { release } from "ownkit";',
      "release(x);",
      "x.size; // error TS2339: Property 'size' does not exist on type 'never'.",
      "```",
      "```ts",
      "/** a fragment */",
      "```",
      "```ts",
      'import { Folio } from "ownkit/mm";',
      'folio.markUptodate(); // error TS2684: ... "lock() the folio first',
      'type Bad = ARef<Page>; // error TS2344: "ARef needs an AlwaysRefCounted resource"',
      "```",
    ].join("\n");
    const programs = readmePrograms(markdown);
    expect(programs.map((program: { name: string }) => program.name)).toEqual(["readme-1.ts", "readme-2.ts"]);
    expect(programs[0]!.text.split("\n").slice(1, 6)).toEqual([
      `// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"`,
      'import { release } from "ownkit";',
      "release(x);",
      `// @expect-error TS2339 "Property 'size' does not exist on type 'never'"`,
      "x.size; // error TS2339: Property 'size' does not exist on type 'never'.",
    ]);
    expect(programs[1]!.text).toContain(`// @expect-error TS2684 "lock() the folio first"\n`);
    expect(programs[1]!.text).toContain(`// @expect-error TS2344 "ARef needs an AlwaysRefCounted resource"\n`);
  });

  test("the README has its five consumer examples, each expecting the errors its comments name", () => {
    const programs = readmePrograms(readFileSync(new URL("../../README.md", import.meta.url), "utf8"));
    expect(programs.length).toBeGreaterThanOrEqual(5);
    const expectations = programs.flatMap((program: { text: string }) => program.text.split("\n").filter((line: string) => line.startsWith("// @expect-error TS")));
    expect(expectations).toContain(`// @expect-error TS2339 "Property 'send' does not exist on type 'never'"`);
  });
});
