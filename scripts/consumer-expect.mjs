// Expectations of the consumer programs (test/fixtures/consumers/*.ts) and the comparison with what a
// compiler printed. A line `// @expect-error TS<code> "<fragment>"` expects that diagnostic on the
// next code line in every cell; `// @expect-error[tag tag] ...` only in cells that have all the tags
// (a cell's tags are its kind, its TypeScript version and `old` for TypeScript before 5.8).
// `// @expect-global TS<code> "<fragment>"` expects a diagnostic without a file (line 0).
import { readFileSync } from "node:fs";

const MARKER = /^\s*\/\/\s*@expect-(error|global)(?:\[([^\]]*)\])?\s+TS(\d+)\s+"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * The diagnostics a file expects in a cell.
 *
 * @param {string} file
 * @param {ReadonlySet<string>} tags
 * @returns {{ line: number, code: number, fragment: string }[]}
 */
export function expectedDiagnostics(file, tags) {
  const lines = readFileSync(file, "utf8").split("\n");
  const expected = [];
  let pending = [];
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text);
    if (marker) {
      const wanted = (marker[2] ?? "").split(/\s+/).filter(Boolean);
      if (!wanted.every((tag) => tags.has(tag))) return;
      const entry = { code: Number(marker[3]), fragment: marker[4].replace(/\\"/g, '"') };
      if (marker[1] === "global") expected.push({ line: 0, ...entry });
      else pending.push(entry);
      return;
    }
    if (text.trim() === "" || text.trim().startsWith("//")) return;
    for (const entry of pending) expected.push({ line: index + 1, ...entry });
    pending = [];
  });
  return expected;
}

/**
 * Parses `tsc --pretty false` output: `file(line,col): error TSn: message`, continuation lines
 * indented. Diagnostics without a file (global ones) get `file: ""`.
 *
 * @param {string} output
 * @returns {{ file: string, line: number, code: number, message: string }[]}
 */
export function parseTscOutput(output) {
  const found = [];
  for (const text of output.split(/\r?\n/)) {
    const located = /^(.+?)\((\d+),\d+\): error TS(\d+): (.*)$/.exec(text);
    const global = /^error TS(\d+): (.*)$/.exec(text);
    if (located) found.push({ file: located[1], line: Number(located[2]), code: Number(located[3]), message: located[4] });
    else if (global) found.push({ file: "", line: 0, code: Number(global[1]), message: global[2] });
    else if (/^\s+\S/.test(text) && found.length > 0) found[found.length - 1].message += ` ${text.trim()}`;
  }
  return found;
}

/**
 * Compares one file's diagnostics with its expectations: the same (line, code) pairs, each
 * message containing its fragment.
 *
 * @param {{ line: number, code: number, fragment: string }[]} expected
 * @param {{ line: number, code: number, message: string }[]} actual
 * @returns {string[]} The mismatches, empty when the file is as expected.
 */
export function compare(expected, actual) {
  const problems = [];
  const left = [...actual];
  for (const want of expected) {
    const index = left.findIndex((got) => got.line === want.line && got.code === want.code && got.message.includes(want.fragment));
    if (index >= 0) left.splice(index, 1);
    else problems.push(`missing TS${want.code} "${want.fragment}" on line ${want.line}`);
  }
  for (const got of left) problems.push(`unexpected TS${got.code} on line ${got.line}: ${got.message.slice(0, 160)}`);
  return problems;
}

const TRAILING_ERROR = /^(.*?)\s*\/\/\s*error (TS\d+): (.*)$/;
const OWNKIT_IMPORT = /^\s*import\b.*\bfrom\s+"ownkit(?:\/[^"]*)?";/;

/**
 * The README's TypeScript examples as consumer programs, so the consumer matrix compiles them
 * verbatim: every ```ts block that starts with an `import` (the others are fragments). A trailing
 * `// error TS<code>: <message>` comment becomes an expectation of that diagnostic on its line, the
 * message (its first piece between `...`/`…` elisions, without surrounding quotes or a final period)
 * as the fragment;
 * every import of ownkit expects TS1479 in the cells of TypeScript before 5.8 compiling CommonJS
 * (the documented error of that set-up).
 *
 * @param {string} markdown The README's text.
 * @returns {{ name: string, text: string }[]} One program per example, named `readme-<n>.ts` (n from 1).
 */
export function readmePrograms(markdown) {
  const programs = [];
  for (const [, body] of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    if (!/^import\b/.test(body)) continue;
    const lines = [];
    for (const line of body.replace(/\n$/, "").split("\n")) {
      if (OWNKIT_IMPORT.test(line)) lines.push(`// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"`);
      const error = TRAILING_ERROR.exec(line);
      if (error && error[1].trim() !== "") {
        const fragment = (error[3].split(/\.\.\.|…/).map((piece) => piece.trim()).find(Boolean) ?? "").replace(/^"/, "").replace(/"$/, "").replace(/\.$/, "").replace(/"/g, '\\"');
        lines.push(`// @expect-error ${error[2]} "${fragment}"`);
      }
      lines.push(line);
    }
    programs.push({ name: `readme-${programs.length + 1}.ts`, text: `// Generated from README.md by the consumer matrix.\n${lines.join("\n")}\n` });
  }
  return programs;
}
