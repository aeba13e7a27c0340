import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompareRowDef } from "../../bench/compare-rows.js";
import { formatReport, loadKit, pairRows, runInterleaved, type CompareReport } from "../../bench/compare.js";

const dir = mkdtempSync(join(tmpdir(), "ownkit-bench-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a dummy build: `dist/index.js` exporting `work` and `other`, and an empty `dist/core/index.js`. */
function dummyDist(name: string, workFactor: number, otherFactor: number, extra = ""): string {
  const dist = join(dir, name, "dist");
  mkdirSync(join(dist, "core"), { recursive: true });
  writeFileSync(join(dir, name, "package.json"), '{ "type": "module" }\n');
  const loop = (factor: number): string => `let s = 0; for (let i = 0; i < n * ${factor}; i++) s = (s + i * i) % 1000003; return s;`;
  writeFileSync(join(dist, "index.js"), `export function work(n) { ${loop(workFactor)} }\nexport function other(n) { ${loop(otherFactor)} }\n${extra}`);
  writeFileSync(join(dist, "core", "index.js"), "export const CORE = 1;\n");
  return dist;
}

let sink = 0;
function row(name: string, fn: string, needs: readonly string[] = [`root.${fn}`]): CompareRowDef {
  return {
    name,
    unit: "ns/op",
    inner: 1,
    needs,
    setup: (kit) => {
      const f = kit.root[fn] as (n: number) => number;
      return { run: () => void (sink += f(5000)) };
    },
  };
}

describe("bench:compare", () => {
  it("flags a row the head made slower, not one it made faster, and skips a row a build lacks the names for", async () => {
    // The head's `work` does 4x the base's work, its `other` a quarter; only the head has `onlyHead`.
    const base = await loadKit(dummyDist("base", 1, 4));
    const head = await loadKit(dummyDist("head", 4, 1, "export const onlyHead = 1;\n"));
    const rows = [row("slow work", "work"), row("fast other", "other"), row("needs a head-only name", "work", ["root.work", "root.onlyHead", "core.CORE"])];
    const { rows: paired, skipped } = pairRows([{ kit: base, rows }], [{ kit: head, rows }]);
    expect(paired.map((r) => r.name)).toEqual(["slow work", "fast other"]);
    expect(skipped).toEqual([{ name: "needs a head-only name", reason: expect.stringContaining("base lacks root.onlyHead") }]);

    const results = runInterleaved(paired, { rounds: 3, time: 5 });
    const slow = results.find((r) => r.name === "slow work")!;
    const fast = results.find((r) => r.name === "fast other")!;
    expect(slow.ratio).toBeGreaterThan(1.1);
    expect(slow.flagged).toBe(true);
    expect(slow.baseRounds).toHaveLength(3);
    expect(slow.headRounds).toHaveLength(3);
    expect(fast.ratio).toBeLessThan(1);
    expect(fast.flagged).toBe(false);

    const report: CompareReport = {
      base: { label: "base", dist: "" },
      head: { label: "head", dist: "" },
      options: { rounds: 3, time: 5, limit: 1.1, copies: 1 },
      rows: results,
      skipped,
    };
    const lines = formatReport(report).split("\n");
    const headerAt = lines.findIndex((line) => line.startsWith("row "));
    expect(lines[headerAt]!.split(/\s{2,}/)).toEqual(["row", "unit", "base", "head", "head/base", "fastest", "spread", "flag"]);
    expect(lines[headerAt + 2]).toMatch(/^slow work\s+ns\/op\s+[\d.]+\s+[\d.]+\s+[\d.]+x\s+[\d.]+x\s+[\d.]+-[\d.]+\s+SLOWER/);
    expect(lines[headerAt + 3]).toMatch(/^fast other\s+ns\/op\s+[\d.]+\s+[\d.]+\s+0\.\d+x\s+[\d.]+x\s+[\d.]+-[\d.]+$/);
    expect(lines).toContain("  - needs a head-only name: base lacks root.onlyHead (the compare rows use public names only)");
    expect(lines.some((line) => /^2 rows compared, 1 flagged/.test(line))).toBe(true);
    expect(sink).toBeGreaterThan(0);
  }, 20_000);

  it("needs both sides to bring the same number of loaded copies", () => {
    expect(() => pairRows([], [])).toThrow(/same number of copies/);
  });
});
