/**
 * Page flags (the kernel's `include/linux/page-flags.h`): the caller-owned folio flags `locked`,
 * `uptodate`, `dirty` and the two spare bits mm may use.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import { isU32 } from "../args.js";
import type { Handles } from "./handles.js";
import { PG_locked, PG_tail, PG_USER_MASK, type MemMap } from "./memmap.js";

/**
 * The caller-owned flags of one machine's pages: set, clear and test through a handle, and the
 * folio lock bit.
 *
 * @remarks Owns no state: the flags live in the page metadata's flags word.
 */
export class PageFlags {
  /** The page metadata. */
  declare private readonly mem: MemMap;
  /** The handle checks. */
  declare private readonly handles: Handles;

  /**
   * Creates the flag operations of a machine.
   *
   * @param mem - The page metadata.
   * @param handles - The handle checks.
   */
  constructor(mem: MemMap, handles: Handles) {
    this.mem = mem;
    this.handles = handles;
  }

  /**
   * `folio_set_*`: see `Machine.setPageFlag`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @param flag - One caller-owned flag.
   */
  set(pfn: number, gen: number, flag: number): void {
    this.checkTarget("folio_set_flag", pfn, gen, flag);
    this.mem.setWord(pfn, this.mem.word(pfn) | flag);
  }

  /**
   * `folio_clear_*`: see `Machine.clearPageFlag`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @param flag - One caller-owned flag.
   */
  clear(pfn: number, gen: number, flag: number): void {
    this.checkTarget("folio_clear_flag", pfn, gen, flag);
    this.mem.setWord(pfn, this.mem.word(pfn) & ~flag);
  }

  /**
   * `folio_test_*`: see `Machine.testPageFlag`.
   *
   * @param pfn - The page.
   * @param gen - The handle's generation.
   * @param flag - One caller-owned flag.
   * @returns Whether the flag is set.
   */
  test(pfn: number, gen: number, flag: number): boolean {
    this.checkTarget("folio_test_flag", pfn, gen, flag);
    return (this.mem.word(pfn) & flag) !== 0;
  }

  /**
   * `folio_trylock`: see `Machine.folioTrylock`.
   *
   * @param pfn - The folio's first page.
   * @param gen - The handle's generation.
   * @returns `true` when this call took the lock.
   */
  trylock(pfn: number, gen: number): boolean {
    this.checkTarget("folio_trylock", pfn, gen, PG_locked);
    const flags = this.mem.word(pfn);
    if ((flags & PG_locked) !== 0) return false;
    this.mem.setWord(pfn, flags | PG_locked);
    return true;
  }

  /**
   * `folio_unlock`: see `Machine.folioUnlock`.
   *
   * @param pfn - The folio's first page.
   * @param gen - The handle's generation.
   */
  unlock(pfn: number, gen: number): void {
    this.checkTarget("folio_unlock", pfn, gen, PG_locked);
    const flags = this.mem.word(pfn);
    if ((flags & PG_locked) === 0) throw kernelError("EINVAL", "folio_unlock", "folio is not locked", { pfn });
    this.mem.setWord(pfn, flags & ~PG_locked);
  }

  private checkTarget(op: string, pfn: number, gen: number, flag: number): void {
    const flags = this.handles.handleFlags(op, pfn, gen);
    if (!isU32(flag) || (flag & ~PG_USER_MASK) !== 0 || flag === 0 || (flag & (flag - 1)) !== 0) {
      throw kernelError("EINVAL", op, "not a single caller-owned flag", { flag, allowed: PG_USER_MASK });
    }
    if ((flags & PG_tail) !== 0) throw kernelError("EINVAL", op, "flags live on the folio head, not a tail page", { pfn, head: this.mem.link0(pfn) });
  }
}
