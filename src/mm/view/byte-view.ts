/**
 * The members of the kit's byte views ({@link PageView}, {@link FolioView}, {@link ReadonlyFolioView}),
 * declared one by one beside `Uint8Array` the way `ReadonlyArray` is declared beside `Array`.
 *
 * @remarks
 * A view is the machine's own `Uint8Array` at run time (no wrapper, no copy); its type is not.
 * Declared member by member, a view type is not assignable to `Uint8Array`, `ArrayBufferView`,
 * `ArrayLike<number>` or an index-signature object such as `{ [i: number]: number }`, so widening it
 * does not compile:
 *
 * - there is no `buffer` (the whole backing chunk of the simulated RAM) and no `byteOffset` (its
 *   place in that chunk);
 * - the index signature reads `number | undefined`, which is what an index outside the view gives
 *   at run time: a `{ [i: number]: number }` parameter therefore rejects a view;
 * - `subarray` and `valueOf` return the same branded view, and callbacks (`forEach`, `map`, ...)
 *   receive it as their array argument, so no member hands out an unbranded alias of the memory;
 * - read-only views have no mutating member at all.
 *
 * Copies are plain `Uint8Array`s that belong to the caller: `slice()`, `map`, `filter`, `toSorted`,
 * `toReversed`, `with`. That is the way out for APIs that need a real `Uint8Array`:
 *
 * ```ts
 * const name = shared.map(0, ({ view }) => new TextDecoder().decode(view.slice(0, 16)));
 * ```
 *
 * An API that must alias the memory (no copy) gets it from {@link viewBytesUnchecked}, behind an
 * `Unsafe` token.
 *
 * The members that do not mention the view type live in two non-generic interfaces
 * ({@link ByteViewReads}, {@link ByteViewWrites}): every view type shares them, so the type checker
 * builds them once per program, not once per mapping closure. The few members that return or pass
 * the view itself (`subarray`, `valueOf`, the callbacks, the in-place mutators) are declared in each
 * view type, typed with that view.
 *
 * @module
 */
import { lifetimeBrand } from "../../ownership/index.js";

/**
 * The reading members of every byte view that do not mention the view type; shared by all views.
 *
 * @remarks
 * Carries the lifetime brand with an unknown lifetime, so a view widened to this type is still a
 * borrow: returning it from its closure does not compile either.
 */
export interface ByteViewReads {
  /** The lifetime brand of some closure; exists in the type only. */
  readonly [lifetimeBrand]: unknown;
  /** The number of bytes in the view. */
  readonly length: number;
  /** The number of bytes in the view (the same as `length`). */
  readonly byteLength: number;
  /** The size of one element: 1. */
  readonly BYTES_PER_ELEMENT: number;
  /** The byte at `index`; negative indexes count from the end; `undefined` outside the view. */
  at(index: number): number | undefined;
  /** Whether the view holds `searchElement` at or after `fromIndex`. */
  includes(searchElement: number, fromIndex?: number): boolean;
  /** The first index of `searchElement` at or after `fromIndex`, or -1. */
  indexOf(searchElement: number, fromIndex?: number): number;
  /** The last index of `searchElement` at or before `fromIndex`, or -1. */
  lastIndexOf(searchElement: number, fromIndex?: number): number;
  /** The bytes as decimal numbers joined by `separator` (a comma when omitted). */
  join(separator?: string): string;
  /** The bytes as decimal numbers joined by commas. */
  toString(): string;
  /** The bytes formatted for the current locale. */
  toLocaleString(): string;
  /** A copy of the bytes from `start` to `end`: a plain `Uint8Array` the caller owns. */
  slice(start?: number, end?: number): Uint8Array;
  /** A sorted copy of the bytes: a plain `Uint8Array` the caller owns. */
  toSorted(compareFn?: (a: number, b: number) => number): Uint8Array;
  /** A reversed copy of the bytes: a plain `Uint8Array` the caller owns. */
  toReversed(): Uint8Array;
  /** A copy of the bytes with the byte at `index` replaced: a plain `Uint8Array` the caller owns. */
  with(index: number, value: number): Uint8Array;
  /** The indexes of the view. */
  keys(): IterableIterator<number>;
  /** The bytes of the view. */
  values(): IterableIterator<number>;
  /** Index and byte pairs. */
  entries(): IterableIterator<[number, number]>;
  /** The bytes of the view. */
  [Symbol.iterator](): IterableIterator<number>;
}

/**
 * The writing members of writable byte views that do not mention the view type; shared by all
 * writable views.
 */
export interface ByteViewWrites {
  /**
   * Copies `source` into the view from `offset` (`Uint8Array.prototype.set`); `source` may be an
   * array, a `Uint8Array` or another view (an `undefined` element is written as 0).
   */
  set(source: ArrayLike<number | undefined>, offset?: number): void;
}
