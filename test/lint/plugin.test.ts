import type { ESLint, Linter } from "eslint";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import plugin from "../../src/lint/index.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("the ownkit ESLint plugin object", () => {
  it("names itself and the package version, and lists its rules", () => {
    expect(plugin.meta).toEqual({ name: "ownkit", version });
    expect(Object.keys(plugin.rules).sort()).toEqual([
      "bind-disposables",
      "no-exclusive-while-borrowed",
      "no-manual-kunmap-order",
      "no-use-after-move",
      "no-view-escape",
    ]);
    for (const rule of Object.values(plugin.rules)) {
      expect(rule.meta.type).toBe("problem");
      expect(rule.meta.docs?.url).toMatch(/^docs\/lint\.md#ownkit/);
    }
  });

  it("has a recommended flat config that loads the plugin itself and turns every rule on", () => {
    const recommended = plugin.configs.recommended;
    expect(recommended.plugins.ownkit).toBe(plugin);
    expect(recommended.rules).toEqual({
      "ownkit/bind-disposables": "error",
      "ownkit/no-exclusive-while-borrowed": "error",
      "ownkit/no-manual-kunmap-order": "error",
      "ownkit/no-view-escape": "error",
      "ownkit/no-use-after-move": "error",
    });
    expect(recommended.files).toContain("**/*.ts");
  });

  it("fits ESLint's own plugin and config types (checked by the compiler)", () => {
    const asPlugin: ESLint.Plugin = plugin;
    const asConfig: Linter.Config = plugin.configs.recommended;
    expect(asPlugin.meta?.name).toBe("ownkit");
    expect(asConfig.plugins?.["ownkit"]).toBe(plugin);
  });
});
