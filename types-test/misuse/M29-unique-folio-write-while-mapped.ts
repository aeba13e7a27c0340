/**
 * @misuse M29
 * @title a write mapping of a UniqueFolio while another mapping of it is live (through an alias)
 * @runtime
 * @expect-throw EBUSY "liveBorrow=\"read mapping at offset 0\""
 */
import { Folio, GFP_KERNEL, type UniqueFolio } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });

export function correct(): void {
  using unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.mapMut(0, ({ view }) => {
    view[0] = 1;
  });
  unique.map(0, ({ view }) => view[0]);
}

export function misuse(): void {
  using unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  const alias: UniqueFolio = unique;
  unique.map(0, () =>
    alias.mapMut(0, ({ view }) => {
      view[0] = 1;
    }),
  );
}
