/**
 * {@link UniqueFolio}: a freshly allocated folio that no other handle aliases, which may be mapped
 * for writing without a lock, and its conversion to a shared {@link ARef}.
 *
 * @remarks
 * **Unique aliasing, not refcount 1.** The thread asked "How do we know it only has a single
 * reference?" and settled that `UniqueFolio` means no other *handle* aliases the folio: it comes only
 * from {@link Folio.alloc}, and the kernel "can make temporary spurious references to folios
 * appear", so the refcount may be above 1 while the folio is still unique in this sense.
 *
 * **Exclusive at run time.** Rust's borrow checker stops `sb.sread(..., folio)` while a mapping `a`
 * of the folio is live. Here the handle tracks its mappings: any number of read mappings, or one
 * write mapping; a write mapping or an exclusive operation (`write`, `zeroOut`, `memcpyToFolio`,
 * `intoShared`) while another mapping is live is `EBUSY` naming the live borrow (M17, M29).
 *
 * **`intoShared()`: the binding becomes the shared handle.** TypeScript assertion functions return
 * `void`, so a method cannot both return the `ARef<Folio>` and consume its receiver. Instead
 * `intoShared()` is a `this`-assertion that narrows the (annotated) binding from `UniqueFolio` to
 * {@link SharedFolio}: the same object, now an `ARef<Folio>` (`clone`, `put`, `lock`, read
 * mappings), whose unique members all demand a `this` of type {@link UniqueFolioWasConsumed}, so
 * calling any of them is a compile error whose text says the UniqueFolio was consumed (M12):
 *
 * ```ts
 * const unique: UniqueFolio = Folio.alloc(0);
 * unique.write(0, header);
 * unique.intoShared();
 * const shared: ARef<Folio> = unique;            // ok: the binding is the shared handle now
 * unique.write(0, header);
 * // error TS2684: The 'this' context of type 'SharedFolio' is not assignable to method's 'this' of
 * //   type 'UniqueFolioWasConsumed'. Property '"this UniqueFolio was consumed by intoShared(): ..."' is missing ...
 * ```
 *
 * An alias kept from before (`const alias = unique`) is not tracked by the compiler; it fails at
 * run time with `EALREADY` "consumed by intoShared()". The reverse, {@link Folio.intoUnique}, is
 * allowed only for the last reference (`EBUSY` naming the count otherwise).
 *
 * @module
 */
import type { ARef, TypeErrorText } from "../ownership/index.js";
import type { Folio } from "./Folio.js";
import type { FolioView, MapBody } from "./MapGuard.js";

/**
 * The `this` type that every unique member demands after `intoShared()`: a sentence saying the
 * UniqueFolio was consumed, which the compiler prints.
 */
export type UniqueFolioWasConsumed = TypeErrorText<"this UniqueFolio was consumed by intoShared(): the binding is now an ARef<Folio>; lock() it to write">;

/**
 * What a {@link UniqueFolio} adds to the {@link Folio} members: writing without a lock, and the
 * conversions that end uniqueness.
 */
export interface UniqueFolioMembers {
  /**
   * Maps the folio for writing at byte `offset` and lends the guard to `body`.
   *
   * @typeParam Result - What `body` returns; must not contain the guard or its view (M8).
   * @param offset - `0 <= offset < size`.
   * @param body - Receives a `"write"` guard.
   * @returns What `body` returned.
   * @throws KernelError `EBUSY` naming the live borrow when another mapping is live (M29);
   *   `EINVAL` for a bad offset (M25); `EALREADY` after `intoShared()` (through an alias);
   *   `EINVAL` when `body` returns a promise (a mapping closure must be synchronous), after
   *   releasing the mapping.
   */
  mapMut<Result>(offset: number, body: MapBody<"write", Result>): Result;
  /**
   * Copies `src` into the folio at byte `offset`, page by page (`memcpy_to_folio`).
   *
   * @param offset - The first byte.
   * @param src - The bytes; `offset + src.length <= size`.
   * @throws KernelError `EINVAL` for a range outside the folio (nothing written, M25); `EBUSY` while
   *   a mapping is live (M17); `EALREADY` after `intoShared()`.
   */
  write(offset: number, src: Uint8Array): void;
  /**
   * The C name of {@link UniqueFolioMembers.write}.
   *
   * @param offset - The first byte.
   * @param src - The bytes.
   * @throws KernelError as for `write`.
   */
  memcpyToFolio(offset: number, src: Uint8Array): void;
  /**
   * Zeroes `[offset, offset + length)` (`folio_zero_range`).
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @throws KernelError as for `write`.
   */
  zeroOut(offset: number, length: number): void;
  /**
   * Calls `body` once per writable mapped chunk of `[offset, offset + length)`: once on machines
   * without HIGHMEM, once per page on HIGHMEM and in force-map mode.
   *
   * @param offset - The first byte.
   * @param length - The number of bytes.
   * @param body - Receives each chunk (exactly its bytes) and the chunk's folio offset.
   * @throws KernelError as for `write`; `EINVAL` when `body` returns a promise (a mapping closure
   *   must be synchronous), after releasing the mapping.
   * @safety
   * - `body` must not keep a chunk view after it returns: the mapping is released at once and a
   *   JavaScript view cannot be revoked.
   */
  forEachChunkMut(offset: number, length: number, body: <Lifetime>(view: FolioView<Lifetime>, offset: number) => void): void;
  /**
   * Ends uniqueness: the binding becomes the shared {@link ARef} of the folio (see the module notes).
   *
   * @throws KernelError `EBUSY` naming the live borrow while a mapping is live; `EALREADY` when
   *   already consumed (an alias).
   */
  intoShared(): asserts this is SharedFolio;
  /**
   * Drops the folio's reference (frees it unless spurious references exist).
   *
   * @remarks
   * Does not narrow the binding; `release(unique)` does.
   *
   * @throws KernelError `EBUSY` while mapped or locked; `EALREADY` when already consumed.
   */
  release(): void;
}

/**
 * The unique members as they are after `intoShared()`: each demands a `this` of type
 * {@link UniqueFolioWasConsumed}, so every call is a compile error that says so.
 */
export interface ConsumedUniqueMembers {
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  mapMut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  write(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  memcpyToFolio(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  zeroOut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  forEachChunkMut(this: UniqueFolioWasConsumed, ...args: readonly unknown[]): never;
  /** Consumed: see {@link UniqueFolioWasConsumed}. */
  intoShared(this: UniqueFolioWasConsumed): asserts this is SharedFolio;
  /** Consumed: see {@link UniqueFolioWasConsumed}; drop the shared handle with `put()`. */
  release(this: UniqueFolioWasConsumed): void;
}

/**
 * What a `UniqueFolio` binding is after `intoShared()`: an `ARef<Folio>` whose unique members no
 * longer compile.
 */
export type SharedFolio = ARef<Folio> & ConsumedUniqueMembers;

/**
 * A folio that no other handle aliases: the {@link Folio} members plus writing without a lock.
 *
 * @remarks
 * Only {@link Folio.alloc} and {@link Folio.intoUnique} make one. Bind it with an explicit type
 * (`const unique: UniqueFolio = Folio.alloc(0)`) so `intoShared()` and `release()` narrow it.
 *
 * @invariant No other handle object of the folio exists while the UniqueFolio is live (unique
 *   aliasing; the refcount may still be above 1 through spurious references).
 * @invariant At most one write mapping, or any number of read mappings, is live; no exclusive
 *   operation runs while any mapping is live.
 *
 * @example
 * ```ts
 * declare const superblock: Uint8Array, header: Uint8Array;
 *
 * using unique: UniqueFolio = Folio.alloc(2, GFP_KERNEL | __GFP_ZERO);
 * unique.mapMut(0, ({ view }) => view.set(superblock));
 * unique.map(0, (a) => unique.write(0, header));
 * // KernelError EBUSY: memcpy_to_folio: exclusive use while a read mapping is live (liveBorrow="read mapping at offset 0")
 * ```
 */
export interface UniqueFolio extends Folio, UniqueFolioMembers, Disposable {
  /** Drops the reference unless the handle was already consumed; called by `using`. */
  [Symbol.dispose](): void;
}
