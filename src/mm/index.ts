/**
 * The kernel's page and folio design on top of the ownership primitives and the memory core.
 *
 * @remarks
 * Pages: {@link Page} (owned, never refcounted), {@link BorrowedPage}, closure-scoped mappings
 * ({@link PageView}), `kmap_local` guards ({@link KmapLocal}), branded addresses ({@link PhysAddr},
 * {@link DmaAddr}, {@link Pfn}, {@link ResourceSize}), the page-size constants of a machine
 * ({@link pageConsts}) and GFP flags.
 *
 * Folios: {@link Folio} (refcounted, held as `ARef<Folio>`), {@link UniqueFolio} (fresh from
 * {@link Folio.alloc}, writable without a lock), {@link LockedFolio} (the only writer of a shared
 * folio), closure-scoped mappings ({@link MapGuard}), file positions ({@link Loff}) and the page
 * cache ({@link AddressSpace}). See the "Folios" guide.
 *
 * @module
 */
// --- pages -----------------------------------------------------------------------------------
export { PFN_MAX, toDmaAddr, toPfn, toPhysAddr, toResourceSize } from "./units/addr.js";
export type { DmaAddr, Pfn, PhysAddr, ResourceSize } from "./units/addr.js";
export { pageAlign, pageAlignDown, pageConsts, pfnToPhys, physToPfn } from "./units/page-consts.js";
export type { AlignedAddr, PageConsts } from "./units/page-consts.js";
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
} from "../core/index.js";
export type { Gfp } from "./units/gfp.js";
export { KmapLocal, kmapLocal } from "./page/KmapLocal.js";
export { Page, PageAccess, intoPhys } from "./page/Page.js";
export type { BorrowedPage } from "./page/Page.js";
export type { PageView } from "./page/page-view.js";
export type { ByteViewReads, ByteViewWrites } from "./view/byte-view.js";
export { viewBytesUnchecked } from "./view/view-bytes-unchecked.js";
export { userSliceReader } from "./page/user-slice.js";
export type { UserSliceReader } from "./page/user-slice.js";
// --- folios ----------------------------------------------------------------------------------
export { AddressSpace } from "./folio/AddressSpace.js";
export type { ReadFolioOptions } from "./folio/AddressSpace.js";
export { Folio, LockedFolio, intoShared } from "./folio/Folio.js";
export type { FolioNeedsLock } from "./folio/Folio.js";
export { loff } from "./units/loff.js";
export type { Loff, LoffRepr } from "./units/loff.js";
export { MapGuard } from "./folio/MapGuard.js";
export type { FolioView, ReadonlyFolioView } from "./folio/folio-view.js";
export type { MapAccess, MapBody, MappedView } from "./folio/MapGuard.js";
export type { ConsumedUniqueMembers, SharedFolio, UniqueFolio, UniqueFolioMembers, UniqueFolioWasConsumed } from "./folio/Folio.js";
