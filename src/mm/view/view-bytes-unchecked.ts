/**
 * {@link viewBytesUnchecked}: the raw `Uint8Array` behind a mapped view, for interop that must alias
 * the memory, behind an `Unsafe` token.
 *
 * @module
 */
import { assertUnsafe, type Unsafe } from "../../ownership/index.js";
import { liveViewBytes } from "../../core/index.js";
import type { ByteViewReads } from "./byte-view.js";

/**
 * The raw `Uint8Array` behind a mapped page or folio view (no copy), for an API that must alias the
 * mapped memory (a hash or cipher writing in place, a `DataView` over a header).
 *
 * @remarks
 * Prefer a copy where it will do: `view.slice()` is a plain `Uint8Array` the caller owns, and
 * `new TextDecoder().decode(view.slice())` is the way to decode a read-only view. The array returned
 * here carries no lifetime and no read-only type: everything the view's type guarantees becomes the
 * caller's promise.
 *
 * This is the one place where a view is unwrapped; a debug machine's views will be unwrapped here too.
 *
 * @typeParam Lifetime - The `unsafe` block's lifetime.
 * @param token - The token of the enclosing `unsafe` block.
 * @param view - A mapped view ({@link PageView}, {@link FolioView} or {@link ReadonlyFolioView}).
 * @returns The same memory as a plain `Uint8Array`.
 * @throws KernelError `EPERM` when `token` is not a live token from `unsafe()`.
 *
 * @safety
 * - Use the array only while the closure that mapped `view` runs: it aliases the mapping, and after
 *   the closure returns the memory may be unmapped, freed and given to another owner.
 * - Use it only on the CPU that mapped the view.
 * - Never write through it when `view` is a {@link ReadonlyFolioView}: the folio is shared and not
 *   locked, and other holders read it.
 * - Do not reach around it (`buffer`, `byteOffset`, a `DataView` over its `buffer`): the backing
 *   buffer is the machine's memory, far beyond the mapping.
 *
 * @example
 * ```ts
 * declare const folio: UniqueFolio, magic: number;
 *
 * folio.mapMut(0, ({ view }) =>
 *   unsafe("SAFETY: the DataView is used inside the mapping closure only", (token) => {
 *     const bytes = viewBytesUnchecked(token, view);
 *     new DataView(bytes.buffer, bytes.byteOffset, bytes.length).setUint32(0, magic);
 *   }));
 * ```
 */
export function viewBytesUnchecked<Lifetime>(token: Unsafe<Lifetime>, view: ByteViewReads): Uint8Array {
  assertUnsafe(token, "viewBytesUnchecked");
  // SAFETY: By this function's @safety contract the caller keeps the view's invariants (lifetime,
  // CPU, read-only) by hand; liveViewBytes returns the memory behind a live view only (a debug
  // view's target, checked live) and refuses anything else.
  return liveViewBytes(view, "viewBytesUnchecked");
}
