import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import { loff, type AddressSpace, type Loff } from "ownkit";

declare const space: AddressSpace;

// The checked constructor makes a Loff from a number or a bigint, any width.
expectType<Loff>(loff(4096));
expectType<Loff>(loff(2n ** 70n));
expectAssignable<bigint>(loff(1));

// A number, a bigint or arithmetic on a Loff is not a Loff (M14).
expectType<number>(space.indexForPos(loff(8192)));
expectError(space.indexForPos(8192));
expectError(space.indexForPos(8192n));
expectNotAssignable<Loff>(8192);
expectNotAssignable<Loff>(8192n);
expectNotAssignable<Loff>(loff(1) + 1n);
