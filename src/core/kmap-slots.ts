/**
 * Per-CPU `kmap_local` slots: a stack of short-lived mappings per CPU, released in LIFO order.
 *
 * @module
 */
import { hex } from "../args.js";

/** Slots per CPU (`KM_MAX_IDX`): 15 nested local mappings; the 16th fails. */
export const KM_MAX_IDX = 16;
/** Slots per CPU with `CONFIG_DEBUG_KMAP_LOCAL`: every other slot is a guard, so 16 nested maps. */
export const KM_MAX_IDX_DEBUG = 33;

/** Mapping ids encode the CPU and slot in their low 12 bits: `serial * 4096 + cpu * 64 + slot`. */
const ID_SERIAL = 4096;

/** A live local mapping, as reported by {@link KmapSlots.entries}. */
export interface KmapEntry {
  /** The mapping id. */
  readonly id: number;
  /** The CPU that made it. */
  readonly cpu: number;
  /** The slot index in that CPU's slot array. */
  readonly slot: number;
  /** The mapped block's first page. */
  readonly pfn: number;
  /** The handle generation recorded at map time. */
  readonly gen: number;
  /** First mapped byte, from the start of `pfn`. */
  readonly start: number;
  /** One past the last mapped byte, from the start of `pfn`. */
  readonly end: number;
}

/**
 * The local mapping slots of every CPU.
 *
 * @remarks
 * A mapping is identified by a positive integer id that encodes its CPU and slot, so lookups are
 * arithmetic. Ids are never reused, so an id of an unmapped mapping stays dead.
 *
 * The methods do no argument checking beyond what they document: the machine validates first.
 *
 * @invariant Each CPU's live mappings occupy its first `depth` map slots, innermost last.
 * @invariant A live id is stored in exactly one slot; a dead id is stored in none.
 * @invariant `depth[cpu] <= capacity` on every CPU.
 * @invariant Each slot array has `cpus * slotsPerCpu` elements.
 */
export class KmapSlots {
  // `declare`d fields, assigned in the constructor, so V8 tracks their types (see
  // docs/performance-notes.md, "`declare`d fields").
  /** Nested mappings allowed per CPU: 15, or 16 with the guard layout. */
  declare readonly capacity: number;
  /** Slots per CPU: `KM_MAX_IDX`, or `KM_MAX_IDX_DEBUG` with the guard layout. */
  declare readonly slotsPerCpu: number;
  /** Number of live mappings per CPU. */
  declare readonly depth: Uint8Array;
  declare private readonly ids: Float64Array;
  /** The mapped pfns: a `Float64Array`, as pfns reach 2^34. */
  declare private readonly pfns: Float64Array;
  declare private readonly gens: Float64Array;
  declare private readonly starts: Uint32Array;
  declare private readonly ends: Uint32Array;
  declare private readonly guard: boolean;
  declare private readonly cpuCount: number;
  declare private serial: number;
  /** Live mappings on all CPUs. */
  declare live: number;

  /**
   * Creates empty slots.
   *
   * @param cpus - Number of CPUs.
   * @param guard - Whether to use the debug guard layout.
   */
  constructor(cpus: number, guard: boolean) {
    this.guard = guard;
    this.cpuCount = cpus;
    this.slotsPerCpu = guard ? KM_MAX_IDX_DEBUG : KM_MAX_IDX;
    this.capacity = guard ? 16 : KM_MAX_IDX - 1;
    const n = cpus * this.slotsPerCpu;
    this.depth = new Uint8Array(cpus);
    this.ids = new Float64Array(n);
    this.pfns = new Float64Array(n);
    this.gens = new Float64Array(n);
    this.starts = new Uint32Array(n);
    this.ends = new Uint32Array(n);
    this.serial = 0;
    this.live = 0;
  }

  /**
   * The slot index of the `depth`-th nested mapping (0-based): every other slot in guard mode.
   *
   * @param depth - Nesting depth.
   * @returns The slot index.
   */
  slotOf(depth: number): number {
    return this.guard ? 2 * depth + 1 : depth;
  }

  /**
   * Pushes a mapping on a CPU's stack.
   *
   * @param cpu - The CPU.
   * @param pfn - The mapped block's first page.
   * @param gen - The handle generation.
   * @param start - First mapped byte, from the start of `pfn`.
   * @param end - One past the last mapped byte.
   * @returns The new mapping id.
   * @remarks Does no checking: the caller guarantees `cpu` is a valid CPU and
   * `depth[cpu] < capacity` (the highmem service checks and raises the error).
   */
  push(cpu: number, pfn: number, gen: number, start: number, end: number): number {
    const depth = this.depth[cpu]!;
    const slot = this.slotOf(depth);
    const id = ++this.serial * ID_SERIAL + cpu * 64 + slot;
    const i = cpu * this.slotsPerCpu + slot;
    // SAFETY: By the caller's guarantee depth < capacity, so slot < slotsPerCpu and i lies in the
    // slot arrays (type invariant: each has cpus * slotsPerCpu elements).
    this.ids[i] = id;
    this.pfns[i] = pfn;
    this.gens[i] = gen;
    this.starts[i] = start;
    this.ends[i] = end;
    this.depth[cpu] = depth + 1;
    this.live++;
    return id;
  }

  /**
   * Finds the array index of a live mapping.
   *
   * @param id - Any number.
   * @returns The index into the slot arrays, or -1 when `id` is not a live mapping.
   */
  find(id: number): number {
    // The low 12 bits of an integer id survive ToInt32; fractions, NaN and negatives never match.
    const low = id & (ID_SERIAL - 1);
    const slot = low & 63;
    const cpu = low >>> 6;
    if (cpu >= this.cpuCount || slot >= this.slotsPerCpu) return -1;
    const i = cpu * this.slotsPerCpu + slot;
    // SAFETY: By the check above (cpu < cpuCount and slot < slotsPerCpu) and the invariant of
    // KmapSlots (each slot array has cpus * slotsPerCpu elements), i indexes the slot arrays.
    return this.ids[i] === id && id > 0 ? i : -1;
  }

  /**
   * The CPU of a slot-array index.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The CPU number.
   */
  cpuOf(index: number): number {
    return Math.floor(index / this.slotsPerCpu);
  }

  /**
   * The id of a CPU's innermost mapping.
   *
   * @param cpu - A valid CPU.
   * @returns The id, or 0 when the CPU has no live mapping.
   */
  top(cpu: number): number {
    const depth = this.depth[cpu]!;
    return depth === 0 ? 0 : this.ids[cpu * this.slotsPerCpu + this.slotOf(depth - 1)]!;
  }

  /**
   * Pops a CPU's innermost mapping.
   *
   * @param cpu - A CPU with at least one live mapping.
   * @remarks Does no checking: the caller checked that the mapping being released is `top(cpu)`.
   */
  pop(cpu: number): void {
    const depth = this.depth[cpu]! - 1;
    this.ids[cpu * this.slotsPerCpu + this.slotOf(depth)] = 0;
    this.depth[cpu] = depth;
    this.live--;
  }

  /**
   * The recorded page, generation and byte range of a live mapping.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The entry.
   */
  entry(index: number): KmapEntry {
    const cpu = this.cpuOf(index);
    return {
      id: this.ids[index]!,
      cpu,
      slot: index - cpu * this.slotsPerCpu,
      pfn: this.pfns[index]!,
      gen: this.gens[index]!,
      start: this.starts[index]!,
      end: this.ends[index]!,
    };
  }

  /**
   * The page recorded in a slot.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The mapped block's first pfn.
   */
  pfnAt(index: number): number {
    return this.pfns[index]!;
  }

  /**
   * The handle generation recorded in a slot.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The generation.
   */
  genAt(index: number): number {
    return this.gens[index]!;
  }

  /**
   * The first mapped byte of a slot, from the start of its pfn.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The byte offset.
   */
  startAt(index: number): number {
    return this.starts[index]!;
  }

  /**
   * One past the last mapped byte of a slot, from the start of its pfn.
   *
   * @param index - An index returned by {@link KmapSlots.find}.
   * @returns The byte offset.
   */
  endAt(index: number): number {
    return this.ends[index]!;
  }

  /**
   * Every live mapping, CPU by CPU, outermost first.
   *
   * @returns The entries.
   */
  entries(): KmapEntry[] {
    const out: KmapEntry[] = [];
    for (let cpu = 0; cpu < this.depth.length; cpu++) {
      for (let d = 0; d < this.depth[cpu]!; d++) out.push(this.entry(cpu * this.slotsPerCpu + this.slotOf(d)));
    }
    return out;
  }

  /**
   * Describes a mapping for error messages.
   *
   * @param entry - A mapping.
   * @returns For example `kmap_local#3 (cpu 0, slot 2, pfn 0x10)`.
   */
  static describe(entry: KmapEntry): string {
    return `kmap_local#${Math.floor(entry.id / ID_SERIAL)} (cpu ${entry.cpu}, slot ${entry.slot}, pfn ${hex(entry.pfn)})`;
  }
}
