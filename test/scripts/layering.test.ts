// The layering rules of .dependency-cruiser.cjs (CONTRIBUTING.md, "Layout" and "Friend access"):
// no import circles (type-only ones included) and the floors of src/, checked through
// dependency-cruiser's API exactly as `npx depcruise src` checks them; and a twin that proves the
// no-circular rule bites on a fixture with a type-only circle.
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { describe, expect, test } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Cruises `paths` (relative to the package root) with the project's rules; returns the violations. */
async function violations(paths: string[]): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(`${root}.dependency-cruiser.cjs`);
  const tsConfig = extractTSConfig(`${root}tsconfig.json`);
  const { output } = await cruise(paths, { ...options, baseDir: root, tsConfig: { fileName: `${root}tsconfig.json` }, validate: true }, undefined, { tsConfig });
  return (output as ICruiseResult).summary.violations;
}

/** One line per violation: the rule, then the files (the whole circle for no-circular). */
function describeViolation(violation: IViolation): string {
  const path = violation.cycle === undefined ? [violation.from, violation.to] : [violation.from, ...violation.cycle.map((step) => step.name)];
  return `${violation.rule.name}: ${path.join(" -> ")}`;
}

describe("layering (.dependency-cruiser.cjs)", () => {
  test("src/ has no import circle and respects the floors", { timeout: 120_000 }, async () => {
    const found = await violations(["src"]);
    expect(found.map(describeViolation)).toEqual([]);
  });

  test("the no-circular rule reports a type-only circle (fixture)", { timeout: 120_000 }, async () => {
    const found = await violations(["test/fixtures/layering/circle"]);
    const dir = "test/fixtures/layering/circle";
    expect(found.map(describeViolation)).toEqual([
      expect.stringMatching(new RegExp(`^no-circular: (${dir}/first\\.ts -> ${dir}/second\\.ts -> ${dir}/first\\.ts|${dir}/second\\.ts -> ${dir}/first\\.ts -> ${dir}/second\\.ts)$`)),
    ]);
  });
});
