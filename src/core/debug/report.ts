/**
 * Report texts in the style of KASAN, page_owner and the kernel's bad-page and leak messages.
 *
 * @module
 */
import { hex } from "../../args.js";

const RULE = "==================================================================";
const NOT_RECORDED = "    (not recorded: create the machine with debug.pageOwner)";

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
  /** The allocation stack, when page_owner is on. */
  readonly allocStack: string | undefined;
  /** The free stack, when page_owner is on. */
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
  return [
    RULE,
    `BUG: KASAN: ${report.bug} in ${report.op}`,
    report.access,
    ...(report.notes ?? []),
    "",
    "Allocated by:",
    report.allocStack ?? NOT_RECORDED,
    "",
    "Freed by:",
    report.freeStack ?? NOT_RECORDED,
    "",
    `The buggy address belongs to the physical page at ${hex(report.phys)}:`,
    report.page,
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
  const pages = leaks.reduce((sum, leak) => sum + 2 ** leak.order, 0);
  const lines = [RULE, `BUG: memory leak: ${leaks.length} block(s), ${pages} page(s) still allocated at teardown`];
  for (const leak of leaks) {
    lines.push("", `unreferenced block pfn ${hex(leak.pfn)} phys ${hex(leak.phys)} order ${leak.order}`, leak.page, "  allocated by:");
    lines.push(leak.allocStack ?? NOT_RECORDED);
  }
  if (mappings.length > 0) lines.push("", `${mappings.length} mapping(s) still live:`, ...mappings.map((m) => `  ${m}`));
  lines.push(RULE);
  return lines.join("\n");
}
