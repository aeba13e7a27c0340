/**
 * @misuse M13
 * @title setting an error flag on a folio (PG_error was removed from the kernel)
 */
import type { ARef, Folio, LockedFolio } from "ownkit";

declare const shared: ARef<Folio>;
declare const locked: LockedFolio;

// correct use: the flags that exist
export const flags: boolean[] = [shared.uptodate, shared.locked, shared.highmem];
export function markRead(): void {
  locked.markUptodate();
}

export function misuse(): void {
  // @expect-error TS2339 "Property 'setError' does not exist on type"
  locked.setError();
  // @expect-error TS2339 "Property 'setError' does not exist on type"
  shared.setError();
  // @expect-error TS2339 "Property 'error' does not exist on type"
  console.log(shared.error);
}
