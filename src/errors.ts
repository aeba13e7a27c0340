/**
 * Errors raised by ownkit: every failure is a {@link KernelError} carrying an errno name.
 *
 * @module
 */

/**
 * The errno names ownkit raises, with the numbers Linux gives them.
 *
 * @remarks
 * The numbers are informational (they match `include/uapi/asm-generic/errno-base.h`); code should
 * compare {@link KernelError.errno} by name.
 */
export const ERRNO = {
  /** Operation not permitted. */
  EPERM: 1,
  /** No such entry (a missing page-cache index, file or case). */
  ENOENT: 2,
  /** Input/output error (a simulated device failed). */
  EIO: 5,
  /** Out of memory: no free block of the requested order. */
  ENOMEM: 12,
  /** Bad address: an access outside the memory it was given. */
  EFAULT: 14,
  /** Resource busy: a conflicting borrow, mapping or lock is live. */
  EBUSY: 16,
  /** Already exists (an index already holds a folio). */
  EEXIST: 17,
  /** Invalid argument: a value out of range, misaligned, not an integer, or a rule broken. */
  EINVAL: 22,
  /** No space left (a range allocator or slot table is full). */
  ENOSPC: 28,
  /** Argument out of domain: an order above MAX_PAGE_ORDER. */
  EDOM: 33,
  /** Result out of range (a count about to overflow). */
  ERANGE: 34,
  /** Deadlock avoided: a lock-order rule was broken. */
  EDEADLK: 35,
  /** Value too large for the type that must hold it. */
  EOVERFLOW: 75,
  /** Already done: a resource released or handed over twice. */
  EALREADY: 114,
} as const;

/** The name of an errno that ownkit can raise, such as `"EINVAL"` or `"ENOMEM"`. */
export type Errno = keyof typeof ERRNO;

/**
 * An error raised by ownkit: an errno name, the operation that failed and the offending values.
 *
 * @remarks
 * The message always has the form `op: what went wrong (name=value, ...)`, so a log line names the
 * operation and the values without a stack trace. Debug reports (use after free, double free,
 * leaks) are attached as {@link KernelError.report}, a multi-line text in the style of KASAN and
 * page_owner.
 *
 * @invariant After any `KernelError` the simulated machine is in the state it was in before the
 * failing call: allocator, page metadata and mapping slots are unchanged.
 *
 * @example
 * ```ts
 * try {
 *   Folio.alloc(11);
 * } catch (error) {
 *   if (error instanceof KernelError && error.errno === "EDOM") console.log(error.message);
 *   // folio_alloc: order above MAX_PAGE_ORDER (order=11, max=10)
 * }
 * ```
 */
export class KernelError extends Error {
  /** The brand of a genuine error, for {@link isKernelError} (no `instanceof`, which traps on a Proxy). */
  #genuine = true;
  /** The errno name, for example `"EINVAL"`. */
  readonly errno: Errno;
  /** The operation that failed, in the kernel's naming where one exists (`"__free_pages"`). */
  readonly op: string;
  /** The offending values, by name. */
  readonly values: Readonly<Record<string, unknown>>;
  /** A multi-line debug report (allocation and free stacks, leak lists), when one was made. */
  readonly report: string | undefined;

  /**
   * Creates an error; prefer {@link kernelError} in library code, which formats the message.
   *
   * @param errno - The errno name.
   * @param op - The operation that failed.
   * @param what - What went wrong, as a phrase.
   * @param values - The offending values, by name.
   * @param report - An optional multi-line debug report.
   */
  constructor(
    errno: Errno,
    op: string,
    what: string,
    values: Readonly<Record<string, unknown>> = {},
    report?: string,
  ) {
    super(formatMessage(op, what, values) + (typeof report === "string" ? `\n${report}` : ""));
    this.name = "KernelError";
    // A bad errno from a direct `new KernelError(...)` becomes EINVAL rather than a broken `code`.
    this.errno = typeof errno === "string" && Object.hasOwn(ERRNO, errno) ? errno : "EINVAL";
    this.op = typeof op === "string" ? op : safeText(op);
    this.values = values;
    this.report = typeof report === "string" ? report : undefined;
  }

  /**
   * Tells whether a value is a genuine `KernelError` (a brand check that never runs a caller's code).
   *
   * @param value - Any value, a revoked `Proxy` included.
   * @returns `true` for an error built by this class.
   */
  static isGenuine(value: unknown): value is KernelError {
    return ((typeof value === "object" && value !== null) || typeof value === "function") && #genuine in value;
  }

  /** The errno number Linux uses for {@link KernelError.errno}. */
  get code(): number {
    // Another `this` (`Reflect.get(KernelError.prototype, "code", x)`) has no errno: EINVAL's number.
    return KernelError.isGenuine(this) ? ERRNO[this.errno] : ERRNO.EINVAL;
  }
}

/**
 * Builds a {@link KernelError}; the usual way for library code to fail.
 *
 * @param errno - The errno name.
 * @param op - The operation that failed.
 * @param what - What went wrong, as a phrase.
 * @param values - The offending values, by name.
 * @param report - An optional multi-line debug report.
 * @returns The error, for the caller to `throw`.
 */
export function kernelError(
  errno: Errno,
  op: string,
  what: string,
  values: Readonly<Record<string, unknown>> = {},
  report?: string,
): KernelError {
  return new KernelError(errno, op, what, values, report);
}

/**
 * Tells whether a value is a {@link KernelError}, optionally with a given errno.
 *
 * @param error - Any caught value.
 * @param errno - When given, the errno the error must carry.
 * @returns `true` when `error` is a `KernelError` (with that errno).
 */
export function isKernelError(error: unknown, errno?: Errno): error is KernelError {
  return KernelError.isGenuine(error) && (errno === undefined || error.errno === errno);
}

const symbolToString = Symbol.prototype.toString;
const { isArray } = Array;
const { apply } = Reflect;
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
// SAFETY: By ECMAScript's %TypedArray%.prototype definition (ES2015 §22.2.3.31 @@toStringTag,
// §22.2.3.2 byteLength), both keys are accessor properties with a getter in every supported engine.
const tagGetter = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag)!.get!;
const byteLengthGetter = Object.getOwnPropertyDescriptor(typedArrayPrototype, "byteLength")!.get!;

/**
 * Describes any value for an error message without running the caller's code: no `toString`,
 * `valueOf`, getter or `Proxy` trap is called, and it never throws.
 *
 * @param value - Any value: a `Symbol`, a `BigInt`, a revoked `Proxy`, a null-prototype object, a
 *   detached typed array, an object whose getters throw.
 * @returns A short text: `42`, `0x10000`, `-0`, `12n`, `"text"`, `Symbol(x)`,
 *   `Uint8Array(8192 bytes)`, `[object]`, `[array]`, `[function]`, `[revoked proxy]`.
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case "number":
        if (Object.is(value, -0)) return "-0";
        return Number.isInteger(value) && value >= 0x10000 ? `0x${value.toString(16)}` : String(value);
      case "bigint":
        return `${value.toString()}n`;
      case "string":
        return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
      case "symbol":
        return apply(symbolToString, value, []) as string;
      case "function":
        return "[function]";
      case "object": {
        if (value === null) return "null";
        // The intrinsic getter returns undefined, without trapping, for anything but a typed array.
        const name = apply(tagGetter, value, []) as string | undefined;
        if (name !== undefined) return `${name}(${apply(byteLengthGetter, value, []) as number} bytes)`;
        // Array.isArray does not trap on a Proxy, but throws for a revoked one.
        return isArray(value) ? "[array]" : "[object]";
      }
      default:
        return String(value);
    }
  } catch {
    return "[revoked proxy]";
  }
}

const formatValue = describeValue;

function safeText(value: unknown): string {
  return typeof value === "string" ? value : formatValue(value);
}

function formatMessage(op: unknown, what: unknown, values: unknown): string {
  let parts: string[] = [];
  try {
    if (typeof values === "object" && values !== null) {
      parts = Object.keys(values).map((name) => `${name}=${formatValue((values as Record<string, unknown>)[name])}`);
    }
  } catch {
    parts = ["values=[unreadable]"];
  }
  const head = `${safeText(op)}: ${safeText(what)}`;
  return parts.length === 0 ? head : `${head} (${parts.join(", ")})`;
}
