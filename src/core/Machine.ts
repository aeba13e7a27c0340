/**
 * The simulated machine: RAM, page metadata, the buddy allocator, mappings, the page cache, debug.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { hex } from "../args.js";
import type { MachineConfig } from "./config.js";
import { NR_ZONES, PfnMarks } from "./Buddy.js";
import { formatLeaks, type LeakEntry } from "./debug/report.js";
import { KmapSlots } from "./KmapSlots.js";
import { MachineAccess } from "./MachineAccess.js";
import { FLAGS_MASK, metadataBytesPerPage, ORDER_SHIFT, PG_free, PG_head, PG_nomap, PG_poisoned, PG_reserved, PG_tail } from "./MemMap.js";
import { PageCache } from "./PageCache.js";

/**
 * A simulated machine: sparse RAM, per-page metadata, a buddy allocator, per-CPU `kmap_local`
 * slots, the permanent `kmap` pool, a page cache and the memory debuggers.
 *
 * @remarks
 * The core is a plain simulator: numbers in, numbers out. A page or folio is named by a handle
 * `(pfn, gen)`: `allocPages` returns the pfn and {@link MachineState.pageGen} the generation, which
 * changes on every allocation, so a stale handle is caught even after the page is reused. mm builds
 * its ownership types on these methods and never indexes memory itself.
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
 *
 * @example
 * ```ts
 * const machine = new Machine({ ramSize: 16 << 20, debug: true });
 * const pfn = machine.allocPages(GFP_KERNEL | __GFP_ZERO, 0);
 * const gen = machine.pageGen(pfn);
 * machine.write(pfn, gen, 0, new Uint8Array([1, 2, 3]));
 * machine.freePages(pfn, gen, 0);
 * machine.read(pfn, gen, 0, new Uint8Array(3)); // KernelError EFAULT: use after free, with both stacks
 * ```
 */
export class Machine extends MachineAccess {
  /** The brand of a genuine machine (see {@link Machine.isMachine}). */
  #machine = true;
  /** The page cache of this machine. */
  readonly pageCache: PageCache = new PageCache(this);

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

  /**
   * Lists every block still allocated, with its order and (debug) allocation stack, and every live
   * mapping; `null` when nothing leaked.
   *
   * @returns The leak report text, or `null`.
   */
  leakReport(): string | null {
    const leaks: LeakEntry[] = [];
    const mem = this.mem;
    // Frames outside the spans hold their default word: free, reserved or no memory, never a leak.
    for (const [start, end] of mem.spans()) {
      for (let pfn = start; pfn < end; pfn++) {
        const f = mem.word(pfn) & FLAGS_MASK;
        if ((f & (PG_free | PG_reserved | PG_nomap | PG_tail)) !== 0) continue;
        leaks.push({
          pfn,
          phys: pfn * this.pageSize,
          order: f >>> ORDER_SHIFT,
          page: mem.describe(pfn),
          allocStack: this.owner?.allocStack(pfn),
        });
      }
    }
    const mappings = [
      ...this.slots.entries().map((entry) => KmapSlots.describe(entry)),
      ...this.pkmap.entries().map(([pfn, count]) => `kmap of pfn ${hex(pfn)} (count ${count})`),
    ];
    return leaks.length === 0 && mappings.length === 0 ? null : formatLeaks(leaks, mappings);
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
      const leaked = this.nrPages - this.nrFreePages() - this.unmanagedPages();
      throw kernelError("EBUSY", "machine_teardown", "pages or mappings still held at teardown", { leakedPages: leaked, liveMappings: this.slots.live + this.pkmap.used }, report);
    }
    this.phys.release();
    const mem = this.mem;
    for (const [start, end] of mem.spans()) {
      for (let pfn = start; pfn < end; pfn++) {
        const word = mem.word(pfn);
        if ((word & PG_poisoned) !== 0) mem.setWord(pfn, word & ~PG_poisoned);
      }
    }
  }

  /**
   * Walks the free lists, the hot lists, every page's metadata, the mapping slots and the page cache,
   * and returns every disagreement found.
   *
   * @returns Descriptions of violated invariants; empty when the machine is consistent.
   */
  consistencyProblems(): string[] {
    const seen = new PfnMarks();
    const problems = this.buddy.check(seen);
    const mem = this.mem;
    const nrPages = this.nrPages;
    // Frames outside the spans hold the default metadata of their kind, which is consistent.
    for (const [start, end] of mem.spans()) {
      for (let pfn = start; pfn < end; pfn++) {
        const f = mem.word(pfn) & FLAGS_MASK;
        const free = (f & PG_free) !== 0;
        // A free page is listed, or is RAM the allocator has not threaded yet (pending).
        const listed = seen.has(pfn) || (free && this.buddy.isPending(pfn));
        if (free !== listed) problems.push(`page ${hex(pfn)}: PG_free=${free} but listed=${listed}`);
        if (free || (f & (PG_reserved | PG_nomap)) !== 0) {
          if (mem.refcount(pfn) !== 0) problems.push(`page ${hex(pfn)}: not allocated but refcount ${mem.refcount(pfn)}`);
          continue;
        }
        if ((f & PG_tail) !== 0) {
          const head = mem.link0(pfn);
          const hf = head < nrPages ? mem.word(head) & FLAGS_MASK : 0;
          if (head >= pfn || (hf & (PG_free | PG_tail | PG_reserved)) !== 0 || head + (1 << (hf >>> ORDER_SHIFT)) <= pfn) {
            problems.push(`page ${hex(pfn)}: tail of ${hex(head)}, which is not its block head`);
          }
          continue;
        }
        const order = f >>> ORDER_SHIFT;
        if ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > nrPages) problems.push(`block ${hex(pfn)}: order ${order} unaligned`);
        if (mem.refcount(pfn) < 1) problems.push(`block ${hex(pfn)}: allocated with refcount ${mem.refcount(pfn)}`);
        for (let p = pfn + 1; p < pfn + (1 << order) && p < nrPages; p++) {
          if ((mem.word(p) & PG_tail) === 0 || mem.link0(p) !== pfn) problems.push(`block ${hex(pfn)}: page ${hex(p)} is not its tail`);
        }
        if ((f & PG_head) !== 0 && (f & PG_tail) !== 0) problems.push(`block ${hex(pfn)}: both head and tail`);
      }
    }
    for (const entry of this.slots.entries()) {
      if ((mem.word(entry.pfn) & PG_free) !== 0 || mem.gen(entry.pfn) !== entry.gen) problems.push(`${KmapSlots.describe(entry)} maps a dead page`);
    }
    for (const [mapping, index, pfn] of this.pageCache.entries()) {
      if (this.pageCache.mappingOf(pfn) !== mapping || mem.link1(pfn) !== index) problems.push(`page cache ${mapping}:${index} -> ${hex(pfn)} disagrees with the metadata`);
    }
    return problems;
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
    let hash = 0x811c9dc5;
    const mix = (array: ArrayBufferView): void => {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    };
    // The logical state: only frames whose metadata differs from the default of their kind count,
    // so materialising a section that is still in its default state leaves the digest unchanged.
    const mem = this.mem;
    const entry = new Float64Array(6);
    for (const [start, end] of mem.spans()) {
      for (let pfn = start; pfn < end; pfn++) {
        const word = mem.word(pfn);
        const refcount = mem.refcount(pfn);
        const link0 = mem.link0(pfn);
        const link1 = mem.link1(pfn);
        const genHigh = mem.genHigh(pfn);
        if (word === mem.defaultWord(pfn) && refcount === 0 && link0 === 0 && link1 === 0 && genHigh === 0) continue;
        entry[0] = pfn;
        entry[1] = word;
        entry[2] = refcount;
        entry[3] = link0;
        entry[4] = link1;
        entry[5] = genHigh;
        mix(entry);
      }
    }
    for (const array of [this.buddy.heads, this.buddy.nrBlocks, this.buddy.nrFree, this.slots.depth]) mix(array);
    for (let zone = 0; zone < NR_ZONES; zone++) {
      const hot = this.buddy.pcp[zone]!;
      mix(Int32Array.of(hot.count));
      mix(hot.pages.subarray(0, hot.count));
    }
    const extra = JSON.stringify([this.slots.entries(), this.pkmap.entries(), this.pageCache.entries(), this.currentCpu]);
    for (let i = 0; i < extra.length; i++) hash = Math.imul(hash ^ extra.charCodeAt(i), 0x01000193);
    return (hash >>> 0).toString(16).padStart(8, "0");
  }

  /**
   * Memory the machine uses: metadata bytes per page and in total, and backing allocated so far.
   *
   * @returns The figures.
   */
  memoryUsage(): MemoryUsage {
    return {
      metadataBytesPerPage: metadataBytesPerPage(),
      metadataBytes: this.mem.bytes(),
      backedChunks: this.phys.backedChunks(),
      backedBytes: this.phys.backedBytes(),
      debugStackEntries: this.owner === undefined ? 0 : this.owner.allocStacks.size + this.owner.freeStacks.size,
    };
  }

  private unmanagedPages(): number {
    return this.nrPages - this.buddy.managed[0]! - this.buddy.managed[1]!;
  }
}


/** How much host memory a {@link Machine} uses, as returned by {@link Machine.memoryUsage}. */
export interface MemoryUsage {
  /** Bytes of page metadata per simulated page (16 when debug stacks are off). */
  metadataBytesPerPage: number;
  /** Bytes of page metadata allocated so far (whole sections, as frames are first written). */
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
