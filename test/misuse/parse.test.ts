import { describe, expect, test } from "vitest";
import { parseDiagnostics } from "../../src/misuse/compile.js";
import { parseCase } from "../../src/misuse/markers.js";
import { judgeCase, markersFor } from "../../src/misuse/match.js";
import type { Diagnostic } from "../../src/misuse/types.js";

const header = "/**\n * @misuse M2\n * @title clone() on an Owned value\n */\n";

describe("parseCase", () => {
  test("reads the header and attaches each marker to the next code line", () => {
    const source = `${header}const a = 1;\n\n// @expect-error TS2339 "Property 'clone' does not exist"\n// a note\n\na.clone();\n`;
    const kase = parseCase("/x/M02-clone.ts", source);
    expect(kase).toMatchObject({ id: "M2", title: "clone() on an Owned value", runtime: false, problems: [] });
    expect(kase.expected).toEqual([
      { code: 2339, fragment: "Property 'clone' does not exist", compiler: undefined, line: 10, markerLine: 7 },
    ]);
    expect(kase.lines[9]).toBe("a.clone();");
  });

  test("skips block comments, unescapes quotes and keeps several markers for one line", () => {
    const source = `${header}// @expect-error TS2345 "type '\\"nope\\"'"\n// @expect-error[tsgo-7.0] TS2322 "x \\\\ y"\n/*\n * note\n */\nf("nope");\n`;
    const kase = parseCase("/x/a.ts", source, ["tsc-5.9", "tsgo-7.0"]);
    expect(kase.problems).toEqual([]);
    expect(kase.expected.map(({ code, fragment, compiler, line }) => ({ code, fragment, compiler, line }))).toEqual([
      { code: 2345, fragment: `type '"nope"'`, compiler: undefined, line: 10 },
      { code: 2322, fragment: "x \\ y", compiler: "tsgo-7.0", line: 10 },
    ]);
  });

  test("uses the file name as id without @misuse, and reads runtime tags", () => {
    const source = `/**\n * @runtime\n * @expect-throw EBUSY "live \\"borrow\\""\n */\nexport function correct() {}\n`;
    const kase = parseCase("/x/M29-alias.ts", source);
    expect(kase).toMatchObject({ id: "M29-alias", runtime: true, expectThrow: { errno: "EBUSY", fragment: 'live "borrow"' }, problems: [] });
  });

  test("reports catalogue errors", () => {
    expect(parseCase("/x/a.ts", `${header}const a = 1;\n`).problems).toEqual(["no @expect-error marker and no @runtime tag"]);
    expect(parseCase("/x/a.ts", `${header}// @expect-error TS2339\na.b;\n`).problems[0]).toMatch(/line 5: malformed marker/);
    expect(parseCase("/x/a.ts", `${header}// @expect-error TS2339 ""\na.b;\n`).problems).toEqual(["line 5: empty message fragment"]);
    expect(parseCase("/x/a.ts", `${header}a.b;\n// @expect-error TS2339 "b"\n`).problems).toEqual(["line 6: marker with no code line after it", "no @expect-error marker and no @runtime tag"]);
    expect(parseCase("/x/a.ts", `${header}// @expect-error[tsc-4] TS2339 "b"\na.b;\n`, ["tsc-5.9"]).problems).toEqual([
      'line 5: unknown compiler id "tsc-4" (known: tsc-5.9)',
    ]);
    expect(parseCase("/x/a.ts", "/**\n * @runtime\n */\nexport {};\n").problems).toEqual(['@runtime case without @expect-throw ERRNO "fragment"']);
    expect(parseCase("/x/a.ts", '/**\n * @expect-throw EIO "x"\n */\n// @expect-error TS1 "y"\nz;\n').problems).toEqual(["@expect-throw without @runtime"]);
  });
});

describe("parseDiagnostics", () => {
  test("flattens indented continuation lines into one message and resolves paths", () => {
    const output = [
      "types-test/misuse/a.ts(12,5): error TS2322: Type '{ b: number; }' is not assignable to type '{ b: string; }'.",
      "  Types of property 'b' are incompatible.",
      "    Type 'number' is not assignable to type 'string'.",
      "dir (1)/b.ts(3,1): error TS2339: Property 'clone' does not exist on type 'Owned'.",
      "error TS5023: Unknown compiler option 'nope'.",
      "",
    ].join("\n");
    const diagnostics = parseDiagnostics(output, "/project", (file, line) => `${file}:${line}`);
    expect(diagnostics).toHaveLength(3);
    expect(diagnostics[0]).toEqual({
      file: "/project/types-test/misuse/a.ts",
      line: 12,
      column: 5,
      code: 2322,
      category: "error",
      message: "Type '{ b: number; }' is not assignable to type '{ b: string; }'. Types of property 'b' are incompatible. Type 'number' is not assignable to type 'string'.",
      messageChain: [
        "Type '{ b: number; }' is not assignable to type '{ b: string; }'.",
        "Types of property 'b' are incompatible.",
        "Type 'number' is not assignable to type 'string'.",
      ],
      sourceLine: "/project/types-test/misuse/a.ts:12",
    });
    expect(diagnostics[1]).toMatchObject({ file: "/project/dir (1)/b.ts", line: 3, code: 2339 });
    expect(diagnostics[2]).toMatchObject({ file: undefined, line: 0, code: 5023, message: "Unknown compiler option 'nope'." });
  });
});

function diagnostic(line: number, code: number, message: string): Diagnostic {
  return { file: "/x/a.ts", line, column: 1, code, category: "error", message, messageChain: [message], sourceLine: "" };
}

describe("judgeCase", () => {
  const source = `${header}ok();\n// @expect-error TS2339 "clone"\n// @expect-error TS2339 "copy"\nx.clone() + x.copy();\n`;
  const kase = parseCase("/x/a.ts", source);

  test("passes when the marked line has exactly the marked diagnostics, in any order", () => {
    const check = judgeCase(kase, "tsc", [diagnostic(8, 2339, "Property 'copy' does not exist"), diagnostic(8, 2339, "Property 'clone' does not exist")]);
    expect(check).toMatchObject({ verdict: "pass", reasons: [] });
  });

  test("fails on a missing, a different, an extra and an unmarked diagnostic", () => {
    expect(judgeCase(kase, "tsc", []).reasons).toEqual([
      'misuse compiled: line 8 `x.clone() + x.copy();` has no error, expected TS2339 "clone" and TS2339 "copy"',
    ]);
    expect(judgeCase(kase, "tsc", [diagnostic(8, 2339, "clone"), diagnostic(8, 2345, "Argument copy")]).reasons).toEqual([
      'line 8 `x.clone() + x.copy();`: expected TS2339 "copy", got TS2345 "Argument copy"',
    ]);
    expect(judgeCase(kase, "tsc", [diagnostic(8, 2339, "clone"), diagnostic(8, 2339, "copy"), diagnostic(8, 2554, "Expected 0")]).reasons).toEqual([
      'line 8 `x.clone() + x.copy();`: unexpected extra TS2554 "Expected 0"',
    ]);
    const unmarked = judgeCase(kase, "tsc", [diagnostic(8, 2339, "clone"), diagnostic(8, 2339, "copy"), diagnostic(5, 2304, "Cannot find name 'ok'.")]);
    expect(unmarked.verdict).toBe("fail");
    expect(unmarked.reasons).toEqual(["correct use does not compile: TS2304 at line 5 ``: Cannot find name 'ok'."]);
    expect(unmarked.unmarked).toHaveLength(1);
  });

  test("compiler-specific markers replace the generic ones on their line only", () => {
    const specific = parseCase("/x/a.ts", `${header}// @expect-error TS2339 "generic"\n// @expect-error[tsgo] TS2339 "native"\na.b;\n// @expect-error TS2345 "other"\nc(1);\n`);
    expect(markersFor(specific.expected, "tsgo").map((marker) => marker.fragment)).toEqual(["native", "other"]);
    expect(markersFor(specific.expected, "tsc").map((marker) => marker.fragment)).toEqual(["generic", "other"]);
  });

  test("a case whose markers all name other compilers fails for this one", () => {
    const other = parseCase("/x/a.ts", `${header}// @expect-error[tsgo] TS2339 "b"\na.b;\n`);
    expect(judgeCase(other, "tsc", [diagnostic(6, 2339, "b")]).reasons).toContain("no @expect-error marker applies to compiler tsc");
  });
});
