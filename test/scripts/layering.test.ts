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

/**
 * Cruises `paths` (relative to `baseDir`, the package root by default) with the project's rules;
 * returns the violations.
 */
async function violations(paths: string[], baseDir: string = root): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(`${root}.dependency-cruiser.cjs`);
  const tsConfig = extractTSConfig(`${root}tsconfig.json`);
  const { output } = await cruise(paths, { ...options, baseDir, tsConfig: { fileName: `${root}tsconfig.json` }, validate: true }, undefined, { tsConfig });
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

  // A fixture laid out as a src/ of its own (cruised from its directory, so the rules' ^src/ paths
  // apply): each file breaks one floor in a way a hurried change might, and allowed.ts is the twin.
  test("the floors catch type-only imports, import type expressions, dynamic imports and re-exports (fixture)", { timeout: 120_000 }, async () => {
    const found = (await violations(["src"], `${root}test/fixtures/layering/floors/`)).map(describeViolation).sort();
    expect(found).toEqual([
      "mm-floor: src/mm/units/floor-up.ts -> src/mm/page/page-side.ts",
      "mm-page-folio-apart: src/mm/folio/folio-side.ts -> src/mm/page/page-side.ts",
      "mm-page-folio-apart: src/mm/page/page-side.ts -> src/mm/folio/folio-side.ts",
      "mm-uses-core-index: src/mm/units/dynamic-core.ts -> src/core/Machine.ts",
      "mm-uses-core-index: src/mm/units/import-type-expression.ts -> src/core/MachineState.ts",
      "mm-uses-core-index: src/mm/units/reexport-core.ts -> src/core/Machine.ts",
      "mm-uses-core-index: src/mm/units/type-only-core.ts -> src/core/MachineState.ts",
      expect.stringMatching(/^no-circular: src\/mm\/(folio\/folio-side|page\/page-side)\.ts -> /),
      "ownership-is-generic: src/ownership/generic.ts -> src/core/index.ts",
    ]);
  });
});
