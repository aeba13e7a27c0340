// page_owner's stack depot finds a frame by its file and code position: two scripts run under one
// file name (vm's default `evalmachine.<anonymous>`, a module evaluated again after an edit) must
// not report each other's function or line. The report must equal a fresh machine's.
import { expect, test } from "vitest";
import * as vm from "node:vm";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";

type Allocate = (machine: Machine, gfp: number) => number;

function allocStack(machine: Machine, pfn: number): string | undefined {
  return machineFriend.internals(machine).owner!.allocStack(pfn);
}

const cases: [string, string, string][] = [
  ["another function name", "(function alpha(m, g) { return m.allocPages(g, 0); })", "(function betaa(m, g) { return m.allocPages(g, 0); })"],
  ["another line", "(function alpha(m, g) { return m.allocPages(g, 0); })", "(function alpha(m, g) {\\nreturn m.allocPages(g, 0); })"],
];

for (const filename of ["/tmp/user-reloaded.js", undefined]) {
  for (const [what, first, second] of cases) {
    test(`two scripts named ${filename ?? "by vm's default"} at one position, ${what}: each frame is its own`, () => {
      const options = filename === undefined ? undefined : { filename };
      const a = vm.runInThisContext(first, options) as Allocate;
      const b = vm.runInThisContext(second.replace("\\n", "\n"), options) as Allocate;
      const machine = new Machine({ ramSize: 1 << 20, debug: true });
      const pa = a(machine, GFP_KERNEL);
      const pb = b(machine, GFP_KERNEL);
      const fresh = new Machine({ ramSize: 1 << 20, debug: true });
      const pf = b(fresh, GFP_KERNEL);
      const firstLine = (text: string | undefined): string => text!.split("\n")[0]!;
      expect(firstLine(allocStack(machine, pb))).toBe(firstLine(allocStack(fresh, pf)));
      expect(firstLine(allocStack(machine, pb))).not.toBe(firstLine(allocStack(machine, pa)));
    });
  }
}

test("a prepareStackTrace accessor that keeps the caller's formatter cannot name another stack", () => {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const first = machine.allocPages(GFP_KERNEL, 0); // stack id 0
  const saved = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  // The caller's formatter returns a number (a frame count), and its setter ignores page_owner's.
  Object.defineProperty(Error, "prepareStackTrace", { configurable: true, get: () => (): number => 0, set: () => {} });
  let second = -1;
  try {
    second = (function elsewhere(): number {
      return machine.allocPages(GFP_KERNEL, 0);
    })();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(Error, "prepareStackTrace");
    else Object.defineProperty(Error, "prepareStackTrace", saved);
  }
  expect(machine.isAllocated(second)).toBe(true);
  expect(allocStack(machine, second)).not.toBe(allocStack(machine, first));
  expect(allocStack(machine, second)).toMatch(/^ {4}\(not captured: /);
});

test("alternating shallow and deep (recursive) callers of one site report what a fresh machine reports", () => {
  function nest(machine: Machine, depth: number): number {
    return depth === 0 ? machine.allocPages(GFP_KERNEL, 0) : nest(machine, depth - 1);
  }
  const machine = new Machine({ ramSize: 4 << 20, debug: true });
  const depths = [0, 40, 0, 3, 25, 0, 12];
  const pfns: number[] = [];
  for (let round = 0; round < 40; round++) for (const depth of depths) pfns.push(nest(machine, depth));
  // After the site learned a shallow depth (32 shallow captures in a row), a deep caller again.
  for (let i = 0; i < 40; i++) pfns.push(nest(machine, 0));
  pfns.push(nest(machine, 40));
  // Line and column of the calling line differ between the two machines; the frames must not.
  for (const [index, depth] of [[pfns.length - 1, 40], [pfns.length - 2, 0], [0, 0], [1, 40], [3, 3], [4, 25]] as const) {
    const fresh = new Machine({ ramSize: 1 << 20, debug: true });
    const expected = allocStack(fresh, nest(fresh, depth))!.replace(/:\d+:\d+\)?$/gm, "");
    expect(allocStack(machine, pfns[index]!)!.replace(/:\d+:\d+\)?$/gm, "")).toBe(expected);
  }
});
