import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("demo", () => {
  it("runs on the default machine, prints the four sections and exits 0", () => {
    const child = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "examples/demo.ts"], { encoding: "utf8", timeout: 120_000 });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    for (const heading of ["## Read-only filesystem", "## Binder transactions", "## IOMMU page table", "## Misuse gallery"]) {
      expect(child.stdout).toContain(heading);
    }
    expect(child.stdout).toContain("default machine leak report: empty");
  }, 120_000);
});
