/**
 * @misuse M46
 * @title making a folio unique inside a shared mapping of it
 * @runtime
 * @expect-throw EBUSY "liveBorrow=\"read mapping at offset 0\""
 */
import { Folio, GFP_KERNEL, type ARef, type UniqueFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });

function sharedFolio(): ARef<Folio> {
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  return unique;
}

export function correct(): void {
  const shared: ARef<Folio> = sharedFolio();
  shared.map(0, ({ view }) => view[0]);
  using unique: UniqueFolio = Folio.intoUnique(shared);
  unique.write(0, new Uint8Array([1]));
}

export function misuse(): void {
  const shared: ARef<Folio> = sharedFolio();
  try {
    shared.map(0, () => {
      // The new unique handle would write under this live read view.
      using unique: UniqueFolio = Folio.intoUnique(shared);
      unique.write(0, new Uint8Array([1]));
    });
  } finally {
    shared.put();
  }
}
