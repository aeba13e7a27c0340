/**
 * The runtime memory core: a plain, fast simulator of physical memory, the buddy allocator, page
 * metadata, `kmap_local` slots, the page cache and the kernel's memory debuggers.
 *
 * @packageDocumentation
 */
export { Machine, createMachine, defaultMachine, setDefaultMachine } from "./Machine.js";
export type { MemoryUsage } from "./Machine.js";
export { MachineState } from "./MachineState.js";
export { MachinePages, REFCOUNT_MAX } from "./MachinePages.js";
export type { BuddyInfo } from "./MachinePages.js";
export { MachineFlags } from "./MachineFlags.js";
export { MachineAccess } from "./MachineAccess.js";
export { MAX_CPUS, MAX_PAGES, MAX_PAGE_ORDER, NR_PAGE_ORDERS, PAGE_SHIFTS, resolveConfig } from "./config.js";
export type { DebugOptions, MachineConfig, PageShift, PfnSegment, PhysRange, PhysRangeKind, ResolvedConfig } from "./config.js";
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
  FLAGS_MASK,
  GEN_ONE,
  GEN_SHIFT,
  GEN_LIMIT,
  GEN_WRAP,
  KERNEL_STRUCT_PAGE_BYTES,
  MemMap,
  NO_PFN,
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
} from "./MemMap.js";
export { CHUNK_PAGES, PhysMem } from "./PhysMem.js";
export { Buddy, HotList, NR_ZONES, PCP_BATCH, PCP_HIGH, ZONE_HIGHMEM, ZONE_NORMAL } from "./Buddy.js";
export { KM_MAX_IDX, KM_MAX_IDX_DEBUG, KmapSlots } from "./KmapSlots.js";
export type { KmapEntry } from "./KmapSlots.js";
export { LAST_PKMAP, Pkmap } from "./Pkmap.js";
export { PageCache } from "./PageCache.js";
export { PAGE_POISON } from "./debug/poison.js";
export { PageOwner, captureStack, formatStack } from "./debug/owner.js";
export { liveViewBytes } from "./debug/views.js";
export type { ViewAccess } from "./debug/views.js";
export type { CapturedStack } from "./debug/owner.js";
export { formatKasan, formatLeaks, formatPoison } from "./debug/report.js";
export type { KasanReport, LeakEntry } from "./debug/report.js";
