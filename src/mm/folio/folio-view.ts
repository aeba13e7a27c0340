/**
 * The views of folio mappings: {@link FolioView} (writable, from exclusive handles) and
 * {@link ReadonlyFolioView} (read-only, from shared ones), declared member by member beside
 * `Uint8Array` (see {@link ByteViewReads}).
 *
 * @module
 */
import { lifetimeBrand } from "../../ownership/index.js";
import type { ByteViewReads, ByteViewWrites } from "../view/byte-view.js";

/**
 * A writable view of mapped folio bytes: at run time a plain `Uint8Array` subarray of the machine's
 * memory, typed member by member (see {@link ByteViewReads}) and branded with the lifetime of the
 * closure that mapped it.
 *
 * @remarks
 * No wrapper: indexing is the typed array's own. Handed out only by exclusive handles
 * ({@link UniqueFolio} `mapMut`, {@link LockedFolio} `mapMut`). Not assignable to `Uint8Array`,
 * `ArrayBufferView` or `{ [i: number]: number }`, no `buffer`; `subarray` returns a `FolioView`.
 * Copy out with `slice()`.
 *
 * @invariant No member of the type hands out an alias of the memory without the lifetime brand.
 *
 * @typeParam Lifetime - The closure's lifetime.
 */
// Declared like PageView, with its members repeated (an extension of PageView, or a generic base,
// would instantiate them for each closure's lifetime).
export interface FolioView<Lifetime> extends ByteViewReads, ByteViewWrites {
  /** The lifetime brand; exists in the type only. */
  readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
  /** The byte at an index of the view; `undefined` outside it. */
  [index: number]: number | undefined;
  /** A view of the bytes from `begin` to `end` of this view: the same memory, the same lifetime. */
  subarray(begin?: number, end?: number): FolioView<Lifetime>;
  /** The view itself (`Uint8Array.prototype.valueOf`). */
  valueOf(): FolioView<Lifetime>;
  /** Whether `predicate` holds for every byte; the callback's array is this view. */
  every(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Whether `predicate` holds for some byte; the callback's array is this view. */
  some(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Calls `callbackfn` for each byte; the callback's array is this view. */
  forEach(callbackfn: (value: number, index: number, array: FolioView<Lifetime>) => void, thisArg?: unknown): void;
  /** The first byte for which `predicate` holds, or `undefined`. */
  find(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the first byte for which `predicate` holds, or -1. */
  findIndex(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** The last byte for which `predicate` holds, or `undefined`. */
  findLast(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the last byte for which `predicate` holds, or -1. */
  findLastIndex(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** A copy of the bytes mapped through `callbackfn`: a plain `Uint8Array` the caller owns. */
  map(callbackfn: (value: number, index: number, array: FolioView<Lifetime>) => number, thisArg?: unknown): Uint8Array;
  /** A copy of the bytes for which `predicate` holds: a plain `Uint8Array` the caller owns. */
  filter(predicate: (value: number, index: number, array: FolioView<Lifetime>) => unknown, thisArg?: unknown): Uint8Array;
  /** Folds the bytes from the first to the last, starting from the first byte. */
  reduce(callbackfn: (previous: number, current: number, index: number, array: FolioView<Lifetime>) => number): number;
  /** Folds the bytes from the first to the last, starting from `initialValue`. */
  reduce<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: FolioView<Lifetime>) => Folded, initialValue: Folded): Folded;
  /** Folds the bytes from the last to the first, starting from the last byte. */
  reduceRight(callbackfn: (previous: number, current: number, index: number, array: FolioView<Lifetime>) => number): number;
  /** Folds the bytes from the last to the first, starting from `initialValue`. */
  reduceRight<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: FolioView<Lifetime>) => Folded, initialValue: Folded): Folded;
  /** Sets bytes to `value` (`Uint8Array.prototype.fill`) and returns the view. */
  fill(value: number, start?: number, end?: number): FolioView<Lifetime>;
  /** Copies bytes within the view (`Uint8Array.prototype.copyWithin`) and returns the view. */
  copyWithin(target: number, start: number, end?: number): FolioView<Lifetime>;
  /** Reverses the bytes in place (`Uint8Array.prototype.reverse`) and returns the view. */
  reverse(): FolioView<Lifetime>;
  /** Sorts the bytes in place (`Uint8Array.prototype.sort`) and returns the view. */
  sort(compareFn?: (a: number, b: number) => number): FolioView<Lifetime>;
}

/**
 * A read-only view of mapped folio bytes: the same `Uint8Array` at run time, typed without index
 * assignment, without any writing member (`set`, `fill`, `copyWithin`, `reverse`, `sort`) and
 * without any writable path to the memory.
 *
 * @remarks
 * What a shared folio's mapping gives (M6). `valueOf()` and `subarray()` return the read-only view
 * itself, callbacks (`forEach`, `map`, `reduce`, ...) receive it as their array argument, it has no
 * `buffer`, and it is not assignable to `Uint8Array`, `ArrayBufferView`, `ArrayLike<number>` or
 * `{ [i: number]: number }` (its index reads `number | undefined`), so no parameter can write
 * through it (M35). Copy out with `slice()`: `new TextDecoder().decode(view.slice())`.
 *
 * @invariant No member of the type writes, or hands out a writable or unbranded alias of the memory.
 *
 * @typeParam Lifetime - The closure's lifetime.
 *
 * @example
 * ```ts
 * declare const shared: ARef<Folio>;
 *
 * shared.map(0, ({ view }) => view[0]);          // ok: reading
 * shared.map(0, ({ view }) => { view[0] = 1; });
 * // error TS2542: Index signature in type 'ReadonlyFolioView<Lifetime>' only permits reading.
 * shared.map(0, ({ view }) => { view.valueOf()[0] = 1; });
 * // error TS2542: Index signature in type 'ReadonlyFolioView<Lifetime>' only permits reading.
 * ```
 */
export interface ReadonlyFolioView<Lifetime> extends ByteViewReads {
  /** The lifetime brand; exists in the type only. */
  readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
  /** The byte at an index of the view; `undefined` outside it. */
  readonly [index: number]: number | undefined;
  /** A view of the bytes from `begin` to `end` of this view: the same memory, the same lifetime. */
  subarray(begin?: number, end?: number): ReadonlyFolioView<Lifetime>;
  /** The view itself (`Uint8Array.prototype.valueOf`). */
  valueOf(): ReadonlyFolioView<Lifetime>;
  /** Whether `predicate` holds for every byte; the callback's array is this view. */
  every(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Whether `predicate` holds for some byte; the callback's array is this view. */
  some(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): boolean;
  /** Calls `callbackfn` for each byte; the callback's array is this view. */
  forEach(callbackfn: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => void, thisArg?: unknown): void;
  /** The first byte for which `predicate` holds, or `undefined`. */
  find(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the first byte for which `predicate` holds, or -1. */
  findIndex(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** The last byte for which `predicate` holds, or `undefined`. */
  findLast(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): number | undefined;
  /** The index of the last byte for which `predicate` holds, or -1. */
  findLastIndex(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): number;
  /** A copy of the bytes mapped through `callbackfn`: a plain `Uint8Array` the caller owns. */
  map(callbackfn: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => number, thisArg?: unknown): Uint8Array;
  /** A copy of the bytes for which `predicate` holds: a plain `Uint8Array` the caller owns. */
  filter(predicate: (value: number, index: number, array: ReadonlyFolioView<Lifetime>) => unknown, thisArg?: unknown): Uint8Array;
  /** Folds the bytes from the first to the last, starting from the first byte. */
  reduce(callbackfn: (previous: number, current: number, index: number, array: ReadonlyFolioView<Lifetime>) => number): number;
  /** Folds the bytes from the first to the last, starting from `initialValue`. */
  reduce<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: ReadonlyFolioView<Lifetime>) => Folded, initialValue: Folded): Folded;
  /** Folds the bytes from the last to the first, starting from the last byte. */
  reduceRight(callbackfn: (previous: number, current: number, index: number, array: ReadonlyFolioView<Lifetime>) => number): number;
  /** Folds the bytes from the last to the first, starting from `initialValue`. */
  reduceRight<Folded>(callbackfn: (previous: Folded, current: number, index: number, array: ReadonlyFolioView<Lifetime>) => Folded, initialValue: Folded): Folded;
}
