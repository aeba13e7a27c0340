import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "src/misuse/cli.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test("the CLI prints the table and the counts, writes JSON, and exits 1 on a failure", () => {
  const json = join(mkdtempSync(join(tmpdir(), "ownkit-misuse-")), "report.json");
  const { status, stdout } = cli("test/fixtures/misuse/unmarked", "--json", json);
  expect(status).toBe(1);
  expect(stdout).toMatch(/^case\s+title\s+compiler\s+expected\s+got\s+verdict$/m);
  expect(stdout).toMatch(/^F5\s+the correct use does not compile\s+tsc\s+.*FAIL$/m);
  expect(stdout).toContain("correct use does not compile: TS2322 at line 5");
  expect(stdout.trimEnd().split("\n").at(-1)).toBe("misuse: 0 passed, 1 failed");
  const report = JSON.parse(readFileSync(json, "utf8")) as { passed: number; failed: number; rows: { case: string; verdict: string }[] };
  expect(report).toMatchObject({ passed: 0, failed: 1, rows: [{ case: "F5", verdict: "fail" }] });
}, 120_000);

test("the CLI exits 0 when every row passes", () => {
  const { status, stdout } = cli("test/fixtures/misuse/good", "--compiler", "tsc");
  expect(status).toBe(0);
  expect(stdout.trimEnd().split("\n").at(-1)).toBe("misuse: 2 passed, 0 failed");
}, 120_000);

test("the CLI exits 2 on a usage or configuration error", () => {
  expect(cli()).toMatchObject({ status: 2, stderr: expect.stringContaining("missing catalogue directory") });
  expect(cli("test/fixtures/misuse/good", "--compiler", "nope")).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown compiler id") });
  expect(cli("test/fixtures/misuse/good", "--bogus")).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown option --bogus") });
}, 120_000);

test("--examples compiles the ts blocks of the sources given, writes the skipped blocks to the JSON, exits 1 on a failure", () => {
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(root, ".tmp", "cli-examples-"));
  const fence = "```";
  writeFileSync(join(dir, "doc.md"), [`${fence}ts`, 'const n: number = "x";', fence, `${fence}ts no-compile: a shell session`, "$ ls", fence, ""].join("\n"));
  const json = join(dir, "report.json");
  const { status, stdout } = cli("--examples", join(dir, "doc.md"), "--compiler", "tsc", "--json", json);
  expect(status).toBe(1);
  expect(stdout).toContain("correct use does not compile: TS2322 at line 2");
  expect(stdout).toContain("2 blocks in 1 files: 1 compiled, 1 marked no-compile");
  expect(stdout.trimEnd().split("\n").at(-1)).toBe("examples: 0 passed, 1 failed");
  const report = JSON.parse(readFileSync(json, "utf8")) as { passed: number; failed: number; skipped: { reason: string }[] };
  expect(report).toMatchObject({ passed: 0, failed: 1, skipped: [{ reason: "a shell session" }] });
  rmSync(dir, { recursive: true, force: true });
  expect(cli("--examples", "README.md", "--result", "x.json")).toMatchObject({ status: 2, stderr: expect.stringContaining("--result are for a catalogue") });
  expect(cli("test/fixtures/misuse/good", "--config", "x")).toMatchObject({ status: 2, stderr: expect.stringContaining("--config is for --examples") });
}, 120_000);
