/**
 * Model-based property test: random command sequences run against the machine and a simple
 * reference model; after every step the free lists, the metadata and the model must agree.
 *
 * Budget: OWNKIT_PROPERTY_COMMANDS commands in total (default 6000), in runs of up to 80 commands
 * drawn at full length (about 40 commands per run; OWNKIT_PROPERTY_RUNS overrides the number of
 * runs); the test's time limit follows the budget. Replay a failure with OWNKIT_PROPERTY_SEED (and
 * OWNKIT_PROPERTY_PATH), both printed by fast-check with the shrunk command list.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { GFP_KERNEL, Machine, __GFP_COMP, __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO } from "../../src/core/index.js";
import { KernelError, type Errno } from "../../src/errors.js";

const PAGE = 4096;
const PAGES = 256;
const HIGHMEM_PFN = 128;
const MAX_DEPTH = 15;

interface Block {
  pfn: number;
  gen: number;
  order: number;
  refs: number;
  /** Expected bytes, valid where `known` is 1. */
  bytes: Uint8Array;
  known: Uint8Array;
}

interface Mapping {
  id: number;
  block: Block;
  start: number;
  end: number;
}

interface Model {
  live: Block[];
  freed: Block[];
  maps: Mapping[][];
}

type Real = Machine;

function pick<Item>(items: readonly Item[], index: number): Item | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function expectError(real: Real, errno: Errno, fn: () => unknown): void {
  const before = real.stateDigest();
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof KernelError)) throw new Error(`expected KernelError ${errno}, got ${String(caught)}`);
  if (caught.errno !== errno) throw new Error(`expected ${errno}, got ${caught.errno}: ${caught.message}`);
  if (real.stateDigest() !== before) throw new Error(`state changed by a failing call: ${caught.message}`);
}

function mapped(model: Model, block: Block): boolean {
  return model.maps.some((stack) => stack.some((m) => m.block === block));
}

/** Drops a reference in the model the way folio_put / __free_pages do. */
function dropRef(model: Model, block: Block): void {
  block.refs--;
  if (block.refs === 0) {
    model.live.splice(model.live.indexOf(block), 1);
    model.freed.push(block);
    if (model.freed.length > 8) model.freed.shift();
  }
}

/** True when an aligned free run of 2^order pages exists in the zones `gfp` may use. */
function modelHasRoom(model: Model, order: number, highmem: boolean): boolean {
  const size = 1 << order;
  const busy = new Uint8Array(PAGES);
  for (const b of model.live) busy.fill(1, b.pfn, b.pfn + (1 << b.order));
  const zones: [number, number][] = highmem ? [[HIGHMEM_PFN, PAGES], [0, HIGHMEM_PFN]] : [[0, HIGHMEM_PFN]];
  for (const [lo, hi] of zones) {
    for (let start = lo; start + size <= hi; start += size) {
      if (busy.subarray(start, start + size).every((b) => b === 0)) return true;
    }
  }
  return false;
}

class Alloc implements fc.Command<Model, Real> {
  constructor(readonly order: number, readonly zero: boolean, readonly highmem: boolean, readonly comp: boolean) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const gfp = GFP_KERNEL | __GFP_NOWARN | (this.zero ? __GFP_ZERO : 0) | (this.highmem ? __GFP_HIGHMEM : 0) | (this.comp ? __GFP_COMP : 0);
    if (!modelHasRoom(model, this.order, this.highmem)) {
      expectError(real, "ENOMEM", () => real.allocPages(gfp, this.order));
      return;
    }
    const pfn = real.allocPages(gfp, this.order);
    const size = PAGE << this.order;
    expect(pfn % (1 << this.order)).toBe(0);
    if (!this.highmem) expect(pfn).toBeLessThan(HIGHMEM_PFN);
    for (const b of model.live) {
      const overlap = pfn < b.pfn + (1 << b.order) && b.pfn < pfn + (1 << this.order);
      if (overlap) throw new Error(`pfn ${pfn} handed out while allocated in block ${b.pfn}`);
    }
    const known = new Uint8Array(size).fill(this.zero ? 1 : 0);
    model.live.push({ pfn, gen: real.pageGen(pfn), order: this.order, refs: 1, bytes: new Uint8Array(size), known });
  }
  toString(): string {
    return `alloc(order=${this.order}${this.zero ? ",ZERO" : ""}${this.highmem ? ",HIGHMEM" : ""}${this.comp ? ",COMP" : ""})`;
  }
}

class Free implements fc.Command<Model, Real> {
  constructor(readonly which: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    if (b.refs === 1 && mapped(model, b)) {
      expectError(real, "EBUSY", () => real.freePages(b.pfn, b.gen, b.order));
      return;
    }
    expect(real.freePages(b.pfn, b.gen, b.order)).toBe(b.refs === 1);
    dropRef(model, b);
  }
  toString(): string {
    return `free(#${this.which})`;
  }
}

class Get implements fc.Command<Model, Real> {
  constructor(readonly which: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    real.folioGet(b.pfn, b.gen);
    b.refs++;
  }
  toString(): string {
    return `get(#${this.which})`;
  }
}

class Put implements fc.Command<Model, Real> {
  constructor(readonly which: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    if (b.refs === 1 && mapped(model, b)) {
      expectError(real, "EBUSY", () => real.folioPut(b.pfn, b.gen));
      return;
    }
    expect(real.folioPut(b.pfn, b.gen)).toBe(b.refs === 1);
    dropRef(model, b);
  }
  toString(): string {
    return `put(#${this.which})`;
  }
}

class Map implements fc.Command<Model, Real> {
  constructor(readonly which: number, readonly offset: number, readonly cpu: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    const size = PAGE << b.order;
    const offset = this.offset % size;
    const stack = model.maps[this.cpu]!;
    real.onCpu(this.cpu, () => {
      if (stack.length === MAX_DEPTH) {
        expectError(real, "ENOSPC", () => real.kmapLocal(b.pfn, b.gen, offset));
        return;
      }
      const id = real.kmapLocal(b.pfn, b.gen, offset);
      const end = b.pfn >= HIGHMEM_PFN ? (Math.floor(offset / PAGE) + 1) * PAGE : size;
      expect(real.kmapLocalView(id).length).toBe(end - offset);
      stack.push({ id, block: b, start: offset, end });
    });
  }
  toString(): string {
    return `map(#${this.which}, offset=${this.offset}, cpu=${this.cpu})`;
  }
}

class Unmap implements fc.Command<Model, Real> {
  constructor(readonly cpu: number, readonly fromTop: number, readonly fromCpu: number) {}
  check(model: Readonly<Model>): boolean {
    return model.maps[this.cpu]!.length > 0;
  }
  run(model: Model, real: Real): void {
    const stack = model.maps[this.cpu]!;
    const index = stack.length - 1 - (this.fromTop % stack.length);
    const m = stack[index]!;
    real.onCpu(this.fromCpu, () => {
      if (this.fromCpu !== this.cpu) {
        expectError(real, "EPERM", () => real.kunmapLocal(m.id));
      } else if (index !== stack.length - 1) {
        expectError(real, "EINVAL", () => real.kunmapLocal(m.id));
      } else {
        real.kunmapLocal(m.id);
        stack.pop();
      }
    });
  }
  toString(): string {
    return `unmap(cpu=${this.cpu}, fromTop=${this.fromTop}, on cpu ${this.fromCpu})`;
  }
}

class Write implements fc.Command<Model, Real> {
  constructor(readonly which: number, readonly offset: number, readonly length: number, readonly seed: number, readonly viaMap: boolean) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    const size = PAGE << b.order;
    const offset = this.offset % size;
    const length = Math.min(this.length, size - offset);
    const data = Uint8Array.from({ length }, (_, i) => (this.seed + i * 7) & 0xff);
    const top = model.maps[real.currentCpu]!.at(-1);
    if (this.viaMap && top !== undefined) {
      // write through the innermost mapping's view
      const view = real.kmapLocalView(top.id);
      const n = Math.min(length, view.length);
      view.set(data.subarray(0, n));
      top.block.bytes.set(data.subarray(0, n), top.start);
      top.block.known.fill(1, top.start, top.start + n);
      return;
    }
    real.write(b.pfn, b.gen, offset, data);
    b.bytes.set(data, offset);
    b.known.fill(1, offset, offset + length);
  }
  toString(): string {
    return `write(#${this.which}, offset=${this.offset}, length=${this.length}${this.viaMap ? ", via map" : ""})`;
  }
}

class Read implements fc.Command<Model, Real> {
  constructor(readonly which: number, readonly offset: number, readonly length: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    const b = pick(model.live, this.which)!;
    const size = PAGE << b.order;
    const offset = this.offset % size;
    const length = Math.min(this.length, size - offset);
    const out = new Uint8Array(length);
    real.read(b.pfn, b.gen, offset, out);
    for (let i = 0; i < length; i++) {
      if (b.known[offset + i] === 1 && out[i] !== b.bytes[offset + i]) {
        throw new Error(`byte ${offset + i} of block ${b.pfn}: read ${out[i]}, last written ${b.bytes[offset + i]}`);
      }
    }
  }
  toString(): string {
    return `read(#${this.which}, offset=${this.offset}, length=${this.length})`;
  }
}

const BAD = [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, -Number.POSITIVE_INFINITY, 2 ** 32];

class BadCall implements fc.Command<Model, Real> {
  constructor(readonly kind: number, readonly bad: number, readonly which: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const bad = BAD[this.bad % BAD.length]!;
    const b = pick(model.live, this.which);
    const stale = pick(model.freed, this.which);
    switch (this.kind) {
      case 0:
        return expectError(real, "EINVAL", () => real.allocPages(GFP_KERNEL, bad));
      case 1:
        return expectError(real, "EDOM", () => real.allocPages(GFP_KERNEL, 11));
      case 2:
        return expectError(real, "EINVAL", () => real.freePages(bad, 0, 0));
      case 3:
        if (b) expectError(real, "EINVAL", () => real.freePages(b.pfn, b.gen, (b.order + 1) % 11));
        return;
      case 4:
        if (b) expectError(real, "EINVAL", () => real.write(b.pfn, b.gen, PAGE << b.order, new Uint8Array(1)));
        return;
      case 5:
        if (b) expectError(real, "EINVAL", () => real.read(b.pfn, b.gen, bad, new Uint8Array(1)));
        return;
      case 6:
        if (b) expectError(real, "EINVAL", () => real.kmapLocal(b.pfn, b.gen, bad));
        return;
      case 7:
        // a stale handle: freed (possibly reallocated since); never accepted
        if (stale) {
          expectError(real, "EFAULT", () => real.read(stale.pfn, stale.gen, 0, new Uint8Array(1)));
          expectError(real, "EINVAL", () => real.freePages(stale.pfn, stale.gen, stale.order));
        }
        return;
      default:
        if (b) expectError(real, "EINVAL", () => real.fill(b.pfn, b.gen, 0, 1, 256 + (this.bad % 3)));
        return;
    }
  }
  toString(): string {
    return `bad(kind=${this.kind}, value=${BAD[this.bad % BAD.length]}, #${this.which})`;
  }
}

/** Checks after every step that the machine is consistent and agrees with the model. */
function agree(model: Model, real: Real): void {
  const problems = real.consistencyProblems();
  if (problems.length > 0) throw new Error(`inconsistent machine:\n${problems.join("\n")}`);
  let allocated = 0;
  for (const b of model.live) {
    allocated += 1 << b.order;
    if (!real.isAllocated(b.pfn) || real.pageGen(b.pfn) !== b.gen) throw new Error(`block ${b.pfn} not allocated in the machine`);
    if (real.refCount(b.pfn) !== b.refs) throw new Error(`block ${b.pfn}: refcount ${real.refCount(b.pfn)}, model ${b.refs}`);
    if (real.pageOrder(b.pfn) !== b.order) throw new Error(`block ${b.pfn}: order ${real.pageOrder(b.pfn)}, model ${b.order}`);
  }
  if (real.nrFreePages() !== PAGES - allocated) throw new Error(`free pages ${real.nrFreePages()}, model ${PAGES - allocated}`);
  model.maps.forEach((stack, cpu) => {
    if (real.kmapLocalDepth(cpu) !== stack.length) throw new Error(`cpu ${cpu}: depth ${real.kmapLocalDepth(cpu)}, model ${stack.length}`);
  });
}

const index = fc.nat({ max: 31 });
const commands = [
  fc.tuple(fc.integer({ min: 0, max: 8 }), fc.boolean(), fc.boolean(), fc.boolean()).map(([o, z, h, c]) => new Alloc(o, z, h, c)),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.boolean(), fc.boolean()).map(([o, z, h, c]) => new Alloc(o, z, h, c)),
  index.map((w) => new Free(w)),
  index.map((w) => new Get(w)),
  index.map((w) => new Put(w)),
  fc.tuple(index, fc.nat({ max: 65535 }), fc.nat({ max: 1 })).map(([w, o, c]) => new Map(w, o, c)),
  fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 3 }), fc.nat({ max: 1 })).map(([c, t, f]) => new Unmap(c, t, f)),
  fc.tuple(index, fc.nat({ max: 65535 }), fc.integer({ min: 1, max: 9000 }), fc.nat({ max: 255 }), fc.boolean()).map(([w, o, l, s, v]) => new Write(w, o, l, s, v)),
  fc.tuple(index, fc.nat({ max: 65535 }), fc.integer({ min: 1, max: 9000 })).map(([w, o, l]) => new Read(w, o, l)),
  fc.tuple(fc.nat({ max: 8 }), fc.nat({ max: 5 }), index).map(([k, b, w]) => new BadCall(k, b, w)),
];

const MAX_COMMANDS = 80;
const budget = Number(process.env.OWNKIT_PROPERTY_COMMANDS ?? 6000);
const runs = Number(process.env.OWNKIT_PROPERTY_RUNS ?? Math.max(1, Math.ceil(budget / (MAX_COMMANDS / 2))));
const seed = process.env.OWNKIT_PROPERTY_SEED === undefined ? undefined : Number(process.env.OWNKIT_PROPERTY_SEED);
const path = process.env.OWNKIT_PROPERTY_PATH;

test(`machine agrees with the reference model over random command sequences (${runs} runs, about ${budget} commands)`, () => {
  let executed = 0;
  let started = 0;
  // `size: "max"` draws sequences over the whole 0..80 range; the default size averaged 2.5 commands.
  // Both memory models: a machine this small is flat by default, so half the runs force sparse.
  const model = fc.constantFrom("flat" as const, "sparse" as const);
  const property = fc.property(fc.boolean(), model, fc.commands(commands, { maxCommands: MAX_COMMANDS, size: "max" }), (debug, memoryModel, cmds) => {
    started++;
    const setup = () => {
      const real = new Machine({ ramSize: PAGES * PAGE, highmemStart: HIGHMEM_PFN * PAGE, cpus: 2, memoryModel, debug: debug ? { poison: true, pageOwner: true } : false });
      const model: Model = { live: [], freed: [], maps: [[], []] };
      return { model, real };
    };
    const checked = [...cmds].map((cmd) => ({
      check: (m: Readonly<Model>) => cmd.check(m),
      run: (m: Model, r: Real) => {
        executed++;
        cmd.run(m, r);
        agree(m, r);
      },
      toString: () => cmd.toString(),
    }));
    fc.modelRun(setup, checked);
  });
  // fast-check prints the seed, the path and the shrunk command list when this fails.
  fc.assert(property, { numRuns: runs, verbose: 1, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) });
  // The runs are realistic sequences, not a handful of commands each.
  expect(executed / started).toBeGreaterThan(20);
  if (process.env.OWNKIT_PROPERTY_REPORT !== undefined) console.log(`model: ${started} runs, ${executed} commands, ${(executed / started).toFixed(1)} per run`);
}, 60_000 + budget * 20);
