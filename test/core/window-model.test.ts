// A model test of the order-0 window: the same random sequence runs on a flat and a sparse machine
// of one layout (HIGHMEM starting inside a section, a reserved range across a section edge, a hole,
// a short last section) and must give the same results, the same errors and, at the end, the same
// state digest. Every error must be a KernelError that leaves its machine's digest unchanged, and
// no result may be -0. The sequences move the window between sections all the time: pages of the
// first section are freed while the allocator hands out the second's, stale and double frees name
// frames of either, and a kmap or a cached page sends frees to the checked path.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, Machine, __GFP_COMP, __GFP_ZERO } from "../../src/core/index.js";
import { SECTION_PAGES } from "../../src/core/memmap.js";
import { KernelError } from "../../src/errors.js";

const NR = 2 * SECTION_PAGES + 300;
const HIGHMEM = SECTION_PAGES + 700;
const CONFIG = {
  ramSize: NR * 4096,
  highmemStart: HIGHMEM * 4096,
  ranges: [
    { kind: "reserved" as const, start: (SECTION_PAGES - 3) * 4096, size: 5 * 4096 },
    { kind: "hole" as const, start: (2 * SECTION_PAGES + 10) * 4096, size: 2 * 4096 },
  ],
};
/** Order-0 pages taken before the sequence: the allocator is then near the end of section 0. */
const WARM = SECTION_PAGES - 1200;

const GFPS = [GFP_KERNEL, GFP_HIGHUSER, GFP_KERNEL | __GFP_ZERO, GFP_KERNEL | __GFP_COMP, GFP_HIGHUSER | __GFP_COMP];
const ODD: unknown[] = [-0, -1, 0.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, NR, NR - 0.5, SECTION_PAGES - 0.5, "1", 1n, null, {}];
const EDGES = [0, 1, SECTION_PAGES - 4, SECTION_PAGES - 3, SECTION_PAGES - 1, SECTION_PAGES, SECTION_PAGES + 1, SECTION_PAGES + 2,
  HIGHMEM - 1, HIGHMEM, HIGHMEM + 1, 2 * SECTION_PAGES - 1, 2 * SECTION_PAGES, 2 * SECTION_PAGES + 10, NR - 1, NR, NR + 1];

type FreeHow = "exact" | "put" | "wrong-order" | "gen+1" | "next-frame" | "as-minus-zero";
type Op =
  | { kind: "alloc"; order: number; gfp: number }
  | { kind: "many"; n: number }
  | { kind: "free"; at: number; how: FreeHow }
  | { kind: "stale"; at: number }
  | { kind: "gen"; pfn: number }
  | { kind: "odd"; at: number; value: number }
  | { kind: "kmap"; at: number }
  | { kind: "cache"; at: number }
  | { kind: "get"; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("alloc" as const), order: fc.constantFrom(0, 0, 0, 1, 3), gfp: fc.constantFrom(...GFPS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("many" as const), n: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("free" as const), at: fc.nat(), how: fc.constantFrom<FreeHow>("exact", "exact", "put", "wrong-order", "gen+1", "next-frame", "as-minus-zero") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("stale" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: -2, max: NR + 2 })).map((pfn): Op => ({ kind: "gen", pfn })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("odd" as const), at: fc.nat(), value: fc.constantFrom(...(ODD as number[])) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kmap" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cache" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("get" as const), at: fc.nat() }) },
);

/** A number as text, keeping the sign of zero. */
function show(value: unknown): string {
  if (Object.is(value, -0)) return "-0";
  return typeof value === "bigint" ? `${value}n` : typeof value === "object" && value !== null ? "{}" : String(value);
}

interface Block {
  pfn: number;
  gen: number;
  order: number;
  refs: number;
}

/** Runs a sequence on one memory model; returns its results and the final digest. */
function run(memoryModel: "flat" | "sparse", ops: readonly Op[]): { out: string[]; digest: string; free: number } {
  const machine = new Machine({ ...CONFIG, memoryModel });
  const live: Block[] = [];
  const dead: Block[] = [];
  const out: string[] = [];
  let kmapped: Block | undefined;
  const mapping = machine.pageCache.createMapping();
  const cached = new Map<number, Block>();
  let nextIndex = 0;
  const alloc = (gfp: number, order: number): number => {
    const pfn = machine.allocPages(gfp, order);
    live.push({ pfn, gen: machine.pageGen(pfn), order, refs: 1 });
    return pfn;
  };
  for (let i = 0; i < WARM; i++) alloc(GFP_KERNEL, 0);
  const pick = (at: number): Block | undefined => (live.length === 0 ? undefined : live[at % live.length]);
  const retire = (block: Block): void => {
    live.splice(live.indexOf(block), 1);
    dead.push(block);
  };
  for (const op of ops) {
    const before = machine.stateDigest();
    let result: unknown;
    try {
      switch (op.kind) {
        case "alloc":
          result = alloc(op.gfp, op.order);
          break;
        case "many": {
          // Up to n pages; lowmem may run out part of the way (one op of many calls, so the failing
          // call is checked on its own: tried again, it fails the same way and changes nothing).
          const pfns: number[] = [];
          let stop = "";
          for (let i = 0; i < op.n && stop === ""; i++) {
            try {
              pfns.push(alloc(GFP_KERNEL, 0));
            } catch (error) {
              if (!(error instanceof KernelError)) throw error;
              const digest = machine.stateDigest();
              expect(() => machine.allocPages(GFP_KERNEL, 0)).toThrow(error.message.split("\n")[0]);
              expect(machine.stateDigest()).toBe(digest);
              stop = ` then ${error.errno}`;
            }
          }
          result = `${pfns.length === 0 ? "none" : `${Math.min(...pfns)}..${Math.max(...pfns)}`}${stop}`;
          break;
        }
        case "free": {
          const block = pick(op.at);
          if (block === undefined) break;
          const { pfn, gen, order } = block;
          const done = (freed: boolean): boolean => {
            if (--block.refs === 0 || freed) retire(block);
            return freed;
          };
          switch (op.how) {
            case "exact":
              result = done(machine.freePages(pfn, gen, order));
              break;
            case "put":
              result = done(machine.folioPut(pfn, gen));
              break;
            case "wrong-order":
              result = machine.freePages(pfn, gen, order + 1);
              break;
            case "gen+1":
              result = machine.freePages(pfn, gen + 1, order);
              break;
            case "next-frame":
              // A tail of a compound block, or the next frame of an order-0 page, under this handle.
              result = machine.freePages(pfn + 1, gen, 0);
              break;
            case "as-minus-zero":
              result = done(machine.freePages(pfn === 0 ? -0 : pfn, gen, order));
              break;
          }
          break;
        }
        case "stale": {
          if (dead.length === 0) break;
          const { pfn, gen, order } = dead[op.at % dead.length]!;
          result = machine.freePages(pfn, gen, order);
          break;
        }
        case "gen":
          result = machine.pageGen(op.pfn);
          break;
        case "odd": {
          const block = pick(op.at);
          result = machine.freePages(op.value, block?.gen ?? 1, 0);
          break;
        }
        case "kmap":
          if (kmapped !== undefined) {
            machine.kunmap(kmapped.pfn, kmapped.gen);
            result = `kunmap ${kmapped.pfn}`;
            kmapped = undefined;
          } else {
            const block = pick(op.at);
            if (block === undefined) break;
            machine.kmap(block.pfn, block.gen);
            kmapped = block;
            result = `kmap ${block.pfn}`;
          }
          break;
        case "cache": {
          const first = cached.keys().next();
          if (op.at % 2 === 0 && !first.done) {
            const block = cached.get(first.value)!;
            cached.delete(first.value);
            result = machine.pageCache.remove(mapping, first.value);
            if (--block.refs === 0) retire(block);
          } else {
            const block = pick(op.at);
            if (block === undefined) break;
            const index = nextIndex;
            nextIndex += 1 << block.order;
            machine.pageCache.add(mapping, index, block.pfn, block.gen);
            block.refs++;
            cached.set(index, block);
            result = `cached ${block.pfn}`;
          }
          break;
        }
        case "get": {
          const block = pick(op.at);
          if (block === undefined) break;
          machine.folioGet(block.pfn, block.gen);
          block.refs++;
          result = `get ${block.pfn}`;
          break;
        }
      }
      out.push(`${op.kind} -> ${show(result)}`);
      expect(Object.is(result, -0), `${op.kind} returned -0`).toBe(false);
    } catch (error) {
      if (!(error instanceof KernelError)) throw error;
      out.push(`${op.kind} !! ${error.errno} ${error.message}`);
      expect(machine.stateDigest(), `${memoryModel}: ${op.kind} failed with ${error.errno} and changed the machine`).toBe(before);
    }
  }
  expect(machine.consistencyProblems()).toEqual([]);
  return { out, digest: machine.stateDigest(), free: machine.nrFreePages() };
}

describe("the order-0 window, flat against sparse", () => {
  test("property: random sequences across sections give the same results, errors and final state", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const flat = run("flat", ops);
        const sparse = run("sparse", ops);
        expect(sparse.out).toEqual(flat.out);
        expect(sparse.free).toBe(flat.free);
        expect(sparse.digest).toBe(flat.digest);
      }),
      { numRuns: 15 },
    );
  });

  test("a fixed sequence: frees of section 0 while section 1 is handed out, then stale and double frees of both", () => {
    const ops: Op[] = [
      { kind: "many", n: 1500 },
      { kind: "free", at: 5, how: "exact" },
      { kind: "alloc", order: 0, gfp: GFP_KERNEL },
      { kind: "free", at: WARM + 1400, how: "exact" },
      { kind: "free", at: 7, how: "put" },
      { kind: "stale", at: 0 },
      { kind: "stale", at: 1 },
      { kind: "stale", at: 2 },
      { kind: "kmap", at: 3 },
      { kind: "free", at: 9, how: "exact" },
      { kind: "kmap", at: 0 },
      { kind: "stale", at: 3 },
      { kind: "gen", pfn: SECTION_PAGES - 1 },
      { kind: "gen", pfn: SECTION_PAGES },
      { kind: "free", at: 0, how: "as-minus-zero" },
      { kind: "alloc", order: 0, gfp: GFP_KERNEL },
    ];
    const flat = run("flat", ops);
    const sparse = run("sparse", ops);
    expect(sparse.out).toEqual(flat.out);
    expect(sparse.digest).toBe(flat.digest);
    // The sequence did reach section 1, and its stale frees were refused as double frees.
    expect(flat.out[0]).toMatch(new RegExp(`^many -> \\d+\\.\\.(\\d+)$`));
    expect(Number(/\.\.(\d+)$/.exec(flat.out[0]!)![1])).toBeGreaterThanOrEqual(SECTION_PAGES);
    const stale = flat.out.filter((line) => line.startsWith("stale")).map((line) => line.split(" (")[0]);
    expect(stale).toHaveLength(4);
    for (const line of stale) expect(line).toMatch(/^stale !! EINVAL __free_pages: (double free|stale handle: page was freed and reallocated)$/);
  });
});
