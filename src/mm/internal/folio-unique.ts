/**
 * The run-time members of a {@link UniqueFolio}, installed on `Folio.prototype` by the `Folio` class.
 * Internal to mm.
 *
 * @module
 */
import { kernelError } from "../../errors.js";
import { checkedChunks, copyToFolio, folioState, zeroFolioRange, type FolioState } from "./folio-state.js";
import type { Folio } from "../Folio.js";
import { mapWith, type FolioView, type MapBody } from "../MapGuard.js";
import type { UniqueFolio } from "../UniqueFolio.js";

/**
 * Installs the {@link UniqueFolio} members on `Folio.prototype`, outside the class type, so that
 * `Folio` and `ARef<Folio>` have no writing member (M7) while a `UniqueFolio` does.
 *
 * @param prototype - `Folio.prototype`.
 * @param assertLive - The handle's liveness check (`EFAULT` after put).
 */
export function installUniqueMembers(prototype: Folio, assertLive: (folio: Folio, op: string) => void): void {
  const unique = (folio: Folio, op: string): FolioState => {
    assertLive(folio, op);
    const state = folio[folioState];
    if (!state.unique) throw kernelError("EALREADY", op, "UniqueFolio was consumed by intoShared(); lock() the shared folio to write", { folio: `pfn=${state.pfn}` });
    return state;
  };
  const exclusive = (folio: Folio, op: string): FolioState => {
    const state = unique(folio, op);
    state.borrows.exclusive(op);
    return state;
  };
  const members: Record<string, (this: Folio, ...args: never[]) => unknown> = {
    mapMut<Result>(this: Folio, offset: number, body: MapBody<"write", Result>): Result {
      const state = unique(this, "folio_map_mut");
      return mapWith(state, state.borrows, "write", "folio_map_mut", offset, body);
    },
    write(this: Folio, offset: number, src: Uint8Array): void {
      copyToFolio(exclusive(this, "memcpy_to_folio"), "memcpy_to_folio", offset, src);
    },
    memcpyToFolio(this: Folio, offset: number, src: Uint8Array): void {
      copyToFolio(exclusive(this, "memcpy_to_folio"), "memcpy_to_folio", offset, src);
    },
    zeroOut(this: Folio, offset: number, length: number): void {
      zeroFolioRange(exclusive(this, "folio_zero_range"), "folio_zero_range", offset, length);
    },
    forEachChunkMut(this: Folio, offset: number, length: number, body: <Lifetime>(view: FolioView<Lifetime>, offset: number) => void): void {
      const state = unique(this, "folio_chunks_mut");
      const token = state.borrows.begin("folio_chunks_mut", "write", "write chunks", offset);
      try {
        checkedChunks(state, "folio_chunks_mut", offset, length, body, "write");
      } finally {
        state.borrows.end(token);
      }
    },
    intoShared(this: Folio): void {
      const state = exclusive(this, "folio_into_shared");
      // INVARIANT: from here on the handle is an ordinary ARef<Folio>; aliases of the unique handle fail.
      state.unique = false;
    },
  };
  for (const [name, value] of Object.entries(members)) {
    Object.defineProperty(prototype, name, { value, writable: true, configurable: true });
  }
}
