/**
 * The runtime memory core: a plain, fast simulator of physical memory, the buddy allocator, page
 * metadata, `kmap_local` slots, the page cache and the kernel's memory debuggers.
 *
 * @remarks
 * The public surface: the {@link Machine} and the constants, types and report helpers its methods
 * speak in. The services it is made of (`page-alloc.ts`, `highmem.ts`, ...) and their data
 * structures (`MemMap`, `Buddy`, `PhysMem`, ...) are internal; see docs/core.md.
 *
 * @packageDocumentation
 */
export { Machine, createMachine, defaultMachine, setDefaultMachine } from "./machine.js";
export type { MemoryUsage } from "./machine.js";
export { REFCOUNT_MAX } from "./page-alloc.js";
export type { BuddyInfo } from "./page-alloc.js";
export { FLAT_DEFAULT_MAX_PAGES, FLAT_MAX_PAGES, MAX_CPUS, MAX_PAGES, MAX_PAGE_ORDER, NR_PAGE_ORDERS, PAGE_SHIFTS, resolveConfig } from "./config.js";
export type { DebugOptions, MachineConfig, MemoryModel, PageShift, PfnSegment, PhysRange, PhysRangeKind, ResolvedConfig } from "./config.js";
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
} from "./gfp.js";
export {
  GEN_LIMIT,
  KERNEL_STRUCT_PAGE_BYTES,
  ORDER_MASK,
  ORDER_SHIFT,
  PG_USER_MASK,
  PG_buddy,
  PG_dirty,
  PG_free,
  PG_head,
  PG_locked,
  PG_nomap,
  PG_owner_priv_1,
  PG_owner_priv_2,
  PG_poisoned,
  PG_reserved,
  PG_tail,
  PG_uptodate,
  flagNames,
  metadataBytesPerPage,
} from "./memmap.js";
export { NR_ZONES, ZONE_HIGHMEM, ZONE_NORMAL } from "./buddy.js";
export { KM_MAX_IDX, KM_MAX_IDX_DEBUG } from "./kmap-slots.js";
export { LAST_PKMAP } from "./pkmap.js";
export { PageCache } from "./filemap.js";
export { PAGE_POISON } from "./debug/poison.js";
export { captureStack, formatStack } from "./debug/page-owner.js";
export { liveViewBytes } from "./debug/views.js";
export type { ViewAccess } from "./debug/views.js";
export type { CapturedStack } from "./debug/page-owner.js";
export { formatKasan, formatLeaks, formatPoison } from "./debug/report.js";
export type { KasanReport, LeakEntry } from "./debug/report.js";
