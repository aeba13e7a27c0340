/**
 * @misuse M14
 * @title a plain number where a Loff file position is expected
 */
import { loff, type AddressSpace, type Loff } from "ownkit";

declare const space: AddressSpace;

// correct use: make the position with the checked constructor
export const index: number = space.indexForPos(loff(8192));
export const pos: Loff = loff(8192n);
export const wide: Loff = loff(2n ** 70n);

// @expect-error TS2345 "Argument of type 'number' is not assignable to parameter of type 'Loff'"
export const fromNumber: number = space.indexForPos(8192);
// @expect-error TS2322 "is not assignable to type 'Loff'"
export const fromBigint: Loff = 8192n;
// @expect-error TS2322 "Type 'bigint' is not assignable to type 'Loff'"
export const fromArithmetic: Loff = pos + 1n;
