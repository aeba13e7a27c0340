/**
 * An IOMMU page table whose tables are pages handed over to the table itself (thread 004): a new
 * table is an `Owned<Page>` turned into its physical address with `intoPhys`, written into its
 * parent entry, and taken back with `Page.fromPhys` when it is freed. The tree is the only record
 * of which pages it owns; nothing is tracked twice.
 *
 * @remarks
 * The top-level table was pre-allocated by the bootloader: the table only knows its physical
 * address, borrows it with the checked `Page.borrowPhys` on every walk, and never frees it. The
 * tables below it are borrowed with `Page.borrowPhysUnchecked`, whose contract holds because every
 * address in a table entry came from `intoPhys` of a page this table allocated.
 *
 * @module
 */
import {
  GFP_KERNEL,
  Page,
  __GFP_ZERO,
  intoPhys,
  kernelError,
  toDmaAddr,
  toPhysAddr,
  unsafe,
  type BorrowedPage,
  type DmaAddr,
  type NoEscape,
  type Owned,
  type PhysAddr,
  type ResourceSize,
  type Unsafe,
} from "ownkit";
import type { Machine } from "ownkit/core";
import { LEVELS, PTE_PAGE, PTE_SIZE, PTE_TABLE, PTE_VALID, decodePte, encodePte, geometry, levelIndex, type Pte } from "./iommu-format.js";

/** A run of consecutive device pages mapped to consecutive physical pages with one permission. */
export interface MappedRange {
  readonly iova: DmaAddr;
  readonly phys: PhysAddr;
  readonly size: ResourceSize;
  readonly flags: number;
}

const ZERO_PTE = new Uint8Array(PTE_SIZE);

/**
 * A three-level IOMMU page table over a bootloader-provided top-level table.
 *
 * @invariant Every valid table entry at levels 0 and 1 holds the address of a page this table got
 *   from `Page.alloc` and handed over with `intoPhys`; no other owner of that page exists.
 * @invariant The top-level table is borrowed, never freed.
 */
export class IoPageTable {
  /** Tables allocated (levels 1 and 2). */
  tablesAllocated = 0;
  /** Tables freed after they became empty, or at teardown. */
  tablesFreed = 0;
  readonly #machine: Machine;
  readonly #root: PhysAddr;
  readonly #pageSize: number;
  readonly #entry = new Uint8Array(PTE_SIZE);
  readonly #whole: Uint8Array;

  /**
   * Wraps a top-level table the bootloader allocated.
   *
   * @param machine - The machine the tables live on.
   * @param root - The physical address of the top-level table.
   * @throws KernelError `EINVAL` when `root` is not RAM with a struct page.
   */
  constructor(machine: Machine, root: PhysAddr) {
    this.#machine = machine;
    this.#root = root;
    this.#pageSize = machine.pageSize;
    this.#whole = new Uint8Array(this.#pageSize);
    this.#walk((token) => {
      this.#rootTable(token);
    });
  }

  /** The live tables below the top level. */
  get liveTables(): number {
    return this.tablesAllocated - this.tablesFreed;
  }

  /** The largest device address plus one. */
  get iovaLimit(): number {
    return 2 ** geometry(this.#pageSize).iovaBits;
  }

  /**
   * Maps `size` bytes of device addresses from `iova` to physical pages from `phys` (`iommu_map`).
   *
   * @param iova - A page-aligned device address.
   * @param phys - A page-aligned physical address (RAM or MMIO: the IOMMU does not care).
   * @param size - A whole number of pages.
   * @param prot - `PTE_READ`, `PTE_WRITE` or both.
   * @throws KernelError `EINVAL` for unaligned or out-of-range arguments; `EEXIST` when a page is
   *   already mapped (the pages before it stay mapped); `ENOMEM` when a table cannot be allocated.
   */
  map(iova: DmaAddr, phys: PhysAddr, size: ResourceSize, prot: number): void {
    this.#checkRange("iommu_map", iova, size);
    if (phys % this.#pageSize !== 0) throw kernelError("EINVAL", "iommu_map", "phys is not page-aligned", { phys });
    this.#walk((token) => {
      for (let done = 0; done < size; done += this.#pageSize) {
        const at = iova + done;
        let table: Page = this.#rootTable(token);
        for (let level = 0; level < LEVELS - 1; level++) {
          const index = levelIndex(at, level, this.#pageSize);
          let pte = this.#readPte(table, index);
          if ((pte.flags & PTE_VALID) === 0) {
            const fresh: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO, this.#machine);
            const addr = fresh.phys();
            // INVARIANT: the page's only record from now on is this entry; fromPhys takes it back.
            intoPhys(fresh);
            this.tablesAllocated++;
            pte = { addr, flags: PTE_VALID | PTE_TABLE };
            table.write(index * PTE_SIZE, encodePte(addr, pte.flags, this.#entry));
          }
          table = this.#child(token, pte);
        }
        const leaf = levelIndex(at, LEVELS - 1, this.#pageSize);
        if ((this.#readPte(table, leaf).flags & PTE_VALID) !== 0) throw kernelError("EEXIST", "iommu_map", "device address already mapped", { iova: at });
        table.write(leaf * PTE_SIZE, encodePte(phys + done, PTE_VALID | PTE_PAGE | prot, this.#entry));
      }
    });
  }

  /**
   * Unmaps `size` bytes from `iova` (`iommu_unmap`) and frees every table that became empty.
   *
   * @param iova - A page-aligned device address.
   * @param size - A whole number of pages.
   * @returns The number of pages that were mapped.
   * @throws KernelError `EINVAL` for unaligned or out-of-range arguments.
   */
  unmap(iova: DmaAddr, size: ResourceSize): number {
    this.#checkRange("iommu_unmap", iova, size);
    return this.#walk((token) => {
      let unmapped = 0;
      for (let done = 0; done < size; done += this.#pageSize) {
        const at = iova + done;
        const path: { table: Page; index: number; pte: Pte }[] = [];
        let table: Page | null = this.#rootTable(token);
        for (let level = 0; level < LEVELS - 1 && table !== null; level++) {
          const index = levelIndex(at, level, this.#pageSize);
          const pte = this.#readPte(table, index);
          path.push({ table, index, pte });
          table = (pte.flags & PTE_VALID) === 0 ? null : this.#child(token, pte);
        }
        if (table === null) continue;
        const leaf = levelIndex(at, LEVELS - 1, this.#pageSize);
        if ((this.#readPte(table, leaf).flags & PTE_VALID) === 0) continue;
        table.write(leaf * PTE_SIZE, ZERO_PTE);
        unmapped++;
        // Free the tables that became empty, bottom up; the top-level table is never freed.
        for (let level = path.length - 1; level >= 0; level--) {
          const { table: parent, index, pte } = path[level]!;
          if (!this.#isEmpty(this.#child(token, pte))) break;
          parent.write(index * PTE_SIZE, ZERO_PTE);
          this.#freeTable(token, pte.addr);
        }
      }
      return unmapped;
    });
  }

  /**
   * Translates a device address to the physical address it reaches (`iova_to_phys`).
   *
   * @param iova - Any device address.
   * @returns The physical address, or `null` when nothing is mapped there.
   */
  translate(iova: DmaAddr): PhysAddr | null {
    if (iova >= this.iovaLimit) return null;
    return this.#walk((token) => {
      let table: Page = this.#rootTable(token);
      for (let level = 0; level < LEVELS - 1; level++) {
        const pte = this.#readPte(table, levelIndex(iova, level, this.#pageSize));
        if ((pte.flags & PTE_VALID) === 0) return null;
        table = this.#child(token, pte);
      }
      const pte = this.#readPte(table, levelIndex(iova, LEVELS - 1, this.#pageSize));
      return (pte.flags & PTE_VALID) === 0 ? null : toPhysAddr(pte.addr + (iova % this.#pageSize));
    });
  }

  /**
   * Walks the whole tree and returns what is mapped, coalescing runs that are contiguous in both
   * address spaces and share their flags.
   *
   * @returns The mapped ranges in device-address order.
   */
  dump(): MappedRange[] {
    const out: { iova: number; phys: number; size: number; flags: number }[] = [];
    const { bits, pageShift } = geometry(this.#pageSize);
    this.#walk((token) => {
      const visit = (table: Page, level: number, base: number): void => {
        const span = 2 ** (pageShift + (LEVELS - 1 - level) * bits);
        const entries = this.#entries(table);
        entries.forEach((pte, index) => {
          if ((pte.flags & PTE_VALID) === 0) return;
          const iova = base + index * span;
          if (level < LEVELS - 1) return visit(this.#child(token, pte), level + 1, iova);
          const last = out[out.length - 1];
          const flags = pte.flags & ~PTE_VALID;
          if (last !== undefined && last.iova + last.size === iova && last.phys + last.size === pte.addr && last.flags === flags) last.size += this.#pageSize;
          else out.push({ iova, phys: pte.addr, size: this.#pageSize, flags });
        });
      };
      visit(this.#rootTable(token), 0, 0);
    });
    return out.map((r) => ({ iova: toDmaAddr(r.iova), phys: toPhysAddr(r.phys), size: r.size as ResourceSize, flags: r.flags }));
  }

  /**
   * Frees every table below the top level and clears the top-level entries this table made; the
   * top-level table itself goes back to whoever provided it.
   */
  teardown(): void {
    this.#walk((token) => {
      const free = (table: Page, level: number): void => {
        this.#entries(table).forEach((pte, index) => {
          if ((pte.flags & PTE_VALID) === 0 || level === LEVELS - 1) return;
          free(this.#child(token, pte), level + 1);
          table.write(index * PTE_SIZE, ZERO_PTE);
          this.#freeTable(token, pte.addr);
        });
      };
      free(this.#rootTable(token), 0);
    });
  }

  #walk<Result>(fn: <Lifetime>(token: Unsafe<Lifetime>) => Result): Result {
    return unsafe(
      "SAFETY: table entries hold only addresses of pages this table handed over with intoPhys, and the top-level table is the bootloader's reserved page; nothing else frees them while the walk runs",
      // SAFETY: every walk returns numbers, addresses or nothing, never a borrowed page, so
      // NoEscape<Result, Lifetime> is Result for each of them.
      fn as unknown as <Lifetime>(token: Unsafe<Lifetime>) => NoEscape<Result, Lifetime>,
    );
  }

  #rootTable<Lifetime>(token: Unsafe<Lifetime>): BorrowedPage<Lifetime> {
    const root = Page.borrowPhys(token, this.#root, this.#machine);
    if (root === null) throw kernelError("EINVAL", "io_pgtable", "the top-level table is not RAM", { root: this.#root });
    return root;
  }

  #child<Lifetime>(token: Unsafe<Lifetime>, pte: Pte): BorrowedPage<Lifetime> {
    return Page.borrowPhysUnchecked(token, toPhysAddr(pte.addr), this.#machine);
  }

  #freeTable<Lifetime>(token: Unsafe<Lifetime>, addr: number): void {
    const table: Owned<Page> = Page.fromPhys(token, toPhysAddr(addr), this.#machine);
    table.release();
    this.tablesFreed++;
  }

  #readPte(table: Page, index: number): Pte {
    return decodePte(table.read(index * PTE_SIZE, this.#entry));
  }

  #entries(table: Page): Pte[] {
    table.read(0, this.#whole);
    const out: Pte[] = [];
    for (let at = 0; at < this.#pageSize; at += PTE_SIZE) out.push(decodePte(this.#whole.subarray(at, at + PTE_SIZE)));
    return out;
  }

  #isEmpty(table: Page): boolean {
    table.read(0, this.#whole);
    return this.#whole.every((b) => b === 0);
  }

  #checkRange(op: string, iova: DmaAddr, size: ResourceSize): void {
    if (iova % this.#pageSize !== 0 || size % this.#pageSize !== 0 || size === 0 || iova + size > this.iovaLimit) {
      throw kernelError("EINVAL", op, "range is unaligned, empty or beyond the IOVA space", { iova, size, limit: this.iovaLimit });
    }
  }
}
