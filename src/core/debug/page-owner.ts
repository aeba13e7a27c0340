/**
 * Page owner tracking: the allocation and free stacks of each block, kept only when enabled.
 *
 * @module
 */
import { CORE_FRAME, INTERNAL_FRAME, StackDepot } from "./stackdepot.js";

/** Pages per chunk of a {@link PageStackTable}: 4096 pages, 16 KiB of ids. */
const CHUNK_PAGES = 4096;
/** The low bits of a pfn that index its chunk (`pfn & CHUNK_MASK` is exact for any pfn). */
const CHUNK_MASK = CHUNK_PAGES - 1;
import { kernelError } from "../../errors.js";

/** The depot's capture site of allocations (its depth is learned apart from the frees'). */
export const ALLOC_SITE = 0;
/** The depot's capture site of frees: the free path runs through more of the kit's frames. */
export const FREE_SITE = 1;

/**
 * An error-like object whose `stack` text {@link formatStack} can format.
 *
 * @remarks
 * Page owner no longer keeps such objects (an unformatted `Error` keeps every frame's receiver and
 * function alive); any `Error` fits, for example one caught by the caller.
 */
export interface CapturedStack {
  /** The V8 stack text. */
  readonly stack?: string | undefined;
}

/**
 * A stack id per page frame (`page_ext`'s handle into the stack depot), in chunks of 4096 pages
 * allocated on first use.
 *
 * @invariant A stored entry is the stack id plus one; 0 means "not recorded".
 * @invariant `size` counts the pages with an entry.
 */
export class PageStackTable {
  readonly #chunks = new Map<number, Uint32Array>();
  #size = 0;

  /** The number of pages with a recorded stack. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the id chunks. */
  get bytes(): number {
    return this.#chunks.size * ((CHUNK_MASK + 1) * Uint32Array.BYTES_PER_ELEMENT);
  }

  /**
   * The stack id recorded for a page.
   *
   * @param pfn - The page frame.
   * @returns The id, or -1 when none was recorded.
   */
  get(pfn: number): number {
    const chunk = this.#chunks.get(Math.floor(pfn / CHUNK_PAGES));
    return chunk === undefined ? -1 : chunk[pfn & CHUNK_MASK]! - 1;
  }

  /**
   * Whether a stack was recorded for a page.
   *
   * @param pfn - The page frame.
   * @returns `true` when {@link PageStackTable.get} gives an id.
   */
  has(pfn: number): boolean {
    return this.get(pfn) >= 0;
  }

  /**
   * Records a page's stack, replacing the previous one.
   *
   * @param pfn - The page frame (a machine's pfn: a non-negative safe integer, up to 2^34).
   * @param id - The stack's id in the depot.
   */
  set(pfn: number, id: number): void {
    const index = Math.floor(pfn / CHUNK_PAGES);
    let chunk = this.#chunks.get(index);
    if (chunk === undefined) {
      chunk = new Uint32Array(CHUNK_MASK + 1);
      this.#chunks.set(index, chunk);
    }
    const slot = pfn & CHUNK_MASK;
    if (chunk[slot] === 0) this.#size++;
    // INVARIANT: entries are id + 1, so 0 stays "not recorded".
    chunk[slot] = id + 1;
  }
}

/**
 * The side table of `CONFIG_PAGE_OWNER`: the last allocation and free stack of each block's first page.
 *
 * @remarks
 * Each event captures the frames a report shows into a stack depot (`lib/stackdepot.c`) shared by both
 * tables, and stores the stack's id for the page: a stack seen before costs 4 bytes, and no frame's
 * receiver or function is kept, so recording never keeps a caller's object alive. The report text,
 * with the core's own frames removed so the first line is the caller's, is made only for a report
 * (double free, use after free, poison corruption, leaks). The tables exist only on machines built
 * with `debug.pageOwner`.
 */
export class PageOwner {
  /** @internal The distinct stacks, shared by both tables. */
  readonly depot = new StackDepot();
  /** @internal The last allocation stack, by first pfn of the block. */
  readonly allocStacks = new PageStackTable();
  /** @internal The last free stack, by first pfn of the block. */
  readonly freeStacks = new PageStackTable();

  /**
   * Records the allocation of a block.
   *
   * @remarks
   * The caller captures the stack itself, `owner.depot.capture(ALLOC_SITE)` in its own frame: a
   * capture walks every frame under it (about 0.5 µs each), so a capture made in here would walk
   * one frame more on every allocation (docs/performance-notes.md).
   *
   * @param pfn - The block's first page.
   * @param stack - The depot id the caller's capture returned.
   */
  recordAlloc(pfn: number, stack: number): void {
    this.allocStacks.set(pfn, stack);
  }

  /**
   * Records the free of a block; the caller captures with `owner.depot.capture(FREE_SITE)` (see
   * {@link PageOwner.recordAlloc}).
   *
   * @param pfn - The block's first page.
   * @param stack - The depot id the caller's capture returned.
   */
  recordFree(pfn: number, stack: number): void {
    this.freeStacks.set(pfn, stack);
  }

  /**
   * The last allocation stack of a block, formatted for a report.
   *
   * @param pfn - The block's first page.
   * @returns The stack text as {@link captureStack} gives it, or `undefined` when none was recorded.
   */
  allocStack(pfn: number): string | undefined {
    const id = this.allocStacks.get(pfn);
    return id < 0 ? undefined : this.depot.format(id);
  }

  /**
   * The last free stack of a block, formatted for a report.
   *
   * @param pfn - The block's first page.
   * @returns The stack text as {@link captureStack} gives it, or `undefined` when none was recorded.
   */
  freeStack(pfn: number): string | undefined {
    const id = this.freeStacks.get(pfn);
    return id < 0 ? undefined : this.depot.format(id);
  }
}

/** The depot of the mapping stacks of debug views (`debug.viewStacks`). */
const mappingStacks = new StackDepot();

/**
 * Records the caller's stack in the mapping-stack depot, for a debug view's report.
 *
 * @returns The stack's id, for `formatCaptured`.
 */
export function capture(): number {
  return mappingStacks.capture();
}

/**
 * The text of a stack recorded by {@link capture}, as page_owner's reports show stacks.
 *
 * @param id - An id from {@link capture}.
 * @returns The frames, indented by four spaces, at most eight.
 */
export function formatCaptured(id: number): string {
  return mappingStacks.format(id);
}

/**
 * Formats an error's stack without the core's own frames, one `at ...` line per frame.
 *
 * @param captured - An `Error`, or anything with a V8 `stack` text.
 * @returns The stack text, indented by four spaces per line, at most eight frames.
 */
export function formatStack(captured: CapturedStack): string {
  if (typeof captured !== "object" || captured === null) throw kernelError("EINVAL", "format_stack", "not a captured stack", { captured });
  let stack: unknown;
  try {
    stack = captured.stack;
  } catch {
    throw kernelError("EINVAL", "format_stack", "the stack cannot be read", { captured });
  }
  const frames = (typeof stack === "string" ? stack : "")
    .split("\n")
    .slice(1)
    .filter((line) => !CORE_FRAME.test(line) && !INTERNAL_FRAME.test(line))
    .slice(0, 8)
    .map((line) => `    ${line.trim()}`);
  return frames.length === 0 ? "    (no frames outside the core)" : frames.join("\n");
}

/** The depot of {@link captureStack}: one entry per distinct call site of it. */
const looseStacks = new StackDepot();

/**
 * The current JavaScript stack without the core's own frames, one `at ...` line per frame.
 *
 * @returns The stack text, indented by four spaces per line, as page_owner's reports show it.
 */
export function captureStack(): string {
  return looseStacks.format(looseStacks.capture());
}
