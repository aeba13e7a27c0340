/**
 * GFP flags for mm: the core's constants, re-exported, and the {@link Gfp} alias that names them in
 * signatures.
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
export {
  GFP_ATOMIC,
  GFP_HIGHUSER,
  GFP_KERNEL,
  GFP_NOWAIT,
  GFP_VALID_MASK,
  __GFP_COMP,
  __GFP_DIRECT_RECLAIM,
  __GFP_FS,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
  __GFP_NOWARN,
  __GFP_RECLAIM,
  __GFP_ZERO,
  gfpName,
} from "../core/gfp.js";

/**
 * A GFP mask: a combination of the `GFP_*` and `__GFP_*` constants with `|`.
 *
 * @remarks
 * An alias of `number` that documents intent; bits outside `GFP_VALID_MASK` are `EINVAL` at run time.
 */
export type Gfp = number;
