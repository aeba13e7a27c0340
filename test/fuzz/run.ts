/**
 * One fuzz call: pick an object of the world and one of its members (or the export itself), call it
 * with generated arguments, and judge the outcome.
 */
import fc from "fast-check";
import { Machine } from "../../src/core/index.js";
import { ERRNO, isKernelError } from "../../src/errors.js";
import { CLOSURES, closure, hostileValue, Lazy, plausibleGfp, plausibleNumber, SENTINEL } from "./hostile.js";
import { entryExports, membersOf, type World } from "./world.js";

/** A reference to an object of the world's pool, resolved when the call is made. */
export class PoolRef {
  constructor(readonly index: number) {}
}

/** Constructors that are public (`new Machine(config)`); other classes are reached through their factories. */
const CONSTRUCTIBLE = new Set(["Machine", "KernelError", "ScopeGuard"]);

/** Calls whose failure may leave the machine changed, with the reason (each one is a documented limit). */
export const KNOWN_STATE_CHANGES: Readonly<Record<string, string>> = {
  readFolio: "a fill that fails after it ran has had a folio allocated and freed (generation, free-list order)",
};

const argument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileValue },
  { weight: 3, arbitrary: plausibleNumber },
  { weight: 1, arbitrary: plausibleGfp },
  { weight: 2, arbitrary: closure },
  { weight: 3, arbitrary: fc.nat().map((index) => new PoolRef(index)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 64 }).map((size) => new Uint8Array(size)) },
  { weight: 1, arbitrary: fc.constantFrom("SAFETY: the fuzz checks the contract", "SAFETY:", "trust me") },
);

/** The receiver of a call that uses the target itself as `this` (most calls). */
export const OWN_RECEIVER: unique symbol = Symbol("fuzz: the target itself");

/**
 * Receivers whose members are not fuzzed with a foreign `this`, with the reason (each one is a
 * documented limit): `Machine`'s methods are the simulator's hot path and trust their receiver.
 */
export const FOREIGN_THIS_EXEMPT: Readonly<Record<string, string>> = {
  Machine: "the core's methods read their fields without a brand check (a TypeError for another `this`)",
};

/** One call of a run. */
export interface Step {
  readonly target: number;
  readonly member: number;
  readonly args: readonly unknown[];
  /** The call's `this`: the target itself, or a foreign value (`const { read } = page; read(0, 1)`). */
  readonly receiver: unknown;
}

/** The generator of one call. */
export const step: fc.Arbitrary<Step> = fc.record({
  target: fc.nat(),
  member: fc.nat(),
  args: fc.array(argument, { maxLength: 4 }),
  receiver: fc.oneof({ weight: 7, arbitrary: fc.constant<unknown>(OWN_RECEIVER) }, { weight: 1, arbitrary: argument }),
});

/** What the fuzz counts. */
export interface Tally {
  calls: number;
  successes: number;
  kernelErrors: number;
  callerErrors: number;
  badThrows: string[];
  stateChanges: string[];
  /** Failed calls that changed the state in a documented way (see KNOWN_STATE_CHANGES). */
  knownChanges: number;
  slowest: { ms: number; call: string };
}

/** A fresh tally. */
export function newTally(): Tally {
  return { calls: 0, successes: 0, kernelErrors: 0, callerErrors: 0, badThrows: [], stateChanges: [], knownChanges: 0, slowest: { ms: 0, call: "" } };
}

const kitClasses = new Set<unknown>(entryExports().map(([, value]) => value).filter((value) => typeof value === "function"));

function isKitObject(value: unknown): boolean {
  // A value the caller made (a revoked Proxy, a Proxy whose traps throw, an escaped debug view) is
  // not kept: inspecting it would run its traps outside the judged call.
  try {
    return isKitObjectUnguarded(value);
  } catch {
    return false;
  }
}

function isKitObjectUnguarded(value: unknown): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null || ArrayBuffer.isView(value) || Array.isArray(value)) return false;
  if (typeof value === "function") return kitClasses.has(value);
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (proto === Object.prototype) return true;
    if (kitClasses.has((proto as { constructor?: unknown }).constructor)) return true;
  }
  return true;
}

/** An object of the pool as an argument; a class is passed as its prototype (calling a class is a TypeError by the language). */
function poolArg(world: World, index: number): unknown {
  const value = world.objects[index % world.objects.length]![1];
  return typeof value === "function" && Function.prototype.toString.call(value).startsWith("class") ? (value as { prototype: unknown }).prototype : value;
}

function findDescriptor(target: object, key: PropertyKey): PropertyDescriptor | undefined {
  for (let proto: object | null = target; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Reflect.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}

/** Runs one step in the world and records the outcome in the tally. */
export function runStep(world: World, s: Step, tally: Tally): void {
  const pool = world.objects;
  const [name, target] = pool[s.target % pool.length]!;
  let members: PropertyKey[];
  try {
    members = membersOf(target);
  } catch {
    // A pool object whose traps throw (kept before this guard existed, or a kit object the caller wrapped).
    return;
  }
  const pick = s.member % (members.length + 1);
  const resolve = (arg: unknown): unknown => (arg instanceof PoolRef ? poolArg(world, arg.index) : arg instanceof Lazy ? arg.make() : arg);
  const args = s.args.map(resolve);
  let label: string;
  let call: () => unknown;
  if (pick === members.length) {
    if (typeof target !== "function") return;
    const short = name.slice(name.indexOf(":") + 1);
    const isClass = Function.prototype.toString.call(target).startsWith("class");
    if (isClass && !CONSTRUCTIBLE.has(short)) return;
    label = isClass ? `new ${name}` : name;
    call = isClass ? () => Reflect.construct(target, args) : () => Reflect.apply(target, undefined, args);
  } else {
    const key = members[pick]!;
    let descriptor: PropertyDescriptor | undefined;
    try {
      descriptor = findDescriptor(target, key);
    } catch {
      return;
    }
    label = `${name}.${String(key)}`;
    let self: unknown = target;
    if (s.receiver !== OWN_RECEIVER && !(Machine.isMachine(target) && Object.hasOwn(FOREIGN_THIS_EXEMPT, "Machine"))) {
      self = resolve(s.receiver);
      label += " (foreign this)";
    }
    if (descriptor?.get !== undefined) {
      const getter = descriptor.get;
      call = () => Reflect.apply(getter, self, []);
    } else if (typeof descriptor?.value === "function") {
      const method = descriptor.value as (...a: unknown[]) => unknown;
      call = () => Reflect.apply(method, self, args);
    } else return;
  }
  const before = world.digest();
  tally.calls++;
  const start = performance.now();
  let result: unknown;
  let thrown: unknown;
  let threw = false;
  try {
    result = call();
  } catch (error) {
    threw = true;
    thrown = error;
  }
  const ms = performance.now() - start;
  if (ms > tally.slowest.ms) tally.slowest = { ms, call: label };
  if (!threw) {
    tally.successes++;
    if (isKitObject(result) && !args.includes(result)) world.keep(`${label}()`, result);
    return;
  }
  if (thrown === SENTINEL) tally.callerErrors++;
  else if (isKernelError(thrown) && typeof thrown.errno === "string" && Object.hasOwn(ERRNO, thrown.errno)) tally.kernelErrors++;
  else {
    tally.badThrows.push(`${label}: ${describe(thrown)}`);
    return;
  }
  const after = world.digest();
  const member = label.slice(label.lastIndexOf(".") + 1);
  if (after === before) return;
  // The caller's own closure threw after a function of the kit, passed as a callback, did its work
  // (`withBorrow(page, drop, throwing)`): that work was the caller's request, not half of the call's.
  if (thrown === SENTINEL && args.some((arg) => typeof arg === "function" && !CLOSURES.includes(arg as never))) return;
  if (Object.hasOwn(KNOWN_STATE_CHANGES, member)) tally.knownChanges++;
  else {
    tally.stateChanges.push(`${label}: state changed after ${thrown === SENTINEL ? "the caller's error" : (thrown as Error).message}`);
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split("\n").slice(1, 4).join("\n")}` : String(error);
  } catch {
    return "[undescribable]";
  }
}
