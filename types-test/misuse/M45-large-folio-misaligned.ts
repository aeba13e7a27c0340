/**
 * @misuse M45
 * @title caching an order-2 folio at an index that is not a multiple of 4
 * @runtime
 * @expect-throw EINVAL "index is not a multiple of the folio's size in pages"
 */
import { AddressSpace, type ARef, type Folio, type LockedFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });
const fill = (locked: LockedFolio): void => locked.markUptodate();

export function correct(): void {
  using space = AddressSpace.create(machine);
  using folio: ARef<Folio> = space.readFolio(4, fill, { order: 2 });
  // Any index inside the folio finds it: reading index 6 caches no second copy.
  using inside: ARef<Folio> = space.readFolio(6, fill);
  if (inside.phys() !== folio.phys()) throw new Error("a second copy was cached");
}

export function misuse(): void {
  using space = AddressSpace.create(machine);
  using misaligned: ARef<Folio> = space.readFolio(2, fill, { order: 2 });
  void misaligned;
}
