/**
 * Closure-scoped folio mappings: {@link MapGuard} and its views, {@link FolioView} (writable) and
 * {@link ReadonlyFolioView} (read-only by type).
 *
 * @remarks
 * A mapping is a `kmap_local_folio(folio, offset)`: it starts at a byte offset (the thread moved
 * from page indexes to bytes: "it's just folio.map(offset: usize)") and reaches the end of that page
 * on HIGHMEM (and in force-map debug mode) and the end of the folio otherwise. Callers that walk a
 * range use the chunk iteration of the folio handles, which loops exactly as `memcpy_from_folio`
 * does, so the same code runs on every machine.
 *
 * Mappings are lent to a closure, never returned: `kmap_local` mappings must be released in LIFO
 * order, and nested closures release in exactly that order. A guard or view returned from the
 * closure, or stored in an object it returns, is a compile error saying the mapping cannot outlive
 * its closure (M8).
 *
 * Closures must be synchronous: a mapping cannot stay live across an `await` (it belongs to the
 * CPU's LIFO stack of slots). A closure that returns a promise gets its mapping released at once,
 * its guard turns dead, and the call fails with `EINVAL` "a mapping closure must be synchronous";
 * the rest of an `async` closure still runs later, and reading `guard.view` there is `EFAULT`.
 *
 * @module
 */
import { checkClosure, checkIndex } from "../../args.js";
import { kernelError } from "../../errors.js";
import { lifetimeBrand, type NoEscape } from "../../ownership/index.js";
import { checkSynchronous, privateConstructor } from "../internal/mm-args.js";
import type { FolioState, MapAccess, MappingRegistry } from "./folio-state.js";
import type { FolioView, ReadonlyFolioView } from "./folio-view.js";

export type { MapAccess } from "./folio-state.js";

/**
 * The view type of a mapping with the given access.
 *
 * @typeParam Lifetime - The closure's lifetime.
 * @typeParam Access - `"read"` or `"write"`.
 */
export type MappedView<Lifetime, Access extends MapAccess> = Access extends "write" ? FolioView<Lifetime> : ReadonlyFolioView<Lifetime>;

/**
 * The closure a mapping is lent to: its result must not contain the guard or its view.
 *
 * @typeParam Access - The mapping's access.
 * @typeParam Result - What the closure returns.
 */
export type MapBody<Access extends MapAccess, Result> = <Lifetime>(guard: MapGuard<Lifetime, Access>) => NoEscape<Result, Lifetime>;

/** What `MapGuard`'s static block grants: the engine of every folio `map`/`mapMut` method. */
interface MapGuardFriend {
  /**
   * Maps a folio and lends a new guard to `body`; the guard dies, the registry entry ends and the
   * slot is released when `body` returns or throws, in that order.
   *
   * @throws KernelError `EINVAL` for a bad offset or `body`, or when `body` returned a promise;
   *   `EBUSY` from the registry; the core's errors from the mapping.
   */
  readonly mapWith: <Access extends MapAccess, Result>(
    state: FolioState,
    mappings: MappingRegistry | null,
    access: Access,
    op: string,
    offset: number,
    body: MapBody<Access, Result>,
  ) => Result;
}

/** Set by `MapGuard`'s static block, the only code that constructs a guard or ends it. */
let friend: MapGuardFriend;

/** The key of `MapGuard`'s constructor: module-local, so only `mapWith` constructs a guard. */
const GUARD_KEY: unique symbol = Symbol("MapGuard");

/**
 * A live `kmap_local` mapping of a folio, lent to a closure: the view from `offset` to the end of
 * the page (HIGHMEM, force-map) or of the folio (otherwise).
 *
 * @invariant While the closure runs, the guard's mapping is live on the CPU that made it and its
 *   view covers `[offset, offset + length)` of the folio, never past the folio's end.
 * @invariant The mapping is released when the closure returns or throws, innermost first.
 * @invariant A `"write"` guard exists only while no other mapping of the same exclusive handle is live.
 *
 * @typeParam Lifetime - The closure's lifetime; keeps the guard from escaping (M8).
 * @typeParam Access - `"read"` (shared view) or `"write"`.
 *
 * @example
 * ```ts
 * declare const shared: ARef<Folio>;
 *
 * const first = shared.map(0, (guard) => guard.view[0]);   // ok
 * const leaked = shared.map(0, (guard) => guard);
 * // error TS2741: Property '"a borrow cannot outlive its closure: ..."' is missing in type 'MapGuard<Lifetime, "read">' ...
 * ```
 */
export class MapGuard<Lifetime, Access extends MapAccess = "read"> {
  /** The lifetime brand; exists in the type only. */
  declare readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime;
  /** The folio byte offset of `view[0]`. */
  readonly offset: number;
  readonly #view: Uint8Array;
  #live = true;

  private constructor(key: typeof GUARD_KEY, view: Uint8Array, offset: number) {
    // `private` binds the type only: the module-local key refuses a guard made outside `mapWith`.
    if (key !== GUARD_KEY) throw privateConstructor("MapGuard", "a folio's map() or mapMut()");
    this.#view = view;
    this.offset = offset;
  }

  /**
   * The mapped bytes, from {@link MapGuard.offset} to the end of the page or folio.
   *
   * @remarks
   * Do not keep the view itself (captured in an outer variable) after the closure returns: a
   * JavaScript view cannot be revoked, and the memory may be unmapped, freed and reused. Types
   * reject returning it (M8); capturing it is caught by the lint rules and, with `debug.views`, at
   * its next use. Debug poisoning reports a later write.
   *
   * @throws KernelError `EFAULT` after the closure returned (a guard kept by capture).
   */
  get view(): MappedView<Lifetime, Access> {
    if (!this.#live) throw kernelError("EFAULT", "folio_map", "mapping used after its closure returned", { offset: this.offset });
    // SAFETY: By MapGuard's first invariant the mapping is live while #live is true, and by the
    // invariants of FolioView/ReadonlyFolioView (a subset of Uint8Array's members, none that
    // writes for "read", and a type-only brand) its Uint8Array is a MappedView.
    return this.#view as unknown as MappedView<Lifetime, Access>;
  }

  /** The number of mapped bytes. */
  get length(): number {
    return this.#view.length;
  }

  static {
    const mapWith = <Access extends MapAccess, Result>(
      state: FolioState,
      mappings: MappingRegistry | null,
      access: Access,
      op: string,
      offset: number,
      body: MapBody<Access, Result>,
    ): Result => {
      const { machine, pfn, gen } = state;
      checkClosure(op, body);
      checkIndex(op, "offset", offset, state.size());
      const token = mappings?.begin(op, access, access === "write" ? "write mapping" : "read mapping", offset);
      let id: number;
      try {
        id = machine.kmapLocal(pfn, gen, offset, access, op);
      } catch (error) {
        if (token !== undefined) mappings!.end(token);
        throw error;
      }
      let guard: MapGuard<unknown, Access> | undefined;
      try {
        guard = new MapGuard<unknown, Access>(GUARD_KEY, machine.kmapLocalView(id), offset);
        // SAFETY: By the definition of NoEscape<Result, Lifetime>, it is Result except for results
        // carrying a borrow, which the compiler rejected where the closure was written.
        const result = body(guard) as Result;
        checkSynchronous(op, result);
        return result;
      } finally {
        // INVARIANT: the guard dies and the borrow ends before the slot is released, LIFO.
        if (guard !== undefined) guard.#live = false;
        if (token !== undefined) mappings!.end(token);
        machine.kunmapLocal(id);
      }
    };
    friend = { mapWith };
  }
}

/**
 * Friend access to {@link MapGuard}'s constructor and end of life for the files of `mm/folio` (see
 * CONTRIBUTING.md, "Friend access").
 *
 * @internal
 */
// SAFETY: By ECMAScript class evaluation, MapGuard's static block above ran when the class was
// defined, before this line, so `friend` is assigned.
export const mapGuardFriend: MapGuardFriend = friend!;


