import { beforeAll, describe, expect, test } from "vitest";
import { runCatalogue } from "../../src/misuse/run.js";
import type { RunOptions } from "../../src/misuse/run.js";
import type { CatalogueResult, ResultRow } from "../../src/misuse/types.js";

const root = new URL("../..", import.meta.url).pathname;
const compilers = {
  "tsc-5.9": { label: "tsc 5.9", tsc: "node_modules/typescript/bin/tsc" },
  "tsgo-7.0": { label: "tsgo 7.0", tsc: "node_modules/ts7/bin/tsc" },
};
const fixtures = ["good", "compiles", "wrong-code", "unmarked", "runtime-good", "runtime-no-throw", "malformed", "per-compiler", "paths"] as const;
/** Compilers that fail without an error diagnostic: one prints nothing, one crashes after some output. */
const brokenCompilers = {
  "exit-3": { tsc: "test/fixtures/misuse/compilers/exit-3.mjs" },
  crash: { tsc: "test/fixtures/misuse/compilers/crash-after-output.mjs" },
};
const results = new Map<string, CatalogueResult>();

function run(name: string, extra: Partial<RunOptions> = {}): Promise<CatalogueResult> {
  // No ambient @types: the fixtures are self-contained, and the compilers start faster.
  return runCatalogue({ dir: `test/fixtures/misuse/${name}`, cwd: root, compilers, compilerOptions: { types: [] }, ...extra });
}

function get(name: string): CatalogueResult {
  const result = results.get(name);
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}

/** The rows of a catalogue as `case compiler verdict`, for compact assertions. */
function verdicts(name: string): string[] {
  return get(name).rows.map((row) => `${row.case} ${row.compiler} ${row.verdict}`);
}

beforeAll(async () => {
  const all = await Promise.all([
    ...fixtures.map(async (name) => [name, await run(name)] as const),
    (async () => ["per-compiler/other", await run("per-compiler", { compilers: { ...compilers, other: { tsc: "node_modules/ts7/bin/tsc" } } })] as const)(),
    (async () => ["good/broken", await run("good", { compilers: brokenCompilers })] as const)(),
  ]);
  for (const [name, result] of all) results.set(name, result);
}, 240_000);

describe("runCatalogue on tsc 5.9 and tsgo 7.0", () => {
  test("good cases pass on both compilers, one row per (case, compiler)", () => {
    expect(verdicts("good")).toEqual(["F1 tsc-5.9 pass", "F1 tsgo-7.0 pass", "F2 tsc-5.9 pass", "F2 tsgo-7.0 pass"]);
    expect(get("good")).toMatchObject({ passed: 4, failed: 0 });
    expect(get("good").compilerRuns.map((run) => run.version?.split(".")[0])).toEqual(["5", "7"]);
  });

  test("results carry the line of code and the compiler's own message", () => {
    for (const check of get("good").cases[0]?.typeChecks ?? []) {
      const [diagnostic] = check.lines[0]?.actual ?? [];
      expect(diagnostic).toMatchObject({ code: 2339, line: 18, sourceLine: "buffer.clone();" });
      expect(diagnostic?.message).toBe("Property 'clone' does not exist on type 'Owned'.");
    }
    expect(get("good").cases.map((result) => result.typeChecks.length)).toEqual([2, 2]);
  });

  test("a misuse that compiles fails as 'misuse compiled'", () => {
    const { rows, passed, failed } = get("compiles");
    expect([passed, failed]).toEqual([0, 2]);
    for (const row of rows) {
      expect(row).toMatchObject({ verdict: "fail", got: "none" });
      expect(row.reasons).toEqual(['misuse compiled: line 8 `value.clone();` has no error, expected TS2339 "Property \'clone\' does not exist"']);
    }
  });

  test("a different diagnostic fails naming both the expected and the actual one", () => {
    for (const row of get("wrong-code").rows) {
      expect(row.verdict).toBe("fail");
      expect(row.reasons).toHaveLength(1);
      expect(row.reasons[0]).toMatch(/expected TS2339 "Property 'clone' does not exist", got TS2345 "Argument of type 'string' is not assignable/);
    }
  });

  test("an error on an unmarked line fails as 'correct use does not compile'", () => {
    for (const row of get("unmarked").rows) {
      expect(row.verdict).toBe("fail");
      expect(row.reasons).toEqual(["correct use does not compile: TS2322 at line 5 `const count: number = \"not a number\";`: Type 'string' is not assignable to type 'number'."]);
    }
  });

  test("a runtime case is type-checked on every compiler and executed once", () => {
    expect(verdicts("runtime-good")).toEqual(["F6 tsc-5.9 pass", "F6 tsgo-7.0 pass", "F6 node pass"]);
    expect(get("runtime-good").cases[0]?.runtime).toMatchObject({
      verdict: "pass",
      correct: { threw: false },
      misuse: { threw: true, errno: "EINVAL", name: "KernelError", message: "free_block: block already free (pfn=0x10)" },
    });
  });

  test("a runtime misuse that does not throw, or throws another errno, fails", () => {
    expect(verdicts("runtime-no-throw")).toEqual([
      "F7 tsc-5.9 pass", "F7 tsgo-7.0 pass", "F7 node fail",
      "F8 tsc-5.9 pass", "F8 tsgo-7.0 pass", "F8 node fail",
      "F12 tsc-5.9 pass", "F12 tsgo-7.0 pass", "F12 node fail",
    ]);
    const reasons = get("runtime-no-throw").rows.filter((row) => row.compiler === "node").map((row) => row.reasons);
    expect(reasons.slice(0, 2)).toEqual([
      ['misuse did not throw: misuse() returned, expected EINVAL "already free"'],
      ['misuse() threw Error ENOMEM: alloc: out of memory (order=3); expected EINVAL "already free"'],
    ]);
    expect(reasons[2]).toHaveLength(1);
    expect(reasons[2]?.[0]).toMatch(/^the case's process exited with code 1 after correct\(\) and misuse\(\) returned: [\s\S]*unhandled after the calls/);
  });

  test("files that are not well-formed cases are catalogue errors", () => {
    const { rows, failed } = get("malformed");
    expect(failed).toBe(2);
    expect(rows.map((row) => [row.case, row.kind, row.reasons.length])).toEqual([["F9", "catalogue", 1], ["F10", "catalogue", 1]]);
    expect(rows[0]?.reasons[0]).toMatch(/no @expect-error marker and no @runtime tag$/);
    expect(rows[1]?.reasons[0]).toMatch(/line 6: malformed marker/);
  });

  test("compiler-specific markers apply to their compiler; others use the generic marker", () => {
    expect(verdicts("per-compiler")).toEqual(["F11 tsc-5.9 pass", "F11 tsgo-7.0 pass"]);
    expect(verdicts("per-compiler/other")).toEqual(["F11 tsc-5.9 pass", "F11 tsgo-7.0 pass", "F11 other fail"]);
    expect(get("per-compiler/other").rows[2]?.reasons[0]).toMatch(/expected TS2339 "wording no compiler uses", got TS2339 "Property 'clone' does not exist/);
  });

  test("relative paths in the configured compilerOptions resolve against the working directory", () => {
    // misuse.config.json maps "fixture-lib" with a relative `paths` entry; the generated tsconfig lives
    // under .tmp/misuse/run-*, so the entry only resolves when the runner makes it absolute.
    expect(verdicts("paths")).toEqual(["F13 tsc-5.9 pass", "F13 tsgo-7.0 pass"]);
    expect(get("paths").cases[0]?.typeChecks[0]?.lines[0]?.actual[0]?.message).toBe("Property 'clone' does not exist on type 'Sealed'.");
  });
});

describe("compiler invocations that fail without an error diagnostic", () => {
  const runRows = (): ResultRow[] => get("good/broken").rows.filter((row) => row.title === "compiler run");

  test("a compiler that exits 3 printing nothing is a failed row naming it and its exit status", () => {
    expect(get("good/broken").compilerRuns.map((run) => [run.compiler.id, run.exitCode, run.diagnostics.length])).toEqual([["exit-3", 3, 0], ["crash", 1, 1]]);
    expect(runRows()[0]).toEqual({
      case: "-",
      title: "compiler run",
      file: "-",
      compiler: "exit-3",
      kind: "catalogue",
      expected: "exit 0 or errors",
      got: "exit 3, no errors",
      verdict: "fail",
      reasons: ["compiler exit-3 (test/fixtures/misuse/compilers/exit-3.mjs) exited with status 3 without an error diagnostic; it printed nothing"],
    });
  });

  test("a crash after a non-error diagnostic still fails, with the first lines of its output", () => {
    const row = runRows()[1];
    expect(row).toMatchObject({ compiler: "crash", got: "exit 1, no errors", verdict: "fail" });
    expect(row?.reasons).toHaveLength(1);
    const reason = row?.reasons[0] ?? "";
    expect(reason).toMatch(/^compiler crash \(test\/fixtures\/misuse\/compilers\/crash-after-output\.mjs\) exited with status 1 without an error diagnostic; its output began:\n/);
    expect(reason).toContain("message TS6032: File change detected.");
    expect(reason).toContain("Error: Debug Failure. False expression.\n    at checkSourceFile (checker.js:1:1)");
  });

  test("every case also fails on those compilers, and the whole run counts the compiler rows", () => {
    const { rows, passed, failed } = get("good/broken");
    expect(rows.filter((row) => row.kind === "type").map((row) => `${row.case} ${row.compiler} ${row.verdict}`)).toEqual(["F1 exit-3 fail", "F1 crash fail", "F2 exit-3 fail", "F2 crash fail"]);
    expect([passed, failed]).toEqual([0, rows.length]);
  });
});

describe("runCatalogue errors", () => {
  test("a missing directory and an unknown compiler id are KernelErrors", async () => {
    await expect(run("no-such-dir")).rejects.toMatchObject({ errno: "ENOENT", op: "misuse_run" });
    await expect(run("good", { only: ["tsc-4"] })).rejects.toMatchObject({ errno: "EINVAL", message: expect.stringContaining("unknown compiler id") });
  });
});
