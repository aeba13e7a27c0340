/**
 * Folio flags of a machine: `locked`, `uptodate`, `dirty` and the two spare bits mm may use.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { isU32 } from "../args.js";
import { MachinePages } from "./MachinePages.js";
import { PG_locked, PG_tail, PG_USER_MASK } from "./MemMap.js";

/**
 * The flag half of a {@link Machine}: caller-owned page flags and the folio lock bit.
 *
 * @remarks Split from `Machine` only to keep files small; use `Machine`.
 */
export class MachineFlags extends MachinePages {
  /**
   * Sets one caller-owned flag on a folio head or reserved page (`folio_set_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - One of `PG_locked`, `PG_uptodate`, `PG_dirty`, `PG_owner_priv_1`, `PG_owner_priv_2`.
   * @throws KernelError `EINVAL` for another flag or a tail page; `EFAULT` for a dead handle.
   */
  setPageFlag(pfn: number, gen: number, flag: number): void {
    this.checkFlagTarget("folio_set_flag", pfn, gen, flag);
    this.mem.setWord(pfn, this.mem.word(pfn) | flag);
  }

  /**
   * Clears one caller-owned flag on a folio head or reserved page (`folio_clear_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - As for {@link MachineFlags.setPageFlag}.
   * @throws KernelError as for {@link MachineFlags.setPageFlag}.
   */
  clearPageFlag(pfn: number, gen: number, flag: number): void {
    this.checkFlagTarget("folio_clear_flag", pfn, gen, flag);
    this.mem.setWord(pfn, this.mem.word(pfn) & ~flag);
  }

  /**
   * Tests one caller-owned flag on a folio head or reserved page (`folio_test_*`).
   *
   * @param pfn - The page.
   * @param gen - The generation of the handle.
   * @param flag - As for {@link MachineFlags.setPageFlag}.
   * @returns Whether the flag is set.
   * @throws KernelError as for {@link MachineFlags.setPageFlag}.
   */
  testPageFlag(pfn: number, gen: number, flag: number): boolean {
    this.checkFlagTarget("folio_test_flag", pfn, gen, flag);
    return (this.mem.word(pfn) & flag) !== 0;
  }

  /**
   * Locks a folio if it is unlocked (`folio_trylock`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @returns `true` when this call took the lock, `false` when it was already held.
   * @throws KernelError as for {@link MachineFlags.setPageFlag}.
   */
  folioTrylock(pfn: number, gen: number): boolean {
    this.checkFlagTarget("folio_trylock", pfn, gen, PG_locked);
    const flags = this.mem.word(pfn);
    if ((flags & PG_locked) !== 0) return false;
    this.mem.setWord(pfn, flags | PG_locked);
    return true;
  }

  /**
   * Unlocks a locked folio (`folio_unlock`).
   *
   * @param pfn - The folio's first page.
   * @param gen - The generation of the handle.
   * @throws KernelError `EINVAL` when the folio is not locked; otherwise as for `setPageFlag`.
   */
  folioUnlock(pfn: number, gen: number): void {
    this.checkFlagTarget("folio_unlock", pfn, gen, PG_locked);
    const flags = this.mem.word(pfn);
    if ((flags & PG_locked) === 0) throw kernelError("EINVAL", "folio_unlock", "folio is not locked", { pfn });
    this.mem.setWord(pfn, flags & ~PG_locked);
  }

  private checkFlagTarget(op: string, pfn: number, gen: number, flag: number): void {
    const flags = this.live(op, pfn, gen);
    if (!isU32(flag) || (flag & ~PG_USER_MASK) !== 0 || flag === 0 || (flag & (flag - 1)) !== 0) {
      throw kernelError("EINVAL", op, "not a single caller-owned flag", { flag, allowed: PG_USER_MASK });
    }
    if ((flags & PG_tail) !== 0) throw kernelError("EINVAL", op, "flags live on the folio head, not a tail page", { pfn, head: this.mem.link0(pfn) });
  }
}
