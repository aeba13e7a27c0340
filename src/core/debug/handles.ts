/**
 * Errors and reports for handles that no longer name a live page (use after free, double free,
 * stale generations), in the style of KASAN.
 *
 * @module
 */
import { kernelError, type KernelError } from "../../errors.js";
import { badNumber, describeValue, hex, isU32 } from "../../args.js";
import { MAX_PAGE_ORDER } from "../config.js";
import type { MachineState } from "../MachineState.js";
import { FLAGS_MASK, GEN_LIMIT, PG_free, PG_nomap } from "../MemMap.js";
import { formatKasan } from "./report.js";

/**
 * The KASAN access line of a report.
 *
 * @param machine - The machine.
 * @param op - The operation.
 * @param pfn - The page.
 * @param offset - The byte offset, or -1 for a whole-page operation.
 * @param size - The size in bytes.
 * @returns For example `Read of size 16 at offset 0x0 of pfn 0x12 (phys 0x12000, Normal)`.
 */
export function accessLine(machine: MachineState, op: string, pfn: number, offset: number, size: number): string {
  const verb = op === "memcpy_from_page" ? "Read" : op === "memcpy_to_page" || op === "memset_page" ? "Write" : "Access";
  // Type first: offset and size may be anything a caller passed; they are described, never coerced.
  if (typeof offset === "number" && offset < 0) return `${verb} (${typeof op === "string" ? op : describeValue(op)}) of ${machine.describePfn(pfn)}`;
  const at = typeof offset === "number" && Number.isFinite(offset) ? hex(Math.trunc(offset)) : describeValue(offset);
  return `${verb} of size ${describeValue(size)} at offset ${at} of ${machine.describePfn(pfn)}`;
}

/**
 * Builds the error for a handle that does not name a live page.
 *
 * @param machine - The machine.
 * @param op - The operation.
 * @param pfn - A page frame below `nrPages`.
 * @param gen - The handle's generation.
 * @param access - The access line of the report.
 * @param bug - The KASAN bug class to report.
 * @returns The error: `EINVAL` for a bad generation, else `EFAULT` (or `EINVAL` for a double free).
 */
export function deadHandle(machine: MachineState, op: string, pfn: number, gen: number, access: string, bug = "use-after-free"): KernelError {
  if (typeof gen !== "number" || !Number.isSafeInteger(gen) || gen < 0 || gen >= GEN_LIMIT) return badNumber(op, "gen", gen, GEN_LIMIT);
  const word = machine.mem.word(pfn);
  const flags = word & FLAGS_MASK;
  if ((flags & PG_nomap) !== 0) {
    return kernelError("EFAULT", op, "page frame has no memory (hole or mmio)", { pfn, phys: pfn * machine.pageSize });
  }
  const current = machine.mem.gen(pfn);
  const free = (flags & PG_free) !== 0;
  const what = free ? (bug === "double-free" ? "double free" : "use after free") : "stale handle: page was freed and reallocated";
  const notes = current === gen ? [] : [`handle gen=${gen}, page gen=${current}: the page was reallocated since the handle was made`];
  const report = kasanReport(machine, bug, op, pfn, access, notes);
  return kernelError(bug === "double-free" ? "EINVAL" : "EFAULT", op, what, { pfn, gen, pageGen: current }, report);
}

/**
 * A KASAN-style report about a page, with page_owner stacks when recorded.
 *
 * @param machine - The machine.
 * @param bug - The bug class.
 * @param op - The operation.
 * @param pfn - The page.
 * @param access - The access line.
 * @param notes - Extra lines.
 * @returns The report text.
 */
export function kasanReport(machine: MachineState, bug: string, op: string, pfn: number, access: string, notes: readonly string[] = []): string {
  const head = stackHead(machine, pfn);
  return formatKasan({
    bug,
    // A caller of the public core methods passes any `op`: described, never coerced.
    op: typeof op === "string" ? op : describeValue(op),
    access,
    notes,
    page: machine.mem.describe(pfn),
    phys: pfn * machine.pageSize,
    allocStack: machine.owner?.allocStack(head),
    freeStack: machine.owner?.freeStack(head),
  });
}

/** The first pfn of the block whose stacks describe `pfn` (the page itself or an aligned head). */
function stackHead(machine: MachineState, pfn: number): number {
  const owner = machine.owner;
  if (owner === undefined || owner.allocStacks.has(pfn)) return pfn;
  for (let order = 1; order <= MAX_PAGE_ORDER; order++) {
    const head = pfn & ~((1 << order) - 1);
    if (owner.allocStacks.has(head)) return head;
  }
  return pfn;
}

