/**
 * @misuse M43
 * @title tearing down an address space while one of its cached folios is still mapped
 * @runtime
 * @expect-throw EBUSY "freeing a page that is still mapped"
 */
import { AddressSpace, type ARef, type Folio, type LockedFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });
const fill = (locked: LockedFolio): void => locked.markUptodate();

export function correct(): void {
  const space = AddressSpace.create(machine);
  for (const index of [0, 1, 2]) {
    using cached: ARef<Folio> = space.readFolio(index, fill);
    void cached;
  }
  space.teardown();
}

export function misuse(): void {
  const space = AddressSpace.create(machine);
  for (const index of [0, 1, 2]) {
    using cached: ARef<Folio> = space.readFolio(index, fill);
    void cached;
  }
  const pfn = machine.pageCache.lookup(space.id, 2);
  const id = machine.kmapLocal(pfn, machine.pageGen(pfn));
  const before = machine.stateDigest();
  try {
    space.teardown();
  } finally {
    // Two phases: every index is still cached and the machine is exactly as it was.
    if (machine.stateDigest() !== before || space.indexes().length !== 3) throw new Error("teardown stopped half-way");
    machine.kunmapLocal(id);
    space.teardown();
  }
}
