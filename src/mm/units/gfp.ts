/**
 * GFP flags for mm: the {@link Gfp} alias that names a mask in signatures; the constants are the
 * core's (`ownkit/core`), re-exported by `ownkit/mm` and `ownkit`.
 *
 * @remarks
 * The flags are the caller's choice (thread 001: "Pages are not necessarily allocated with
 * GFP_HIGHMEM, nor are they necessarily zeroed"): `Page.alloc(GFP_KERNEL)`,
 * `Page.alloc(GFP_KERNEL | __GFP_ZERO)`, `Page.alloc(GFP_HIGHUSER | __GFP_ZERO)`. Nothing in mm
 * adds a flag behind the caller's back.
 *
 * The flags stay plain numbers rather than a brand: a brand would not survive `|`, so every
 * combination would need a helper. Unknown bits are rejected at run time with `EINVAL` before
 * anything changes.
 *
 * @module
 */

/**
 * A GFP mask: a combination of the `GFP_*` and `__GFP_*` constants with `|`.
 *
 * @remarks
 * An alias of `number` that documents intent; bits outside `GFP_VALID_MASK` are `EINVAL` at run time.
 */
export type Gfp = number;
