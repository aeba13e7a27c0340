// A type-aware RuleTester wired to vitest: cases are linted as test/fixtures/lint/file.ts, whose
// tsconfig resolves "ownkit" to the built package (dist/).
import { RuleTester } from "@typescript-eslint/rule-tester";
import { fileURLToPath } from "node:url";
import { afterAll, describe, it, vi } from "vitest";

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
// The first case of a file builds the typed program: allow for a loaded machine.
RuleTester.it = (name: string, fn: () => void) => it(name, fn, 180_000);
RuleTester.itOnly = it.only;

// A file's first case builds the fixture program with the kit's declarations (several seconds on a
// busy machine): give every case room for that, instead of vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000 });

/** The fixture directory whose tsconfig the cases are checked with. */
export const fixtureDir = fileURLToPath(new URL("../fixtures/lint/", import.meta.url));

/** A RuleTester with type information from the fixture project. */
export function typedRuleTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: fixtureDir },
    },
  });
}
