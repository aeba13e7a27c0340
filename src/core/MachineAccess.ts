/**
 * Memory access and mappings of a machine: bounds-checked copies, views, `kmap_local`, `kmap`.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, checkBytes, hex, isPfn, isU32 } from "../args.js";
import { capture } from "./debug/owner.js";
import { lend, MappingLease, type ViewAccess } from "./debug/views.js";
import { MAX_PAGE_ORDER } from "./config.js";
import { KmapSlots } from "./KmapSlots.js";
import { MachineFlags } from "./MachineFlags.js";
import { ORDER_SHIFT, PG_reserved, PG_tail } from "./MemMap.js";

/**
 * The access half of a {@link Machine}: reading, writing and mapping live pages.
 *
 * @remarks
 * Every method takes a `(pfn, gen)` handle and checks it names a live page: an allocated block
 * (addressed by its first page, covering the whole block), a page inside one (covering that page),
 * or a reserved RAM page. Offsets are bytes from the start of `pfn`.
 *
 * Split from `Machine` only to keep files small; use `Machine`.
 */
export class MachineAccess extends MachineFlags {
  /**
   * The bytes a handle may reach: the whole block for a block head, one page otherwise.
   *
   * @param pfn - A page below `nrPages`.
   * @param gen - The handle's generation.
   * @returns The size in bytes.
   * @throws KernelError `EFAULT` for a dead handle, `EINVAL` for bad numbers.
   */
  blockBytes(pfn: number, gen: number): number {
    return this.extent(this.live("block_bytes", pfn, gen));
  }

  /**
   * Checks that a handle `(pfn, gen)` still names a live page, failing in the name of `op`.
   *
   * @param op - The caller's operation, for the error (`"folio_order"`, ...).
   * @param pfn - The page.
   * @param gen - The generation the handle recorded.
   * @throws KernelError `EINVAL` for bad numbers; `EFAULT` for a freed or reallocated page (M20,
   *   with the allocation and free stacks in debug mode).
   */
  checkHandle(op: string, pfn: number, gen: number): void {
    this.live(op, pfn, gen);
  }

  /**
   * Copies bytes out of a page or block into `dst` (`memcpy_from_page`).
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte to read, from the start of `pfn`.
   * @param dst - Receives `dst.length` bytes.
   * @throws KernelError `EINVAL` when the range leaves the block, a number is bad or `dst` is not a
   *   `Uint8Array` (nothing copied); `EFAULT` for a freed or reallocated page (M20, with stacks in
   *   debug).
   */
  read(pfn: number, gen: number, offset: number, dst: Uint8Array): void {
    // The real byte length (intrinsic getter), not the overridable `length` property.
    const length = checkBytes("memcpy_from_page", "dst", dst);
    const flags = this.live("memcpy_from_page", pfn, gen, offset, length);
    this.checkRange("memcpy_from_page", pfn, offset, length, this.extent(flags));
    // SAFETY: the range lies inside the live block, checked just above with dst's real length.
    this.phys.read(pfn, offset, dst, length);
  }

  /**
   * Copies `src` into a page or block (`memcpy_to_page`).
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte to write, from the start of `pfn`.
   * @param src - The bytes to write.
   * @throws KernelError as for {@link MachineAccess.read} (`EINVAL` when `src` is not a
   *   `Uint8Array`); nothing is written on error.
   */
  write(pfn: number, gen: number, offset: number, src: Uint8Array): void {
    const length = checkBytes("memcpy_to_page", "src", src);
    const flags = this.live("memcpy_to_page", pfn, gen, offset, length);
    this.checkRange("memcpy_to_page", pfn, offset, length, this.extent(flags));
    // SAFETY: the range lies inside the live block, checked just above with src's real length.
    this.phys.write(pfn, offset, src, length);
  }

  /**
   * Sets `length` bytes of a page or block to `value` (`memset_page`; `value` 0 is `zero_user`).
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte, from the start of `pfn`.
   * @param length - Number of bytes.
   * @param value - A byte, 0..255.
   * @throws KernelError as for {@link MachineAccess.read}; also `EINVAL` for a value that is not a byte.
   */
  fill(pfn: number, gen: number, offset: number, length: number, value = 0): void {
    const flags = this.live("memset_page", pfn, gen, offset, length);
    if (!isU32(value) || value > 255) throw badNumber("memset_page", "value", value, 256);
    this.checkRange("memset_page", pfn, offset, length, this.extent(flags));
    // SAFETY: the range lies inside the live block, checked just above.
    this.phys.fill(pfn, offset, length, value);
  }

  /**
   * A `subarray` over bytes of a page or block, for closure-scoped access.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte, from the start of `pfn`.
   * @param length - Number of bytes.
   * @returns A view sharing the machine's memory.
   * @throws KernelError as for {@link MachineAccess.read}.
   * @safety
   * - A JavaScript view cannot be revoked: the caller must stop using it when its scope ends and
   *   before the page is freed; later writes through it corrupt whatever reuses the page (debug
   *   poisoning catches that at the next allocation).
   */
  view(pfn: number, gen: number, offset: number, length: number): Uint8Array {
    const flags = this.live("page_view", pfn, gen, offset, length);
    this.checkRange("page_view", pfn, offset, length, this.extent(flags));
    // SAFETY: the range lies inside the live block, checked just above.
    return this.phys.view(pfn, offset, length);
  }

  /**
   * The direct-map view of a lowmem page or block (`page_address`); `null` for HIGHMEM.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @returns A view of the whole block (or page), or `null` for HIGHMEM pages and in force-map mode.
   * @throws KernelError `EFAULT` for a dead handle, `EINVAL` for bad numbers.
   * @safety
   * - As for {@link MachineAccess.view}: the view cannot be revoked.
   */
  pageAddress(pfn: number, gen: number): Uint8Array | null {
    const flags = this.live("page_address", pfn, gen);
    if (this.forceMap || pfn >= this.highmemPfn) return null;
    // SAFETY: the extent of a live page is inside its block.
    return this.phys.view(pfn, 0, this.extent(flags));
  }

  /**
   * Maps a page or folio on the current CPU (`kmap_local_folio(folio, offset)`); returns a mapping id.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - The byte to map, `< size`; the mapping starts there.
   * @param access - `"read"` for a read-only mapping (with `debug.views`, its views refuse every
   *   write); `"write"` by default.
   * @param madeBy - The operation that maps, for debug reports (`"with_page_mapped"`, ...).
   * @returns The mapping id, for {@link MachineAccess.kmapLocalView} and {@link MachineAccess.kunmapLocal}.
   * @throws KernelError `ENOSPC` when the CPU's 15 slots (16 with the guard layout) are in use,
   *   earlier mappings untouched (M23); `EINVAL` for an offset outside the block; `EFAULT` for a
   *   dead handle.
   * @remarks The mapping reaches the end of the page holding `offset` on HIGHMEM and in force-map
   * mode, and the end of the block otherwise, as upstream.
   */
  kmapLocal(pfn: number, gen: number, offset = 0, access: ViewAccess = "write", madeBy = "kmap_local"): number {
    const op = "kmap_local_folio";
    const flags = this.live(op, pfn, gen);
    const extent = this.extent(flags);
    if (!isU32(offset) || offset >= extent) throw badNumber(op, "offset", offset, extent);
    const cpu = this.currentCpu;
    const slots = this.slots;
    if (slots.depth[cpu]! >= slots.capacity) {
      throw kernelError("ENOSPC", op, "no free kmap_local slot on this CPU", { cpu, depth: slots.depth[cpu]!, max: slots.capacity, pfn });
    }
    const end = this.forceMap || pfn >= this.highmemPfn ? ((offset >>> this.pageShift) + 1) << this.pageShift : extent;
    const leases = this.leases;
    if (leases === undefined) {
      this.freeBlockers++;
      return slots.push(cpu, pfn, gen, offset, end);
    }
    return this.kmapLocalLeased(leases, cpu, pfn, gen, offset, end, access, madeBy);
  }

  /** `kmapLocal` with `debug.views`: the mapping gets the lease its views are lent under. */
  private kmapLocalLeased(leases: Map<number, MappingLease>, cpu: number, pfn: number, gen: number, offset: number, end: number, access: ViewAccess, madeBy: string): number {
    if (access !== "read" && access !== "write") throw kernelError("EINVAL", "kmap_local_folio", "access is not \"read\" or \"write\"", { access: String(access) });
    this.freeBlockers++;
    const id = this.slots.push(cpu, pfn, gen, offset, end);
    const stack = this.viewStacks ? capture() : undefined;
    const nameOf = (): string => `kmap_local#${id} of ${this.describePfn(pfn)}, bytes ${hex(offset)}..${hex(end)}`;
    leases.set(id, new MappingLease(nameOf, access, String(madeBy), stack, offset));
    return id;
  }

  /**
   * The view of a live local mapping: from the mapped offset to the mapping's end.
   *
   * @param id - A mapping id from {@link MachineAccess.kmapLocal}.
   * @returns A `subarray` of the machine's memory; with `debug.views`, a guarded view of it that
   *   stops working when the mapping ends (see `core/debug/views.ts`).
   * @throws KernelError `EFAULT` when the mapping was released or its page freed; `EPERM` from
   *   another CPU than the one that mapped it (M24).
   * @safety
   * - Without `debug.views` the view cannot be revoked: unmapping invalidates the id, not the view
   *   already obtained, so the caller stops using it when the mapping ends.
   */
  kmapLocalView(id: number): Uint8Array {
    const bytes = this.kmapLocalBytes(id);
    const leases = this.leases;
    return leases === undefined ? bytes : lend(leases.get(id)!, bytes);
  }

  /**
   * The bytes of a live local mapping, never guarded: for the kit's own copies, which lend nothing
   * to caller code.
   *
   * @param id - A mapping id from {@link MachineAccess.kmapLocal}.
   * @returns A `subarray` of the machine's memory.
   * @throws KernelError as {@link MachineAccess.kmapLocalView}.
   * @safety
   * - The view is used only before the mapping is released and never handed to caller code
   *   (nothing can revoke it, in any mode).
   */
  kmapLocalBytes(id: number): Uint8Array {
    const index = this.localIndex("kmap_local_view", id);
    const slots = this.slots;
    const pfn = slots.pfnAt(index);
    const start = slots.startAt(index);
    this.live("kmap_local_view", pfn, slots.genAt(index));
    // SAFETY: the recorded range was checked against the live block when the mapping was made.
    return this.phys.view(pfn, start, slots.endAt(index) - start);
  }

  /**
   * Releases the innermost local mapping of the current CPU (`kunmap_local`).
   *
   * @param id - The id of the mapping to release; it must be the CPU's innermost one.
   * @throws KernelError `EINVAL` naming the expected (innermost) and the actual mapping when out of
   *   order, slots unchanged (M22); `EPERM` from another CPU (M24); `EFAULT` for a dead id.
   * @remarks The core enforces LIFO on every configuration, HIGHMEM or not; upstream makes
   * `kunmap_local` a no-op without HIGHMEM, which hides out-of-order code until it meets HIGHMEM.
   */
  kunmapLocal(id: number): void {
    const index = this.localIndex("kunmap_local", id);
    const cpu = this.slots.cpuOf(index);
    const top = this.slots.top(cpu);
    if (top !== id) {
      const expected = KmapSlots.describe(this.slots.entry(this.slots.find(top)));
      const actual = KmapSlots.describe(this.slots.entry(index));
      throw kernelError("EINVAL", "kunmap_local", "mappings must be released in LIFO order", { expected, actual });
    }
    this.slots.pop(cpu);
    this.freeBlockers--;
    if (this.leases !== undefined) this.endLease(this.leases, id);
  }

  /** Ends the lease of a released mapping: its views stop working. */
  private endLease(leases: Map<number, MappingLease>, id: number): void {
    leases.get(id)?.end("kunmap_local", this.viewStacks ? capture() : undefined);
    leases.delete(id);
  }

  /**
   * Ends the views of a live local mapping before the mapping itself is released, because the scope
   * that bounded them ended (the `unsafe` block of a borrowed page); the slot stays until released.
   * Does nothing without `debug.views`.
   *
   * @param id - A mapping id.
   * @param by - What ended the scope, for reports.
   */
  endLocalViews(id: number, by: string): void {
    this.leases?.get(id)?.end(by, this.viewStacks ? capture() : undefined);
  }

  /**
   * Fails when any page of a block is mapped (a live local or permanent mapping): the check of an
   * operation that gives the page away while it is mapped (`intoPhys`, a free).
   *
   * @param op - The operation.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @throws KernelError `EBUSY` naming the live mapping.
   */
  checkUnmapped(op: string, pfn: number, order: number): void {
    // Type first: `1 << order` would run a caller's valueOf (or throw for a detached array's join).
    if (!isPfn(pfn)) throw badNumber(op, "pfn", pfn);
    if (!isU32(order) || order > MAX_PAGE_ORDER) throw badNumber(op, "order", order, MAX_PAGE_ORDER + 1);
    const end = pfn + (1 << order);
    if (this.slots.live > 0) {
      for (const entry of this.slots.entries()) {
        if (entry.pfn < end && entry.pfn + Math.ceil(entry.end / this.pageSize) > pfn) {
          throw kernelError("EBUSY", op, "the page is still mapped", { pfn, order, mapping: KmapSlots.describe(entry) });
        }
      }
    }
    if (this.pkmap.used > 0) {
      for (let p = pfn; p < end; p++) {
        if (this.pkmap.count(p) > 0) throw kernelError("EBUSY", op, "the page is still kmapped", { pfn, order, kmapped: p });
      }
    }
  }

  /**
   * The number of live local mappings on a CPU.
   *
   * @param cpu - A CPU; the current one when omitted.
   * @returns The nesting depth.
   * @throws KernelError `EINVAL` for a bad CPU number.
   */
  kmapLocalDepth(cpu = this.currentCpu): number {
    if (!isU32(cpu) || cpu >= this.cpus) throw badNumber("kmap_local_depth", "cpu", cpu, this.cpus);
    return this.slots.depth[cpu]!;
  }

  /**
   * Maps one page through the permanent pool (`kmap`); discouraged, prefer `kmapLocal`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @returns A view of that page (one page, on every configuration).
   * @throws KernelError `EBUSY` when all `LAST_PKMAP` entries are in use; `EFAULT` for a dead handle.
   * @safety
   * - The view cannot be revoked; stop using it at the matching `kunmap`.
   */
  kmap(pfn: number, gen: number): Uint8Array {
    this.live("kmap", pfn, gen);
    if (!this.pkmap.canMap(pfn)) throw kernelError("EBUSY", "kmap", "permanent kmap pool exhausted", { pfn, used: this.pkmap.used });
    this.pkmap.map(pfn);
    this.freeBlockers++;
    // SAFETY: one page of a live page lies inside its chunk.
    return this.phys.view(pfn, 0, this.pageSize);
  }

  /**
   * Releases one permanent mapping of a page (`kunmap`).
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @throws KernelError `EINVAL` when the page is not kmapped; `EFAULT` for a dead handle.
   */
  kunmap(pfn: number, gen: number): void {
    this.live("kunmap", pfn, gen);
    if (this.pkmap.count(pfn) === 0) throw kernelError("EINVAL", "kunmap", "page is not kmapped", { pfn });
    this.pkmap.unmap(pfn);
    this.freeBlockers--;
  }

  /** The bytes a live page's handle reaches, from its flags. */
  private extent(flags: number): number {
    return (flags & (PG_tail | PG_reserved)) !== 0 ? this.pageSize : this.pageSize << (flags >>> ORDER_SHIFT);
  }

  private checkRange(op: string, pfn: number, offset: unknown, length: unknown, extent: number): void {
    if (!isU32(offset) || !isU32(length) || offset + length > extent) {
      if (!isU32(offset)) throw badNumber(op, "offset", offset);
      if (!isU32(length)) throw badNumber(op, "length", length);
      throw kernelError("EINVAL", op, "range leaves the page or folio", { pfn, offset, length, size: extent });
    }
  }

  private localIndex(op: string, id: number): number {
    // Type first: find() masks the id with `&`, which would run a caller's valueOf.
    if (typeof id !== "number") throw badNumber(op, "id", id);
    const index = this.slots.find(id);
    if (index < 0) {
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw badNumber(op, "id", id);
      throw kernelError("EFAULT", op, "not a live local mapping (already released?)", { id });
    }
    const cpu = this.slots.cpuOf(index);
    if (cpu !== this.currentCpu) {
      throw kernelError("EPERM", op, "local mapping used from another CPU than the one that mapped it", {
        mapping: KmapSlots.describe(this.slots.entry(index)),
        mappedOn: cpu,
        currentCpu: this.currentCpu,
      });
    }
    return index;
  }
}
