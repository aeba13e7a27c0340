/**
 * GFP ("get free pages") flags: the caller's choice of how and where to allocate.
 *
 * @remarks
 * The bit values follow `include/linux/gfp_types.h` for the flags the core models. Unknown bits are
 * rejected with `EINVAL`, so a typo cannot silently mean something else.
 *
 * @module
 */
import { isU32 } from "../args.js";
import { kernelError } from "../errors.js";

/** Allocate from ZONE_HIGHMEM if it has memory, else fall back to ZONE_NORMAL. */
export const __GFP_HIGHMEM = 0x02;
/** The allocation may use emergency reserves (informational in the simulator). */
export const __GFP_HIGH = 0x20;
/** The allocation may start I/O (informational). */
export const __GFP_IO = 0x40;
/** The allocation may call into the filesystem (informational). */
export const __GFP_FS = 0x80;
/** Return zeroed memory. */
export const __GFP_ZERO = 0x100;
/** Do not attach an allocation-failure report to `ENOMEM`. */
export const __GFP_NOWARN = 0x200;
/** The allocation may sleep to reclaim (informational). */
export const __GFP_DIRECT_RECLAIM = 0x400;
/** The allocation may wake kswapd (informational). */
export const __GFP_KSWAPD_RECLAIM = 0x800;
/** Build a compound page (a folio): head page with order, refcount and flags; tails point to it. */
export const __GFP_COMP = 0x40000;
/** Both reclaim bits. */
export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

/** The usual kernel allocation: may sleep, do I/O and call the filesystem; lowmem only. */
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
/** An allocation that must not sleep and may use reserves. */
export const GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
/** An allocation that must not sleep. */
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
/** Memory for user space or the page cache, HIGHMEM allowed. */
export const GFP_HIGHUSER = GFP_KERNEL | __GFP_HIGHMEM;

/** Every bit the core understands; any other bit is `EINVAL`. */
export const GFP_VALID_MASK =
  __GFP_HIGHMEM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_ZERO | __GFP_NOWARN | __GFP_RECLAIM | __GFP_COMP;

const NAMES: readonly [number, string][] = [
  [__GFP_HIGHMEM, "__GFP_HIGHMEM"],
  [__GFP_HIGH, "__GFP_HIGH"],
  [__GFP_IO, "__GFP_IO"],
  [__GFP_FS, "__GFP_FS"],
  [__GFP_ZERO, "__GFP_ZERO"],
  [__GFP_NOWARN, "__GFP_NOWARN"],
  [__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"],
  [__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"],
  [__GFP_COMP, "__GFP_COMP"],
];

/**
 * Formats GFP flags the way the kernel's allocation-failure warning prints them.
 *
 * @param gfp - A GFP mask.
 * @returns For example `"0x40cc0(__GFP_IO|__GFP_FS|...|__GFP_COMP)"`.
 * @throws KernelError `EINVAL` when `gfp` is not a 32-bit non-negative integer.
 */
export function gfpName(gfp: number): string {
  if (!isU32(gfp)) throw kernelError("EINVAL", "gfp_name", "gfp is not a set of GFP flags", { gfp });
  const names = NAMES.filter(([bit]) => (gfp & bit) !== 0).map(([, name]) => name);
  return `0x${gfp.toString(16)}(${names.join("|") || "none"})`;
}
