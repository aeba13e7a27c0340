// The package's public surface holds no friend object, no token-less adopter and no internal path:
// every entry point of package.json "exports" (through its source index), and the exports map itself.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";

const root = new URL("../../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { exports: Record<string, unknown> };

/** The source index of each public entry point that ships the kit's runtime. */
const ENTRIES: Record<string, string> = {
  ownkit: "src/index.ts",
  "ownkit/mm": "src/mm/index.ts",
  "ownkit/core": "src/core/index.ts",
  "ownkit/ownership": "src/ownership/index.ts",
};

/** Names that only the kit's own files may hold (CONTRIBUTING.md, "Friend access"). */
const INTERNAL = ["pageFriend", "folioFriend", "mapGuardFriend", "adoptOwnedUnchecked", "adoptARefUnchecked", "FieldStamp", "FolioState", "MappingRegistry"];

describe("public surface", () => {
  for (const [entry, file] of Object.entries(ENTRIES)) {
    test(`${entry} exports no friend object, token-less adopter or internal class`, async () => {
      const names = Object.keys((await import(new URL(file, root).href)) as object);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((name) => INTERNAL.includes(name) || /friend/i.test(name))).toEqual([]);
      // An `*Unchecked` export must be one that takes an Unsafe token (its first parameter).
      for (const name of names.filter((n) => /Unchecked$/.test(n))) {
        const module = (await import(new URL(file, root).href)) as Record<string, (...args: unknown[]) => unknown>;
        expect(() => module[name]!(undefined, undefined), `${entry}.${name} without a token`).toThrow(expect.objectContaining({ errno: "EPERM" }));
      }
    });
  }

  test("the exports map has no wildcard that opens dist/ or src/, and every target is under dist/", () => {
    const keys = Object.keys(manifest.exports);
    expect(keys.filter((key) => key.includes("*") && manifest.exports[key] !== null)).toEqual([]);
    const targets = JSON.stringify(Object.values(manifest.exports).filter((value) => typeof value === "object" && value !== null));
    expect(targets).not.toMatch(/"\.\/src\//);
    for (const [key, value] of Object.entries(manifest.exports)) {
      if (key === "./package.json" || value === null) continue;
      expect(Object.values(value as Record<string, string>).every((target) => target.startsWith("./dist/")), key).toBe(true);
    }
  });
});
