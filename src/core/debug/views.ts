/**
 * Views that die with their mapping: the debug-mode guard over lent memory (`debug.views`), the
 * kit's KASAN/KFENCE for mapped bytes.
 *
 * @remarks
 * A JavaScript typed array cannot be revoked, and a detached one reads `undefined` silently. So on
 * a machine with `debug.views` every view the core lends for a mapping is a `Proxy` over the
 * mapping's own `subarray`, tied to a {@link MappingLease}. While the lease is live the proxy
 * behaves as the `Uint8Array` (indexing, `length`, every method); when the mapping ends every later
 * use (an index, a method, an iterator step, a view derived with `subarray`) throws a `KernelError`
 * naming the mapping, where it was made and where it ended, and never reaches memory. A lease of a
 * read-only mapping refuses every write at the write, with its offset. `buffer` is refused: it
 * would reach the whole backing chunk, other owners' pages included.
 *
 * Without `debug.views` the core lends plain `subarray`s and none of this runs.
 *
 * @module
 */
import { kernelError } from "../../errors.js";
import { hex } from "../../args.js";
import { formatCaptured } from "./page-owner.js";

/** Whether a mapping may only be read, or also written. */
export type ViewAccess = "read" | "write";

/**
 * One mapping's lease on memory: the views lent from the mapping work only while it is live.
 *
 * @invariant `live` turns false exactly once, when the mapping ends (or its scope ends first), and
 *   never turns true again.
 */
export class MappingLease {
  #live = true;
  #ended: number | undefined;
  #endedBy = "";
  #name: string | undefined;
  readonly #nameOf: () => string;

  /**
   * Starts a lease.
   *
   * @param nameOf - Names the mapping for reports, called only for one:
   *   `kmap_local#4101 of pfn 0x12 (phys 0x12000, Normal), bytes 0x0..0x1000`.
   * @param access - Whether the mapping may be written.
   * @param madeBy - The operation that made the mapping (`with_page_mapped`, `folio_map`, ...).
   * @param made - The stack where it was made, when stacks are recorded.
   * @param start - The byte offset of the lent memory's first byte in its page or block.
   */
  constructor(
    nameOf: () => string,
    readonly access: ViewAccess,
    readonly madeBy: string,
    readonly made: number | undefined,
    readonly start: number,
  ) {
    this.#nameOf = nameOf;
  }

  /** The mapping's name, for reports. */
  get name(): string {
    return (this.#name ??= this.#nameOf());
  }

  /** Whether the mapping is still live. */
  get live(): boolean {
    return this.#live;
  }

  /**
   * Ends the lease: every view of it stops working.
   *
   * @param by - What ended it (`kunmap_local`, `the unsafe block ended`).
   * @param stack - Where, when stacks are recorded.
   */
  end(by: string, stack: number | undefined): void {
    if (!this.#live) return;
    this.#live = false;
    this.#endedBy = by;
    this.#ended = stack;
  }

  /**
   * The report lines about the mapping: what it is, where it was made and where it ended.
   *
   * @returns The lines.
   */
  describe(): string[] {
    const notRecorded = "    (stack not recorded: create the machine with debug.viewStacks)";
    return [
      `The mapping: ${this.name}, ${this.access === "read" ? "read-only" : "read-write"}, made by ${this.madeBy}`,
      "",
      "Mapped at:",
      this.made === undefined ? notRecorded : formatCaptured(this.made),
      ...(this.#live ? [] : ["", `Ended by ${this.#endedBy} at:`, this.#ended === undefined ? notRecorded : formatCaptured(this.#ended)]),
    ];
  }
}

const RULE = "==================================================================";
const proto = Uint8Array.prototype;
const handlers = new WeakMap<object, ViewHandler>();
// The intrinsic `%TypedArray%.prototype[@@toStringTag]` getter: the real element type, whatever
// own properties an array was given.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(proto), Symbol.toStringTag)!.get!;

/** The byte a property key names, or -1 when it is not a canonical array index. */
function indexOf(key: string | symbol): number {
  if (typeof key !== "string") return -1;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && String(n) === key ? n : -1;
}

/** The proxy handler of one lent view: its lease, its memory and its place in the mapping. */
class ViewHandler implements ProxyHandler<Uint8Array> {
  /** The proxy this handler serves; set right after it is made. */
  proxy!: Uint8Array;

  constructor(
    readonly lease: MappingLease,
    readonly target: Uint8Array,
    /** The offset of `target[0]` from the lease's first byte. */
    readonly base: number,
  ) {}

  /** Fails unless the lease is live; `what` says what the access was. */
  check(what: string): void {
    if (!this.lease.live) throw this.ended(what);
  }

  /** Fails unless the lease is live and may be written. */
  checkWrite(what: string, index: number): void {
    this.check(what);
    if (this.lease.access === "read") throw this.readOnly(what, index);
  }

  ended(what: string): Error {
    const lease = this.lease;
    const report = [RULE, `BUG: KASAN: use-after-scope in a mapped view`, `${what} through a view of a mapping that ended`, ...lease.describe(), RULE].join("\n");
    return kernelError("EFAULT", "mapped_view", "view used after its mapping ended", { mapping: lease.name, access: what }, report);
  }

  readOnly(what: string, index: number): Error {
    const lease = this.lease;
    const offset = index < 0 ? -1 : lease.start + this.base + index;
    const at = offset < 0 ? "" : ` at offset ${hex(offset)}`;
    const report = [RULE, `BUG: write through a read-only mapping`, `${what}${at}`, ...lease.describe(), RULE].join("\n");
    const values = offset < 0 ? { mapping: lease.name, access: what } : { mapping: lease.name, access: what, offset };
    return kernelError("EPERM", "mapped_view", `write through a read-only mapping${at}`, values, report);
  }

  /** A view of part of the same mapping (what `subarray` returns). */
  derive(part: Uint8Array): Uint8Array {
    return lend(this.lease, part, this.base + (part.byteOffset - this.target.byteOffset));
  }

  get(target: Uint8Array, key: string | symbol): unknown {
    if (!this.lease.live) throw this.ended(typeof key === "string" && indexOf(key) >= 0 ? `Read of view[${key}]` : `Use of view.${String(key)}`);
    // SAFETY: By the lease check just above, the view is live; indexes, `length`, `byteLength` and `byteOffset` are
    // numbers (and an index outside the view is undefined), returned at once: the hot path.
    const value = (target as unknown as Record<string | symbol, unknown>)[key];
    if (typeof value === "number" || value === undefined) return value;
    if (typeof key === "string") {
      const method = METHODS.get(key);
      if (method !== undefined) return method(this);
      if (key === "buffer") {
        throw kernelError("EPERM", "mapped_view", "the buffer of a mapped view is not lent in debug mode: it reaches beyond the mapping; copy with slice()", { mapping: this.lease.name });
      }
    } else if (key === Symbol.iterator) {
      return METHODS.get("values")!(this);
    }
    // The constructor and the tag.
    return value;
  }

  set(target: Uint8Array, key: string | symbol, value: unknown): boolean {
    const index = indexOf(key);
    this.checkWrite(index >= 0 ? `Write of view[${String(key)}]` : `Write of view.${String(key)}`, index);
    (target as unknown as Record<string | symbol, unknown>)[key] = value;
    return true;
  }

  defineProperty(target: Uint8Array, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    const index = indexOf(key);
    this.checkWrite(`defineProperty of view[${String(key)}]`, index);
    return Reflect.defineProperty(target, key, descriptor);
  }

  deleteProperty(target: Uint8Array, key: string | symbol): boolean {
    this.checkWrite(`delete of view[${String(key)}]`, indexOf(key));
    return Reflect.deleteProperty(target, key);
  }

  has(target: Uint8Array, key: string | symbol): boolean {
    this.check(`'in' test of view[${String(key)}]`);
    return Reflect.has(target, key);
  }

  ownKeys(target: Uint8Array): (string | symbol)[] {
    this.check("Enumeration of the view");
    return Reflect.ownKeys(target);
  }

  getOwnPropertyDescriptor(target: Uint8Array, key: string | symbol): PropertyDescriptor | undefined {
    this.check(`Read of view[${String(key)}]`);
    return Reflect.getOwnPropertyDescriptor(target, key);
  }

  setPrototypeOf(): boolean {
    return false;
  }
}

type MethodFactory = (h: ViewHandler) => (...args: never[]) => unknown;
type Callback = (...args: unknown[]) => unknown;

/** Methods that only read and return no view of the same memory. */
const READERS = ["at", "includes", "indexOf", "lastIndexOf", "join", "toLocaleString", "toString", "slice", "toReversed", "toSorted", "with"];
/** Methods that take a per-element callback `(value, index, array)`. */
const WITH_CALLBACK = ["forEach", "map", "filter", "every", "some", "find", "findIndex", "findLast", "findLastIndex"];
/** Methods that write and return the view itself. */
const MUTATORS = ["fill", "copyWithin", "reverse", "sort"];

const METHODS = new Map<string, MethodFactory>();
for (const name of READERS) {
  const native = (proto as unknown as Record<string, Callback>)[name];
  if (typeof native !== "function") continue;
  METHODS.set(name, (h) => (...args: unknown[]) => {
    h.check(`Call of view.${name}()`);
    return Reflect.apply(native, h.target, args);
  });
}
for (const name of WITH_CALLBACK) {
  const native = (proto as unknown as Record<string, Callback>)[name];
  if (typeof native !== "function") continue;
  METHODS.set(name, (h) => (callback: unknown, thisArg?: unknown) => {
    h.check(`Call of view.${name}()`);
    if (typeof callback !== "function") return Reflect.apply(native, h.target, [callback]);
    // The callback gets the view, never the memory behind it, and the lease is checked per element.
    const each = (value: unknown, index: unknown): unknown => {
      h.check(`Call of view.${name}()`);
      return Reflect.apply(callback, thisArg, [value, index, h.proxy]);
    };
    return Reflect.apply(native, h.target, [each]);
  });
}
for (const name of ["reduce", "reduceRight"]) {
  const native = (proto as unknown as Record<string, Callback>)[name]!;
  METHODS.set(name, (h) => (...args: unknown[]) => {
    h.check(`Call of view.${name}()`);
    const callback = args[0];
    if (typeof callback !== "function") return Reflect.apply(native, h.target, args);
    const each = (acc: unknown, value: unknown, index: unknown): unknown => {
      h.check(`Call of view.${name}()`);
      return Reflect.apply(callback, undefined, [acc, value, index, h.proxy]);
    };
    return Reflect.apply(native, h.target, args.length > 1 ? [each, args[1]] : [each]);
  });
}
for (const name of MUTATORS) {
  const native = (proto as unknown as Record<string, Callback>)[name]!;
  METHODS.set(name, (h) => (...args: unknown[]) => {
    h.checkWrite(`Call of view.${name}()`, -1);
    if (name === "sort" && args[0] !== undefined) {
      // The caller's comparator may end the mapping (and the page may change owner) while it runs:
      // it sorts a copy, and the lease is checked again before the result is written back.
      const sorted = Reflect.apply(native, h.target.slice(), args) as Uint8Array;
      h.checkWrite(`Call of view.${name}()`, -1);
      h.target.set(sorted);
      return h.proxy;
    }
    Reflect.apply(native, h.target, args);
    return h.proxy;
  });
}

/**
 * The bytes `view.set(source)` writes, read out of `source` before the lease is checked: a getter,
 * a `length` or an element's `valueOf` of an array-like source is the caller's code, which may end
 * the mapping. A lent view gives its memory (checked live), a genuine typed array itself (its
 * intrinsic length and elements run no code); any other object is copied, at most one element more
 * than the view holds (so a lying `length` still fails the native range check, without a long loop).
 */
function sourceBytes(source: unknown, room: number): unknown {
  if (typeof source !== "object" || source === null) return source;
  const lent = handlers.get(source);
  if (lent !== undefined) {
    lent.check("Read of a view passed as an argument");
    return lent.target;
  }
  if (typedArrayTag.call(source) !== undefined) return source;
  const items = source as ArrayLike<unknown>;
  const length = Math.min(Math.max(Math.trunc(+(items.length as number)) || 0, 0), room + 1);
  const copy = new Float64Array(length);
  // SAFETY: By the loop condition (i < length) and the allocation above (copy.length === length), i
  // indexes copy; by ECMAScript's IntegerIndexedElementSet (ES2015 §9.4.5.9), assigning to a
  // Float64Array element converts with ToNumber, as %TypedArray%.prototype.set does.
  for (let i = 0; i < length; i++) copy[i] = items[i] as number;
  return copy;
}

METHODS.set("set", (h) => (source: unknown, offset?: unknown) => {
  const bytes = sourceBytes(source, h.target.length);
  h.checkWrite("Call of view.set()", typeof offset === "number" ? offset : 0);
  h.target.set(bytes as ArrayLike<number>, offset as number | undefined);
});
METHODS.set("subarray", (h) => (begin?: number, end?: number) => {
  h.check("Call of view.subarray()");
  return h.derive(h.target.subarray(begin, end));
});
METHODS.set("valueOf", (h) => () => {
  h.check("Call of view.valueOf()");
  return h.proxy;
});
for (const name of ["values", "keys", "entries"] as const) {
  METHODS.set(name, (h) => () => {
    h.check(`Call of view.${name}()`);
    // SAFETY: By the Uint8Array contract, values/keys/entries each return an iterator over the
    // view; the cast forgets only the element type, which leaseIterator passes through unread.
    return leaseIterator(h, h.target[name]() as IterableIterator<unknown>);
  });
}

/** An iterator over a view that checks the lease at every step. */
function leaseIterator<Value>(h: ViewHandler, inner: IterableIterator<Value>): IterableIterator<Value> {
  return {
    next(): IteratorResult<Value> {
      h.check("Iteration of the view");
      return inner.next();
    },
    [Symbol.iterator](): IterableIterator<Value> {
      return this;
    },
  };
}

/**
 * Lends `memory` under `lease`: returns the guarded view (a proxy) that works only while the lease
 * is live.
 *
 * @param lease - The mapping's lease.
 * @param memory - The mapped bytes (a `subarray` of the machine's memory).
 * @param base - The offset of `memory[0]` from the lease's first byte.
 * @returns The view to hand out.
 */
export function lend(lease: MappingLease, memory: Uint8Array, base = 0): Uint8Array {
  const h = new ViewHandler(lease, memory, base);
  const proxy = new Proxy(memory, h);
  h.proxy = proxy;
  handlers.set(proxy, h);
  return proxy;
}

/**
 * The memory behind a view the core lent, checking that its mapping is still live: the one way
 * from a debug-mode view to its underlying `Uint8Array` (for an `Unsafe`-gated raw escape, and for
 * the kit's own copies from a view).
 *
 * @remarks
 * A plain `Uint8Array` (every view on a machine without `debug.views`) is returned as it is.
 *
 * @param view - A view lent by a mapping, or any `Uint8Array`.
 * @param op - The caller's operation, for the error.
 * @returns The underlying bytes.
 * @throws KernelError `EFAULT` with a report naming the mapping when the view's
 *   mapping ended; `EINVAL` when `view` is neither a lent view nor a `Uint8Array`.
 */
export function liveViewBytes(view: unknown, op: string = "view_bytes"): Uint8Array {
  if (typeof op !== "string") op = "view_bytes";
  if (typeof view === "object" && view !== null) {
    const h = handlers.get(view);
    if (h !== undefined) {
      h.check(`${op} of the view`);
      return h.target;
    }
    if (ArrayBuffer.isView(view) && typedArrayTag.call(view) === "Uint8Array") return view as Uint8Array;
  }
  throw kernelError("EINVAL", op, "not a Uint8Array or a mapped view", { view: typeof view });
}
