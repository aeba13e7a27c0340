/**
 * {@link PageAccess}: the part of a page handle that reads, writes and maps the page, shared by
 * owned and borrowed pages.
 *
 * @remarks
 * Split from `Page` only to keep files small; use {@link Page}. The handle keeps `(pfn, gen)`;
 * every access goes through the core, which rejects a handle whose page was freed or reallocated
 * (use after free, M20), with the allocation and free stacks in debug mode.
 *
 * @module
 */
import { checkBytes, checkClosure, checkRange } from "../args.js";
import type { Machine } from "../core/index.js";
import { kernelError } from "../errors.js";
import { OwnableResource, assertUnsafe, type NoEscape, type Unsafe } from "../ownership/index.js";
import { toPhysAddr, type Pfn, type PhysAddr } from "./addr.js";
import { handleOf } from "./internal/page-handle.js";
import { checkSynchronous } from "./internal/pageArgs.js";
import type { PageView } from "./PageView.js";
import { isUserSliceReader, type UserSliceReader } from "./userSlice.js";

/** What a borrowed page keeps of the `unsafe` token that bounds it. */
export interface BorrowScope {
  /** Whether the `unsafe` block still runs. */
  readonly active: boolean;
  /** The block's justification, for messages. */
  readonly reason: string;
}

/**
 * Reading, writing and mapping one page through its `(pfn, gen)` handle; the base of {@link Page}.
 *
 * @invariant `(machine, pfn, gen)` named an order-0 page (or one page of RAM, for a borrow) when
 *   the handle was made.
 * @invariant A handle handed over with `intoPhys`, or a borrow whose `unsafe` block ended, refuses
 *   every access with `EFAULT`.
 */
export abstract class PageAccess extends OwnableResource {
  // Declared, not defined: the constructor's stores create them (no field initialiser in a base
  // class; see internal/page-handle.ts). The generation and borrow scope live in `Page`.
  /** The machine the page belongs to (its `pageConsts(page.machine)` give `PAGE_SIZE`). */
  declare readonly machine: Machine;
  /** The page frame number. */
  declare readonly pfn: Pfn;

  /**
   * Makes a handle; only `Page`'s factories call it.
   *
   * @internal
   *
   * @param machine - The machine.
   * @param pfn - A frame the core has metadata for.
   */
  protected constructor(machine: Machine, pfn: number) {
    super();
    this.machine = machine;
    // SAFETY: the core has metadata for this frame, so it fits 32 bits (the Pfn invariant).
    this.pfn = pfn as Pfn;
  }

  /**
   * The page's physical address (`page_to_phys`).
   *
   * @returns `pfn << PAGE_SHIFT`, page-aligned.
   * @throws KernelError `EFAULT` after {@link intoPhys}, after the owner released the page, or
   *   when a borrow's block ended.
   */
  phys(): PhysAddr {
    handleOf(this, "page_to_phys");
    this.assertLive("page_to_phys");
    return toPhysAddr(this.pfn * this.machine.pageSize);
  }

  /**
   * Whether the page lies in HIGHMEM (`PageHighMem`): reachable only through local mappings.
   *
   * @throws KernelError `EFAULT` after {@link intoPhys}, when a borrow's block ended, or for a
   *   freed or reallocated page (use after free, as for `read`).
   */
  get isHighmem(): boolean {
    // The brand check first: a getter called with another `this` is EINVAL, not a TypeError.
    const gen = handleOf(this, "PageHighMem");
    this.machine.checkHandle("PageHighMem", this.pfn, gen);
    return this.machine.isHighmem(this.pfn);
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
    const gen = handleOf(this, op);
    checkClosure(op, fn);
    const machine = this.machine;
    const id = machine.kmapLocal(this.pfn, gen, 0, "write", op);
    try {
      // SAFETY: the view is the mapping's own PAGE_SIZE bytes; its type declares a subset of
      // Uint8Array's members and a brand that exists in types only; NoEscape<Result, Lifetime> is
      // Result unless the compiler rejected the closure.
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
    const gen = handleOf(this, op);
    checkClosure(op, fn);
    checkRange(op, "page", offset, len, this.machine.pageSize);
    const machine = this.machine;
    const id = machine.kmapLocal(this.pfn, gen, 0, "write", op);
    try {
      // SAFETY: the range was checked to lie in the page; the view type declares a subset of
      // Uint8Array's members and a brand that exists in types only.
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
    const gen = handleOf(this, op);
    let length: number;
    if (typeof lengthOrInto === "number") length = lengthOrInto;
    else {
      // The real byte length (intrinsic getter), not the overridable `length` property.
      length = checkBytes(op, "into", lengthOrInto);
    }
    checkRange(op, "page", offset, length, this.machine.pageSize);
    const dst = typeof lengthOrInto === "number" ? new Uint8Array(length) : lengthOrInto;
    this.machine.read(this.pfn, gen, offset, dst);
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
    const gen = handleOf(this, op);
    const length = checkBytes(op, "bytes", bytes);
    checkRange(op, "page", offset, length, this.machine.pageSize);
    this.machine.write(this.pfn, gen, offset, bytes);
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
    const gen = handleOf(this, op);
    checkRange(op, "page", offset, len, this.machine.pageSize);
    this.machine.fill(this.pfn, gen, offset, len, 0);
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
    handleOf(this, op);
    // Only a reader made by userSliceReader: a look-alike's readInto would receive the page's view.
    if (!isUserSliceReader(reader)) throw kernelError("EINVAL", op, "reader is not a UserSliceReader", { reader });
    checkRange(op, "page", offset, len, this.machine.pageSize);
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
    const gen = handleOf(this, "read_raw");
    this.machine.read(this.pfn, gen, offset, into);
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
    const gen = handleOf(this, "write_raw");
    this.machine.write(this.pfn, gen, offset, bytes);
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
    const gen = handleOf(this, "fill_zero_raw");
    this.machine.fill(this.pfn, gen, offset, len, 0);
  }

}

/**
 * The generation of a page handle, after checking that the handle may be used; for mm's modules.
 *
 * @param page - A page handle.
 * @param op - The operation, for the error.
 * @returns The handle's generation.
 * @throws KernelError `EINVAL` when `page` is not a page; `EFAULT` as {@link PageAccess.phys}.
 */
export function pageHandle(page: PageAccess, op: string): number {
  // handleOf is the brand check (a private field of Page): no instanceof, which a Proxy passes.
  return handleOf(page, op);
}
