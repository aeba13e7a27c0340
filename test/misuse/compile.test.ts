import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { resolveOptionPaths, writeTsconfig } from "../../src/misuse/compile.js";

const cwd = "/project";

describe("resolveOptionPaths", () => {
  test("makes every path-valued option absolute against the working directory", () => {
    const resolved = resolveOptionPaths(
      {
        strict: true,
        rootDir: "src",
        outDir: "./out",
        outFile: "out/all.js",
        declarationDir: "types",
        tsBuildInfoFile: ".tmp/build.tsbuildinfo",
        rootDirs: ["src", "generated"],
        typeRoots: ["./typings", "node_modules/@types"],
        types: ["node", "./typings/extra", "../shared/globals"],
        paths: { "lib/*": ["./vendor/lib/*", "fallback/*"] },
      },
      cwd,
    );
    expect(resolved).toEqual({
      strict: true,
      rootDir: "/project/src",
      outDir: "/project/out",
      outFile: "/project/out/all.js",
      declarationDir: "/project/types",
      tsBuildInfoFile: "/project/.tmp/build.tsbuildinfo",
      rootDirs: ["/project/src", "/project/generated"],
      typeRoots: ["/project/typings", "/project/node_modules/@types"],
      types: ["node", "/project/typings/extra", "/shared/globals"],
      paths: { "lib/*": ["/project/vendor/lib/*", "/project/fallback/*"] },
    });
  });

  test("resolves paths substitutions against baseUrl when it is set, keeps absolute paths and wrong types", () => {
    const resolved = resolveOptionPaths({ baseUrl: "./base", paths: { a: ["a.ts", "/abs/a.ts", 3] }, rootDir: 7, typeRoots: "typings" }, cwd);
    expect(resolved).toEqual({ baseUrl: "/project/base", paths: { a: ["/project/base/a.ts", "/abs/a.ts", 3] }, rootDir: 7, typeRoots: "typings" });
  });

  test("does not change the options it is given", () => {
    const options = { rootDirs: ["src"], paths: { a: ["a.ts"] } };
    resolveOptionPaths(options, cwd);
    expect(options).toEqual({ rootDirs: ["src"], paths: { a: ["a.ts"] } });
  });
});

test("writeTsconfig writes resolved paths, the case files and the fixed options", () => {
  const dir = mkdtempSync(join(tmpdir(), "ownkit-tsconfig-"));
  const path = writeTsconfig(dir, ["/project/cases/M01.ts"], { typeRoots: ["typings"], noEmit: false }, cwd);
  expect(path).toBe(join(dir, "tsconfig.json"));
  expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
    compilerOptions: { typeRoots: ["/project/typings"], noEmit: true, moduleDetection: "force" },
    files: ["/project/cases/M01.ts"],
  });
});
