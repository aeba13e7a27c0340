/**
 * The run-time state every handle of one folio shares ({@link FolioState}), the registry of an
 * exclusive handle's live mappings ({@link MappingRegistry}), and the copy and chunk loops over
 * `kmap_local` mappings that the folio handles run. Internal to `mm/folio` (not exported from the
 * package).
 *
 * @remarks
 * Not to be confused with the lifetime brands of `ownership/borrow.ts`, which exist in types only:
 * the registry here is the run-time record that refuses a write while a mapping is live (M17, M29).
 *
 * @module
 */
import { checkBytes, checkClosure, checkRange, copyBytes, subBytes } from "../../args.js";
import type { Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import { checkSynchronous } from "../internal/mm-args.js";

/** Whether a mapping may only read, or may write. */
export type MapAccess = "read" | "write";

/** One live mapping: its access and what it is, formatted only for an error. */
interface LiveMapping {
  /** The mapping's access. */
  readonly access: MapAccess;
  /** What kind of borrow it is, for example `"read mapping"`. */
  readonly label: string;
  /** The folio byte offset it starts at. */
  readonly offset: number;
}

/** Describes a borrow in errors: `"read mapping at offset 16"`. */
function describeBorrow(label: string, offset: number): string {
  return `${label} at offset ${offset}`;
}

/**
 * The registry of the live mappings of one exclusive handle (a {@link UniqueFolio} or a
 * {@link LockedFolio}): any number of read mappings, or one write mapping, and no exclusive
 * operation while any is live. (Errors call each entry a "borrow", the word of the rule it enforces.)
 *
 * @invariant `live` holds either only read entries or exactly one write entry, so its last entry
 *   is a write entry exactly when any entry is.
 */
export class MappingRegistry {
  private readonly live: LiveMapping[] = [];

  /**
   * Registers a mapping, or fails naming the live borrow it conflicts with (M29).
   *
   * @param op - The operation, for the error.
   * @param access - The new mapping's access.
   * @param label - What kind of borrow the new one is (`"read mapping"`), for later errors.
   * @param offset - The folio byte offset the new borrow starts at, for later errors.
   * @returns A token for {@link MappingRegistry.end}.
   * @throws KernelError `EBUSY` naming the conflicting live borrow.
   */
  begin(op: string, access: MapAccess, label: string, offset: number): object {
    const live = this.live;
    const count = live.length;
    // INVARIANT: a write borrow is alone in the list, so the last entry decides both conflicts.
    if (count !== 0 && (access === "write" || live[count - 1]!.access === "write")) this.conflict(op, access, label, offset);
    const token: LiveMapping = { access, label, offset };
    live.push(token);
    return token;
  }

  /**
   * Checks that a read that runs no caller code may happen now: no write mapping is live. Such a
   * read registers nothing, since no other use of the handle can start while it runs.
   *
   * @param op - The operation, for the error.
   * @param label - What the read is, for the error.
   * @param offset - The folio byte offset it starts at, for the error.
   * @throws KernelError `EBUSY` naming the live write borrow, as {@link MappingRegistry.begin} would.
   */
  readable(op: string, label: string, offset: number): void {
    const live = this.live;
    const count = live.length;
    if (count !== 0 && live[count - 1]!.access === "write") this.conflict(op, "read", label, offset);
  }

  /**
   * Ends a borrow registered by {@link MappingRegistry.begin}.
   *
   * @remarks
   * Every caller ends, in a `finally`, exactly the token its own `begin` on these borrows returned,
   * and nothing else removes an entry, so an unknown token is a bug in the kit: it fails loudly
   * rather than leave a borrow registered that would refuse exclusive use forever, or hide one
   * that ended twice.
   *
   * @param token - The token it returned.
   * @throws KernelError `EINVAL` naming the borrow when it is not live here (already ended, or
   *   begun on other borrows); nothing changes.
   */
  end(token: object): void {
    const live = this.live;
    // Closures end in LIFO order, so the token is almost always the last entry.
    if (live[live.length - 1] === token) {
      live.pop();
      return;
    }
    const index = live.indexOf(token as LiveMapping);
    if (index < 0) {
      const { label, offset } = token as Partial<LiveMapping>;
      throw kernelError("EINVAL", "borrow_end", "internal error: the borrow is not live on these borrows (ended twice, or begun on others)", {
        borrow: describeBorrow(String(label), Number(offset)),
      });
    }
    live.splice(index, 1);
  }

  /**
   * Fails when any mapping is live: the check of an exclusive operation (M17, M29).
   *
   * @param op - The exclusive operation.
   * @throws KernelError `EBUSY` naming the live borrow.
   */
  exclusive(op: string): void {
    const live = this.live;
    if (live.length === 0) return;
    const top = live[live.length - 1]!;
    throw kernelError("EBUSY", op, `exclusive use while a ${top.access} mapping is live`, { liveBorrow: describeBorrow(top.label, top.offset) });
  }

  private conflict(op: string, access: MapAccess, label: string, offset: number): never {
    const live = this.live;
    const conflict = access === "write" ? live[live.length - 1]! : live.find((borrow) => borrow.access === "write")!;
    throw kernelError("EBUSY", op, `a ${access} mapping conflicts with a live ${conflict.access} mapping`, {
      liveBorrow: describeBorrow(conflict.label, conflict.offset),
      requested: describeBorrow(label, offset),
    });
  }
}

/**
 * What every handle of one folio shares: the machine, the `(pfn, gen)` handle and, while the folio
 * is unique, the unique handle's borrows.
 *
 * @invariant `gen` is the generation the folio had when it was allocated; the core rejects the
 *   handle once the folio is freed, even if its pages are reused.
 * @invariant `unique` is true only while exactly one handle object of this folio exists.
 */
export class FolioState {
  // `declare`d fields, assigned in the constructor: the first store is the real value, so V8
  // tracks each field's type (see docs/performance-notes.md, "`declare`d fields").
  /** The machine the folio lives on. */
  declare readonly machine: Machine;
  /** The folio's first page. */
  declare readonly pfn: number;
  /** The generation of the handle. */
  declare readonly gen: number;
  /** Whether a UniqueFolio handle currently owns the folio. */
  declare unique: boolean;
  /** The unique handle's live mappings. */
  declare readonly mappings: MappingRegistry;
  /**
   * Whether the folio is in the direct map (not HIGHMEM, no force-map): a `kmap_local_folio` of it
   * then reaches the end of the folio, so a copy is one chunk and needs no mapping at all.
   */
  declare readonly direct: boolean;

  /**
   * Records a folio handle.
   *
   * @param machine - The machine the folio lives on.
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @param unique - Whether the handle is a UniqueFolio.
   */
  constructor(machine: Machine, pfn: number, gen: number, unique: boolean) {
    this.machine = machine;
    this.pfn = pfn;
    this.gen = gen;
    this.unique = unique;
    this.mappings = new MappingRegistry();
    // INVARIANT: forceMap and the HIGHMEM boundary are fixed for a machine's life, and a folio never
    // straddles the boundary; kmapLocal makes the same test to choose a mapping's end.
    this.direct = !machine.config.debug.forceMap && pfn < machine.highmemPfn;
  }

  /**
   * The folio's size in bytes, checking the handle.
   *
   * @returns `PAGE_SIZE << order`.
   * @throws KernelError `EFAULT` for a freed folio.
   */
  size(): number {
    return this.machine.blockBytes(this.pfn, this.gen);
  }
}

/**
 * Calls `body` once per mapped chunk of `[offset, offset + length)`, as `memcpy_from_folio` loops:
 * one chunk per page on HIGHMEM (and in force-map mode), one chunk for the whole range otherwise.
 *
 * @param state - The folio.
 * @param op - The operation, for the error.
 * @param offset - The first byte; checked by the caller.
 * @param length - The number of bytes; checked by the caller.
 * @param body - Receives each chunk's view (exactly the chunk's bytes) and its folio offset.
 * @param access - The mappings' access when the views are lent to caller code (`"read"` views
 *   refuse writes with `debug.views`); `null` for the kit's own copies, which get the raw bytes.
 * @throws KernelError `EINVAL` when `body` returns a promise, after releasing that chunk's mapping.
 *
 * @remarks
 * Does no checking of the range: the caller checked it. `body` must not keep the view: it comes
 * from a `kmap_local` mapping released after the call (with `debug.views` a lent view stops working
 * then; a raw one cannot be revoked).
 */
export function forEachChunk(
  state: FolioState,
  op: string,
  offset: number,
  length: number,
  body: (view: Uint8Array, at: number) => unknown,
  access: MapAccess | null = null,
): void {
  const { machine, pfn, gen } = state;
  const end = offset + length;
  let at = offset;
  while (at < end) {
    const id = machine.kmapLocal(pfn, gen, at, access ?? "write", op);
    try {
      // SAFETY: By the invariant of a kmap_local slot (its view is valid until kunmapLocal), the
      // view is used only before the `finally` below unmaps it; raw bytes (access null) go only
      // to the kit's own copies in this file, which keep no reference.
      const view = access === null ? machine.kmapLocalBytes(id) : machine.kmapLocalView(id);
      const n = Math.min(view.length, end - at);
      checkSynchronous(op, body(n === view.length ? view : view.subarray(0, n), at));
      at += n;
    } finally {
      machine.kunmapLocal(id);
    }
  }
}

/**
 * Copies folio bytes into `dst` chunk by chunk (`memcpy_from_folio`).
 *
 * @param state - The folio.
 * @param op - The operation name.
 * @param dst - Receives `dst.length` bytes.
 * @param offset - The first folio byte.
 * @throws KernelError `EINVAL` for a bad range or `dst`; `EFAULT` for a freed folio.
 */
export function copyFromFolio(state: FolioState, op: string, dst: Uint8Array, offset: number): void {
  const length = checkBytes(op, "dst", dst);
  checkRange(op, "folio", offset, length, state.size());
  if (state.direct) {
    // One chunk covers the range on a direct-mapped folio (see forEachChunk): copy it in one call.
    state.machine.read(state.pfn, state.gen, offset, dst);
    return;
  }
  // SAFETY: By the checkBytes and checkRange above, every chunk [at, at + view.length) lies in
  // dst at at - offset; copyBytes is the intrinsic set, so no method of dst runs half-way.
  forEachChunk(state, op, offset, length, (view, at) => copyBytes(dst, view, at - offset));
}

/**
 * Copies `src` into the folio chunk by chunk (`memcpy_to_folio`).
 *
 * @param state - The folio.
 * @param op - The operation name.
 * @param offset - The first folio byte.
 * @param src - The bytes to write.
 * @throws KernelError `EINVAL` for a bad range or `src` (nothing written); `EFAULT` for a freed folio.
 */
export function copyToFolio(state: FolioState, op: string, offset: number, src: Uint8Array): void {
  const length = checkBytes(op, "src", src);
  checkRange(op, "folio", offset, length, state.size());
  if (state.direct) {
    // One chunk covers the range on a direct-mapped folio (see forEachChunk): copy it in one call.
    state.machine.write(state.pfn, state.gen, offset, src);
    return;
  }
  // SAFETY: By the checkBytes (src's real byte length) and checkRange above, each chunk's source
  // subarray lies in src; copyBytes and subBytes are intrinsics, so nothing the caller overrides
  // runs half-way and a multi-page copy writes every page or (failing before the first) none.
  forEachChunk(state, op, offset, length, (view, at) => copyBytes(view, subBytes(src, at - offset, at - offset + view.length), 0));
}

/**
 * Zeroes `[offset, offset + length)` chunk by chunk (`folio_zero_range`).
 *
 * @param state - The folio.
 * @param op - The operation name.
 * @param offset - The first byte.
 * @param length - The number of bytes.
 * @throws KernelError `EINVAL` for a bad range (nothing written); `EFAULT` for a freed folio.
 */
export function zeroFolioRange(state: FolioState, op: string, offset: number, length: number): void {
  checkRange(op, "folio", offset, length, state.size());
  if (state.direct) {
    // One chunk covers the range on a direct-mapped folio (see forEachChunk): zero it in one call.
    state.machine.fill(state.pfn, state.gen, offset, length, 0);
    return;
  }
  forEachChunk(state, op, offset, length, (view) => view.fill(0));
}

/**
 * Checks a chunk-iteration request and runs it.
 *
 * @param state - The folio.
 * @param op - The operation name.
 * @param offset - The first byte.
 * @param length - The number of bytes.
 * @param body - The caller's closure.
 * @param access - The chunks' access: `"read"` views refuse writes in debug mode.
 * @throws KernelError `EINVAL` for a bad range or closure.
 */
export function checkedChunks(state: FolioState, op: string, offset: number, length: number, body: (view: never, at: number) => unknown, access: MapAccess): void {
  checkClosure(op, body);
  checkRange(op, "folio", offset, length, state.size());
  // SAFETY: By the invariants of FolioView and ReadonlyFolioView (a subset of Uint8Array's members
  // and a type-only lifetime brand), every view type a handle's `body` takes is the chunk's
  // Uint8Array; forEachChunk lends it for the call only.
  forEachChunk(state, op, offset, length, body as unknown as (view: Uint8Array, at: number) => unknown, access);
}
