/**
 * @misuse M35
 * @title writing through a side exit of a read-only view of a shared folio, on a debug machine
 * @runtime
 * @expect-throw EPERM "write through a read-only mapping at offset 0x2"
 */
import { Folio, GFP_KERNEL, type ARef, type UniqueFolio } from "ownkit";
import { Machine } from "ownkit/core";

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  const shared: ARef<Folio> = unique;
  shared.map(0, ({ view }) => view[2]);
  {
    using locked = shared.lock();
    locked.write(2, new Uint8Array([0]));
  }
  shared.put();
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  using shared: ARef<Folio> = unique;
  shared.map(0, ({ view }) => {
    Object.assign(view, { 2: 0 }); // an unlocked shared folio: refused at the write, with its offset
  });
}
