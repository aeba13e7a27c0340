/**
 * Highmem (the kernel's `mm/highmem.c`): the per-CPU `kmap_local` slots and the permanent `kmap`
 * pool, with the debug leases that make mapped views die with their mapping.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, hex, isU32 } from "../args.js";
import { MAX_PAGE_ORDER } from "./config.js";
import { capture } from "./debug/page-owner.js";
import { lend, MappingLease, type ViewAccess } from "./debug/views.js";
import type { Handles } from "./handles.js";
import { KmapSlots } from "./kmap-slots.js";
import type { MappedPages } from "./page-alloc.js";
import type { PhysMem } from "./phys-mem.js";
import { Pkmap } from "./pkmap.js";

/** The configuration the highmem service follows. */
export interface HighmemConfig {
  /** Number of CPUs. */
  readonly cpus: number;
  /** `PAGE_SHIFT`. */
  readonly pageShift: number;
  /** The first HIGHMEM frame. */
  readonly highmemPfn: number;
  /** Map lowmem like HIGHMEM (`debug.forceMap`). */
  readonly forceMap: boolean;
  /** The 33-slot guard layout (`debug.kmapLocalGuard`). */
  readonly kmapLocalGuard: boolean;
  /** Lend mapped views under leases (`debug.views`). */
  readonly views: boolean;
  /** Record where mappings were made and ended (`debug.viewStacks`). */
  readonly viewStacks: boolean;
}

/**
 * The mappings of one machine: the local mapping slots of every CPU and the permanent pool.
 *
 * @remarks
 * The methods that take a `cpu` are called by the machine with its current CPU. Making or
 * releasing a mapping does not tell the allocator itself: the machine counts each one with
 * `PageAlloc.mappingAdded`/`mappingRemoved`, which keeps frees off the fast path while any mapping
 * lives. The allocator asks {@link Highmem.checkFreeUnmapped} before it frees a block.
 *
 * @invariant With `debug.views`, `leases` holds exactly the live local mappings' ids.
 */
export class Highmem implements MappedPages {
  /** The per-CPU local mapping slots. */
  declare readonly slots: KmapSlots;
  /** The permanent mapping pool. */
  declare readonly pkmap: Pkmap;
  /** The leases of the live local mappings by id, present only with `debug.views`. */
  declare readonly leases: Map<number, MappingLease> | undefined;
  /** Whether mappings record where they were made and ended. */
  declare private readonly viewStacks: boolean;
  /** Whether lowmem maps like HIGHMEM. */
  declare private readonly forceMap: boolean;
  /** The first HIGHMEM frame. */
  declare private readonly highmemPfn: number;
  /** `PAGE_SHIFT`. */
  declare private readonly pageShift: number;
  /** `PAGE_SIZE`. */
  declare private readonly pageSize: number;
  /** Number of CPUs. */
  declare private readonly cpus: number;
  /** The handle checks. */
  declare private readonly handles: Handles;
  /** The backing memory. */
  declare private readonly phys: PhysMem;

  /**
   * Creates the mapping slots and pool of a machine.
   *
   * @param config - The configuration.
   * @param handles - The handle checks.
   * @param phys - The backing memory.
   */
  constructor(config: HighmemConfig, handles: Handles, phys: PhysMem) {
    this.slots = new KmapSlots(config.cpus, config.kmapLocalGuard);
    this.pkmap = new Pkmap();
    this.leases = config.views ? new Map() : undefined;
    this.viewStacks = config.views && config.viewStacks;
    this.forceMap = config.forceMap;
    this.highmemPfn = config.highmemPfn;
    this.pageShift = config.pageShift;
    this.pageSize = 1 << config.pageShift;
    this.cpus = config.cpus;
    this.handles = handles;
    this.phys = phys;
  }

  /**
   * `kmap_local_folio`: see `Machine.kmapLocal`.
   *
   * @param cpu - The current CPU.
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - The byte to map.
   * @param access - `"read"` or `"write"`.
   * @param madeBy - The mapping operation, for reports.
   * @returns The mapping id.
   */
  kmapLocal(cpu: number, pfn: number, gen: number, offset: number, access: ViewAccess, madeBy: string): number {
    const op = "kmap_local_folio";
    const handles = this.handles;
    const extent = handles.extent(handles.handleFlags(op, pfn, gen));
    if (!isU32(offset) || offset >= extent) throw badNumber(op, "offset", offset, extent);
    const slots = this.slots;
    if (slots.depth[cpu]! >= slots.capacity) {
      throw kernelError("ENOSPC", op, "no free kmap_local slot on this CPU", { cpu, depth: slots.depth[cpu]!, max: slots.capacity, pfn });
    }
    const end = this.forceMap || pfn >= this.highmemPfn ? ((offset >>> this.pageShift) + 1) << this.pageShift : extent;
    const leases = this.leases;
    if (leases === undefined) return slots.push(cpu, pfn, gen, offset, end);
    return this.kmapLocalLeased(leases, cpu, pfn, gen, offset, end, access, madeBy);
  }

  /** `kmapLocal` with `debug.views`: the mapping gets the lease its views are lent under. */
  private kmapLocalLeased(leases: Map<number, MappingLease>, cpu: number, pfn: number, gen: number, offset: number, end: number, access: ViewAccess, madeBy: string): number {
    if (access !== "read" && access !== "write") throw kernelError("EINVAL", "kmap_local_folio", "access is not \"read\" or \"write\"", { access: String(access) });
    const id = this.slots.push(cpu, pfn, gen, offset, end);
    const stack = this.viewStacks ? capture() : undefined;
    const nameOf = (): string => `kmap_local#${id} of ${this.handles.describePfn(pfn)}, bytes ${hex(offset)}..${hex(end)}`;
    leases.set(id, new MappingLease(nameOf, access, String(madeBy), stack, offset));
    return id;
  }

  /**
   * The view of a live local mapping: see `Machine.kmapLocalView`.
   *
   * @param cpu - The current CPU.
   * @param id - A mapping id.
   * @returns The view (guarded with `debug.views`).
   */
  kmapLocalView(cpu: number, id: number): Uint8Array {
    const bytes = this.kmapLocalBytes(cpu, id);
    const leases = this.leases;
    // SAFETY: By the type invariant (leases holds exactly the live mappings' ids) and the check in
    // kmapLocalBytes that id is live, the lease exists.
    return leases === undefined ? bytes : lend(leases.get(id)!, bytes);
  }

  /**
   * The bytes of a live local mapping, never guarded: see `Machine.kmapLocalBytes`.
   *
   * @param cpu - The current CPU.
   * @param id - A mapping id.
   * @returns A `subarray` of the machine's memory.
   */
  kmapLocalBytes(cpu: number, id: number): Uint8Array {
    const index = this.localIndex("kmap_local_view", cpu, id);
    const slots = this.slots;
    const pfn = slots.pfnAt(index);
    const start = slots.startAt(index);
    this.handles.handleFlags("kmap_local_view", pfn, slots.genAt(index));
    // SAFETY: By the checks in kmapLocal, the recorded range lay inside the live block when the
    // mapping was made, and the handle check above shows the block is still the same allocation.
    return this.phys.view(pfn, start, slots.endAt(index) - start);
  }

  /**
   * `kunmap_local`: see `Machine.kunmapLocal`.
   *
   * @param cpu - The current CPU.
   * @param id - The innermost mapping of the CPU.
   */
  kunmapLocal(cpu: number, id: number): void {
    const index = this.localIndex("kunmap_local", cpu, id);
    const slots = this.slots;
    const owner = slots.cpuOf(index);
    const top = slots.top(owner);
    if (top !== id) {
      const expected = KmapSlots.describe(slots.entry(slots.find(top)));
      const actual = KmapSlots.describe(slots.entry(index));
      throw kernelError("EINVAL", "kunmap_local", "mappings must be released in LIFO order", { expected, actual });
    }
    slots.pop(owner);
    if (this.leases !== undefined) this.endLease(this.leases, id);
  }

  /** Ends the lease of a released mapping: its views stop working. */
  private endLease(leases: Map<number, MappingLease>, id: number): void {
    leases.get(id)?.end("kunmap_local", this.viewStacks ? capture() : undefined);
    leases.delete(id);
  }

  /**
   * Ends the views of a live local mapping before the mapping itself: see `Machine.endLocalViews`.
   *
   * @param id - A mapping id.
   * @param by - What ended the scope.
   */
  endLocalViews(id: number, by: string): void {
    this.leases?.get(id)?.end(by, this.viewStacks ? capture() : undefined);
  }

  /**
   * The number of live local mappings on a CPU.
   *
   * @param cpu - A CPU.
   * @returns The nesting depth.
   * @throws KernelError `EINVAL` for a bad CPU number.
   */
  kmapLocalDepth(cpu: number): number {
    if (!isU32(cpu) || cpu >= this.cpus) throw badNumber("kmap_local_depth", "cpu", cpu, this.cpus);
    return this.slots.depth[cpu]!;
  }

  /**
   * `kmap`: see `Machine.kmap`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @returns A view of that page.
   */
  kmap(pfn: number, gen: number): Uint8Array {
    this.handles.handleFlags("kmap", pfn, gen);
    if (!this.pkmap.canMap(pfn)) throw kernelError("EBUSY", "kmap", "permanent kmap pool exhausted", { pfn, used: this.pkmap.used });
    this.pkmap.map(pfn);
    // SAFETY: By the handle check above the page is live RAM below nrPages; one page lies inside
    // its chunk (PhysMem's chunks hold whole pages).
    return this.phys.view(pfn, 0, this.pageSize);
  }

  /**
   * `kunmap`: see `Machine.kunmap`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   */
  kunmap(pfn: number, gen: number): void {
    this.handles.handleFlags("kunmap", pfn, gen);
    if (this.pkmap.count(pfn) === 0) throw kernelError("EINVAL", "kunmap", "page is not kmapped", { pfn });
    this.pkmap.unmap(pfn);
  }

  /**
   * Fails when any page of a block is mapped: see `Machine.checkUnmapped`.
   *
   * @param op - The operation.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @throws KernelError `EBUSY` naming the live mapping; `EINVAL` for bad numbers, a pfn without
   *   metadata or a block past the end of RAM.
   */
  checkUnmapped(op: string, pfn: number, order: number): void {
    // Type first: `1 << order` would run a caller's valueOf (or throw for a detached array's join).
    // A frame without metadata is refused, not reported unmapped: "nothing mapped" about a pfn
    // beyond RAM would be a silent answer to a wrong question.
    const nrPages = this.handles.nrPages;
    if (!Number.isSafeInteger(pfn) || pfn < 0 || pfn >= nrPages) throw badNumber(op, "pfn", pfn, nrPages);
    if (!isU32(order) || order > MAX_PAGE_ORDER) throw badNumber(op, "order", order, MAX_PAGE_ORDER + 1);
    const end = pfn + (1 << order);
    if (end > nrPages) throw kernelError("EINVAL", op, "block is out of range: it runs past the end of RAM", { pfn, order, nrPages });
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
   * Fails when a page of a block about to be freed is mapped (the allocator's question).
   *
   * @param op - The freeing operation.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @throws KernelError `EBUSY` naming the live mapping.
   */
  checkFreeUnmapped(op: string, pfn: number, order: number): void {
    const end = pfn + (1 << order);
    if (this.slots.live > 0) {
      for (const entry of this.slots.entries()) {
        if (entry.pfn >= pfn && entry.pfn < end) {
          throw kernelError("EBUSY", op, "freeing a page that is still mapped", { pfn, order, mapping: KmapSlots.describe(entry) });
        }
      }
    }
    if (this.pkmap.used > 0) {
      for (let p = pfn; p < end; p++) {
        if (this.pkmap.count(p) > 0) throw kernelError("EBUSY", op, "freeing a page that is still kmapped", { pfn, order, kmapped: p });
      }
    }
  }

  /** The slot index of a live local mapping of `cpu`, failing in the name of `op`. */
  private localIndex(op: string, cpu: number, id: number): number {
    // Type first: find() masks the id with `&`, which would run a caller's valueOf.
    if (typeof id !== "number") throw badNumber(op, "id", id);
    const slots = this.slots;
    const index = slots.find(id);
    if (index < 0) {
      if (!Number.isSafeInteger(id) || id <= 0) throw badNumber(op, "id", id);
      throw kernelError("EFAULT", op, "not a live local mapping (already released?)", { id });
    }
    const owner = slots.cpuOf(index);
    if (owner !== cpu) {
      throw kernelError("EPERM", op, "local mapping used from another CPU than the one that mapped it", {
        mapping: KmapSlots.describe(slots.entry(index)),
        mappedOn: owner,
        currentCpu: cpu,
      });
    }
    return index;
  }
}
