/**
 * @misuse M32
 * @title locking two folios of one mapping in descending index order
 * @runtime
 * @expect-throw EDEADLK "folios of one mapping must be locked in ascending index order"
 */
import { AddressSpace, type ARef, type Folio, type LockedFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });
const fill = (locked: LockedFolio): void => {
  locked.zeroOut(0, locked.size);
  locked.markUptodate();
};

export function correct(): void {
  using space = AddressSpace.create(machine);
  using low: ARef<Folio> = space.readFolio(1, fill);
  using high: ARef<Folio> = space.readFolio(7, fill);
  using a = low.lock();
  using b = high.lock();
}

export function misuse(): void {
  using space = AddressSpace.create(machine);
  using low: ARef<Folio> = space.readFolio(1, fill);
  using high: ARef<Folio> = space.readFolio(7, fill);
  using b = high.lock();
  using a = low.lock();
}
