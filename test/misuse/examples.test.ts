// The examples source of the misuse runner: extracting ```ts blocks from Markdown and @example tags,
// reading their quoted errors, and judging them on real compilers.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  declaredExports,
  docCommentExamples,
  expandSources,
  formatExamplesReport,
  markdownExamples,
  parseQuotes,
  preludeImport,
  quoteFragment,
  quotePieces,
  rebaseImports,
  runExamples,
  type ExamplesResult,
} from "../../src/misuse/examples.js";
import type { ResultRow } from "../../src/misuse/types.js";

const root = new URL("../..", import.meta.url).pathname;
const compilers = {
  "tsc-5.9": { label: "tsc 5.9", tsc: "node_modules/typescript/bin/tsc" },
  "tsgo-7.0": { label: "tsgo 7.0", tsc: "node_modules/ts7/bin/tsc" },
};
const fence = "```";

describe("extracting blocks", () => {
  test("a Markdown file gives its ts blocks with their lines, and nothing of other languages", () => {
    const markdown = ["# Title", "", `${fence}sh`, "npm test", fence, "", `${fence}ts`, "const a = 1;", "const b = 2;", fence, "", `${fence}typescript`, "let c = 3;", fence].join("\n");
    const blocks = markdownExamples("/x/doc.md", markdown);
    expect(blocks.map((block) => [block.line, block.firstLine, block.lines])).toEqual([
      [7, 8, ["const a = 1;", "const b = 2;"]],
      [12, 13, ["let c = 3;"]],
    ]);
    expect(blocks.every((block) => block.kind === "markdown" && block.noCompile === undefined && block.problems.length === 0)).toBe(true);
  });

  test("a fence nested in a list item loses its indentation", () => {
    const [block] = markdownExamples("/x/doc.md", ["- item", "", `  ${fence}ts`, "  const a = 1;", "    const b = 2;", `  ${fence}`].join("\n"));
    expect(block?.lines).toEqual(["const a = 1;", "  const b = 2;"]);
  });

  test("no-compile needs a reason; any other fence option is a problem", () => {
    const markdown = [`${fence}ts no-compile: shows a shell session`, "$ ls", fence, `${fence}ts no-compile`, "x", fence, `${fence}ts runnable`, "x", fence].join("\n");
    const [reasoned, bare, other] = markdownExamples("/x/doc.md", markdown);
    expect(reasoned).toMatchObject({ noCompile: "shows a shell session", problems: [] });
    expect(bare?.problems).toEqual([expect.stringContaining('"no-compile" needs a reason')]);
    expect(other?.problems).toEqual([expect.stringContaining('unknown fence option "runnable"')]);
  });

  test("@example blocks of doc comments, with source lines; fences outside @example are not examples", () => {
    const source = [
      "/**", //                                         1
      " * Does a thing.", //                            2
      " *", //                                          3
      " * ```ts", //                                    4
      " * notAnExample();", //                          5
      " * ```", //                                      6
      " *", //                                          7
      " * @example", //                                 8
      " * ```ts", //                                    9
      " * // @expect-error is text here, not a tag", // 10
      " * const a = 1; // error TS2322: Type 'number'", // 11
      " * ```", //                                      12
      " * @param x - The thing.", //                    13
      " */", //                                         14
      "export function thing(x: number): void {}", //   15
      "class K {", //                                   16
      "  /**", //                                       17
      "   * @example", //                               18
      "   * ```ts no-compile: a method alone", //       19
      "   *   method() {}", //                          20
      "   * ```", //                                    21
      "   */", //                                       22
      "  method(): void {}", //                         23
      "}", //                                           24
    ].join("\n");
    const blocks = docCommentExamples("/x/thing.ts", source);
    expect(blocks.map((block) => [block.kind, block.line, block.firstLine, block.lines, block.noCompile])).toEqual([
      ["doc-comment", 9, 10, ["// @expect-error is text here, not a tag", "const a = 1; // error TS2322: Type 'number'"], undefined],
      ["doc-comment", 19, 20, ["  method() {}"], "a method alone"],
    ]);
    expect(blocks[0]?.expected).toEqual([{ code: 2322, fragment: "Type 'number'", compiler: undefined, line: 11, markerLine: 11, anchored: true }]);
  });
});

describe("reading quoted errors", () => {
  test("the fragment is the text before the first elision, without quotes or a final period", () => {
    expect(quoteFragment("Property 'send' does not exist on type 'never'.")).toBe("Property 'send' does not exist on type 'never'");
    expect(quoteFragment("Expected 2 arguments, but got 1 ... (a second move)")).toBe("Expected 2 arguments, but got 1");
    expect(quoteFragment('... "ARef needs an AlwaysRefCounted resource" …')).toBe("ARef needs an AlwaysRefCounted resource");
    expect(quoteFragment("...")).toBe("");
  });

  test("a trailing quote applies to its line, one on its own line to the code line above; continuations join", () => {
    const lines = [
      "const a = f(); // error TS2345: Argument of type 'A'",
      "g(a);",
      "",
      "// error TS2339: Property 'x' does not exist on type",
      "//   'Y' ... and more",
      "// a remark that is not part of the quote",
      "// error[tsgo-7.0] TS2322: Type 'Z' is not assignable",
    ];
    const { expected, problems } = parseQuotes(lines, 10);
    expect(problems).toEqual([]);
    expect(expected).toEqual([
      { code: 2345, fragment: "Argument of type 'A'", compiler: undefined, line: 10, markerLine: 10, anchored: true },
      { code: 2339, fragment: "Property 'x' does not exist on type 'Y'", compiler: undefined, line: 11, markerLine: 13, anchored: true },
      { code: 2322, fragment: "Type 'Z' is not assignable", compiler: "tsgo-7.0", line: 11, markerLine: 16, anchored: true },
    ]);
  });

  test("a quote without a code, without text, or with no code line above is a problem", () => {
    const { expected, problems } = parseQuotes(["// error TS2322: before any code", "f(); // error: it does not compile", "g(); // error TS2554: ..."], 1);
    expect(expected).toEqual([]);
    expect(problems).toEqual([
      expect.stringContaining("line 1: the quote of TS2322 has no line of code above it"),
      expect.stringContaining("line 2: an error quote needs its code"),
      expect.stringContaining('line 3: the quote of TS2554 has no message text before its first "..."'),
    ]);
  });
});

describe("the implicit prelude and relative imports", () => {
  test("declaration files export their listed and declared names", () => {
    const names = declaredExports('export { a, b as c } from "./x.js";\nexport type { T } from "./t.js";\nexport declare class K {}\nexport interface I {}\nexport declare const v: 1;');
    expect([...names].sort()).toEqual(["I", "K", "T", "a", "c", "v"]);
  });

  test("a block imports the public names it uses and neither imports nor declares", () => {
    const prelude = { module: "kit", names: new Set(["Page", "release", "Owned", "Folio", "put"]) };
    const lines = [
      'import { put } from "kit/extra";',
      "class Folio {}",
      "declare const page: Owned<Page>;",
      'release(page); // "Page" in a string or a comment: release(Folio)',
      "const text = 'put';",
    ];
    expect(preludeImport(lines, prelude)).toBe('import { Owned, Page, release } from "kit";');
    expect(preludeImport(["const x = 1;"], prelude)).toBeUndefined();
  });

  test("relative specifiers resolve from the block's own file", () => {
    expect(rebaseImports('import { a } from "../examples/x.js"; import("./y.js");', "/p/docs", "/p/.tmp/misuse/run")).toBe(
      'import { a } from "../../../examples/x.js"; import("../../../docs/y.js");',
    );
    expect(rebaseImports('import { a } from "ownkit";', "/p/docs", "/p/.tmp")).toBe('import { a } from "ownkit";');
  });

  test("source patterns: plain files, dir/*.ext and dir/**/*.ext", () => {
    const files = expandSources(["README.md", "docs/*.md", "src/misuse/**/*.ts"], root).map((file) => file.slice(root.length));
    expect(files[0]).toBe("README.md");
    expect(files).toContain("docs/pages.md");
    expect(files).toContain("src/misuse/examples.ts");
    expect(files.some((file) => file.endsWith(".d.ts") || file.startsWith("docs/api/"))).toBe(false);
  });
});

describe("runExamples on tsc 5.9 and tsgo 7.0", () => {
  const dir = join(root, ".tmp", "examples-test");
  let result: ExamplesResult;
  const rows = (line: number): ResultRow[] => result.rows.filter((row) => row.case === `.tmp/examples-test/guide.md:${line}`);

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "helper.ts"), "export const answer: number = 42;\n");
    const guide = [
      "# A guide", //                                                                    1
      `${fence}ts`, //                                                                   2  compiles cleanly
      'import { answer } from "./helper.js";', //                                        3
      "const doubled: number = answer * 2;", //                                          4
      fence, //                                                                          5
      `${fence}ts`, //                                                                   6  the right error
      'const n: number = "x"; // error TS2322: Type \'string\' is not assignable to type \'number\'.', // 7
      fence, //                                                                          8
      `${fence}ts`, //                                                                   9  a wrong fragment
      'const n: number = "x"; // error TS2322: Type \'string\' is not assignable to type \'boolean\'.', // 10
      fence, //                                                                          11
      `${fence}ts`, //                                                                   12 a wrong code
      'const n: number = "x";', //                                                       13
      "// error TS2345: Type 'string' is not assignable", //                             14
      fence, //                                                                          15
      `${fence}ts`, //                                                                   16 should fail, compiles
      "const n: number = 1; // error TS2322: Type 'string' is not assignable", //        17
      fence, //                                                                          18
      `${fence}ts no-compile: output of a shell session`, //                             19
      "$ npm test", //                                                                   20
      fence, //                                                                          21
      `${fence}ts`, //                                                                   22 an error nobody quoted
      "const s: string = 1;", //                                                         23
      fence, //                                                                          24
      `${fence}ts`, //                                                                   25 a syntax error
      "const = ;", //                                                                    26
      fence, //                                                                          27
      `${fence}ts`, //                                                                   28 per-compiler wording
      "declare function f(x: { a: number }): void;", //                                  29
      "f({ a: 1, b: 2 });", //                                                           30
      "// error TS2353: Object literal may only specify known properties", //            31
      "// error[tsgo-7.0] TS2353: Object literal may only specify known properties, and 'b'", // 32
      fence, //                                                                          33
      `${fence}ts`, //                                                                   34 malformed quote
      "f(); // error: no code", //                                                       35
      fence, //                                                                          36
    ].join("\n");
    writeFileSync(join(dir, "guide.md"), guide);
    writeFileSync(join(dir, "api.ts"), ["/**", " * A function.", " *", " * @example", " * ```ts", " * const ok: number = 1;", " * ```", " */", "export function api(): void {}", ""].join("\n"));
    result = await runExamples({
      cwd: root,
      sources: [".tmp/examples-test/guide.md", ".tmp/examples-test/api.ts"],
      compilers,
      compilerOptions: { types: [] },
      prelude: false,
    });
  }, 240_000);

  test("a block that compiles, with a relative import from its own directory, passes on both compilers", () => {
    expect(rows(2).map((row) => `${row.compiler} ${row.verdict} ${row.got}`)).toEqual(["tsc-5.9 pass compiles", "tsgo-7.0 pass compiles"]);
  });

  test("a correct quote passes; the row names the block's file:line and the diagnostic expected", () => {
    expect(rows(6).map((row) => row.verdict)).toEqual(["pass", "pass"]);
    expect(rows(6)[0]).toMatchObject({ file: ".tmp/examples-test/guide.md", expected: "TS2322 \"Type 'string' is not assignable to type 'number'\" at line 7", got: "TS2322 at line 7" });
  });

  test("a quote whose message or code is wrong fails, naming what the compiler said", () => {
    for (const row of [...rows(9), ...rows(12)]) expect(row.verdict).toBe("fail");
    expect(rows(9)[0]?.reasons[0]).toMatch(/expected TS2322 "Type 'string' is not assignable to type 'boolean'", got TS2322 "Type 'string' is not assignable to type 'number'\."/);
    expect(rows(12)[0]?.reasons[0]).toMatch(/line 13 .*expected TS2345 .*got TS2322/);
  });

  test("a block that quotes an error but compiles fails the row", () => {
    expect(rows(16).map((row) => row.verdict)).toEqual(["fail", "fail"]);
    expect(rows(16)[0]?.reasons[0]).toMatch(/^misuse compiled: line 17 /);
  });

  test("an unquoted error fails as a correct use that does not compile", () => {
    expect(rows(22).map((row) => row.verdict)).toEqual(["fail", "fail"]);
    expect(rows(22)[0]?.reasons[0]).toMatch(/^correct use does not compile: TS2322 at line 23/);
  });

  test("a syntax error fails its own block and hides no type error of the others", () => {
    expect(rows(25).map((row) => row.verdict)).toEqual(["fail", "fail"]);
    // Blocks 6 and 9 were judged on type errors although block 25 does not parse.
    expect(rows(9)[0]?.got).toBe("TS2322 at line 10");
  });

  test("error[<compiler>] replaces the plain quote on its line for that compiler only", () => {
    expect(rows(28).map((row) => `${row.compiler} ${row.verdict}`)).toEqual(["tsc-5.9 pass", "tsgo-7.0 pass"]);
  });

  test("a malformed quote is one failed row for the block, not compiled", () => {
    expect(rows(34)).toEqual([expect.objectContaining({ compiler: "-", verdict: "fail", reasons: [expect.stringContaining("line 35: an error quote needs its code")] })]);
  });

  test("a no-compile block is skipped with its reason and counted apart from passes and failures", () => {
    expect(rows(19)).toEqual([]);
    expect(result.skipped).toEqual([{ where: ".tmp/examples-test/guide.md:19", reason: "output of a shell session" }]);
    expect(formatExamplesReport(result)).toContain("no-compile .tmp/examples-test/guide.md:19: output of a shell session");
  });

  test("@example blocks are compiled like Markdown ones, and the counts add up", () => {
    expect(result.rows.filter((row) => row.case === ".tmp/examples-test/api.ts:5").map((row) => row.verdict)).toEqual(["pass", "pass"]);
    expect(result.examples).toHaveLength(11);
    expect(result.passed).toBe(2 * 4);
    expect(result.failed).toBe(2 * 5 + 1);
    expect(result.passed + result.failed).toBe(result.rows.length);
    expect(formatExamplesReport(result)).toMatch(/examples: 8 passed, 11 failed\n$/);
  });
});

describe("quotes that say what the compiler does not print", () => {
  test("a quote is split at its elisions; one that opens with text is anchored at the message's start", () => {
    expect(quotePieces("Type 'string' ... to type 'boolean'.")).toEqual({ pieces: ["Type 'string'", "to type 'boolean'"], anchored: true });
    expect(quotePieces('... "ARef needs an AlwaysRefCounted resource" …')).toEqual({ pieces: ["ARef needs an AlwaysRefCounted resource"], anchored: false });
  });

  test("@ts-ignore, @ts-expect-error and @ts-nocheck in an example are problems: they hide the errors the runner checks", () => {
    const { problems } = parseQuotes(["// @ts-nocheck", "const a: string = 1;", "/* @ts-ignore */ const b: string = 1;", "// @ts-expect-error", "const c: string = 1;"], 1);
    expect(problems).toEqual([
      expect.stringContaining("line 1: an example may not silence the compiler with @ts-nocheck"),
      expect.stringContaining("line 3: an example may not silence the compiler with @ts-ignore"),
      expect.stringContaining("line 4: an example may not silence the compiler with @ts-expect-error"),
    ]);
  });

  test("a no-compile reason says something, and a fence that looks like ts is not silently skipped", () => {
    const markdown = [`${fence}ts no-compile: -`, "x", fence, `${fence}ts:title`, "const a: string = 1;", fence, `${fence}ts{1,3}`, "x", fence].join("\n");
    const [dash, titled, ranged] = markdownExamples("/x/doc.md", markdown);
    expect(dash?.problems).toEqual([expect.stringContaining('"no-compile" needs a reason')]);
    expect(titled?.problems).toEqual([expect.stringContaining('unknown fence language "ts:title"')]);
    expect(ranged?.problems).toEqual([expect.stringContaining('unknown fence language "ts{1,3}"')]);
  });

  describe("on tsc 5.9 and tsgo 7.0", () => {
    const dir = join(root, ".tmp", "examples-hostile");
    let result: ExamplesResult;
    const verdicts = (line: number): string[] => result.rows.filter((row) => row.case === `.tmp/examples-hostile/guide.md:${line}`).map((row) => `${row.compiler} ${row.verdict}`);
    const reasons = (line: number): string => result.rows.filter((row) => row.case === `.tmp/examples-hostile/guide.md:${line}`).flatMap((row) => row.reasons).join("\n");
    const both = (verdict: string): string[] => [`tsc-5.9 ${verdict}`, `tsgo-7.0 ${verdict}`];

    beforeAll(async () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const guide = [
        "# Hostile quotes", //                                                                  1
        `${fence}ts`, //                                                                        2  quotes a later part of the chain
        "declare function g(x: { a: number }): void;", //                                     3
        "declare const o: { a: string };", //                                                 4
        "g(o); // error TS2345: Type 'string' is not assignable to type 'number'", //         5
        fence, //                                                                               6
        `${fence}ts`, //                                                                        7  the same, elided: passes
        "declare function g(x: { a: number }): void;", //                                     8
        "declare const o: { a: string };", //                                                 9
        "g(o); // error TS2345: Argument of type '{ a: string; }' ... Type 'string' is not assignable to type 'number'", // 10
        fence, //                                                                               11
        `${fence}ts`, //                                                                        12 the middle of the message
        "const n: number = \"x\"; // error TS2322: is not assignable to type 'number'", //   13
        fence, //                                                                               14
        `${fence}ts`, //                                                                        15 a wrong opening, a true remark after "..."
        "const n: number = \"x\"; // error TS2322: type 'number' ... (the declared type)", // 16
        fence, //                                                                               17
        `${fence}ts`, //                                                                        18 an opening elision: passes
        "const n: number = \"x\"; // error TS2322: ... is not assignable to type 'number'", // 19
        fence, //                                                                               20
        `${fence}ts`, //                                                                        21 a quoted syntax error, an unquoted type error
        "const s: string = 1;", //                                                            22
        "const = ;", //                                                                       23
        "// error TS1134: Variable declaration expected.", //                                 24
        fence, //                                                                               25
        `${fence}ts`, //                                                                        26 the compiler silenced
        "// @ts-ignore", //                                                                   27
        "const s: string = 1;", //                                                            28
        fence, //                                                                               29
        `${fence}ts`, //                                                                        30 an override for a compiler that does not exist
        "const s: string = 1;", //                                                            31
        "// error TS2322: Type 'number' is not assignable to type 'string'", //              32
        "// error[tsc-9.9] TS2322: Type 'number' is not assignable to type 'string'", //     33
        fence, //                                                                               34
        `${fence}ts`, //                                                                        35 a quote on the wrong line
        "const s: string = 1;", //                                                            36
        "const t = 2;", //                                                                    37
        "// error TS2322: Type 'number' is not assignable to type 'string'", //              38
        fence, //                                                                               39
        `${fence}ts`, //                                                                        40 right text, wrong code
        "const s: string = 1; // error TS2345: Type 'number' is not assignable to type 'string'", // 41
        fence, //                                                                               42
      ].join("\n");
      writeFileSync(join(dir, "guide.md"), guide);
      result = await runExamples({ cwd: root, sources: [".tmp/examples-hostile/guide.md"], compilers, compilerOptions: { types: [] }, prelude: false });
    }, 240_000);

    test("a quote of a later part of the message chain fails; with its opening elided it passes", () => {
      expect(verdicts(2)).toEqual(both("fail"));
      expect(reasons(2)).toMatch(/expected TS2345 "Type 'string' is not assignable to type 'number'", got TS2345 "Argument of type/);
      expect(verdicts(7)).toEqual(both("pass"));
    });

    test("a quote of the middle of a message fails unless it opens with an elision", () => {
      expect(verdicts(12)).toEqual(both("fail"));
      expect(verdicts(18)).toEqual(both("pass"));
      expect(verdicts(15)).toEqual(both("fail"));
      expect(reasons(15)).toContain("expected TS2322 \"type 'number'\", got TS2322 \"Type 'string'");
    });

    test("a block that does not parse fails even when it quotes its syntax error: its type errors were never checked", () => {
      expect(verdicts(21)).toEqual(both("fail"));
      expect(reasons(21)).toContain("the block does not parse");
    });

    test("a block that silences the compiler is a problem, not a pass", () => {
      expect(result.rows.filter((row) => row.case === ".tmp/examples-hostile/guide.md:26")).toEqual([
        expect.objectContaining({ compiler: "-", verdict: "fail", reasons: [expect.stringContaining("line 27: an example may not silence the compiler with @ts-ignore")] }),
      ]);
    });

    test("an error[<id>] override for a compiler that does not exist, a quote on the wrong line and a wrong code fail", () => {
      expect(reasons(30)).toContain('unknown compiler id "tsc-9.9"');
      expect(verdicts(30)).toEqual(["- fail"]);
      expect(verdicts(35)).toEqual(both("fail"));
      expect(reasons(35)).toMatch(/misuse compiled: line 37 /);
      expect(verdicts(40)).toEqual(both("fail"));
      expect(reasons(40)).toMatch(/expected TS2345 .*got TS2322/);
    });
  });

  test("an @example whose code is not fenced is a problem, not silently skipped", () => {
    const source = ["/**", " * Does a thing.", " *", " * @example", " * thing(1); // not compiled", " */", "export function thing(x: number): void {}", "/**", " * @example", " * ```sh", " * npm test", " * ```", " */", "export const other = 1;"].join("\n");
    const blocks = docCommentExamples("/x/thing.ts", source);
    expect(blocks.map((block) => [block.line, block.problems])).toEqual([[4, [expect.stringContaining("line 4: an @example without a fenced ```ts block is not compiled")]]]);
  });
});

