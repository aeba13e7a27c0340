/**
 * The page cache (the kernel's `mm/filemap.c`): per mapping, folios by index (the core of the
 * kernel's `address_space`).
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { badNumber, isU32 } from "../args.js";
import { MAX_PAGE_ORDER } from "./config.js";
import type { Handles } from "./handles.js";
import { PG_reserved, PG_tail, type MemMap } from "./memmap.js";
import type { PageAlloc } from "./page-alloc.js";

/** The largest mapping id: ids live in a cached page's `link0`, a u32 word on a flat map. */
const MAPPING_ID_MAX = 0xffffffff;

/**
 * A machine's page cache: mapping id -> index -> first pfn of the folio cached there.
 *
 * @remarks
 * Adding a folio takes a reference on it and records the mapping and index in its metadata (as
 * `folio->mapping` and `folio->index`); removing it clears them and drops that reference. mm's
 * `AddressSpace` wraps one mapping id. Indexes are 32-bit (positions up to `2^32` pages).
 *
 * @invariant A folio is cached at most once: its metadata names the only `(mapping, index)` holding it.
 * @invariant Each cached folio holds one reference owned by the cache.
 */
export class PageCache {
  private readonly mappings = new Map<number, Map<number, number>>();
  private nextId = 1;
  /** The page metadata, whose links hold each cached folio's mapping and index. */
  declare private readonly mem: MemMap;
  /** The allocator: references and metadata queries. */
  declare private readonly alloc: PageAlloc;
  /** The handle checks. */
  declare private readonly handles: Handles;

  /**
   * Creates the page cache of a machine (the machine makes its own; use `machine.pageCache`).
   *
   * @internal
   * @param mem - The page metadata.
   * @param alloc - The page allocator.
   * @param handles - The handle checks.
   */
  constructor(mem: MemMap, alloc: PageAlloc, handles: Handles) {
    this.mem = mem;
    this.alloc = alloc;
    this.handles = handles;
  }

  /**
   * Creates an empty mapping (an inode's `address_space`).
   *
   * @returns Its id, a positive integer never reused, below 2^32 (a cached page's `link0` holds it).
   * @throws KernelError `ENOSPC` once 2^32 - 1 mappings were made: the ids are used up.
   */
  createMapping(): number {
    const id = this.nextId;
    if (id > MAPPING_ID_MAX) throw kernelError("ENOSPC", "create_mapping", "no mapping ids left", { next: id, max: MAPPING_ID_MAX });
    // INVARIANT: every id handed out fits a u32 link (a flat map's link0 word holds it exactly).
    this.nextId = id + 1;
    this.mappings.set(id, new Map());
    return id;
  }

  /**
   * Deletes an empty mapping.
   *
   * @param mapping - A mapping id.
   * @throws KernelError `ENOENT` for an unknown mapping, `EBUSY` while it still caches folios.
   */
  destroyMapping(mapping: number): void {
    const pages = this.pages("destroy_mapping", mapping);
    if (pages.size > 0) throw kernelError("EBUSY", "destroy_mapping", "mapping still caches folios", { mapping, cached: pages.size });
    this.mappings.delete(mapping);
  }

  /**
   * Caches a folio at `index` (`filemap_add_folio`), taking a reference on it.
   *
   * @param mapping - A mapping id.
   * @param index - The folio's index in the file, in pages.
   * @param pfn - The folio's first page.
   * @param gen - The folio handle's generation.
   * @throws KernelError `ENOENT` for an unknown mapping; `EEXIST` when `index` is taken; `EBUSY` when
   *   the folio is already cached; `EINVAL`/`EFAULT` for bad numbers or a dead handle.
   */
  add(mapping: number, index: number, pfn: number, gen: number): void {
    const op = "filemap_add_folio";
    const pages = this.pages(op, mapping);
    if (!isU32(index)) throw badNumber(op, "index", index);
    const alloc = this.alloc;
    const flags = alloc.pageFlags(pfn);
    if ((flags & (PG_tail | PG_reserved)) !== 0) throw kernelError("EINVAL", op, "not an allocated folio head", { pfn });
    const mem = this.mem;
    if (alloc.isAllocated(pfn) && mem.link0(pfn) !== 0) {
      throw kernelError("EBUSY", op, "folio is already in the page cache", { pfn, mapping: mem.link0(pfn), index: mem.link1(pfn) });
    }
    this.checkSlot(op, pages, mapping, index, alloc.pageOrder(pfn));
    alloc.folioRefAdd(pfn, gen, 1);
    // INVARIANT: the folio's metadata and the table agree on (mapping, index).
    mem.setLink0(pfn, mapping);
    mem.setLink1(pfn, index);
    // `pfn + 0`: a caller's -0 (accepted as frame 0) is cached, and looked up, as +0.
    pages.set(index, pfn + 0);
  }

  /**
   * The folio cached at `index` (`filemap_get_folio` without taking a reference).
   *
   * @param mapping - A mapping id.
   * @param index - An index.
   * @returns The folio's first pfn, or -1 when nothing is cached there.
   * @throws KernelError `ENOENT` for an unknown mapping, `EINVAL` for a bad index.
   */
  lookup(mapping: number, index: number): number {
    const pages = this.pages("filemap_get_folio", mapping);
    if (!isU32(index)) throw badNumber("filemap_get_folio", "index", index);
    return this.covering(pages, index);
  }

  /**
   * Checks that a folio of `order` could be cached at `index`, changing nothing: the first phase of
   * an operation that allocates the folio only when it can be cached.
   *
   * @param mapping - A live mapping id.
   * @param index - The folio's first index.
   * @param order - The folio's order.
   * @throws KernelError `EINVAL` when `index` is not a multiple of `2^order`; `EEXIST` when any
   *   index the folio would cover already has a folio (its own or a larger one covering it).
   */
  checkAdd(mapping: number, index: number, order: number): void {
    const op = "filemap_add_folio";
    const pages = this.pages(op, mapping);
    if (!isU32(index)) throw badNumber(op, "index", index);
    if (!isU32(order) || order > MAX_PAGE_ORDER) throw badNumber(op, "order", order, MAX_PAGE_ORDER + 1);
    this.checkSlot(op, pages, mapping, index, order);
  }

  /**
   * Removes the folio cached at `index` (`filemap_remove_folio`) and drops the cache's reference.
   *
   * @param mapping - A mapping id.
   * @param index - An index holding a folio.
   * @returns The removed folio's first pfn (freed if the cache held the last reference).
   * @throws KernelError `ENOENT` for an unknown mapping or an empty index; `EBUSY` when dropping
   *   the last reference fails because the folio is locked or mapped (the folio stays cached).
   */
  remove(mapping: number, index: number): number {
    const op = "filemap_remove_folio";
    const pages = this.pages(op, mapping);
    if (!isU32(index)) throw badNumber(op, "index", index);
    // Any index inside a large folio names it; the folio leaves the cache from its first index.
    const pfn = this.covering(pages, index);
    if (pfn < 0) throw kernelError("ENOENT", op, "no folio cached at index", { mapping, index });
    const mem = this.mem;
    index = mem.link1(pfn);
    const gen = this.handles.pageGen(pfn);
    mem.setLink0(pfn, 0);
    mem.setLink1(pfn, 0);
    try {
      this.alloc.folioPut(pfn, gen);
    } catch (error) {
      // INVARIANT: on failure the folio stays cached exactly as before.
      mem.setLink0(pfn, mapping);
      mem.setLink1(pfn, index);
      throw error;
    }
    pages.delete(index);
    return pfn;
  }

  /**
   * Removes every folio a mapping caches and destroys the mapping, all or nothing
   * (`truncate_inode_pages` then the mapping's end).
   *
   * @param mapping - A live mapping id.
   * @returns How many folios were removed.
   * @throws KernelError what {@link PageCache.remove} would throw for any of its folios (`EBUSY`
   *   for one that is locked or mapped when its cache reference is the last), checked for every
   *   folio before the first is removed: on error the cache and the machine are unchanged.
   */
  removeAll(mapping: number): number {
    const op = "truncate_inode_pages";
    const pages = this.pages(op, mapping);
    // Phase 1: check every folio; nothing changes.
    for (const pfn of pages.values()) this.alloc.folioPutCheck(pfn, this.handles.pageGen(pfn), true);
    // Phase 2: nothing can fail any more.
    const removed = pages.size;
    for (const index of [...pages.keys()]) this.remove(mapping, index);
    this.mappings.delete(mapping);
    return removed;
  }

  /**
   * The indexes cached in a mapping, ascending.
   *
   * @param mapping - A mapping id.
   * @returns The indexes.
   * @throws KernelError `ENOENT` for an unknown mapping.
   */
  indexes(mapping: number): number[] {
    return [...this.pages("mapping_indexes", mapping).keys()].sort((a, b) => a - b);
  }

  /**
   * The mapping a folio is cached in (`folio->mapping`).
   *
   * @param pfn - A folio's first page.
   * @returns The mapping id, or 0 when not cached.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  mappingOf(pfn: number): number {
    return this.alloc.isAllocated(pfn) && (this.alloc.pageFlags(pfn) & PG_tail) === 0 ? this.mem.link0(pfn) : 0;
  }

  /**
   * The index of a cached folio (`folio->index`).
   *
   * @param pfn - A folio's first page.
   * @returns The index, or -1 when not cached.
   * @throws KernelError `EINVAL` for a bad pfn.
   */
  indexOf(pfn: number): number {
    return this.mappingOf(pfn) === 0 ? -1 : this.mem.link1(pfn);
  }

  /**
   * Every cached folio, for consistency checks.
   *
   * @returns Triples of mapping, index and pfn.
   */
  entries(): [mapping: number, index: number, pfn: number][] {
    const out: [number, number, number][] = [];
    for (const [mapping, pages] of this.mappings) for (const [index, pfn] of pages) out.push([mapping, index, pfn]);
    return out;
  }

  /**
   * The folio covering `index`: a folio of order n cached at i covers i … i + 2^n − 1, and i is a
   * multiple of 2^n, so the only candidates are `index` rounded down to each order.
   */
  private covering(pages: Map<number, number>, index: number): number {
    const exact = pages.get(index);
    if (exact !== undefined) return exact;
    for (let order = 1; order <= MAX_PAGE_ORDER; order++) {
      const base = index - (index % (1 << order));
      const pfn = pages.get(base);
      if (pfn !== undefined && base + (1 << this.alloc.pageOrder(pfn)) > index) return pfn;
    }
    return -1;
  }

  /** Checks the alignment of a folio of `order` at `index` and that no cached folio overlaps it. */
  private checkSlot(op: string, pages: Map<number, number>, mapping: number, index: number, order: number): void {
    const nr = 2 ** order;
    if (index % nr !== 0) throw kernelError("EINVAL", op, "index is not a multiple of the folio's size in pages", { mapping, index, order });
    if (index + nr - 1 > 0xffffffff) throw kernelError("EINVAL", op, "folio would reach past the last index", { mapping, index, order });
    const cover = this.covering(pages, index);
    if (cover >= 0) throw kernelError("EEXIST", op, "index already caches a folio", { mapping, index, cached: cover });
    for (let i = index + 1; i < index + nr; i++) {
      const inside = pages.get(i);
      if (inside !== undefined) throw kernelError("EEXIST", op, "an index the folio would cover already caches a folio", { mapping, index: i, cached: inside });
    }
  }

  private pages(op: string, mapping: number): Map<number, number> {
    if (!isU32(mapping)) throw badNumber(op, "mapping", mapping);
    const pages = this.mappings.get(mapping);
    if (pages === undefined) throw kernelError("ENOENT", op, "no such mapping", { mapping });
    return pages;
  }
}
