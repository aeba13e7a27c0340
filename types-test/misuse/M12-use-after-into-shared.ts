/**
 * @misuse M12
 * @title using a UniqueFolio after intoShared() (annotated binding)
 */
import { Folio, type ARef, type UniqueFolio } from "ownkit";

declare const header: Uint8Array;

// correct use: write while unique, then the binding is the shared ARef<Folio>
export function correct(): ARef<Folio> {
  const unique: UniqueFolio = Folio.alloc(0);
  unique.write(0, header);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  using locked = shared.lock();
  locked.markUptodate();
  return shared;
}

export function misuse(): void {
  const unique: UniqueFolio = Folio.alloc(0);
  unique.intoShared();
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.write(0, header);
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.zeroOut(0, 16);
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.intoShared();
  // @expect-error TS2684 "'this' of type 'UniqueFolioWasConsumed'"
  unique.release();
}
