/**
 * {@link BorrowedPage}: a page someone else owns, usable for a lifetime and never freed by the
 * borrower.
 *
 * @module
 */
import type { LifetimeBrand } from "../ownership/index.js";
import type { Page } from "./Page.js";

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
