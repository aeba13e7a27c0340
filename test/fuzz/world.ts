/**
 * The fuzz's world: the entry points' exports and the live objects a run has made, on one machine
 * configuration, with a digest of every machine in it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "../../src/core/index.js";
import * as root from "../../src/index.js";
import * as mm from "../../src/mm/index.js";
import * as ownership from "../../src/ownership/index.js";

const { Machine, setDefaultMachine } = core;
type Machine = core.Machine;

/** The machine configurations every run covers. */
export const CONFIGS: Readonly<Record<string, core.MachineConfig>> = {
  plain: { ramSize: 4 << 20 },
  "highmem+debug": { ramSize: 4 << 20, highmemStart: 2 << 20, debug: true },
  "forcemap+poison": { ramSize: 4 << 20, debug: { forceMap: true, poison: true } },
  "16k-pages": { ramSize: 8 << 20, pageShift: 14 },
  // The sparse map at its limit: 2^34 frames, HIGHMEM from pfn 2^32 (so every HIGHMEM handle is a
  // pfn above 32 bits), reserved frames across the 2^32 edge and MMIO above RAM.
  "64t-sparse": {
    ramSize: 2 ** 46,
    highmemStart: 2 ** 44,
    ranges: [
      { kind: "reserved", start: (2 ** 32 - 8) * 4096, size: 16 * 4096 },
      { kind: "mmio", start: 2 ** 46, size: 1 << 20 },
    ],
  },
};

/**
 * The core's internal classes (every `export class` under `src/core/` but `Machine`): the services
 * and data structures behind the facade. They trust their caller (the machine) and are not fuzzed
 * with hostile values; their public use goes through `Machine`, which is fuzzed. None of them but
 * `PageCache` (the type of `machine.pageCache`, whose methods the machine calls with checked
 * arguments) is exported from `ownkit/core`; fuzz.test.ts checks both against the sources, so a
 * class added, renamed or leaked into the public index fails there instead of being skipped.
 */
export const INTERNAL_CORE: ReadonlySet<string> = new Set([
  // Page metadata (the two memory models) and the backing.
  "FlatMemMap",
  "SparseMemMap",
  "MemSection",
  "PhysMem",
  // The buddy allocator and its per-CPU hot lists.
  "Buddy",
  "HotList",
  "PfnMarks",
  // The services.
  "PageAlloc",
  "PageFlags",
  "Highmem",
  "KmapSlots",
  "Pkmap",
  "Access",
  "Handles",
  "PageCache",
  // The memory debuggers.
  "PageOwner",
  "PageStackTable",
  "StackDepot",
  "StackFrame",
  "MappingLease",
]);

/** The internal classes `ownkit/core` does export (see {@link INTERNAL_CORE}). */
export const EXPORTED_INTERNAL_CORE: ReadonlySet<string> = new Set(["PageCache"]);

/** The names of the classes `src/core/` exports from its files (`export class X`), by reading the sources. */
export function coreClassNames(): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        for (const match of readFileSync(path, "utf8").matchAll(/^export\s+(?:abstract\s+)?class\s+(\w+)/gm)) names.push(match[1]!);
      }
    }
  };
  walk(join(import.meta.dirname, "../../src/core"));
  return names.sort();
}

/** Every export of every entry point, by a readable name (`ownkit/mm:Page`). */
export function entryExports(): [name: string, value: unknown][] {
  const out: [string, unknown][] = [];
  const entries: [string, Record<string, unknown>][] = [
    ["ownkit", root],
    ["ownkit/ownership", ownership],
    ["ownkit/mm", mm],
    ["ownkit/core", core],
  ];
  for (const [entry, module] of entries) {
    for (const [name, value] of Object.entries(module)) {
      if (entry === "ownkit/core" && INTERNAL_CORE.has(name)) continue;
      out.push([`${entry}:${name}`, value]);
    }
  }
  return out;
}

/**
 * Members declared `private` or `protected` in the sources (`declare private` fields included), as
 * `Class.member`: reachable at run time, but not part of the API (calling one needs a cast), so the
 * fuzz leaves them out. Qualified by class, so a private field of one class (a service's
 * `highmemPfn`) does not hide a public member of the same name on another (the machine's getter).
 * `#` members need no entry: no key reaches them (`Reflect.ownKeys` does not list them).
 */
export const NON_PUBLIC: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const classLine = /^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+(\w+)/;
  const memberLine = /^\s+(?:declare\s+)?(?:private|protected)\s+(?:declare\s+)?(?:static\s+)?(?:override\s+)?(?:abstract\s+)?(?:readonly\s+)?(?:get\s+|set\s+)?(\w+)/;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        // A member belongs to the last class declared above it at the top level of the file.
        let owner: string | undefined;
        for (const line of readFileSync(path, "utf8").split("\n")) {
          const cls = classLine.exec(line);
          if (cls !== null) owner = cls[1];
          const member = memberLine.exec(line);
          if (member !== null && owner !== undefined) names.add(`${owner}.${member[1]!}`);
        }
      }
    }
  };
  walk(join(import.meta.dirname, "../../src"));
  return names;
})();

const OBJECT_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
const FUNCTION_KEYS = new Set(Object.getOwnPropertyNames(Function.prototype));
const BUILTINS = new Set<object>([Object.prototype, Function.prototype, Error, Error.prototype]);

/** The names of the classes along a target's chain: for a class, itself and its bases; for an object, its class and theirs. */
function classChain(target: object): string[] {
  const names: string[] = [];
  for (let proto: object | null = target; proto !== null && !BUILTINS.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    if (typeof proto === "function") names.push(proto.name);
    else if (Object.hasOwn(proto, "constructor") && typeof (proto as { constructor: unknown }).constructor === "function") names.push((proto as { constructor: { name: string } }).constructor.name);
  }
  return names;
}

/** The callable members (methods, getters) of an object or class, own and inherited. */
export function membersOf(target: object): PropertyKey[] {
  const keys = new Set<PropertyKey>();
  const skip = typeof target === "function" ? FUNCTION_KEYS : OBJECT_KEYS;
  const classes = classChain(target);
  const nonPublic = (key: string): boolean => classes.some((cls) => NON_PUBLIC.has(`${cls}.${key}`));
  for (let proto: object | null = target; proto !== null && !BUILTINS.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === "constructor" || key === "prototype" || (typeof key === "string" && (skip.has(key) || nonPublic(key)))) continue;
      keys.add(key);
    }
  }
  return [...keys];
}

/** Whether a value is an instance of one of the {@link INTERNAL_CORE} classes. */
function isInternalCore(value: object): boolean {
  try {
    for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && !BUILTINS.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
      if (Object.hasOwn(proto, "constructor") && INTERNAL_CORE.has((proto as { constructor: { name?: unknown } }).constructor.name as string)) return true;
    }
    return false;
  } catch {
    // A caller's Proxy whose traps throw: not a kit object to fuzz either.
    return true;
  }
}

/** One run's state: the machine, the default it replaced, and the objects made so far. */
export class World {
  readonly machine: Machine;
  readonly machines = new Set<Machine>();
  readonly objects: [name: string, value: object][] = [];
  private readonly previousDefault: Machine | undefined;

  constructor(config: core.MachineConfig) {
    this.machine = new Machine(config);
    this.machines.add(this.machine);
    this.previousDefault = setDefaultMachine(this.machine);
    // Functions, classes and objects of the kit (arrays of constants are data, not an API).
    for (const [name, value] of entryExports()) if (typeof value === "function" || (typeof value === "object" && value !== null && !Array.isArray(value))) this.objects.push([name, value]);
    this.seed();
  }

  /** Live handles of every kind, so their methods are fuzzed from the first call. */
  private seed(): void {
    const m = this.machine;
    this.keep("Page", mm.Page.alloc(mm.GFP_KERNEL, m));
    this.keep("Page(highuser)", mm.Page.alloc(mm.GFP_HIGHUSER | mm.__GFP_ZERO, m));
    this.keep("UniqueFolio", mm.Folio.alloc(1, mm.GFP_HIGHUSER, m));
    const shared: mm.UniqueFolio = mm.Folio.alloc(0, mm.GFP_KERNEL, m);
    shared.intoShared();
    this.keep("SharedFolio", shared);
    const space = mm.AddressSpace.create(m);
    this.keep("AddressSpace", space);
    const cached = space.readFolio(2, (locked) => locked.markUptodate());
    this.keep("CachedFolio", cached);
    this.keep("KmapLocal", mm.kmapLocal(mm.Page.alloc(mm.GFP_KERNEL, m)));
    this.keep("UserSliceReader", mm.userSliceReader(new Uint8Array(32)));
    this.keep("Arc", ownership.Arc.new({ value: 1 }));
    this.keep("PageConsts", mm.pageConsts(m));
  }

  /** Adds an object a call returned (objects and functions only; the pool is bounded). */
  keep(name: string, value: unknown): void {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) return;
    // An internal core object a getter returns (`machine.pageCache`) is not fuzzed, as its class
    // is not (see INTERNAL_CORE).
    if (isInternalCore(value)) return;
    if (Machine.isMachine(value)) {
      // Large machines (a default 256 MiB one) would make every digest slow: they are not kept.
      if (value.nrPages > 16384) return;
      this.machines.add(value);
    }
    if (this.objects.length < 120) this.objects.push([name, value]);
  }

  /** A digest of every machine the run has seen: equal before and after a failed call. */
  digest(): string {
    return [...this.machines].map((machine) => machine.stateDigest()).join(":");
  }

  /** Puts the default machine back. */
  close(): void {
    setDefaultMachine(this.previousDefault);
  }
}
