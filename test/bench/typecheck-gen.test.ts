import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { programFiles, useSource, writeProject, type Variant } from "../../bench/typecheck-gen.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COMPILERS = {
  tsc: join(ROOT, "node_modules/typescript/bin/tsc"),
  tsgo: join(ROOT, "node_modules/ts7/bin/tsc"),
} as const;

function compile(compiler: keyof typeof COMPILERS, dir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [COMPILERS[compiler], "-p", dir], { cwd: dir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("type-check benchmark programs", () => {
  it("splits N uses into files of 100 after an entry file", () => {
    const files = programFiles("kit", 250);
    expect([...files.keys()]).toEqual(["main.ts", "uses-0000.ts", "uses-0001.ts", "uses-0002.ts"]);
    expect(files.get("uses-0002.ts")!.match(/export function use\d+/g)).toHaveLength(50);
  });

  it("differs between the kit and the unbranded program only in the move's signature", () => {
    expect(useSource("kit", 7)).toContain("function consume7(page: Owned<Page>): asserts page is never");
    expect(useSource("unbranded", 7)).toContain("function consume7(page: Owned<Page>): void");
    expect(useSource("kit", 7).replace("asserts page is never", "void")).toBe(useSource("unbranded", 7));
  });

  for (const variant of ["kit", "unbranded"] as const satisfies readonly Variant[]) {
    for (const compiler of ["tsc", "tsgo"] as const) {
      it(`compiles the ${variant} program cleanly with ${compiler}`, () => {
        const dir = join(ROOT, ".tmp", "test-typecheck-gen", `${variant}-${compiler}`);
        writeProject(dir, variant, 3, ROOT);
        expect(readFileSync(join(dir, "src", "uses-0000.ts"), "utf8")).toContain("export function use2(");
        const { status, output } = compile(compiler, dir);
        expect(output).not.toMatch(/error TS\d+/);
        expect(status).toBe(0);
      }, 120_000);
    }
  }

  it("rejects a misuse in the kit program, so a clean compile means the kit's types were checked", () => {
    const dir = join(ROOT, ".tmp", "test-typecheck-gen", "kit-misuse");
    writeProject(dir, "kit", 1, ROOT);
    const misuse = join(dir, "src", "misuse.ts");
    const source = `import { GFP_KERNEL, Page, release } from "ownkit";\nconst page = Page.alloc(GFP_KERNEL);\nrelease(page);\npage.release();\n`;
    writeFileSync(misuse, source);
    const { status, output } = compile("tsgo", dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/error TS2339: Property 'release' does not exist on type 'never'/);
  }, 120_000);
});
