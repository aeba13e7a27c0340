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
 * Exports of `ownkit/core` that are the simulator's internal building blocks, not the public
 * surface: they trust their caller (the machine) and are not fuzzed with hostile values. Their
 * public use goes through `Machine`, which is fuzzed.
 */
export const INTERNAL_CORE = new Set(["MachineState", "MachinePages", "MachineFlags", "MachineAccess", "MemMap", "PhysMem", "Buddy", "HotList", "KmapSlots", "Pkmap", "PageCache", "PageOwner"]);

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
 * Members declared `private` or `protected` in the sources: reachable at run time, but not part of
 * the API (calling one needs a cast), so the fuzz leaves them out.
 */
export const NON_PUBLIC: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        for (const match of readFileSync(path, "utf8").matchAll(/^\s*(?:private|protected)\s+(?:static\s+)?(?:override\s+)?(?:abstract\s+)?(?:readonly\s+)?(?:get\s+|set\s+)?(\w+)/gm)) names.add(match[1]!);
      }
    }
  };
  walk(join(import.meta.dirname, "../../src"));
  return names;
})();

const OBJECT_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
const FUNCTION_KEYS = new Set(Object.getOwnPropertyNames(Function.prototype));
const BUILTINS = new Set<object>([Object.prototype, Function.prototype, Error, Error.prototype]);

/** The callable members (methods, getters) of an object or class, own and inherited. */
export function membersOf(target: object): PropertyKey[] {
  const keys = new Set<PropertyKey>();
  const skip = typeof target === "function" ? FUNCTION_KEYS : OBJECT_KEYS;
  for (let proto: object | null = target; proto !== null && !BUILTINS.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === "constructor" || key === "prototype" || (typeof key === "string" && (skip.has(key) || NON_PUBLIC.has(key)))) continue;
      keys.add(key);
    }
  }
  return [...keys];
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
