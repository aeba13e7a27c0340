/**
 * @misuse M26
 * @title a folio order above MAX_PAGE_ORDER (10)
 * @runtime
 * @expect-throw EDOM "order above MAX_PAGE_ORDER"
 */
import { Folio, GFP_KERNEL, type UniqueFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 8 << 20 });

export function correct(): void {
  using unique: UniqueFolio = Folio.alloc(10, GFP_KERNEL, machine);
  unique.zeroOut(0, unique.size);
}

export function misuse(): void {
  using unique: UniqueFolio = Folio.alloc(11, GFP_KERNEL, machine);
  unique.zeroOut(0, unique.size);
}
