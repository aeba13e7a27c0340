/**
 * The page handle: {@link Page} (one owned page, `struct page` of order 0, never refcounted), its
 * base {@link PageAccess} (reading, writing and mapping through the `(pfn, gen)` handle), the
 * borrower's {@link BorrowedPage}, and the move {@link intoPhys}.
 *
 * @remarks
 * A page's lifetime belongs to whoever allocated it (thread 003: "'page' is too low-level an object
 * to have its own lifecycle"), so a page is held as `Owned<Page>` and asking for `ARef<Page>` does
 * not compile. Shared use on the TypeScript side is `Arc<Owned<Page>>` (thread 004). The class type
 * `Page` is the borrower's view: it has every method except the ones that free the page, so a
 * function that only reads or writes a page takes a `Page` and its caller keeps ownership.
 *
 * The handle's private state (its generation and borrow scope) lives in `Page`, the leaf class:
 * on Node 20 (V8 11) a base class that declares fields makes every construction of a subclass go
 * through a call that is not inlined (about 20 ns per page), while a leaf class's fields cost what
 * plain stores do. `Page`'s static block gives {@link PageAccess} (in this file) and `KmapLocal`
 * (through {@link pageFriend}) their access to it; see CONTRIBUTING.md, "Friend access".
 *
 * Every access goes through the core, which rejects a handle whose page was freed or reallocated
 * (use after free, M20) and reports a second release (M19), with the allocation and free stacks in
 * debug mode.
 *
 * @module
 */
import { checkBytes, checkClosure, checkRange, isObjectLike } from "../../args.js";
import { PG_owner_priv_1, PG_free, __GFP_COMP, type Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import {
  OwnableResource,
  assertUnsafe,
  notRefCountedBecause,
  unsafeActive,
  type IfAlreadyMoved,
  type LifetimeBrand,
  type NoEscape,
  type Owned,
  type Unsafe,
} from "../../ownership/index.js";
import { adoptOwnedUnchecked } from "../../ownership/Owned.js";
import { checkSynchronous, machineArg, privateConstructor } from "../internal/mm-args.js";
import { checkPhysAddr, toPhysAddr, type Pfn, type PhysAddr } from "../units/addr.js";
import type { Gfp } from "../units/gfp.js";
import type { PageView } from "./page-view.js";
import { isUserSliceReader, type UserSliceReader } from "./user-slice.js";

/**
 * What `Page`'s static block grants: the checked generation and the borrow scope of a handle, for
 * {@link PageAccess} here and `KmapLocal`; the constructor and the hand-over, for this file only.
 */
interface PageFriend {
  /**
   * The generation of a page handle after checking that the handle may be used: a genuine `Page`
   * (a brand check), not handed over with `intoPhys`, and for a borrow, its `unsafe` block still
   * running.
   *
   * @throws KernelError `EINVAL` for a value that is not a page; `EFAULT` otherwise.
   */
  readonly handle: (page: PageAccess, op: string) => number;
  /**
   * The `unsafe` token that bounds a borrowed page, or `undefined` for an owned page: what a
   * mapping of the page must end with. Does no checking: the caller checked the handle first.
   */
  readonly scopeToken: (page: PageAccess) => Unsafe<unknown> | undefined;
  /**
   * The machine of a handle, from its private state (never the `machine` property, which an own
   * property defined on the handle could shadow). Does no checking: the caller checked the handle.
   */
  readonly machine: (page: PageAccess) => Machine;
  /** The frame of a handle, from its private state, as {@link PageFriend.machine}. */
  readonly pfn: (page: PageAccess) => Pfn;
  /** Makes a handle (the private constructor). */
  readonly make: (machine: Machine, pfn: number, gen: number, scope: BorrowScope | undefined) => Page;
  /** Hands an owner over for `intoPhys`. */
  readonly handOver: (page: Page) => void;
  /** Marks a handed-over page as waiting for `Page.fromPhys`. */
  readonly markWaiting: (page: Page) => void;
}

/** Set by `Page`'s static block, the only code that reads or writes a handle's private state. */
let friend: PageFriend;
/** `friend.machine`, in a slot of its own: it is on every access path (see `friend.machine`). */
let machineOf: PageFriend["machine"];
/** `friend.pfn`, in a slot of its own, as {@link machineOf}. */
let pfnOf: PageFriend["pfn"];

/**
 * The state of the next page `friend.make` constructs, read by `Page`'s field initialisers: set
 * only by `friend.make`, on the line before its `new Page(PAGE_KEY)` (module-local, and the key
 * refuses any other construction). The numbers keep the last page's values until the next one; the
 * machine and the scope are emptied once the page is made, so they keep nothing alive.
 */
let nextMachine: Machine | undefined;
/** See {@link nextMachine}. */
let nextPfn: Pfn;
/** See {@link nextMachine}. */
let nextGen: number;
/** See {@link nextMachine}. */
let nextScope: BorrowScope | undefined;

/** The key of `Page`'s constructor: module-local, so only `friend.make` constructs a page. */
const PAGE_KEY: unique symbol = Symbol("Page");

/** What a borrowed page keeps of the `unsafe` token that bounds it. */
export interface BorrowScope {
  /** Whether the `unsafe` block still runs. */
  readonly active: boolean;
  /** The block's justification, for messages. */
  readonly reason: string;
}

/**
 * Reading, writing and mapping one page through its `(pfn, gen)` handle; the base of {@link Page},
 * which is its only subclass (use {@link Page}).
 *
 * @invariant `(machine, pfn, gen)` named an order-0 page (or one page of RAM, for a borrow) when
 *   the handle was made.
 * @invariant A handle handed over with `intoPhys`, or a borrow whose `unsafe` block ended, refuses
 *   every access with `EFAULT`.
 */
export abstract class PageAccess extends OwnableResource {
  // Accessors over `Page`'s private fields, not properties: a handle whose `pfn` or `machine` could
  // be reassigned would reach (and free) another owner's page of the same generation. All of a
  // handle's state lives in `Page`, the leaf class (no field in a base class; see the module notes).
  /** The machine the page belongs to (its `pageConsts(page.machine)` give `PAGE_SIZE`). */
  abstract get machine(): Machine;
  /** The page frame number. */
  abstract get pfn(): Pfn;

  // No constructor of its own: V8 (--omit-default-ctors, on since V8 11) skips a class's default
  // constructor, so `Page`'s `super()` runs `OwnableResource`'s directly, one inlined call fewer on
  // every allocation. The class is abstract, so `new PageAccess()` does not compile either way; a
  // subclass outside this file has no `Page` state and every access refuses it (EINVAL).

  /**
   * The page's physical address (`page_to_phys`).
   *
   * @returns `pfn << PAGE_SHIFT`, page-aligned.
   * @throws KernelError `EFAULT` after {@link intoPhys}, after the owner released the page, or
   *   when a borrow's block ended.
   */
  phys(): PhysAddr {
    friend.handle(this, "page_to_phys");
    this.assertLive("page_to_phys");
    return toPhysAddr(pfnOf(this) * machineOf(this).pageSize);
  }

  /**
   * Whether the page lies in HIGHMEM (`PageHighMem`): reachable only through local mappings.
   *
   * @throws KernelError `EFAULT` after {@link intoPhys}, when a borrow's block ended, or for a
   *   freed or reallocated page (use after free, as for `read`).
   */
  get isHighmem(): boolean {
    // The brand check first: a getter called with another `this` is EINVAL, not a TypeError.
    const gen = friend.handle(this, "PageHighMem");
    machineOf(this).checkHandle("PageHighMem", pfnOf(this), gen);
    return machineOf(this).isHighmem(pfnOf(this));
  }

  /**
   * Runs `fn` with the page mapped on the current CPU (`with_page_mapped`, over `kmap_local_page`).
   *
   * @remarks
   * The view is valid for `PAGE_SIZE` bytes, only while `fn` runs, and only on the current CPU
   * (thread 002). It takes one of the CPU's local mapping slots, released when `fn` returns or
   * throws; `fn` must release every mapping it makes itself. Returning the view does not compile;
   * on a machine with `debug.views` (on with `debug: true`) a view kept past the closure fails with
   * `EFAULT` at its next use, otherwise it cannot be revoked, see {@link PageView}.
   *
   * `fn` must be synchronous: a local mapping belongs to the CPU's LIFO stack of slots and cannot
   * stay live across an `await`. When `fn` returns a promise (an `async` closure), the mapping is
   * released at once and the call fails with `EINVAL`; the part of `fn` after its first `await`
   * still runs later, so it must not touch the view.
   *
   * @typeParam Result - What `fn` returns; must not contain the view.
   * @param fn - The closure using the mapped bytes.
   * @returns What `fn` returned.
   * @throws KernelError `ENOSPC` when the CPU's slots are full (M23); `EFAULT` for a freed page;
   *   `EINVAL` (kunmap_local, LIFO) when `fn` left a mapping of its own live, in which case this
   *   call's own mapping stays live too (the machine's leak report lists it); `EINVAL` when `fn` is
   *   not a function; `EINVAL` "a mapping closure must be synchronous" when `fn` returned a
   *   promise, after releasing the mapping.
   *
   * @example
   * ```ts
   * declare const page: Owned<Page>;
   *
   * const first = page.withPageMapped((view) => view[0]);
   * page.withPageMapped((view) => view);
   * // error TS2741: Property '"a borrow cannot outlive its closure: ..."' is missing in type 'PageView<Lifetime>' ...
   * ```
   */
  withPageMapped<Result>(fn: <Lifetime>(view: PageView<Lifetime>) => NoEscape<Result, Lifetime>): Result {
    const op = "with_page_mapped";
    const gen = friend.handle(this, op);
    checkClosure(op, fn);
    const machine = machineOf(this);
    const id = machine.kmapLocal(pfnOf(this), gen, 0, "write", op);
    try {
      // SAFETY: By the invariant of PageView (it declares a subset of Uint8Array's members and a
      // type-only brand) the mapping's own PAGE_SIZE bytes are a PageView; by the definition of
      // NoEscape<Result, Lifetime>, it is Result unless the compiler rejected the closure.
      const result = fn(machine.kmapLocalView(id) as unknown as PageView<unknown>) as Result;
      checkSynchronous(op, result);
      return result;
    } finally {
      machine.kunmapLocal(id);
    }
  }

  /**
   * Runs `fn` with `len` bytes of the page from `offset` mapped (`with_pointer_into_page`).
   *
   * @remarks
   * The rules of {@link Page.withPageMapped} apply: `fn` must be synchronous, and a promise it
   * returns fails the call with `EINVAL` once the mapping is released.
   *
   * @typeParam Result - What `fn` returns; must not contain the view.
   * @param offset - The first byte, `0 <= offset <= PAGE_SIZE`.
   * @param len - The number of bytes, `offset + len <= PAGE_SIZE`.
   * @param fn - The closure using the bytes.
   * @returns What `fn` returned.
   * @throws KernelError `EINVAL` when the range leaves the page or a number is bad, without calling
   *   `fn` (M25); otherwise as {@link Page.withPageMapped}.
   *
   * @example
   * ```ts
   * declare const page: Owned<Page>;
   *
   * page.withPointerIntoPage(16, 4, (bytes) => { bytes.fill(7); });
   * page.withPointerIntoPage(4095, 2, () => 0); // KernelError EINVAL: range leaves the page
   * ```
   */
  withPointerIntoPage<Result>(offset: number, len: number, fn: <Lifetime>(view: PageView<Lifetime>) => NoEscape<Result, Lifetime>): Result {
    const op = "with_pointer_into_page";
    const gen = friend.handle(this, op);
    checkClosure(op, fn);
    checkRange(op, "page", offset, len, machineOf(this).pageSize);
    const machine = machineOf(this);
    const id = machine.kmapLocal(pfnOf(this), gen, 0, "write", op);
    try {
      // SAFETY: By the checkRange above, [offset, offset + len) lies in the page; by the invariant
      // of PageView (a subset of Uint8Array's members and a type-only brand) the subarray is one.
      const result = fn(machine.kmapLocalView(id).subarray(offset, offset + len) as unknown as PageView<unknown>) as Result;
      checkSynchronous(op, result);
      return result;
    } finally {
      machine.kunmapLocal(id);
    }
  }

  /**
   * Copies `length` bytes from `offset` into a new array (`memcpy_from_page`).
   *
   * @param offset - The first byte.
   * @param length - How many bytes; `offset + length <= PAGE_SIZE`.
   * @returns The bytes.
   * @throws KernelError `EINVAL` when the range leaves the page or a number is bad (M25); `EFAULT`
   *   for a freed page (M20, with stacks in debug mode).
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Copies `into.length` bytes from `offset` into `into` (`memcpy_from_page`).
   *
   * @param offset - The first byte.
   * @param into - The destination; `offset + into.length <= PAGE_SIZE`.
   * @returns `into`.
   * @throws KernelError as the other overload; `EINVAL` when `into` is not a `Uint8Array`.
   */
  read(offset: number, into: Uint8Array): Uint8Array;
  read(offset: number, lengthOrInto: number | Uint8Array): Uint8Array {
    const op = "memcpy_from_page";
    const gen = friend.handle(this, op);
    let length: number;
    if (typeof lengthOrInto === "number") length = lengthOrInto;
    else {
      // The real byte length (intrinsic getter), not the overridable `length` property.
      length = checkBytes(op, "into", lengthOrInto);
    }
    checkRange(op, "page", offset, length, machineOf(this).pageSize);
    const dst = typeof lengthOrInto === "number" ? new Uint8Array(length) : lengthOrInto;
    machineOf(this).read(pfnOf(this), gen, offset, dst);
    return dst;
  }

  /**
   * Copies `bytes` into the page at `offset` (`memcpy_to_page`).
   *
   * @param offset - The first byte.
   * @param bytes - The bytes; `offset + bytes.length <= PAGE_SIZE`.
   * @throws KernelError `EINVAL` when the range leaves the page, a number is bad or `bytes` is not a
   *   `Uint8Array`, nothing written (M25); `EFAULT` for a freed page (M20).
   */
  write(offset: number, bytes: Uint8Array): void {
    const op = "memcpy_to_page";
    const gen = friend.handle(this, op);
    const length = checkBytes(op, "bytes", bytes);
    checkRange(op, "page", offset, length, machineOf(this).pageSize);
    machineOf(this).write(pfnOf(this), gen, offset, bytes);
  }

  /**
   * Sets `len` bytes from `offset` to zero (`memzero_page`).
   *
   * @param offset - The first byte.
   * @param len - How many bytes; `offset + len <= PAGE_SIZE`.
   * @throws KernelError `EINVAL` when the range leaves the page or a number is bad, nothing written
   *   (M25); `EFAULT` for a freed page (M20).
   */
  fillZero(offset: number, len: number): void {
    const op = "memzero_page";
    const gen = friend.handle(this, op);
    checkRange(op, "page", offset, len, machineOf(this).pageSize);
    machineOf(this).fill(pfnOf(this), gen, offset, len, 0);
  }

  /**
   * Copies `len` bytes from a user-space reader straight into the page at `offset` (Binder's
   * `copy_from_user` into a mapped page).
   *
   * @param reader - The source; `reader.length >= len`.
   * @param offset - The first byte of the page.
   * @param len - How many bytes; `offset + len <= PAGE_SIZE`.
   * @throws KernelError `EINVAL` for a bad range, or a reader not made by `userSliceReader` (M25); `EFAULT` when the reader has fewer
   *   than `len` bytes, nothing written, or fails part-way (bytes before the fault may be written).
   */
  copyFromUser(reader: UserSliceReader, offset: number, len: number): void {
    const op = "copy_from_user";
    friend.handle(this, op);
    // Only a reader made by userSliceReader: a look-alike's readInto would receive the page's view.
    if (!isUserSliceReader(reader)) throw kernelError("EINVAL", op, "reader is not a UserSliceReader", { reader });
    checkRange(op, "page", offset, len, machineOf(this).pageSize);
    if (!(reader.length >= len)) throw kernelError("EFAULT", op, "user buffer is shorter than len", { len, available: reader.length });
    this.withPointerIntoPage(offset, len, (dst) => {
      reader.readInto(dst);
    });
  }

  /**
   * Copies `into.length` bytes from `offset` into `into`, without mm's argument checks
   * (`read_raw`).
   *
   * @safety
   * - The range `[offset, offset + into.length)` lies within the page.
   * - Concurrent accesses to the page are both reads, both atomic, or to disjoint byte ranges.
   * - Without `__GFP_ZERO` the page may hold uninitialised bytes (whatever it held before).
   *
   * @remarks The core still rejects what would be undefined behaviour in the kernel (its KASAN).
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param offset - The first byte.
   * @param into - The destination.
   * @throws KernelError `EPERM` for a token whose block ended; core errors for a broken contract.
   */
  readRaw<Lifetime>(token: Unsafe<Lifetime>, offset: number, into: Uint8Array): void {
    assertUnsafe(token, "read_raw");
    const gen = friend.handle(this, "read_raw");
    machineOf(this).read(pfnOf(this), gen, offset, into);
  }

  /**
   * Copies `bytes` into the page at `offset`, without mm's argument checks (`write_raw`).
   *
   * @safety
   * - The range `[offset, offset + bytes.length)` lies within the page.
   * - Concurrent accesses to the page are both reads, both atomic, or to disjoint byte ranges.
   * - Without `__GFP_ZERO` the rest of the page may hold uninitialised bytes.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param offset - The first byte.
   * @param bytes - The bytes.
   * @throws KernelError `EPERM` for a token whose block ended; core errors for a broken contract.
   */
  writeRaw<Lifetime>(token: Unsafe<Lifetime>, offset: number, bytes: Uint8Array): void {
    assertUnsafe(token, "write_raw");
    const gen = friend.handle(this, "write_raw");
    machineOf(this).write(pfnOf(this), gen, offset, bytes);
  }

  /**
   * Zeroes `len` bytes from `offset`, without mm's argument checks (`fill_zero_raw`).
   *
   * @safety
   * - The range `[offset, offset + len)` lies within the page.
   * - Concurrent accesses to the page are both reads, both atomic, or to disjoint byte ranges.
   * - Without `__GFP_ZERO` the rest of the page may hold uninitialised bytes.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param offset - The first byte.
   * @param len - How many bytes.
   * @throws KernelError `EPERM` for a token whose block ended; core errors for a broken contract.
   */
  fillZeroRaw<Lifetime>(token: Unsafe<Lifetime>, offset: number, len: number): void {
    assertUnsafe(token, "fill_zero_raw");
    const gen = friend.handle(this, "fill_zero_raw");
    machineOf(this).fill(pfnOf(this), gen, offset, len, 0);
  }

}

/**
 * A borrowed page: everything a {@link Page} can do except free it, valid for `Lifetime`.
 *
 * @remarks
 * Made by `Page.borrowPhys(token, addr)` and `Page.borrowPhysUnchecked(token, addr)`, whose
 * `Lifetime` is the `unsafe` block's: returning the borrow from that block does not compile, and
 * using it after the block ended is `EFAULT` at run time. It has no `release`, no disposal and
 * cannot be given to `intoPhys`, so releasing it does not compile (M9); a JavaScript caller who
 * calls `release` anyway gets `EPERM` ("resource is borrowed, not owned"), because the object was
 * never adopted by an owner.
 *
 * @invariant The page is not freed through a `BorrowedPage`.
 * @invariant A `BorrowedPage` is used only while the `unsafe` block that made it runs.
 *
 * @typeParam Lifetime - The lifetime of the borrow.
 *
 * @example
 * ```ts
 * declare const tableAddr: PhysAddr, entry: Uint8Array;
 *
 * unsafe("SAFETY: the top-level table is reserved RAM", (token) => {
 *   const table = Page.borrowPhys(token, tableAddr);
 *   table?.write(0, entry);
 *   table?.release();
 *   // error TS2339: Property 'release' does not exist on type 'BorrowedPage<Lifetime>'.
 * });
 * ```
 */
export interface BorrowedPage<Lifetime> extends Page, LifetimeBrand<Lifetime> {}

/**
 * The scope of a handle handed over with `intoPhys`: never active. Kept in the borrow-scope field
 * (an owned page has no scope), so one field holds both rare cases and the common case costs a
 * single `undefined` test.
 */
const HANDED_OVER: BorrowScope = Object.freeze({ active: false, reason: "handed over with intoPhys" });

/** `release` of every owner, captured at load (see handOver). */
const ownerRelease = (OwnableResource.prototype as unknown as Owned<Page>).release;

/**
 * One page of memory, owned by whoever allocated it; `Owned<Page>` is the owner, `Page` the
 * borrower's view.
 *
 * @invariant `(machine, pfn, gen)` named an order-0 page when the handle was made: a page from
 *   `alloc_page` for an owner, the page at that frame for a borrowed page.
 * @invariant An owned page goes back to the allocator exactly once, when its owner is released or
 *   disposed, unless it was handed over with {@link intoPhys}.
 * @invariant After {@link intoPhys} the handle is dead and the page carries `PG_owner_priv_1` until
 *   {@link Page.fromPhys} takes it back.
 * @invariant A borrowed page (from `borrowPhys`) is usable only while its `unsafe` block runs.
 *
 * @example
 * ```ts
 * {
 *   using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO);
 *   page.write(0, new Uint8Array([1, 2, 3]));
 *   page.withPageMapped((view) => view[1]); // 2
 * } // freed here
 *
 * type Counted = ARef<Page>;
 * // error TS2344: ... "ARef needs an AlwaysRefCounted resource: a page has no refcount; use Owned<Page>"
 * ```
 */
export class Page extends PageAccess {
  /** Why `ARef<Page>` does not compile; exists in the type only. */
  declare readonly [notRefCountedBecause]: "a page has no refcount; use Owned<Page>";

  // The fields take their values from `friend.make`'s module-local slots (see `nextPage`) in their
  // initialisers: each is defined once with its value, where fields declared without one and
  // assigned in the constructor are defined as `undefined` and then stored again. That keeps the
  // constructor and its field initialiser within V8's inlining budget of the allocation paths
  // (docs/performance-notes.md). Always the same four fields, in this order: one object shape.
  // INVARIANT: `machine` and `pfn` name the handle's page for its whole life (private, read-only).
  /** The machine the page belongs to. */
  // SAFETY: By the contract of nextMachine (set by friend.make on the line before its
  // `new Page(PAGE_KEY)`, emptied only after it), it holds this page's machine while this runs.
  readonly #machine: Machine = nextMachine as Machine;
  /** The page frame number. */
  readonly #pfn: Pfn = nextPfn;
  /** The page's generation when the handle was made. */
  readonly #gen: number = nextGen;
  /** A borrow's scope, {@link HANDED_OVER} after `intoPhys`, `undefined` for an owned page. */
  #scope: BorrowScope | undefined = nextScope;

  private constructor(key: typeof PAGE_KEY) {
    // `private` binds the type only: `Reflect.construct(Page, ...)` or a subclass would make a
    // handle to any frame. The module-local key refuses them before any state exists.
    if (key !== PAGE_KEY) throw pageConstructorRefused();
    super();
  }

  /** The machine the page belongs to (its `pageConsts(page.#machine)` give `PAGE_SIZE`). */
  get machine(): Machine {
    // A getter called with another `this` is EINVAL, not the TypeError of the private field's
    // brand check (caught rather than tested first: the accessors are on every page access path).
    try {
      return this.#machine;
    } catch {
      throw notAPage("page.#machine", this);
    }
  }

  /** The page frame number. */
  get pfn(): Pfn {
    try {
      return this.#pfn;
    } catch {
      throw notAPage("page.#pfn", this);
    }
  }

  static {
    friend = {
      handle: (page, op) => {
        // SAFETY: By the brand check on the next line (`#gen in handle`, which Object.create(Page.prototype),
        // a Proxy and a non-object fail), `handle` is a genuine Page.
        const handle = page as Page;
        if (!isObjectLike(handle) || !(#gen in handle)) throw kernelError("EINVAL", op, "not a Page", { page: page });
        const scope = handle.#scope;
        // The token's private state decides, never a property a caller could have set.
        if (scope !== undefined && (scope === HANDED_OVER || !unsafeActive(scope))) {
          if (scope === HANDED_OVER) throw kernelError("EFAULT", op, "page was handed over with intoPhys", { pfn: handle.#pfn });
          throw kernelError("EFAULT", op, "borrowed page used after its unsafe block ended", { pfn: handle.#pfn, reason: scope.reason });
        }
        return handle.#gen;
      },
      scopeToken: (page) => {
        // SAFETY: By PageFriend.scopeToken's contract the caller checked the handle with `handle`
        // first, so `page` is a genuine Page; by the #scope field's invariant a scope other than
        // HANDED_OVER is the Unsafe token borrowPhys was given.
        const scope = (page as Page).#scope;
        return scope === undefined || scope === HANDED_OVER ? undefined : (scope as Unsafe<unknown>);
      },
      // SAFETY: By the contracts of PageFriend.machine and .pfn, the caller checked the handle with
      // `handle` first, so `page` is a genuine Page.
      machine: (page) => (page as Page).#machine,
      pfn: (page) => (page as Page).#pfn,
      make: (machine, pfn, gen, scope) => {
        nextMachine = machine;
        // SAFETY: By the contract of PageFriend.make (its callers got `pfn` from the core's
        // allocPages or pageGen, which refuse a frame without metadata), pfn <= PFN_MAX: the Pfn invariant.
        nextPfn = pfn as Pfn;
        nextGen = gen;
        nextScope = scope;
        // Nothing runs between the stores above and the field initialisers that read them (the
        // base constructors call no code outside ownership/), so they are this page's.
        const page = new Page(PAGE_KEY);
        // The object slots are emptied again: kept, they would hold the last page's machine (and a
        // borrow's `unsafe` token) alive after every page of it was released.
        nextMachine = undefined;
        nextScope = undefined;
        return page;
      },
      handOver: (page) => {
        friend.handle(page, "into_phys");
        if (!page.isLive) throw kernelError("EALREADY", "into_phys", "page was already released", { pfn: page.#pfn });
        // A page handed over while mapped would reach its next owner through the live mapping.
        page.#machine.checkUnmapped("into_phys", page.#pfn, 0);
        const before = page.#scope;
        page.#scope = HANDED_OVER;
        try {
          // SAFETY: By OwnableResource's static block, release exists on every OwnableResource's
          // prototype; a borrowed page (never adopted) throws EPERM from it. The prototype's release,
          // not a property the caller may have redefined on the instance (a no-op there would leave
          // the page neither released nor marked as waiting).
          const owner: Owned<Page> = page as Owned<Page>;
          Reflect.apply(ownerRelease, owner, []);
        } catch (error) {
          page.#scope = before;
          throw error;
        }
      },
      markWaiting: (page) => {
        // INVARIANT: the mark tells fromPhys that the page is waiting for an owner (Page's third invariant).
        page.#machine.setPageFlag(page.#pfn, page.#gen, PG_owner_priv_1);
      },
    };
    machineOf = friend.machine;
    pfnOf = friend.pfn;
  }

  /**
   * Allocates one page (`alloc_page(gfp)`) with the caller's GFP flags.
   *
   * @param gfp - `GFP_KERNEL`, `GFP_KERNEL | __GFP_ZERO`, `GFP_HIGHUSER`, ...; without `__GFP_ZERO`
   *   the bytes are whatever the page last held. `__GFP_COMP` is refused: a page is not a folio.
   * @param machine - The machine; the default machine when omitted.
   * @returns The page's single owner.
   * @throws KernelError `EINVAL` for unknown flags, `__GFP_COMP` or a non-`Machine`; `ENOMEM` when
   *   no page is free. The machine is unchanged on error.
   *
   * @example
   * ```ts
   * import type { Machine } from "ownkit/core";
   * declare const machine: Machine;
   *
   * using page: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
   * Page.alloc(0x10000000); // KernelError EINVAL: alloc_pages: unknown GFP flags
   * ```
   */
  static alloc(gfp: Gfp, machine?: Machine): Owned<Page> {
    const target = machineArg("alloc_page", machine);
    if ((typeof gfp === "number" && (gfp >>> 0) === gfp) && (gfp & __GFP_COMP) !== 0) throw compoundRefused(gfp);
    const pfn = target.allocPages(gfp, 0);
    // INVARIANT: a fresh order-0 page with its allocation reference, held by this owner only.
    return adoptOwnedUnchecked(friend.make(target, pfn, target.pageGen(pfn), undefined));
  }

  /**
   * Takes back the ownership of a page given away with {@link intoPhys} (`Page::from_phys`).
   *
   * @safety
   * - `addr` came from {@link intoPhys} and nobody has taken it back since (the run time checks
   *   this one: a second call fails).
   * - Nothing that was given the address still uses the page as its own after this call.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param addr - The page-aligned physical address `intoPhys` handed out.
   * @param machine - The machine; the default machine when omitted.
   * @returns The page's owner again.
   * @throws KernelError `EBUSY` "the page already has an owner" when the page was not handed over
   *   or was already taken back (M27); `EINVAL` for a bad or unaligned address, a frame that is not
   *   RAM, or a page that is not an order-0 allocation; `EFAULT` for a free page; `EPERM` for a
   *   token whose block ended.
   *
   * @example
   * ```ts
   * declare const page: Owned<Page>;
   *
   * const addr = page.phys();
   * intoPhys(page);
   * const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys above", (token) => Page.fromPhys(token, addr));
   * unsafe("SAFETY: wrong, taken back already", (token) => Page.fromPhys(token, addr));
   * // KernelError EBUSY: from_phys: the page already has an owner (pfn=...)
   * ```
   */
  static fromPhys<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): Owned<Page> {
    const op = "from_phys";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    if (!target.pfnValid(pfn) || !target.pageIsRam(pfn)) throw kernelError("EINVAL", op, "address is not RAM with a struct page", { addr, pfn });
    const flags = target.pageFlags(pfn);
    if (!target.isAllocated(pfn)) {
      if ((flags & PG_free) !== 0) throw kernelError("EFAULT", op, "page is free", { addr, pfn });
      throw kernelError("EINVAL", op, "page is reserved, not allocated", { addr, pfn });
    }
    if (target.blockHead(pfn) !== pfn || target.pageOrder(pfn) !== 0 || target.isCompoundHead(pfn)) {
      throw kernelError("EINVAL", op, "not an order-0 page", { addr, pfn, order: target.pageOrder(target.blockHead(pfn)) });
    }
    if ((flags & PG_owner_priv_1) === 0) {
      throw kernelError("EBUSY", op, "the page already has an owner (it was not handed over with intoPhys, or was taken back)", { addr, pfn });
    }
    const gen = target.pageGen(pfn);
    // INVARIANT: clearing the hand-over mark makes this the page's only owner; a second call fails above.
    target.clearPageFlag(pfn, gen, PG_owner_priv_1);
    return adoptOwnedUnchecked(friend.make(target, pfn, gen, undefined));
  }

  /**
   * Borrows the page at a physical address, after checking that it has a `struct page` and is RAM
   * (`Page::borrow_phys`); `null` for holes, MMIO and other non-RAM frames.
   *
   * @safety
   * - The page stays allocated (or reserved) and is not freed by its owner while the borrow is used.
   * - Accesses follow the rules of {@link Page.readRaw}: concurrent accesses to the same bytes are
   *   both reads, both atomic, or to disjoint ranges.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime, which bounds the borrow.
   * @param token - Proof of an `unsafe(reason, ...)` block; the borrow ends with the block.
   * @param addr - A page-aligned physical address.
   * @param machine - The machine; the default machine when omitted.
   * @returns The borrowed page, or `null` when no RAM page is there (M28).
   * @throws KernelError `EINVAL` for a bad or unaligned address; `EPERM` for a token whose block ended.
   *
   * @example
   * ```ts
   * declare const tableAddr: PhysAddr, mmioAddr: PhysAddr;
   *
   * const entries = unsafe("SAFETY: the firmware table is reserved RAM, never freed", (token) => {
   *   Page.borrowPhys(token, mmioAddr); // null
   *   const table = Page.borrowPhys(token, tableAddr);
   *   table?.release(); // error TS2339: Property 'release' does not exist on type 'BorrowedPage<Lifetime>'.
   *   return table?.read(0, 16);
   * });
   * ```
   */
  static borrowPhys<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): BorrowedPage<Lifetime> | null {
    const op = "borrow_phys";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    if (!target.pfnValid(pfn) || !target.pageIsRam(pfn)) return null;
    // SAFETY: By BorrowedPage's invariants: a never-adopted Page cannot free the page (release is
    // EPERM on a FRESH handle, Owned.ts), the lifetime brand exists in types only, and the token
    // stored as the scope bounds the borrow at run time (friend.handle checks it on every use).
    return friend.make(target, pfn, target.pageGen(pfn), token) as BorrowedPage<Lifetime>;
  }

  /**
   * Borrows the page at a physical address without checking that it is RAM
   * (`Page::borrow_phys_unchecked`).
   *
   * @safety
   * - `addr` is the address of a RAM page with a `struct page` (for example one from {@link intoPhys}
   *   or a page-table walk over pages the caller allocated).
   * - The rules of {@link Page.borrowPhys} hold.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime, which bounds the borrow.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param addr - A page-aligned physical address below the end of RAM.
   * @param machine - The machine; the default machine when omitted.
   * @returns The borrowed page; accesses to a hole or MMIO frame fail in the core with `EFAULT`.
   * @throws KernelError `EINVAL` for a bad or unaligned address or a frame without metadata;
   *   `EPERM` for a token whose block ended.
   */
  static borrowPhysUnchecked<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): BorrowedPage<Lifetime> {
    const op = "borrow_phys_unchecked";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    if (pfn >= target.nrPages) throw kernelError("EINVAL", op, "pfn is out of range: no struct page beyond RAM", { addr, pfn, nrPages: target.nrPages });
    const gen = target.pageGen(pfn);
    // SAFETY: By BorrowedPage's invariants, as in borrowPhys; that the frame is RAM is the caller's
    // promise under this method's @safety contract.
    return friend.make(target, pfn, gen, token) as BorrowedPage<Lifetime>;
  }

  /** Names the page in ownership errors: `Page pfn 0x10 (phys 0x10000, Normal)`. */
  protected override describeResource(): string {
    return `Page ${this.#machine.describePfn(this.#pfn)}`;
  }

  /** Frees the page (`__free_pages(page, 0)`), or marks it handed over for {@link intoPhys}. */
  protected override drop(): void {
    if (this.#scope === HANDED_OVER) friend.markWaiting(this);
    else this.#machine.freePages(this.#pfn, this.#gen, 0);
  }

  /** A second release: the core judges the stale handle, so debug mode reports both stacks (M19). */
  protected override releasedAgain(op: string): void {
    const gen = this.#gen;
    if (this.#scope === HANDED_OVER) {
      throw kernelError("EALREADY", op, "page was handed over with intoPhys; take it back with Page.fromPhys", { pfn: this.#pfn });
    }
    const machine = this.#machine;
    // A page that is free, or was reallocated since, makes the core throw its double-free report.
    if (!machine.isAllocated(this.#pfn) || machine.pageGen(this.#pfn) !== gen) machine.freePages(this.#pfn, gen, 0);
  }
}

// INVARIANT: `Page`'s super constructor stays `OwnableResource`'s (through `PageAccess`), which calls
// no caller code: `friend.make`'s slots are this page's when its field initialisers read them. A
// caller's `Object.setPrototypeOf(Page, …)` would otherwise run its own code (allocating another
// page, which refills the slots) between the fill and the initialisers, giving two owners one page.
Object.preventExtensions(PageAccess);
Object.preventExtensions(Page);

/** The error of `Page.alloc` for `__GFP_COMP`; out of line to keep the inlined factory short. */
function compoundRefused(gfp: Gfp): Error {
  return kernelError("EINVAL", "alloc_page", "__GFP_COMP makes a folio, not a page; use Folio.alloc", { gfp });
}

/** The error of `Page`'s constructor called without its key; out of line to keep the constructor short. */
function pageConstructorRefused(): Error {
  return privateConstructor("Page", "Page.alloc, Page.fromPhys or Page.borrowPhys");
}

/** The error of a page accessor called with another `this`. */
function notAPage(op: string, page: unknown): Error {
  return kernelError("EINVAL", op, "not a Page", { page });
}

/** Checks an address argument and returns its frame number; the address must be page-aligned. */
function frameOf(op: string, machine: Machine, addr: PhysAddr): number {
  checkPhysAddr(op, addr);
  if (addr % machine.pageSize !== 0) throw kernelError("EINVAL", op, "address is not page-aligned", { addr, pageSize: machine.pageSize });
  // A frame at or beyond the end of RAM (at most MAX_PAGES = 2^34 frames) has no metadata: the
  // checked borrow returns null, the others fail.
  return addr / machine.pageSize;
}

/**
 * Gives up the ownership of a page and leaves it allocated, to be found again by its physical
 * address (`Page::into_phys`); the binding is consumed.
 *
 * @remarks
 * TypeScript assertion functions return nothing, so read the address first with `page.phys()`,
 * then hand the page over; any later use of `page` does not compile (M3). The page is marked so
 * that exactly one {@link Page.fromPhys} can take it back.
 *
 * @typeParam Owner - The owner's type as the caller's binding has it.
 * @param page - The owner.
 * @param moved - Nothing; demanded only when `page` was already moved (a second `intoPhys` does not compile).
 * @throws KernelError `EPERM` for a borrowed page; `EALREADY` for a page already released or
 *   handed over; `EINVAL` when `page` is not a `Page`.
 *
 * @example
 * ```ts
 * const page: Owned<Page> = Page.alloc(GFP_KERNEL);
 * const addr: PhysAddr = page.phys();
 * intoPhys(page);
 * page.phys(); // error TS2339: Property 'phys' does not exist on type 'never'.
 * ```
 */
export function intoPhys<Owner extends Owned<Page>>(page: Owner, ...moved: IfAlreadyMoved<Owner>): asserts page is never {
  void moved;
  // handOver checks the brand first (through friend.handle), before any state is read.
  friend.handOver(page);
}

/**
 * Friend access to {@link Page}'s private state for the files of `mm/page` (see CONTRIBUTING.md,
 * "Friend access"): the checked generation of a handle and the `unsafe` token that bounds a borrow.
 *
 * @internal
 */
export const pageFriend: Pick<PageFriend, "handle" | "scopeToken" | "machine" | "pfn"> = {
  // SAFETY: By ECMAScript class evaluation, Page's static block above ran when the class was
  // defined, before this line, so `friend` is assigned.
  handle: friend!.handle,
  scopeToken: friend!.scopeToken,
  machine: friend!.machine,
  pfn: friend!.pfn,
};
