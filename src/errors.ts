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
    super(formatMessage(op, what, values) + (report === undefined ? "" : `\n${report}`));
    this.name = "KernelError";
    this.errno = errno;
    this.op = op;
    this.values = values;
    this.report = report;
  }

  /** The errno number Linux uses for {@link KernelError.errno}. */
  get code(): number {
    return ERRNO[this.errno];
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
  return error instanceof KernelError && (errno === undefined || error.errno === errno);
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0x10000) {
    return `0x${value.toString(16)}`;
  }
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function formatMessage(op: string, what: string, values: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(values).map(([name, value]) => `${name}=${formatValue(value)}`);
  return parts.length === 0 ? `${op}: ${what}` : `${op}: ${what} (${parts.join(", ")})`;
}
