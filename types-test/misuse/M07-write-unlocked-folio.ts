/**
 * @misuse M7
 * @title markUptodate, write or zeroOut on an unlocked shared folio
 */
import type { ARef, Folio } from "ownkit";

declare const shared: ARef<Folio>;
declare const bytes: Uint8Array;

// correct use: through the LockedFolio guard
export function fill(): void {
  using locked = shared.lock();
  locked.write(0, bytes);
  locked.zeroOut(bytes.length, 16);
  locked.markUptodate();
}

export function misuse(): void {
  // The error names the fix instead of suggesting 'uptodate'.
  // @expect-error TS2684 "lock() the folio first: only a LockedFolio may markUptodate()"
  shared.markUptodate();
  // @expect-error TS2339 "Property 'write' does not exist on type"
  shared.write(0, bytes);
  // @expect-error TS2339 "Property 'zeroOut' does not exist on type"
  shared.zeroOut(0, 16);
}
