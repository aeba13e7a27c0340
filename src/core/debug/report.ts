/**
 * Report texts in the style of KASAN, page_owner and the kernel's bad-page and leak messages.
 *
 * @module
 */
import { arrayArg, hex, isAddress, recordField } from "../../args.js";
import { kernelError } from "../../errors.js";

const RULE = "==================================================================";
const NOT_RECORDED = "    (not recorded: create the machine with debug.pageOwner)";

/** The allocation stack line of a report on a page_owner machine for a page no block of which was ever allocated. */
export const NEVER_ALLOCATED = "    (never allocated)";

/** The free stack line of a report on a page_owner machine for a page never freed since it was allocated. */
export const NEVER_FREED = "    (never freed)";

/** What a KASAN-style report is about. */
export interface KasanReport {
  /** The bug class: `"use-after-free"`, `"double-free"` or `"invalid-free"`. */
  readonly bug: string;
  /** The operation that hit it. */
  readonly op: string;
  /** The access line, for example `Read of size 16 at pfn 0x12 offset 0x0`. */
  readonly access: string;
  /** The `dump_page` line of the page. */
  readonly page: string;
  /** The physical address of the page. */
  readonly phys: number;
  /**
   * The allocation stack, when page_owner is on; `undefined` prints that page_owner is off (the
   * machine gives a "never allocated" line when page_owner is on and there was no allocation).
   */
  readonly allocStack: string | undefined;
  /** The free stack, when page_owner is on; `undefined` as for `allocStack` ("never freed"). */
  readonly freeStack: string | undefined;
  /** Extra lines (for example the handle's and the page's generations). */
  readonly notes?: readonly string[];
}

/**
 * Formats a KASAN-style report with the allocation and free stacks.
 *
 * @param report - What to report.
 * @returns The multi-line text.
 */
export function formatKasan(report: KasanReport): string {
  const op = "format_kasan";
  // Each field is read once and type-checked before it is formatted (a getter runs once, no coercion).
  const bug = recordField(op, report, "bug", "string") as string;
  const what = recordField(op, report, "op", "string") as string;
  const access = recordField(op, report, "access", "string") as string;
  const notes = (recordField(op, report, "notes", "strings?") as readonly string[] | undefined) ?? [];
  const allocStack = recordField(op, report, "allocStack", "string?") as string | undefined;
  const freeStack = recordField(op, report, "freeStack", "string?") as string | undefined;
  const phys = recordField(op, report, "phys", "number") as number;
  const page = recordField(op, report, "page", "string") as string;
  return [
    RULE,
    `BUG: KASAN: ${bug} in ${what}`,
    access,
    ...notes,
    "",
    "Allocated by:",
    allocStack ?? NOT_RECORDED,
    "",
    "Freed by:",
    freeStack ?? NOT_RECORDED,
    "",
    `The buggy address belongs to the physical page at ${hex(phys)}:`,
    page,
    RULE,
  ].join("\n");
}

/**
 * Formats the poison-corruption report of an allocation (`check_poison_mem`).
 *
 * @param pfn - The corrupted page.
 * @param offset - The first corrupted byte in the page.
 * @param value - The byte found there.
 * @param page - The `dump_page` line.
 * @param freeStack - The stack that freed the page, when recorded.
 * @returns The multi-line text.
 */
export function formatPoison(pfn: number, offset: number, value: number, page: string, freeStack: string | undefined): string {
  const op = "format_poison";
  if (!isAddress(pfn)) throw kernelError("EINVAL", op, "pfn is not a non-negative integer", { pfn });
  if (!isAddress(offset)) throw kernelError("EINVAL", op, "offset is not a non-negative integer", { offset });
  if (!isAddress(value)) throw kernelError("EINVAL", op, "value is not a non-negative integer", { value });
  if (typeof page !== "string") throw kernelError("EINVAL", op, "page is not a string", { page });
  if (freeStack !== undefined && typeof freeStack !== "string") throw kernelError("EINVAL", op, "freeStack is not a string", { freeStack });
  return [
    RULE,
    `BUG: pagealloc: memory corruption in pfn ${hex(pfn)} at offset ${hex(offset)}`,
    `expected poison 0xaa, found ${hex(value)}: the page was written after it was freed`,
    page,
    "",
    "Freed by:",
    freeStack ?? NOT_RECORDED,
    RULE,
  ].join("\n");
}

/** One leaked block for {@link formatLeaks}. */
export interface LeakEntry {
  /** The block's first pfn. */
  readonly pfn: number;
  /** Its physical address. */
  readonly phys: number;
  /** Its order. */
  readonly order: number;
  /** The `dump_page` line. */
  readonly page: string;
  /** The allocation stack, when recorded. */
  readonly allocStack: string | undefined;
}

/**
 * Formats the teardown leak report in the manner of kmemleak and page_owner.
 *
 * @param leaks - The blocks still allocated.
 * @param mappings - Descriptions of mappings still live.
 * @returns The multi-line text.
 */
export function formatLeaks(leaks: readonly LeakEntry[], mappings: readonly string[]): string {
  const op = "format_leaks";
  const lines0 = arrayArg(op, "mappings", mappings);
  if (!lines0.every((line) => typeof line === "string")) throw kernelError("EINVAL", op, "mappings is not an array of strings", { mappings });
  const mapped = lines0 as string[];
  // Each entry's fields are read once and type-checked before anything is formatted.
  const entries = arrayArg(op, "leaks", leaks).map((leak: unknown) => ({
    pfn: recordField(op, leak, "pfn", "number") as number,
    phys: recordField(op, leak, "phys", "number") as number,
    order: recordField(op, leak, "order", "number") as number,
    page: recordField(op, leak, "page", "string") as string,
    allocStack: recordField(op, leak, "allocStack", "string?") as string | undefined,
  }));
  const pages = entries.reduce((sum, leak) => sum + 2 ** leak.order, 0);
  const lines = [RULE, `BUG: memory leak: ${entries.length} block(s), ${pages} page(s) still allocated at teardown`];
  for (const leak of entries) {
    lines.push("", `unreferenced block pfn ${hex(leak.pfn)} phys ${hex(leak.phys)} order ${leak.order}`, leak.page, "  allocated by:");
    lines.push(leak.allocStack ?? NOT_RECORDED);
  }
  if (mapped.length > 0) lines.push("", `${mapped.length} mapping(s) still live:`, ...mapped.map((m) => `  ${m}`));
  lines.push(RULE);
  return lines.join("\n");
}
