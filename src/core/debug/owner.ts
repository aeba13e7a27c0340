/**
 * Page owner tracking: the allocation and free stacks of each block, kept only when enabled.
 *
 * @module
 */

/**
 * The side table of `CONFIG_PAGE_OWNER`: the last allocation and free stack of each block's first page.
 *
 * @remarks
 * Stacks come from `new Error().stack`, with the core's own frames removed so the first line is the
 * caller's. The tables exist only on machines built with `debug.pageOwner`.
 */
export class PageOwner {
  /** The last allocation stack, by first pfn of the block. */
  readonly allocStacks = new Map<number, string>();
  /** The last free stack, by first pfn of the block. */
  readonly freeStacks = new Map<number, string>();

  /**
   * Records the allocation of a block and forgets its previous free stack's pairing.
   *
   * @param pfn - The block's first page.
   */
  recordAlloc(pfn: number): void {
    this.allocStacks.set(pfn, captureStack());
  }

  /**
   * Records the free of a block.
   *
   * @param pfn - The block's first page.
   */
  recordFree(pfn: number): void {
    this.freeStacks.set(pfn, captureStack());
  }
}

// The kit's own layers (core, mm, ownership) in this package, from source or built; a report's
// stack starts at the caller's code. Anchored at the package root so a user's own `src/mm/` stays.
const packageRoot = new URL("../../../", import.meta.url).pathname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const CORE_FRAME = new RegExp(`${packageRoot}(?:src|dist)/(?:core|mm|ownership)/`);
const INTERNAL_FRAME = /\(node:|at node:|[\\/]node_modules[\\/]/;

/**
 * The current JavaScript stack without the core's own frames, one `at ...` line per frame.
 *
 * @returns The stack text, indented by four spaces per line.
 */
export function captureStack(): string {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = previous;
  const frames = stack
    .split("\n")
    .slice(1)
    .filter((line) => !CORE_FRAME.test(line) && !INTERNAL_FRAME.test(line))
    .slice(0, 8)
    .map((line) => `    ${line.trim()}`);
  return frames.length === 0 ? "    (no frames outside the core)" : frames.join("\n");
}
