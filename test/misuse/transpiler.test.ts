// The runner in a project whose only TypeScript is 7.0 (no JS API): runtime cases are transpiled by
// esbuild, or by Node's own type stripping on a Node that runs `using` itself.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runCatalogue } from "../../src/misuse/run.js";
import { loadTranspiler } from "../../src/misuse/runtime.js";

const root = new URL("../..", import.meta.url).pathname;
const fixture = join(root, "test/fixtures/misuse/runtime-good");
const nodeRunsUsing = Number(process.versions.node.split(".")[0]) >= 24;
const projects: string[] = [];
/** A catalogue run starts a compiler and a Node process: generous on a loaded machine. */
const CATALOGUE_TIMEOUT = 120_000;

/** A project outside the repository (so nothing resolves from its node_modules) with the given packages linked in. */
function project(packages: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ownkit-ts7-"));
  projects.push(dir);
  mkdirSync(join(dir, "node_modules"));
  for (const [name, target] of Object.entries(packages)) symlinkSync(join(root, "node_modules", target), join(dir, "node_modules", name), "dir");
  return dir;
}

afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

describe("loadTranspiler", () => {
  test("uses the project's TypeScript when it has the JS API", () => {
    expect(loadTranspiler(root).name).toMatch(/^typescript 5\.9\./);
  }, 30_000);

  test("TypeScript 7.0 alone is not a transpiler: it has no transpileModule", () => {
    const dir = project({ typescript: "ts7" });
    expect(() => loadTranspiler(dir, ["typescript"])).toThrow(/runtime cases need a transpiler/);
    try {
      loadTranspiler(dir, ["typescript", "esbuild"]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ errno: "ENOENT" });
      expect(String((error as Error).message)).toMatch(/typescript 7\.0\.\d+: no JS API \(transpileModule\).*esbuild: no esbuild package resolves/);
    }
  });

  test("falls back to esbuild beside TypeScript 7.0, and its output runs `using` on this Node", async () => {
    const dir = project({ typescript: "ts7", esbuild: "esbuild" });
    const transpiler = loadTranspiler(dir);
    expect(transpiler.name).toMatch(/^esbuild \d+\.\d+/);
    const js = transpiler.transpile("export function f(): string[] { const log: string[] = []; { using r = { [Symbol.dispose]: () => log.push('disposed') }; log.push('body'); void r; } return log; }", "f.ts");
    expect(js).not.toMatch(/: string\[\]/);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as { f(): string[] };
    expect(mod.f()).toEqual(["body", "disposed"]);
  }, 30_000);

  test(nodeRunsUsing ? "Node's type stripping is the last resort on Node 24" : "Node's type stripping is refused on a Node without `using`", () => {
    if (nodeRunsUsing) {
      expect(loadTranspiler(root, ["node"]).name).toMatch(/^node \d+\.\d+\.\d+ type stripping$/);
    } else {
      expect(() => loadTranspiler(root, ["node"])).toThrow(/node 2\d\.\d+\.\d+: (no module\.stripTypeScriptTypes|type stripping keeps `using`)/);
    }
  });
});

describe("a project whose only TypeScript is 7.0", () => {
  test("the default configuration type-checks with tsgo and runs the runtime case (esbuild)", async () => {
    const dir = project({ typescript: "ts7", esbuild: "esbuild" });
    const result = await runCatalogue({ dir: fixture, cwd: dir, compilerOptions: { types: [] } });
    expect(result.rows.map((row) => `${row.case} ${row.compiler} ${row.verdict}`)).toEqual(["F6 tsc pass", "F6 node pass"]);
    expect(result.failed).toBe(0);
  }, CATALOGUE_TIMEOUT);

  test(`without esbuild the runtime case ${nodeRunsUsing ? "runs through Node's type stripping" : "fails with the reason"}`, async () => {
    const dir = project({ typescript: "ts7" });
    const result = await runCatalogue({ dir: fixture, cwd: dir, compilerOptions: { types: [] } });
    const runtime = result.rows.find((row) => row.compiler === "node");
    if (nodeRunsUsing) {
      expect(runtime?.verdict).toBe("pass");
    } else {
      expect(runtime?.verdict).toBe("fail");
      expect(runtime?.reasons.join(" ")).toMatch(/runtime cases need a transpiler.*esbuild/);
    }
  }, CATALOGUE_TIMEOUT);
});
