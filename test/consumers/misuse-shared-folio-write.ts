// A shared folio is written only through its lock; positions are Loff, not numbers.
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import type { AddressSpace, ARef, Folio } from "ownkit";

export function misuse(space: AddressSpace, folio: ARef<Folio>): void {
  // @expect-error TS2551 "Property 'markUptodate' does not exist on type 'ARef<Folio>'"
  folio.markUptodate();
  // @expect-error TS2345 "is not assignable to parameter of type 'Loff'"
  space.indexForPos(4096);
}
