/**
 * Machine configuration: RAM size, page size, HIGHMEM boundary, CPUs, physical ranges, debug options.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, isAddress, readOption } from "../args.js";

/** The page shifts the kernel supports: 4, 8, 16, 32, 64 or 256 KiB pages. */
export type PageShift = 12 | 13 | 14 | 15 | 16 | 18;

/** The page shifts accepted by {@link MachineConfig.pageShift}. */
export const PAGE_SHIFTS: readonly PageShift[] = [12, 13, 14, 15, 16, 18];

/** The largest buddy order, inclusive (`MAX_PAGE_ORDER` in the kernel): blocks of 1..1024 pages. */
export const MAX_PAGE_ORDER = 10;

/** The number of orders the buddy allocator serves (`NR_PAGE_ORDERS`, 0..10). */
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;

/**
 * What a physical range holds.
 *
 * - `ram`: ordinary memory, handed out by the allocator.
 * - `reserved`: RAM that is never allocatable (firmware, kernel image); `pageIsRam` is true.
 * - `hole`: no memory; the page has metadata (like the kernel's `PG_reserved` holes) but is not RAM.
 * - `mmio`: device registers; no `struct page`, so `pfnValid` is false.
 */
export type PhysRangeKind = "ram" | "reserved" | "hole" | "mmio";

/** A physical range laid over the machine's RAM, in bytes (page-aligned start and size). */
export interface PhysRange {
  /** What the range holds. */
  readonly kind: PhysRangeKind;
  /** The first physical address, a multiple of the page size. */
  readonly start: number;
  /** The length in bytes, a positive multiple of the page size. */
  readonly size: number;
}

/**
 * Debug options modelled on the kernel's memory debuggers; all are off by default.
 */
export interface DebugOptions {
  /** Poison freed pages with `0xaa` and check the poison on allocation (`CONFIG_PAGE_POISONING`). */
  readonly poison?: boolean;
  /** Record allocation and free stacks per page (`CONFIG_PAGE_OWNER`); reports then carry them. */
  readonly pageOwner?: boolean;
  /** The 33-slot guard layout of `CONFIG_DEBUG_KMAP_LOCAL`: 16 nested local maps instead of 15. */
  readonly kmapLocalGuard?: boolean;
  /**
   * Map lowmem like HIGHMEM (`CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP`): no direct-map view, and local
   * and permanent mappings end at the page end, so HIGHMEM paths run on any configuration.
   */
  readonly forceMap?: boolean;
  /**
   * Lend mapped memory through guarded views that die with their mapping (the kit's KASAN for
   * views): a view used after its mapping ended, or written through a read-only mapping, throws a
   * `KernelError` with a report; a view's `buffer` is refused. On by default when `poison` or
   * `pageOwner` is on (and with `debug: true`); `views: false` turns it off.
   */
  readonly views?: boolean;
  /**
   * With `views`, also record where each mapping was made and where it ended (two stack captures
   * per mapping, a few microseconds each), so a view report shows both stacks. Off unless set: a
   * report without it names the mapping, the operation that made it and the one that ended it.
   */
  readonly viewStacks?: boolean;
}

/**
 * How to build a {@link Machine}; every field is optional.
 *
 * @example
 * ```ts
 * import { Machine } from "ownkit/core";
 *
 * const machine = new Machine({
 *   ramSize: 64 << 20,
 *   highmemStart: 32 << 20,
 *   ranges: [{ kind: "reserved", start: 0, size: 1 << 20 }, { kind: "mmio", start: 0xfe000000, size: 4096 }],
 *   debug: { poison: true, pageOwner: true },
 * });
 * ```
 */
export interface MachineConfig {
  /** Bytes of physical address space backed by memory metadata (default 256 MiB). */
  readonly ramSize?: number;
  /** `PAGE_SHIFT` (default 12, 4 KiB pages). */
  readonly pageShift?: PageShift;
  /** The physical address where HIGHMEM begins; `null` or absent for none. */
  readonly highmemStart?: number | null;
  /** Number of CPUs, 1..64 (default 2). */
  readonly cpus?: number;
  /**
   * Ranges laid over `[0, ramSize)` in order (a later range wins); `mmio` ranges may also lie above
   * `ramSize`. Everything not covered is RAM.
   */
  readonly ranges?: readonly PhysRange[];
  /** Debug options; `true` turns on `poison`, `pageOwner`, `kmapLocalGuard` and `views`. */
  readonly debug?: boolean | DebugOptions;
  /**
   * How the page metadata is laid out, as the kernel's memory models do (see docs/core.md, "Memory
   * models"):
   *
   * - `"flat"` (`CONFIG_FLATMEM`): five arrays of 20 bytes per frame in all, allocated at start-up;
   *   the fastest accessors. At most `FLAT_MAX_PAGES` frames.
   * - `"sparse"` (`CONFIG_SPARSEMEM_VMEMMAP`): metadata allocated per 128 MiB section on first
   *   use, so start-up and memory grow with the memory touched; each access checks a cached section.
   *
   * Default: `"flat"` up to `FLAT_DEFAULT_MAX_PAGES` frames (1 GiB of 4 KiB pages: 5 MiB of
   * metadata), `"sparse"` above. Behaviour is the same either way; only speed and memory differ.
   */
  readonly memoryModel?: MemoryModel;
}

/** A memory model: how a machine lays out its page metadata (see {@link MachineConfig.memoryModel}). */
export type MemoryModel = "flat" | "sparse";

/** The largest machine, in frames, that is flat by default: 2^18 (1 GiB of 4 KiB pages). */
export const FLAT_DEFAULT_MAX_PAGES = 2 ** 18;

/**
 * The most frames a flat machine may have: 2^26 (256 GiB of 4 KiB pages, 1.25 GiB of metadata
 * allocated at start-up). Every link then fits 32 bits; larger machines are what `"sparse"` is for.
 */
export const FLAT_MAX_PAGES = 2 ** 26;

/** A run of page frames of one kind, `[startPfn, endPfn)`. */
export interface PfnSegment {
  /** The first page frame. */
  readonly startPfn: number;
  /** One past the last page frame. */
  readonly endPfn: number;
  /** What the frames hold. */
  readonly kind: PhysRangeKind;
}

/**
 * A validated configuration in page frames.
 *
 * @invariant `segments` are sorted, disjoint and cover `[0, nrPages)` exactly.
 * @invariant `highmemPfn <= nrPages`; it equals `nrPages` when there is no HIGHMEM.
 * @invariant `nrPages <= FLAT_MAX_PAGES` when `memoryModel` is `"flat"`.
 */
export interface ResolvedConfig {
  /** `PAGE_SHIFT`. */
  readonly pageShift: PageShift;
  /** `PAGE_SIZE` in bytes. */
  readonly pageSize: number;
  /** Page frames with metadata (`[0, ramSize)`). */
  readonly nrPages: number;
  /** The first HIGHMEM frame (`nrPages` when none). */
  readonly highmemPfn: number;
  /** Number of CPUs. */
  readonly cpus: number;
  /** The kinds of the frames in `[0, nrPages)`. */
  readonly segments: readonly PfnSegment[];
  /** MMIO ranges above RAM, as `[startPfn, endPfn)`. */
  readonly mmioAbove: readonly PfnSegment[];
  /** The debug options, all fields present. */
  readonly debug: Required<DebugOptions>;
  /** The memory model, the default resolved. */
  readonly memoryModel: MemoryModel;
}

/**
 * The most page frames a machine may have: 2^34 (64 TiB of 4 KiB pages). The memory map and the
 * backing are sparse, so a machine costs memory in proportion to the frames it touches.
 */
export const MAX_PAGES = 2 ** 34;

/** The most CPUs a machine may have (mapping ids encode the CPU in 6 bits). */
export const MAX_CPUS = 64;

const OP = "machine_create";

/**
 * Validates a configuration and turns it into page frames.
 *
 * @param config - The caller's configuration.
 * @returns The resolved configuration, frozen (its ranges and debug options too).
 * @throws KernelError `EINVAL` naming the offending field and value.
 */
export function resolveConfig(config: MachineConfig = {}): ResolvedConfig {
  if (typeof config !== "object" || config === null) throw kernelError("EINVAL", OP, "config is not an object", { config });
  // Each field is read once, a throwing getter or a revoked Proxy being EINVAL, then type-checked.
  const field = (key: keyof MachineConfig): unknown => readOption(OP, config, key);
  const pageShift = (field("pageShift") ?? 12) as PageShift;
  if (!PAGE_SHIFTS.includes(pageShift)) {
    throw kernelError("EINVAL", OP, "pageShift must be 12, 13, 14, 15, 16 or 18", { pageShift });
  }
  // Small integers (Smis) wherever the value allows: V8 keeps a field first written with a heap
  // number as a double, and every hot-path comparison against it would then unbox and convert.
  const pageSize = 1 << pageShift;
  const ramSize = field("ramSize") ?? 256 * 1024 * 1024;
  if (!isAddress(ramSize) || ramSize === 0 || ramSize % pageSize !== 0) {
    throw kernelError("EINVAL", OP, "ramSize must be a positive multiple of the page size", { ramSize, pageSize });
  }
  if (ramSize / pageSize > MAX_PAGES) throw badNumber(OP, "ramSize", ramSize, MAX_PAGES * pageSize);
  // INVARIANT: an exact integer in 1..MAX_PAGES (ramSize is a multiple of pageSize); a Smi up to
  // 2^30 frames, a heap number above (V8 then compares pfns against a double).
  const nrPages = ramSize / pageSize;
  const cpus = field("cpus") ?? 2;
  if ((typeof cpus !== "number" || (cpus >>> 0) !== cpus) || cpus < 1 || cpus > MAX_CPUS) throw badNumber(OP, "cpus", cpus, MAX_CPUS + 1);
  let highmemPfn = nrPages;
  const highmemStart = field("highmemStart") ?? null;
  if (highmemStart !== null) {
    if (!isAddress(highmemStart) || highmemStart % pageSize !== 0 || highmemStart === 0 || highmemStart > ramSize) {
      throw kernelError("EINVAL", OP, "highmemStart must be a page-aligned address in (0, ramSize]", {
        highmemStart,
        ramSize,
      });
    }
    // INVARIANT: highmemStart <= ramSize is a multiple of pageSize, so the quotient is an exact
    // integer at most nrPages.
    highmemPfn = highmemStart / pageSize;
  }
  const { segments, mmioAbove } = layRanges((field("ranges") ?? []) as readonly PhysRange[], nrPages, pageSize);
  const debug = resolveDebug(field("debug") as boolean | DebugOptions | undefined);
  const memoryModel = field("memoryModel") ?? (nrPages <= FLAT_DEFAULT_MAX_PAGES ? "flat" : "sparse");
  if (memoryModel !== "flat" && memoryModel !== "sparse") {
    throw kernelError("EINVAL", OP, "memoryModel must be \"flat\" or \"sparse\"", { memoryModel });
  }
  if (memoryModel === "flat" && nrPages > FLAT_MAX_PAGES) {
    throw kernelError("EINVAL", OP, "a flat memory model holds at most FLAT_MAX_PAGES frames; use \"sparse\"", { nrPages, limit: FLAT_MAX_PAGES });
  }
  // INVARIANT: a flat machine has at most FLAT_MAX_PAGES frames. Frozen, ranges and debug options
  // included: a machine's services copy these figures at construction, so a later write would make
  // `machine.config` disagree with what the machine does.
  const frozen = (list: PfnSegment[]): readonly PfnSegment[] => Object.freeze(list.map((seg) => Object.freeze(seg)));
  return Object.freeze({ pageShift, pageSize, nrPages, highmemPfn, cpus, segments: frozen(segments), mmioAbove: frozen(mmioAbove), debug: Object.freeze(debug), memoryModel });
}

const DEBUG_FIELDS = ["poison", "pageOwner", "kmapLocalGuard", "forceMap", "views", "viewStacks"] as const;

function resolveDebug(debug: boolean | DebugOptions | undefined): Required<DebugOptions> {
  if (debug === true) return { poison: true, pageOwner: true, kmapLocalGuard: true, forceMap: false, views: true, viewStacks: false };
  if (debug !== false && debug !== undefined && (typeof debug !== "object" || debug === null)) {
    throw kernelError("EINVAL", OP, "debug must be a boolean or an options object", { debug });
  }
  const options: DebugOptions = debug === false || debug === undefined ? {} : debug;
  for (const field of DEBUG_FIELDS) {
    const value: unknown = readOption(OP, options, field);
    if (value !== undefined && typeof value !== "boolean") {
      throw kernelError("EINVAL", OP, `debug.${field} must be a boolean`, { [field]: value });
    }
  }
  return {
    poison: options.poison === true,
    pageOwner: options.pageOwner === true,
    kmapLocalGuard: options.kmapLocalGuard === true,
    forceMap: options.forceMap === true,
    // The memory debuggers imply the view guard unless it is turned off explicitly.
    views: options.views ?? (options.poison === true || options.pageOwner === true || options.viewStacks === true),
    viewStacks: options.viewStacks === true,
  };
}

const KINDS: readonly PhysRangeKind[] = ["ram", "reserved", "hole", "mmio"];

function layRanges(
  ranges: readonly PhysRange[],
  nrPages: number,
  pageSize: number,
): { segments: PfnSegment[]; mmioAbove: PfnSegment[] } {
  let segments: PfnSegment[] = [{ startPfn: 0, endPfn: nrPages, kind: "ram" }];
  const mmioAbove: PfnSegment[] = [];
  let list: unknown[];
  try {
    if (!Array.isArray(ranges)) throw new TypeError("not an array");
    list = [...(ranges as unknown[])];
  } catch {
    throw kernelError("EINVAL", OP, "ranges is not an array", { ranges });
  }
  for (const [index, range] of list.entries()) {
    if (typeof range !== "object" || range === null) throw kernelError("EINVAL", OP, "range is not an object", { index, range });
    const kind = readOption(OP, range, "kind") as PhysRangeKind;
    const start = readOption(OP, range, "start");
    const size = readOption(OP, range, "size");
    if (!KINDS.includes(kind)) throw kernelError("EINVAL", OP, "unknown range kind", { kind });
    if (!isAddress(start) || !isAddress(size) || size === 0 || start % pageSize !== 0 || size % pageSize !== 0) {
      throw kernelError("EINVAL", OP, "range start and size must be page-aligned, size positive", {
        kind,
        start,
        size,
      });
    }
    const startPfn = start / pageSize;
    const endPfn = startPfn + size / pageSize;
    if (startPfn >= nrPages) {
      if (kind !== "mmio") {
        throw kernelError("EINVAL", OP, "only mmio ranges may lie above ramSize", { kind, start, size });
      }
      if (mmioAbove.some((other) => other.startPfn < endPfn && startPfn < other.endPfn)) {
        throw kernelError("EINVAL", OP, "mmio ranges above ramSize overlap", { start, size });
      }
      mmioAbove.push({ startPfn, endPfn, kind });
      continue;
    }
    if (endPfn > nrPages) {
      throw kernelError("EINVAL", OP, "range crosses the end of RAM", { kind, start, size, ramSize: nrPages * pageSize });
    }
    const next: PfnSegment[] = [];
    for (const seg of segments) {
      if (seg.endPfn <= startPfn || seg.startPfn >= endPfn) {
        next.push(seg);
        continue;
      }
      if (seg.startPfn < startPfn) next.push({ startPfn: seg.startPfn, endPfn: startPfn, kind: seg.kind });
      if (seg.endPfn > endPfn) next.push({ startPfn: endPfn, endPfn: seg.endPfn, kind: seg.kind });
    }
    next.push({ startPfn, endPfn, kind });
    next.sort((a, b) => a.startPfn - b.startPfn);
    segments = next;
  }
  mmioAbove.sort((a, b) => a.startPfn - b.startPfn);
  return { segments, mmioAbove };
}
