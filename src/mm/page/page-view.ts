/**
 * {@link PageView}: the bytes of a mapped page, valid only inside the closure that mapped them.
 *
 * @module
 */
import { lifetimeBrand } from "../../ownership/index.js";
import type { ByteViewReads, ByteViewWrites } from "../view/byte-view.js";

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
// The members that mention the view are declared here, not in a generic base: a base would be
// instantiated (twice, with its `this` type) for each closure's lifetime, where a member's type is
// only instantiated when it is used. ByteViewReads and ByteViewWrites are not generic and are shared
// by every view. FolioView repeats these members for the same reason, as ReadonlyArray repeats Array's.
export interface PageView<Lifetime> extends ByteViewReads, ByteViewWrites {
  /** The lifetime brand; exists in the type only. */
  readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
  /** The byte at an index of the view; `undefined` outside it. */
  [index: number]: number | undefined;
  /** A view of the bytes from `begin` to `end` of this view: the same memory, the same lifetime. */
  subarray(begin?: number, end?: number): PageView<Lifetime>;
  /** The view itself (`Uint8Array.prototype.valueOf`). */
  valueOf(): PageView<Lifetime>;
  /** Whether `predicate` holds for every byte; the callback's array is this view. */
  every(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Whether `predicate` holds for some byte; the callback's array is this view. */
  some(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Calls `callbackfn` for each byte; the callback's array is this view. */
  forEach(callbackfn: (value: number, index: number, array: PageView<Lifetime>) => void, thisArg?: unknown): void;
  /** The first byte for which `predicate` holds, or `undefined`. */
  find(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the first byte for which `predicate` holds, or -1. */
  findIndex(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** The last byte for which `predicate` holds, or `undefined`. */
  findLast(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the last byte for which `predicate` holds, or -1. */
  findLastIndex(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** A copy of the bytes mapped through `callbackfn`: a plain `Uint8Array` the caller owns. */
  map(callbackfn: (value: number, index: number, array: PageView<Lifetime>) => number, thisArg?: unknown): Uint8Array;
  /** A copy of the bytes for which `predicate` holds: a plain `Uint8Array` the caller owns. */
  filter(predicate: (value: number, index: number, array: PageView<Lifetime>) => unknown, thisArg?: unknown): Uint8Array;
  /** Folds the bytes from the first to the last, starting from the first byte. */
  reduce(callbackfn: (previous: number, current: number, index: number, array: PageView<Lifetime>) => number): number;
  /** Folds the bytes from the first to the last, starting from `initialValue`. */
  reduce<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: PageView<Lifetime>) => Folded, initialValue: Folded): Folded;
  /** Folds the bytes from the last to the first, starting from the last byte. */
  reduceRight(callbackfn: (previous: number, current: number, index: number, array: PageView<Lifetime>) => number): number;
  /** Folds the bytes from the last to the first, starting from `initialValue`. */
  reduceRight<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: PageView<Lifetime>) => Folded, initialValue: Folded): Folded;
  /** Sets bytes to `value` (`Uint8Array.prototype.fill`) and returns the view. */
  fill(value: number, start?: number, end?: number): PageView<Lifetime>;
  /** Copies bytes within the view (`Uint8Array.prototype.copyWithin`) and returns the view. */
  copyWithin(target: number, start: number, end?: number): PageView<Lifetime>;
  /** Reverses the bytes in place (`Uint8Array.prototype.reverse`) and returns the view. */
  reverse(): PageView<Lifetime>;
  /** Sorts the bytes in place (`Uint8Array.prototype.sort`) and returns the view. */
  sort(compareFn?: (a: number, b: number) => number): PageView<Lifetime>;
}
