/**
 * File positions: the {@link Loff} brand and its checked constructor {@link loff}.
 *
 * @remarks
 * In the folio thread the reviewer objected to `pos()` returning `i64`: "I estimate 64 bits will not
 * be enough by 2035-2040", and asked for one alias in one place, as the libc crate's
 * `pub type off_t = i64`, "and then there's only one place to change to be i128 when the time
 * comes". `Loff` is that alias. It is built on `bigint`, so it is not limited to 53 bits (a
 * `number`) or to 64 bits; the representation is named once ({@link LoffRepr}) so that changing it
 * is one edit. The brand keeps plain numbers out: a page index or a byte count is not a file
 * position (M14).
 *
 * @module
 */
import { kernelError } from "../../errors.js";

/** The key of the {@link Loff} brand; declared in types only. */
declare const loffBrand: unique symbol;

/**
 * The representation behind {@link Loff}: the one place to change when file positions widen.
 */
export type LoffRepr = bigint;

/**
 * A byte position in a file (the kernel's `loff_t`): a non-negative `bigint`, branded so that a
 * plain `number` or `bigint` is not accepted where a position is expected.
 *
 * @remarks
 * Arithmetic on a `Loff` gives a plain `bigint`; pass the result through {@link loff} to make it a
 * position again.
 *
 * @example
 * ```ts
 * declare const space: AddressSpace;
 *
 * const pos: Loff = loff(8192);
 * space.indexForPos(pos);  // 2 with 4 KiB pages
 * space.indexForPos(8192);
 * // error TS2345: Argument of type 'number' is not assignable to parameter of type 'Loff'.
 * ```
 */
export type Loff = LoffRepr & {
  /** The brand; exists in the type only. */
  readonly [loffBrand]: "Loff";
};

/**
 * Makes a file position from a number or bigint, checking that it is a non-negative integer.
 *
 * @param value - The byte position: a non-negative safe integer `number`, or a non-negative `bigint`.
 * @returns The position.
 * @throws KernelError `EINVAL` for a negative, fractional, NaN, infinite or unsafe number, a
 *   negative bigint, or a value of another type.
 *
 * @example
 * ```ts
 * loff(4096);       // 4096n as a Loff
 * loff(2n ** 70n);  // fine: positions are not limited to 64 bits
 * loff(-1);         // KernelError EINVAL: loff: position is not a non-negative integer (value=-1)
 * ```
 */
export function loff(value: number | bigint): Loff {
  if (typeof value === "bigint") {
    if (value < 0n) throw kernelError("EINVAL", "loff", "position is negative", { value });
    // SAFETY: By the check above the bigint is non-negative, the Loff invariant; the brand exists
    // in types only.
    return value as Loff;
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw kernelError("EINVAL", "loff", "position is not a non-negative integer", { value: value });
  }
  // SAFETY: By the check above the number is a non-negative safe integer, so its BigInt is a
  // non-negative bigint, the Loff invariant; the brand exists in types only.
  return BigInt(value) as Loff;
}
