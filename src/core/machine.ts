/**
 * The simulated machine: a facade over the core's services (page allocation, page flags, highmem,
 * access, handles, the page cache and the debug checks), holding the configuration, the CPUs and
 * the physical addressing.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, checkFunction, isAddress, isU32 } from "../args.js";
import { Access } from "./access.js";
import { Buddy, ZONE_HIGHMEM, ZONE_NORMAL } from "./buddy.js";
import { resolveConfig, type MachineConfig, type PhysRangeKind, type ResolvedConfig } from "./config.js";
import { consistencyProblems, leakReport, stateDigest, type CheckedParts } from "./debug/check.js";
import { PageOwner } from "./debug/page-owner.js";
import type { MappingLease, ViewAccess } from "./debug/views.js";
import { PageCache } from "./filemap.js";
import { Handles } from "./handles.js";
import { Highmem } from "./highmem.js";
import type { KmapSlots } from "./kmap-slots.js";
import { FlatMemMap } from "./memmap-flat.js";
import { metadataBytesPerPage, PG_nomap, PG_reserved, type MemMap } from "./memmap.js";
import { SparseMemMap } from "./memmap-sparse.js";
import { PageAlloc, type BuddyInfo } from "./page-alloc.js";
import { PageFlags } from "./page-flags.js";
import { PhysMem } from "./phys-mem.js";
import type { Pkmap } from "./pkmap.js";

/**
 * @internal The state behind a {@link Machine}'s facade: its configuration, data structures and
 * services, as {@link machineFriend} returns them. Writing through them bypasses every check of the
 * machine.
 */
export interface MachineInternals {
  /** The validated configuration. */
  readonly config: ResolvedConfig;
  /** Per-page metadata. */
  readonly mem: MemMap;
  /** The backing bytes. */
  readonly phys: PhysMem;
  /** The free lists. */
  readonly buddy: Buddy;
  /** The page_owner side table, present only with `debug.pageOwner`. */
  readonly owner: PageOwner | undefined;
  /** The handle checks. */
  readonly handles: Handles;
  /** The page allocator. */
  readonly alloc: PageAlloc;
  /** The caller-owned page flags. */
  readonly flags: PageFlags;
  /** The mappings. */
  readonly highmem: Highmem;
  /** The byte access. */
  readonly access: Access;
  /** The page cache. */
  readonly pageCache: PageCache;
  /** The per-CPU local mapping slots (owned by the highmem service). */
  readonly slots: KmapSlots;
  /** The permanent mapping pool (owned by the highmem service). */
  readonly pkmap: Pkmap;
  /** The leases of the live local mappings by id, present only with `debug.views`. */
  readonly leases: Map<number, MappingLease> | undefined;
}

/** What `Machine`'s static block grants: read access to the state behind the facade. */
interface MachineFriend {
  /**
   * The state of a genuine machine (the caller has one: it reads `#` fields, so anything else throws
   * a `TypeError`).
   */
  readonly internals: (machine: Machine) => MachineInternals;
}

/** Set by `Machine`'s static block, the only code that reads its `#` fields. */
let friend: MachineFriend;

/** What {@link buildMachine} makes for one machine: the values of `Machine`'s `#` fields. */
interface MachineParts {
  readonly config: ResolvedConfig;
  readonly mem: MemMap;
  readonly phys: PhysMem;
  readonly buddy: Buddy;
  readonly owner: PageOwner | undefined;
  readonly handles: Handles;
  readonly alloc: PageAlloc;
  readonly flags: PageFlags;
  readonly highmem: Highmem;
  readonly access: Access;
  readonly pageCache: PageCache;
}

/**
 * Validates a configuration, lays out the metadata and hands the RAM to the allocator.
 *
 * @param config - The configuration; every field has a default.
 * @returns The parts of the new machine.
 * @throws KernelError `EINVAL` for a bad configuration.
 */
function buildMachine(config: MachineConfig): MachineParts {
  const resolved = resolveConfig(config);
  const debug = resolved.debug;
  const { pageShift, pageSize, nrPages, highmemPfn } = resolved;
  // One model per machine (see MachineConfig.memoryModel): the services see only the interface.
  const mem: MemMap = resolved.memoryModel === "flat" ? new FlatMemMap(nrPages) : new SparseMemMap(nrPages);
  const phys = new PhysMem(nrPages, pageShift);
  const buddy = new Buddy(mem, highmemPfn);
  for (const seg of resolved.segments) {
    if (seg.kind === "ram") {
      // INVARIANT: a RAM segment is split at the HIGHMEM boundary so each part lies in one zone.
      const mid = Math.min(Math.max(seg.startPfn, highmemPfn), seg.endPfn);
      if (mid > seg.startPfn) buddy.addRange(seg.startPfn, mid);
      if (seg.endPfn > mid) buddy.addRange(mid, seg.endPfn);
    } else {
      // INVARIANT: never allocated, so the generation in the top half is 0.
      mem.initRange(seg.startPfn, seg.endPfn, seg.kind === "reserved" ? PG_reserved : PG_nomap);
    }
  }
  const owner = debug.pageOwner ? new PageOwner() : undefined;
  const handles = new Handles(mem, pageSize, highmemPfn, owner);
  const highmem = new Highmem({ ...resolved, ...debug }, handles, phys);
  const alloc = new PageAlloc(mem, buddy, phys, handles, highmem, { poison: debug.poison, owner });
  return {
    config: resolved,
    mem,
    phys,
    buddy,
    owner,
    handles,
    alloc,
    flags: new PageFlags(mem, handles),
    highmem,
    access: new Access(handles, phys, highmemPfn, debug.forceMap),
    pageCache: new PageCache(mem, alloc, handles),
  };
}

/**
 * The parts {@link MachineBuild}'s constructor just made, read by `Machine`'s field initializers
 * (which run right after it returns) and cleared by `Machine`'s constructor.
 */
let built: MachineParts | undefined;

/**
 * The first step of constructing a {@link Machine}: builds its parts before `Machine`'s `#` fields
 * are defined, so each field's first value is the real one. Not exported (not a class of the core's
 * surface): `Machine` extends it through {@link MachineBase}.
 *
 * @remarks
 * A `#` field cannot be `declare`d: defined empty and assigned in the constructor, its first value
 * would be `undefined`, and V8 would then track no type for it, so every forwarding call
 * (`this.#alloc.allocPages(…)`) would check the loaded object's map again (docs/performance-notes.md,
 * "Machine fields defined with their values"). A derived class's fields are defined when `super()`
 * returns; this base class builds the parts in its constructor, and the fields take them from
 * {@link built}. It holds no state and grants nothing: calling it alone only builds parts that the
 * next machine's construction overwrites.
 */
class MachineBuild {
  /**
   * Builds the parts of a machine for the field initializers of `Machine`.
   *
   * @param config - The configuration.
   * @throws KernelError `EINVAL` for a bad configuration.
   */
  constructor(config: MachineConfig) {
    built = buildMachine(config);
  }
}

/** The constructor type `Machine` extends: {@link MachineBuild}, which adds no members. */
type MachineBase = new (config: MachineConfig) => object;


/**
 * A simulated machine: sparse RAM, per-page metadata, a buddy allocator, per-CPU `kmap_local`
 * slots, the permanent `kmap` pool, a page cache and the memory debuggers.
 *
 * @remarks
 * The core is a plain simulator: numbers in, numbers out. A page or folio is named by a handle
 * `(pfn, gen)`: `allocPages` returns the pfn and {@link Machine.pageGen} the generation, which
 * changes on every allocation, so a stale handle is caught even after the page is reused. mm builds
 * its ownership types on these methods and never indexes memory itself.
 *
 * The machine is a facade: each method checks nothing itself beyond the CPU and addressing
 * arguments and calls the service named after the kernel file that does the work
 * (`page-alloc.ts`, `page-flags.ts`, `highmem.ts`, `access.ts`, `handles.ts`, `filemap.ts`,
 * `debug/check.ts`; see docs/core.md).
 *
 * Main entries (see each method): `allocPages`, `freePages`, `folioGet`, `folioRefAdd`, `folioPut`,
 * `setPageFlag`/`clearPageFlag`/`testPageFlag`, `folioTrylock`/`folioUnlock`, `read`, `write`,
 * `fill`, `view`, `pageAddress`, `kmapLocal`/`kmapLocalView`/`kunmapLocal`, `kmap`/`kunmap`,
 * `pfnToPhys`/`physToPfn`/`pfnValid`/`pageIsRam`/`isHighmem`, `currentCpu`/`onCpu`, `pageCache`,
 * `leakReport`/`teardown`, `checkConsistency`.
 *
 * @invariant After any `KernelError` from a public method, the allocator, the page metadata and the
 *   mapping slots are exactly as before the call (the one exception, documented on `allocPages`, is
 *   a debug poison report, which may have refilled the order-0 hot list).
 * @invariant A page is on a free list or hot list exactly when its metadata says `PG_free`.
 * @invariant Every allocated block head has a refcount of at least 1; free pages have 0.
 * @invariant Live local mappings name live pages: a page cannot be freed while mapped.
 * @invariant `currentCpu` is always in `[0, cpus)`.
 *
 * @example
 * ```ts
 * import { Machine } from "ownkit/core";
 *
 * const machine = new Machine({ ramSize: 16 << 20, debug: true });
 * const pfn = machine.allocPages(GFP_KERNEL | __GFP_ZERO, 0);
 * const gen = machine.pageGen(pfn);
 * machine.write(pfn, gen, 0, new Uint8Array([1, 2, 3]));
 * machine.freePages(pfn, gen, 0);
 * machine.read(pfn, gen, 0, new Uint8Array(3)); // KernelError EFAULT: use after free, with both stacks
 * ```
 */
export class Machine extends (MachineBuild as MachineBase) {
  /** The brand of a genuine machine (see {@link Machine.isMachine}). */
  #machine = true;
  // Every field is a `#` field: nothing of the machine's state is an own property a caller could
  // enumerate, reach or overwrite (an own `cpu` of 99 once indexed past the slot arrays silently,
  // and `machine.mem.setRefcount(…)` went unnoticed by the consistency check). The public figures are
  // getters; the kit's own tests reach the rest through {@link machineFriend}.
  /** The validated configuration (frozen). */
  // SAFETY: By MachineBuild's constructor, `built` holds this machine's parts while these
  // initializers run (they run when super() returns, before anything can construct another machine).
  readonly #config: ResolvedConfig = built!.config;
  /** `PAGE_SHIFT`. */
  readonly #pageShift: number = built!.config.pageShift;
  /** `PAGE_SIZE` in bytes. */
  readonly #pageSize: number = built!.config.pageSize;
  /** Page frames with metadata: `[0, nrPages)`. */
  readonly #nrPages: number = built!.config.nrPages;
  /** The first HIGHMEM frame. */
  readonly #highmemPfn: number = built!.config.highmemPfn;
  /** Number of CPUs. */
  readonly #cpus: number = built!.config.cpus;
  /** The page cache. */
  readonly #pageCache: PageCache = built!.pageCache;
  /** Per-page metadata; only the core writes it. */
  readonly #mem: MemMap = built!.mem;
  /** The backing bytes. */
  readonly #phys: PhysMem = built!.phys;
  /** The free lists. */
  readonly #buddy: Buddy = built!.buddy;
  /** The page_owner side table, present only with `debug.pageOwner`. */
  readonly #owner: PageOwner | undefined = built!.owner;
  /** The handle checks. */
  readonly #handles: Handles = built!.handles;
  /** The page allocator. */
  readonly #alloc: PageAlloc = built!.alloc;
  /** The caller-owned page flags. */
  readonly #flags: PageFlags = built!.flags;
  /** The mappings (the `kmap_local` slots, the permanent pool, the debug view leases). */
  readonly #highmem: Highmem = built!.highmem;
  /** The byte access. */
  readonly #access: Access = built!.access;
  /** The CPU the caller runs on. */
  #cpu = 0;

  /**
   * Builds a machine: validates the config, lays out metadata and hands the RAM to the allocator.
   *
   * @param config - The configuration; every field has a default.
   * @throws KernelError `EINVAL` for a bad configuration.
   */
  constructor(config: MachineConfig = {}) {
    super(config);
    // The field initializers ran when super() returned and took the parts; drop the reference.
    built = undefined;
  }

  static {
    friend = {
      internals: (machine) => ({
        config: machine.#config,
        mem: machine.#mem,
        phys: machine.#phys,
        buddy: machine.#buddy,
        owner: machine.#owner,
        handles: machine.#handles,
        alloc: machine.#alloc,
        flags: machine.#flags,
        highmem: machine.#highmem,
        access: machine.#access,
        pageCache: machine.#pageCache,
        slots: machine.#highmem.slots,
        pkmap: machine.#highmem.pkmap,
        leases: machine.#highmem.leases,
      }),
    };
  }

  /** The validated configuration (frozen: its fields, ranges and debug options cannot change). */
  get config(): ResolvedConfig {
    return this.#config;
  }

  /** `PAGE_SHIFT`. */
  get pageShift(): number {
    return this.#pageShift;
  }

  /** `PAGE_SIZE` in bytes. */
  get pageSize(): number {
    return this.#pageSize;
  }

  /** Page frames with metadata: `[0, nrPages)`. */
  get nrPages(): number {
    return this.#nrPages;
  }

  /** The first HIGHMEM frame; `nrPages` when there is no HIGHMEM. */
  get highmemPfn(): number {
    return this.#highmemPfn;
  }

  /** Number of CPUs. */
  get cpus(): number {
    return this.#cpus;
  }

  /** The page cache of this machine. */
  get pageCache(): PageCache {
    return this.#pageCache;
  }

  /**
   * Tells whether a value is a genuine machine: a brand check, so `Object.create(Machine.prototype)`
   * and a `Proxy` around a machine are refused where `instanceof` would accept them.
   *
   * @param value - Any value.
   * @returns `true` for a machine built by this class.
   */
  static isMachine(value: unknown): value is Machine {
    return typeof value === "object" && value !== null && #machine in value;
  }

  // --- CPUs ---------------------------------------------------------------------------------

  /** The CPU the caller is running on (0 unless inside {@link Machine.onCpu}). */
  get currentCpu(): number {
    return this.#cpu;
  }

  /**
   * Runs `fn` as if on CPU `cpu`, restoring the previous CPU afterwards, even when `fn` throws.
   *
   * @param cpu - A CPU number in `[0, cpus)`.
   * @param fn - The code to run.
   * @returns What `fn` returns.
   * @throws KernelError `EINVAL` for a bad CPU number or an `fn` that is not a function.
   */
  onCpu<Result>(cpu: number, fn: () => Result): Result {
    if (!isU32(cpu) || cpu >= this.#cpus) throw badNumber("on_cpu", "cpu", cpu, this.#cpus);
    checkFunction("on_cpu", "fn", fn);
    const previous = this.#cpu;
    // INVARIANT: cpu < cpus was checked above; the previous CPU is restored below.
    this.#cpu = cpu;
    try {
      return fn();
    } finally {
      this.#cpu = previous;
    }
  }

  // --- addressing ---------------------------------------------------------------------------

  /**
   * The physical address of a page frame (`PFN_PHYS`).
   *
   * @param pfn - A page frame number (need not have metadata: MMIO frames are fine).
   * @returns `pfn << PAGE_SHIFT`.
   * @throws KernelError `EINVAL` for a negative, fractional or non-finite pfn, or one whose address
   *   is not a safe integer.
   */
  pfnToPhys(pfn: number): number {
    if (!isAddress(pfn) || !Number.isSafeInteger(pfn * this.#pageSize)) throw badNumber("PFN_PHYS", "pfn", pfn);
    return pfn * this.#pageSize;
  }

  /**
   * The page frame holding a physical address (`PHYS_PFN`); any offset in the page is dropped.
   *
   * @param addr - A physical address.
   * @returns `addr >> PAGE_SHIFT`.
   * @throws KernelError `EINVAL` for a negative, fractional or non-finite address.
   */
  physToPfn(addr: number): number {
    if (!isAddress(addr)) throw badNumber("PHYS_PFN", "addr", addr);
    return Math.floor(addr / this.#pageSize);
  }

  /**
   * What a page frame holds, by the configured ranges.
   *
   * @param pfn - Any number.
   * @returns The range kind, or `"hole"` for frames beyond RAM that are not MMIO and for bad numbers.
   */
  kindOf(pfn: number): PhysRangeKind {
    if (!isAddress(pfn)) return "hole";
    const list = pfn < this.#nrPages ? this.#config.segments : this.#config.mmioAbove;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const seg = list[mid]!;
      if (pfn < seg.startPfn) hi = mid - 1;
      else if (pfn >= seg.endPfn) lo = mid + 1;
      else return seg.kind;
    }
    return "hole";
  }

  /**
   * Whether a page frame has metadata (`pfn_valid`): below the end of RAM and not MMIO.
   *
   * @param pfn - Any number; bad numbers give `false`.
   * @returns `true` when the frame has a `struct page`.
   */
  pfnValid(pfn: number): boolean {
    return isAddress(pfn) && pfn < this.#nrPages && this.kindOf(pfn) !== "mmio";
  }

  /**
   * Whether a page frame is RAM (`page_is_ram`): a `ram` or `reserved` range.
   *
   * @param pfn - Any number; bad numbers give `false`.
   * @returns `true` for RAM, including reserved RAM; `false` for holes, MMIO and bad numbers.
   */
  pageIsRam(pfn: number): boolean {
    if (!isAddress(pfn) || pfn >= this.#nrPages) return false;
    const kind = this.kindOf(pfn);
    return kind === "ram" || kind === "reserved";
  }

  /**
   * Whether a page frame lies in HIGHMEM (no direct mapping).
   *
   * @param pfn - A page frame number.
   * @returns `true` from the HIGHMEM boundary up to the end of RAM.
   */
  isHighmem(pfn: number): boolean {
    return isAddress(pfn) && pfn >= this.#highmemPfn && pfn < this.#nrPages;
  }

  /**
   * The zone a frame belongs to.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `ZONE_NORMAL` (0) or `ZONE_HIGHMEM` (1).
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  zoneOf(pfn: number): number {
    this.#handles.checkPfn("page_zonenum", pfn);
    return pfn < this.#highmemPfn ? ZONE_NORMAL : ZONE_HIGHMEM;
  }

  /**
   * Describes a page for messages: pfn, physical address and zone.
   *
   * @param pfn - A page frame.
   * @returns For example `pfn 0x10 (phys 0x10000, Normal)`.
   * @throws KernelError `EINVAL` when `pfn` is not a non-negative integer.
   */
  describePfn(pfn: number): string {
    return this.#handles.describePfn(pfn);
  }

  // --- handles and page metadata ------------------------------------------------------------

  /**
   * The generation of a page: the second half of a `(pfn, gen)` handle, bumped on every allocation.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The generation, an integer below 2^48: a frame can be reused 2^48 times before a
   *   generation repeats, so a stale handle never passes a check in practice.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageGen(pfn: number): number {
    return this.#handles.pageGen(pfn);
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
    this.#handles.handleFlags(op, pfn, gen);
  }

  /**
   * The bytes a handle may reach: the whole block for a block head, one page otherwise.
   *
   * @param pfn - A page below `nrPages`.
   * @param gen - The handle's generation.
   * @returns The size in bytes.
   * @throws KernelError `EFAULT` for a dead handle, `EINVAL` for bad numbers.
   */
  blockBytes(pfn: number, gen: number): number {
    const handles = this.#handles;
    return handles.extent(handles.handleFlags("block_bytes", pfn, gen));
  }

  /**
   * The raw flags word of a page (`PG_*` bits; the order in bits 12..15).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The flags.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageFlags(pfn: number): number {
    return this.#alloc.pageFlags(pfn);
  }

  /**
   * Whether a page is currently allocated (part of a block handed out by the allocator).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `false` for free, reserved and non-RAM frames.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isAllocated(pfn: number): boolean {
    return this.#alloc.isAllocated(pfn);
  }

  /**
   * The first page of the allocated block holding `pfn` (`compound_head` for any block).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The first pfn of the block, or `pfn` itself for a block head, reserved or free page.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  blockHead(pfn: number): number {
    return this.#alloc.blockHead(pfn);
  }

  /**
   * The order of an allocated block head (`folio_order`); 0 for other pages.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The order, 0..10.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  pageOrder(pfn: number): number {
    return this.#alloc.pageOrder(pfn);
  }

  /**
   * Whether a page is the head of a compound page (a folio allocated with `__GFP_COMP`).
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns `true` for a compound head.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  isCompoundHead(pfn: number): boolean {
    return this.#alloc.isCompoundHead(pfn);
  }

  /**
   * The reference count of a block head (`folio_ref_count`); 0 for free pages.
   *
   * @param pfn - A page frame below `nrPages`.
   * @returns The count.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  refCount(pfn: number): number {
    return this.#alloc.refCount(pfn);
  }

  // --- page allocation ----------------------------------------------------------------------

  /**
   * Allocates a block of `2^order` pages (`alloc_pages`); with `__GFP_COMP` it is a folio.
   *
   * @param gfp - GFP flags chosen by the caller (`GFP_KERNEL`, `| __GFP_ZERO`, `| __GFP_HIGHMEM`, ...).
   * @param order - 0..10 (`MAX_PAGE_ORDER` inclusive).
   * @returns The first pfn; its refcount is 1 and {@link Machine.pageGen} gives the handle's gen.
   * @throws KernelError `EINVAL` for bad flags or a bad order number, `EDOM` for an order above 10,
   *   `ENOMEM` when no block is free (the free lists are unchanged), `EFAULT` when debug poisoning
   *   finds the block written after it was freed.
   *
   * @example
   * ```ts
   * import type { Machine } from "ownkit/core";
   * declare const machine: Machine;
   *
   * const pfn = machine.allocPages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);
   * machine.folioPut(pfn, machine.pageGen(pfn)); // the last reference frees it
   * machine.allocPages(GFP_KERNEL, 11); // KernelError EDOM: order above MAX_PAGE_ORDER
   * ```
   */
  allocPages(gfp: number, order: number): number {
    return this.#alloc.allocPages(gfp, order);
  }

  /**
   * Drops the allocation reference of a block (`__free_pages`); frees it when that was the last one.
   *
   * @param pfn - The block's first page.
   * @param gen - The generation of the handle.
   * @param order - The order the block was allocated with.
   * @returns `true` when the block went back to the allocator.
   * @throws KernelError `EINVAL` for bad numbers, a page that is not a block's first page, a
   *   different order than allocated (M31), or a double free (M19, with both stacks in debug);
   *   `EBUSY` when the block is still locked, in the page cache or mapped. The machine is unchanged.
   */
  freePages(pfn: number, gen: number, order: number): boolean {
    return this.#alloc.freePages(pfn, gen, order);
  }

  /**
   * Takes another reference to a folio (`folio_get`).
   *
   * @param pfn - The folio's first page (any allocated block head).
   * @param gen - The generation of the handle.
   * @throws KernelError `EFAULT` when the folio was freed (refcount zero), `EOVERFLOW` when the
   *   count would overflow, `EINVAL` for bad numbers or a page that is not a block head.
   */
  folioGet(pfn: number, gen: number): void {
    this.#alloc.folioRefAdd(pfn, gen, 1);
  }

  /**
   * Takes `nr` more references to a folio (`folio_ref_add`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @param nr - How many references, at least 1.
   * @throws KernelError as {@link Machine.folioGet}.
   */
  folioRefAdd(pfn: number, gen: number, nr: number): void {
    this.#alloc.folioRefAdd(pfn, gen, nr);
  }

  /**
   * Drops a reference to a folio (`folio_put`); the last one frees it.
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @returns `true` when this was the last reference and the folio was freed.
   * @throws KernelError `ERANGE` for a refcount underflow (the folio is not freed twice, M21),
   *   `EFAULT` when the folio was freed and reallocated, `EBUSY` when the last reference goes while
   *   the folio is locked or mapped, `EINVAL` for bad numbers or a tail page.
   */
  folioPut(pfn: number, gen: number): boolean {
    return this.#alloc.folioPut(pfn, gen);
  }

  /**
   * Checks that {@link Machine.folioPut} of this handle would succeed, changing nothing: the
   * first phase of an operation that drops several references and must drop all or none.
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @param uncached - Check as if the folio had already left the page cache (the caller removes
   *   it in the second phase, just before the put).
   * @throws KernelError exactly what `folioPut` would throw.
   */
  folioPutCheck(pfn: number, gen: number, uncached = false): void {
    this.#alloc.folioPutCheck(pfn, gen, uncached);
  }

  /**
   * Free pages per zone and order, like `/proc/buddyinfo` (hot-list pages count as order 0).
   *
   * @returns `free[zone][order]` block counts, and `pages[zone]` free page totals.
   */
  buddyInfo(): BuddyInfo {
    return this.#alloc.buddyInfo();
  }

  /**
   * Total free pages in all zones.
   *
   * @returns The count.
   */
  nrFreePages(): number {
    return this.#alloc.nrFreePages();
  }

  // --- page flags ---------------------------------------------------------------------------

  /**
   * Sets one caller-owned flag on a folio head or reserved page (`folio_set_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - One of `PG_locked`, `PG_uptodate`, `PG_dirty`, `PG_owner_priv_1`, `PG_owner_priv_2`.
   * @throws KernelError `EINVAL` for another flag or a tail page; `EFAULT` for a dead handle.
   */
  setPageFlag(pfn: number, gen: number, flag: number): void {
    this.#flags.set(pfn, gen, flag);
  }

  /**
   * Clears one caller-owned flag on a folio head or reserved page (`folio_clear_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - As for {@link Machine.setPageFlag}.
   * @throws KernelError as for {@link Machine.setPageFlag}.
   */
  clearPageFlag(pfn: number, gen: number, flag: number): void {
    this.#flags.clear(pfn, gen, flag);
  }

  /**
   * Tests one caller-owned flag on a folio head or reserved page (`folio_test_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - As for {@link Machine.setPageFlag}.
   * @returns Whether the flag is set.
   * @throws KernelError as for {@link Machine.setPageFlag}.
   */
  testPageFlag(pfn: number, gen: number, flag: number): boolean {
    return this.#flags.test(pfn, gen, flag);
  }

  /**
   * Locks a folio if it is unlocked (`folio_trylock`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @returns `true` when this call took the lock, `false` when it was already held.
   * @throws KernelError as for {@link Machine.setPageFlag}.
   */
  folioTrylock(pfn: number, gen: number): boolean {
    return this.#flags.trylock(pfn, gen);
  }

  /**
   * Unlocks a locked folio (`folio_unlock`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @throws KernelError `EINVAL` when the folio is not locked; otherwise as for `setPageFlag`.
   */
  folioUnlock(pfn: number, gen: number): void {
    this.#flags.unlock(pfn, gen);
  }

  // --- access -------------------------------------------------------------------------------

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
    this.#access.read(pfn, gen, offset, dst);
  }

  /**
   * Copies `src` into a page or block (`memcpy_to_page`).
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte to write, from the start of `pfn`.
   * @param src - The bytes to write.
   * @throws KernelError as for {@link Machine.read} (`EINVAL` when `src` is not a
   *   `Uint8Array`); nothing is written on error.
   */
  write(pfn: number, gen: number, offset: number, src: Uint8Array): void {
    this.#access.write(pfn, gen, offset, src);
  }

  /**
   * Sets `length` bytes of a page or block to `value` (`memset_page`; `value` 0 is `zero_user`).
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte, from the start of `pfn`.
   * @param length - Number of bytes.
   * @param value - A byte, 0..255.
   * @throws KernelError as for {@link Machine.read}; also `EINVAL` for a value that is not a byte.
   */
  fill(pfn: number, gen: number, offset: number, length: number, value = 0): void {
    this.#access.fill(pfn, gen, offset, length, value);
  }

  /**
   * A `subarray` over bytes of a page or block, for closure-scoped access.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - First byte, from the start of `pfn`.
   * @param length - Number of bytes.
   * @returns A view sharing the machine's memory.
   * @throws KernelError as for {@link Machine.read}.
   * @remarks A JavaScript view cannot be revoked: the caller must stop using it when its scope ends
   * and before the page is freed; later writes through it corrupt whatever reuses the page (debug
   * poisoning catches that at the next allocation).
   */
  view(pfn: number, gen: number, offset: number, length: number): Uint8Array {
    return this.#access.view(pfn, gen, offset, length);
  }

  /**
   * The direct-map view of a lowmem page or block (`page_address`); `null` for HIGHMEM.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @returns A view of the whole block (or page), or `null` for HIGHMEM pages and in force-map mode.
   * @throws KernelError `EFAULT` for a dead handle, `EINVAL` for bad numbers.
   * @remarks As for {@link Machine.view}: the view cannot be revoked.
   */
  pageAddress(pfn: number, gen: number): Uint8Array | null {
    return this.#access.pageAddress(pfn, gen);
  }

  // --- highmem ------------------------------------------------------------------------------

  /**
   * Maps a page or folio on the current CPU (`kmap_local_folio(folio, offset)`); returns a mapping id.
   *
   * @param pfn - The page or block head.
   * @param gen - The handle's generation.
   * @param offset - The byte to map, `< size`; the mapping starts there.
   * @param access - `"read"` for a read-only mapping (with `debug.views`, its views refuse every
   *   write); `"write"` by default.
   * @param madeBy - The operation that maps, for debug reports (`"with_page_mapped"`, ...).
   * @returns The mapping id, for {@link Machine.kmapLocalView} and {@link Machine.kunmapLocal}.
   * @throws KernelError `ENOSPC` when the CPU's 15 slots (16 with the guard layout) are in use,
   *   earlier mappings untouched (M23); `EINVAL` for an offset outside the block; `EFAULT` for a
   *   dead handle.
   * @remarks The mapping reaches the end of the page holding `offset` on HIGHMEM and in force-map
   * mode, and the end of the block otherwise, as upstream.
   */
  kmapLocal(pfn: number, gen: number, offset = 0, access: ViewAccess = "write", madeBy = "kmap_local"): number {
    const id = this.#highmem.kmapLocal(this.#cpu, pfn, gen, offset, access, madeBy);
    this.#alloc.mappingAdded();
    return id;
  }

  /**
   * The view of a live local mapping: from the mapped offset to the mapping's end.
   *
   * @param id - A mapping id from {@link Machine.kmapLocal}.
   * @returns A `subarray` of the machine's memory; with `debug.views`, a guarded view of it that
   *   stops working when the mapping ends (see `core/debug/views.ts`).
   * @throws KernelError `EFAULT` when the mapping was released or its page freed; `EPERM` from
   *   another CPU than the one that mapped it (M24).
   * @remarks Without `debug.views` the view cannot be revoked: unmapping invalidates the id, not
   * the view already obtained, so the caller stops using it when the mapping ends.
   */
  kmapLocalView(id: number): Uint8Array {
    return this.#highmem.kmapLocalView(this.#cpu, id);
  }

  /**
   * The bytes of a live local mapping, never guarded: for the kit's own copies, which lend nothing
   * to caller code.
   *
   * @param id - A mapping id from {@link Machine.kmapLocal}.
   * @returns A `subarray` of the machine's memory.
   * @throws KernelError as {@link Machine.kmapLocalView}.
   * @remarks The view is used only before the mapping is released and never handed to caller code
   * (nothing can revoke it, in any mode).
   */
  kmapLocalBytes(id: number): Uint8Array {
    return this.#highmem.kmapLocalBytes(this.#cpu, id);
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
    this.#highmem.kunmapLocal(this.#cpu, id);
    this.#alloc.mappingRemoved();
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
    this.#highmem.endLocalViews(id, by);
  }

  /**
   * Fails when any page of a block is mapped (a live local or permanent mapping): the check of an
   * operation that gives the page away while it is mapped (`intoPhys`, a free).
   *
   * @param op - The operation.
   * @param pfn - The block's first page.
   * @param order - The block's order.
   * @throws KernelError `EBUSY` naming the live mapping; `EINVAL` for a pfn without metadata, a bad
   *   order or a block past the end of RAM.
   */
  checkUnmapped(op: string, pfn: number, order: number): void {
    this.#highmem.checkUnmapped(op, pfn, order);
  }

  /**
   * The number of live local mappings on a CPU.
   *
   * @param cpu - A CPU; the current one when omitted.
   * @returns The nesting depth.
   * @throws KernelError `EINVAL` for a bad CPU number.
   */
  kmapLocalDepth(cpu = this.#cpu): number {
    return this.#highmem.kmapLocalDepth(cpu);
  }

  /**
   * Maps one page through the permanent pool (`kmap`); discouraged, prefer `kmapLocal`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @returns A view of that page (one page, on every configuration).
   * @throws KernelError `EBUSY` when all `LAST_PKMAP` entries are in use; `EFAULT` for a dead handle.
   * @remarks The view cannot be revoked; stop using it at the matching `kunmap`.
   */
  kmap(pfn: number, gen: number): Uint8Array {
    const view = this.#highmem.kmap(pfn, gen);
    this.#alloc.mappingAdded();
    return view;
  }

  /**
   * Releases one permanent mapping of a page (`kunmap`).
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @throws KernelError `EINVAL` when the page is not kmapped; `EFAULT` for a dead handle.
   */
  kunmap(pfn: number, gen: number): void {
    this.#highmem.kunmap(pfn, gen);
    this.#alloc.mappingRemoved();
  }

  // --- debug and inspection -----------------------------------------------------------------

  /** The parts the whole-machine checks read. */
  private checkedParts(): CheckedParts {
    return { mem: this.#mem, buddy: this.#buddy, highmem: this.#highmem, pageCache: this.#pageCache, owner: this.#owner, pageSize: this.#pageSize };
  }

  /**
   * Lists every block still allocated, with its order and (debug) allocation stack, and every live
   * mapping; `null` when nothing leaked.
   *
   * @returns The leak report text, or `null`.
   */
  leakReport(): string | null {
    return leakReport(this.checkedParts());
  }

  /**
   * Shuts the machine down: fails with the leak report if pages or mappings are still held,
   * otherwise drops the backing memory.
   *
   * @throws KernelError `EBUSY` with `KernelError.report` listing each leaked block (M30);
   *   the machine is unchanged and still usable.
   */
  teardown(): void {
    const report = this.leakReport();
    if (report !== null) {
      const leaked = this.#nrPages - this.#alloc.nrFreePages() - this.#alloc.unmanagedPages();
      throw kernelError("EBUSY", "machine_teardown", "pages or mappings still held at teardown", { leakedPages: leaked, liveMappings: this.#highmem.slots.live + this.#highmem.pkmap.used }, report);
    }
    this.#phys.release();
    this.#alloc.forgetPoison();
  }

  /**
   * Walks the free lists, the hot lists, every page's metadata, the mapping slots and the page cache,
   * and returns every disagreement found.
   *
   * @returns Descriptions of violated invariants; empty when the machine is consistent.
   */
  consistencyProblems(): string[] {
    return consistencyProblems(this.checkedParts());
  }

  /**
   * Checks every invariant of the machine (see {@link Machine.consistencyProblems}).
   *
   * @throws KernelError `EIO` listing the violations when the machine is inconsistent.
   */
  checkConsistency(): void {
    const problems = this.consistencyProblems();
    if (problems.length > 0) {
      throw kernelError("EIO", "check_consistency", "machine state is inconsistent", { problems: problems.length }, problems.slice(0, 50).join("\n"));
    }
  }

  /**
   * A digest of the whole allocator, metadata and mapping state, for "unchanged after an error"
   * checks in tests: equal digests mean equal states (up to hash collisions).
   *
   * @returns A hex string.
   */
  stateDigest(): string {
    return stateDigest(this.checkedParts(), this.#cpu);
  }

  /**
   * Memory the machine uses: metadata bytes per page and in total, and backing allocated so far.
   *
   * @returns The figures.
   */
  memoryUsage(): MemoryUsage {
    return {
      metadataBytesPerPage: metadataBytesPerPage(),
      metadataBytes: this.#mem.bytes(),
      backedChunks: this.#phys.backedChunks(),
      backedBytes: this.#phys.backedBytes(),
      debugStackEntries: this.#owner === undefined ? 0 : this.#owner.allocStacks.size + this.#owner.freeStacks.size,
    };
  }
}

// INVARIANT: `Machine`'s super constructor stays `MachineBuild`'s, so `built` holds the parts its
// own `super()` just built when the `#` field initializers read them. A caller's
// `Object.setPrototypeOf(Machine, …)` would otherwise let a machine take parts left by another call
// (`new MachineBuild(cfg)` alone) or none at all (a TypeError from the initializers).
Object.preventExtensions(Machine);

/**
 * @internal Friend access to the state behind {@link Machine}'s facade, for the kit's own tests,
 * fuzz and tools (see CONTRIBUTING.md, "Friend access"); never exported from `core/index.ts`.
 */
// SAFETY: By ECMAScript class evaluation, Machine's static block above ran when the class was
// defined, before this line, so `friend` is assigned.
export const machineFriend: MachineFriend = friend!;

/** How much host memory a {@link Machine} uses, as returned by {@link Machine.memoryUsage}. */
export interface MemoryUsage {
  /** Bytes of page metadata per simulated page (20, in the sections allocated so far). */
  metadataBytesPerPage: number;
  /** Bytes of page metadata allocated so far (whole memory sections, as their frames are first written). */
  metadataBytes: number;
  /** Number of backing chunks of physical memory allocated so far (memory that was touched). */
  backedChunks: number;
  /** Bytes of backing allocated so far. */
  backedBytes: number;
  /** Number of allocation and free stacks recorded by the page-owner debug option. */
  debugStackEntries: number;
}

let fallback: Machine | undefined;

/**
 * The machine the kit uses when none is given: 256 MiB, 4 KiB pages, no HIGHMEM, 2 CPUs, created
 * on first use.
 *
 * @returns The default machine.
 */
export function defaultMachine(): Machine {
  fallback ??= new Machine();
  return fallback;
}

/**
 * Replaces the default machine (for example with a HIGHMEM or debug configuration).
 *
 * @param machine - The new default, or `undefined` to create a fresh default on next use.
 * @returns The previous default, if one had been created.
 * @throws KernelError `EINVAL` when `machine` is neither `undefined` nor a genuine machine.
 */
export function setDefaultMachine(machine: Machine | undefined): Machine | undefined {
  if (machine !== undefined && !Machine.isMachine(machine)) {
    throw kernelError("EINVAL", "set_default_machine", "not a Machine", { machine: machine });
  }
  const previous = fallback;
  fallback = machine;
  return previous;
}

/**
 * Creates a machine; the same as `new Machine(config)`.
 *
 * @param config - The configuration.
 * @returns The machine.
 * @throws KernelError `EINVAL` for a bad configuration.
 */
export function createMachine(config?: MachineConfig): Machine {
  return new Machine(config);
}
