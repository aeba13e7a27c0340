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
export { PFN_MAX, toDmaAddr, toPfn, toPhysAddr, toResourceSize } from "./addr.js";
export type { DmaAddr, Pfn, PhysAddr, ResourceSize } from "./addr.js";
export { pageAlign, pageAlignDown, pageConsts, pfnToPhys, physToPfn } from "./consts.js";
export type { AlignedAddr, PageConsts } from "./consts.js";
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
export type { Gfp } from "./gfp.js";
export { KmapLocal, kmapLocal } from "./kmap.js";
export { PageAccess } from "./PageAccess.js";
export { Page, intoPhys } from "./Page.js";
export type { BorrowedPage } from "./BorrowedPage.js";
export type { PageView } from "./PageView.js";
export type { ByteViewReads, ByteViewWrites } from "./ByteView.js";
export { viewBytesUnchecked } from "./viewBytesUnchecked.js";
export { userSliceReader } from "./userSlice.js";
export type { UserSliceReader } from "./userSlice.js";
// --- folios ----------------------------------------------------------------------------------
export { AddressSpace } from "./AddressSpace.js";
export type { ReadFolioOptions } from "./AddressSpace.js";
export { Folio } from "./Folio.js";
export type { FolioNeedsLock } from "./Folio.js";
export { LockedFolio } from "./LockedFolio.js";
export { loff } from "./loff.js";
export { intoShared } from "./moves.js";
export type { Loff, LoffRepr } from "./loff.js";
export { MapGuard } from "./MapGuard.js";
export type { FolioView, ReadonlyFolioView } from "./FolioView.js";
export type { MapAccess, MapBody, MappedView } from "./MapGuard.js";
export type { ConsumedUniqueMembers, SharedFolio, UniqueFolio, UniqueFolioMembers, UniqueFolioWasConsumed } from "./UniqueFolio.js";
