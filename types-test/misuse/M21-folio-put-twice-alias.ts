/**
 * @misuse M21
 * @title dropping more references to a folio than were taken (a second put through an alias)
 * @runtime
 * @expect-throw EALREADY "reference was already dropped"
 */
import { Folio, GFP_KERNEL, type ARef, type UniqueFolio } from "ownkit";
import { Machine } from "ownkit/core";

function sharedFolio(machine: Machine): ARef<Folio> {
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.intoShared();
  return unique;
}

export function correct(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const first: ARef<Folio> = sharedFolio(machine);
  const second: ARef<Folio> = first.clone();
  second.put();
  first.put();
  machine.teardown();
}

export function misuse(): void {
  const machine = new Machine({ ramSize: 1 << 20, debug: true });
  const first: ARef<Folio> = sharedFolio(machine);
  const second: ARef<Folio> = first.clone();
  const alias: ARef<Folio> = second;
  second.put();
  alias.put(); // refused: the folio keeps first's reference and is not freed twice
}
