/**
 * Page owner tracking: the allocation and free stacks of each block, kept only when enabled.
 *
 * @module
 */

/**
 * A JavaScript stack captured at an allocation or a free, not yet turned into text.
 *
 * @remarks
 * Capturing records the frames; V8 builds the `stack` string only when it is first read, and that
 * (source maps included) is what costs. A captured stack is formatted with {@link formatStack} when
 * a report needs it.
 */
export interface CapturedStack {
  /** The raw V8 stack text, built on first read. */
  readonly stack?: string | undefined;
}

/**
 * The side table of `CONFIG_PAGE_OWNER`: the last allocation and free stack of each block's first page.
 *
 * @remarks
 * Each event captures the stack (cheap) and keeps it unformatted; the text, with the core's own
 * frames removed so the first line is the caller's, is made only for a report (double free,
 * use after free, poison corruption, leaks). The tables exist only on machines built with
 * `debug.pageOwner`.
 */
export class PageOwner {
  /** The last allocation stack, by first pfn of the block. */
  readonly allocStacks = new Map<number, CapturedStack>();
  /** The last free stack, by first pfn of the block. */
  readonly freeStacks = new Map<number, CapturedStack>();

  /**
   * Records the allocation of a block.
   *
   * @param pfn - The block's first page.
   */
  recordAlloc(pfn: number): void {
    this.allocStacks.set(pfn, capture());
  }

  /**
   * Records the free of a block.
   *
   * @param pfn - The block's first page.
   */
  recordFree(pfn: number): void {
    this.freeStacks.set(pfn, capture());
  }

  /**
   * The last allocation stack of a block, formatted for a report.
   *
   * @param pfn - The block's first page.
   * @returns The stack text as {@link captureStack} gives it, or `undefined` when none was recorded.
   */
  allocStack(pfn: number): string | undefined {
    const captured = this.allocStacks.get(pfn);
    return captured === undefined ? undefined : formatStack(captured);
  }

  /**
   * The last free stack of a block, formatted for a report.
   *
   * @param pfn - The block's first page.
   * @returns The stack text as {@link captureStack} gives it, or `undefined` when none was recorded.
   */
  freeStack(pfn: number): string | undefined {
    const captured = this.freeStacks.get(pfn);
    return captured === undefined ? undefined : formatStack(captured);
  }
}

// The kit's own layers (core, mm, ownership) in this package, from source or built; a report's
// stack starts at the caller's code. Anchored at the package root so a user's own `src/mm/` stays.
const packageRoot = new URL("../../../", import.meta.url).pathname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const CORE_FRAME = new RegExp(`${packageRoot}(?:src|dist)/(?:core|mm|ownership)/`);
const INTERNAL_FRAME = /\(node:|at node:|[\\/]node_modules[\\/]/;

/**
 * Records the current stack (up to 30 frames) without formatting it; {@link formatStack} makes the
 * text when a report needs it.
 *
 * @returns The captured stack.
 */
export function capture(): CapturedStack {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  // V8 records the frames now and builds the `stack` text only when it is first read.
  const captured: CapturedStack = new Error();
  Error.stackTraceLimit = previous;
  return captured;
}

/**
 * Formats a captured stack without the core's own frames, one `at ...` line per frame.
 *
 * @param captured - A stack from {@link PageOwner}'s tables.
 * @returns The stack text, indented by four spaces per line, at most eight frames.
 */
export function formatStack(captured: CapturedStack): string {
  const stack = captured.stack;
  const frames = (typeof stack === "string" ? stack : "")
    .split("\n")
    .slice(1)
    .filter((line) => !CORE_FRAME.test(line) && !INTERNAL_FRAME.test(line))
    .slice(0, 8)
    .map((line) => `    ${line.trim()}`);
  return frames.length === 0 ? "    (no frames outside the core)" : frames.join("\n");
}

/**
 * The current JavaScript stack without the core's own frames, one `at ...` line per frame.
 *
 * @returns The stack text, indented by four spaces per line.
 */
export function captureStack(): string {
  return formatStack(capture());
}
