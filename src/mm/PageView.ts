/**
 * {@link PageView}: the bytes of a mapped page, valid only inside the closure that mapped them.
 *
 * @module
 */
import type { LifetimeBrand } from "../ownership/index.js";

/**
 * A view of mapped page memory, lent to a closure by `withPageMapped` or `withPointerIntoPage`.
 *
 * @remarks
 * It is the machine's own `Uint8Array` (a `subarray` of the simulated RAM, no copy and no wrapper
 * object per call) with a lifetime brand that exists in the type only. Returning it from the
 * closure, or storing it in what the closure returns, does not compile:
 *
 * ```ts
 * page.withPageMapped((view) => view);
 * // error TS2322: ... 'TypeErrorText<"a borrow cannot outlive its closure: ...">'
 * ```
 *
 * **A JavaScript view cannot be revoked at run time.** The mapping ends when the closure returns
 * (its `kmap_local` slot is released), but a view captured in an outer variable keeps pointing at
 * the page's bytes; using it afterwards is the simulator's equivalent of using a stale pointer. Types
 * catch returning it; debug page poisoning catches writes through it after the page is freed (at the
 * page's next allocation). Only use it on the CPU that mapped it (thread 002).
 *
 * @invariant Inside its closure the view covers exactly the mapped bytes: `PAGE_SIZE` bytes for
 *   `withPageMapped`, `len` bytes for `withPointerIntoPage`.
 *
 * @typeParam Lifetime - The closure's lifetime parameter.
 */
// Not `Uint8Array & LifetimeBrand<Lifetime>`, nor an interface extending `Uint8Array`: each closure
// call instantiates the view with a fresh lifetime, and the compiler builds every member of a fresh
// intersection anew, and re-instantiates every member of a `Uint8Array` base for the new `this`. The
// members of a mapped base (`Omit`) are shared by all instantiations; the members that return `this`
// are declared again so that they return the branded view.
export interface PageView<Lifetime>
  extends Omit<Uint8Array, "copyWithin" | "fill" | "reverse" | "sort" | "valueOf">,
    LifetimeBrand<Lifetime> {
  /** Copies bytes within the view (`Uint8Array.prototype.copyWithin`) and returns the view. */
  copyWithin(target: number, start: number, end?: number): this;
  /** Sets bytes to `value` (`Uint8Array.prototype.fill`) and returns the view. */
  fill(value: number, start?: number, end?: number): this;
  /** Reverses the bytes in place (`Uint8Array.prototype.reverse`) and returns the view. */
  reverse(): this;
  /** Sorts the bytes in place (`Uint8Array.prototype.sort`) and returns the view. */
  sort(compareFn?: (a: number, b: number) => number): this;
  /** The view itself (`Uint8Array.prototype.valueOf`). */
  valueOf(): this;
}
