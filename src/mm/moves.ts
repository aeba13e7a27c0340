/**
 * The kernel design's own move as a free function: {@link intoShared} turns a `UniqueFolio` binding
 * into the shared `ARef<Folio>` with no type annotation needed. (The page's move, `intoPhys`, lives
 * with `Page`; the generic `release`, `put` and `drop` come from the ownership primitives.)
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { Folio } from "./Folio.js";
import type { SharedFolio, UniqueFolio } from "./UniqueFolio.js";

/**
 * Ends a folio's uniqueness, like `unique.intoShared()`, and narrows the binding: from here on it is
 * the shared handle (`ARef<Folio>`: `clone`, `put`, `lock`, read mappings), and every unique member
 * (`write`, `mapMut`, `zeroOut`, `release`) is a compile error saying it was consumed (M12).
 *
 * @remarks
 * Unlike the method form, the free function needs no annotation on the binding: the call target is
 * the function, so TypeScript applies its assertion to `const unique = Folio.alloc(0)` too.
 *
 * A second `intoShared(unique)` compiles (a shared folio still has the unique folio's shape); the
 * lint rule `ownkit/no-use-after-move` reports it and the run time throws `EALREADY`.
 *
 * @param unique - The unique folio.
 * @throws KernelError `EBUSY` naming the live borrow while a mapping is live; `EALREADY` when
 *   already consumed (an alias); `EINVAL` when `unique` is not a folio.
 *
 * @example
 * ```ts
 * declare const header: Uint8Array;
 *
 * const unique = Folio.alloc(0);
 * unique.write(0, header);
 * intoShared(unique);
 * unique.write(0, header); // error TS2684: ... 'this' of type 'UniqueFolioWasConsumed' ...
 * using locked = unique.lock();
 * locked.markUptodate();
 * ```
 */
export function intoShared(unique: UniqueFolio): asserts unique is SharedFolio {
  if (!Folio.isFolio(unique)) {
    throw kernelError("EINVAL", "intoShared", "not a folio", { value: unique === null ? "null" : typeof unique });
  }
  unique.intoShared();
}
