/**
 * {@link PageView}: the bytes of a mapped page, valid only inside the closure that mapped them.
 *
 * @module
 */
import { lifetimeBrand } from "../ownership/index.js";
import type { ByteViewCallbacks, ByteViewMutators, ByteViewReads, ByteViewWrites } from "./ByteView.js";

/**
 * A writable view of mapped page memory, lent to a closure by `withPageMapped` or
 * `withPointerIntoPage`.
 *
 * @remarks
 * At run time it is the machine's own `Uint8Array` (a `subarray` of the simulated RAM, no copy and
 * no wrapper object per call); its type is declared member by member (see {@link ByteViewReads}) and
 * carries the closure's lifetime brand. Returning it from the closure, storing it in what the
 * closure returns (an object, array, `Map`, `Set`, `WeakRef`, a function's result), or widening it to
 * `Uint8Array`, `ArrayBufferView` or `{ [i: number]: number }` does not compile, and it has no
 * `buffer`:
 *
 * ```ts
 * page.withPageMapped((view) => view[0]);                 // ok: a number
 * page.withPageMapped((view) => view.slice(0, 16));       // ok: a copy the caller owns
 * page.withPageMapped((view) => view.subarray(0, 16));
 * // error TS2322: ... 'TypeErrorText<"a borrow cannot outlive its closure: ...">'
 * page.withPageMapped((view): Uint8Array => view);
 * // error TS2740: Type 'PageView<Lifetime>' is missing the following properties from type 'Uint8Array': buffer, byteOffset
 * ```
 *
 * Copies (`slice()`, `map`, `filter`) are plain `Uint8Array`s: `new TextDecoder().decode(view.slice())`.
 * An API that must alias the page (no copy) gets a raw `Uint8Array` from
 * {@link viewBytesUnchecked}, behind an `Unsafe` token.
 *
 * **A JavaScript view cannot be revoked at run time.** The mapping ends when the closure returns
 * (its `kmap_local` slot is released), but a view captured in an outer variable keeps pointing at
 * the page's bytes; using it afterwards is the simulator's equivalent of using a stale pointer. Types
 * catch returning and widening it; capturing it is for the lint rules and the debug run time. Only
 * use it on the CPU that mapped it (thread 002).
 *
 * @invariant Inside its closure the view covers exactly the mapped bytes: `PAGE_SIZE` bytes for
 *   `withPageMapped`, `len` bytes for `withPointerIntoPage`.
 * @invariant No member of the type hands out an alias of the memory without the lifetime brand.
 *
 * @typeParam Lifetime - The closure's lifetime parameter.
 */
// Only the brand and the members of ByteViewCallbacks/ByteViewMutators are instantiated for each
// closure's lifetime; ByteViewReads and ByteViewWrites are not generic and are shared by every view.
export interface PageView<Lifetime>
  extends ByteViewReads,
    ByteViewWrites,
    ByteViewCallbacks<PageView<Lifetime>>,
    ByteViewMutators<PageView<Lifetime>> {
  /** The lifetime brand; exists in the type only. */
  readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
  /** The byte at an index of the view; `undefined` outside it. */
  [index: number]: number | undefined;
}
