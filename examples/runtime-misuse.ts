/**
 * The run-time half of the misuse gallery: mistakes the compiler cannot see (they go through an
 * alias, or break an order rule), caught by the memory core on a debug machine (page poisoning and
 * page_owner stacks on) and reported the way KASAN and page_owner report them.
 *
 * - **M19, double free through an alias.** `release()` narrows the binding it is called on to
 *   `never`, but a second binding of the same page is not tracked by the compiler; the second
 *   release is a KASAN double-free report with the allocation and the first free stacks.
 * - **M20, use after free.** A borrower kept a `Page` view of a page whose owner released it; the
 *   read is a KASAN use-after-free report with both stacks.
 * - **M22, out-of-order `kunmap_local`.** Local mappings are a per-CPU stack; unmapping the outer
 *   one first is an error naming the expected (innermost) and the actual mapping, on every
 *   configuration (upstream, a kernel without HIGHMEM would stay silent). Binding guards with
 *   `using` makes this impossible to write.
 *
 * Each case catches the `KernelError` and keeps `error.message` and `error.report`; the machine is
 * still consistent afterwards and ends with an empty leak report.
 *
 * @module
 */
import { GFP_KERNEL, Page, __GFP_ZERO, isKernelError, kmapLocal, type KmapLocal, type Owned } from "ownkit";
import { createMachine, type Machine } from "ownkit/core";
import type { Write } from "./lib/format.js";

/** One run-time misuse and what the core said about it. */
export interface RuntimeMisuse {
  /** The catalogue id (`M19`, ...). */
  readonly id: string;
  /** What the program did wrong. */
  readonly title: string;
  /** The errno name of the error. */
  readonly errno: string;
  /** The first line of `error.message`: the operation, what went wrong and the values. */
  readonly message: string;
  /** `error.report`: the debug report (stacks), or `undefined`. */
  readonly report: string | undefined;
}

/** Runs `fn`, which must throw a KernelError, and records it. */
function expectFailure(id: string, title: string, fn: () => void): RuntimeMisuse {
  try {
    fn();
  } catch (error) {
    if (!isKernelError(error)) throw error;
    return { id, title, errno: error.errno, message: error.message.split("\n")[0]!, report: error.report };
  }
  throw new Error(`${id} did not fail`);
}

/** A driver's allocation helper: the allocation stack points here. */
function allocateBuffer(machine: Machine): Owned<Page> {
  return Page.alloc(GFP_KERNEL | __GFP_ZERO, machine);
}

/** A driver's free helper: the free stacks point here. */
function freeBuffer(page: Owned<Page>): void {
  page.release();
}

/** M19: the same page freed through two bindings. */
function doubleFreeThroughAlias(machine: Machine): RuntimeMisuse {
  const page: Owned<Page> = allocateBuffer(machine);
  const alias: Owned<Page> = page; // an alias: the compiler does not track it
  // eslint-disable-next-line ownkit/no-use-after-move -- M19 shown at run time; the lint layer flags the alias (M40)
  freeBuffer(page);
  return expectFailure("M19", "double free through an alias", () => freeBuffer(alias));
}

/** M20: a borrower reads a page after its owner freed it. */
function useAfterFree(machine: Machine): RuntimeMisuse {
  const page: Owned<Page> = allocateBuffer(machine);
  const borrower: Page = page; // a borrower's view, kept too long
  freeBuffer(page);
  return expectFailure("M20", "read through a page after it was freed", () => {
    borrower.read(0, 16);
  });
}

/** M22: the outer local mapping released before the inner one. */
function outOfOrderUnmap(machine: Machine): RuntimeMisuse {
  using first: Owned<Page> = allocateBuffer(machine);
  using second: Owned<Page> = allocateBuffer(machine);
  // The misuse on purpose: two hand-released guards, the outer one released first.
  /* eslint-disable ownkit/no-manual-kunmap-order -- M22 shown at run time; the lint layer flags it (M18) */
  const outer: KmapLocal = kmapLocal(first);
  const inner: KmapLocal = kmapLocal(second);
  const result = expectFailure("M22", "kunmap_local out of order", () => outer.unmap());
  /* eslint-enable ownkit/no-manual-kunmap-order */
  // The failed unmap changed nothing: release them in the right order.
  inner.unmap();
  // eslint-disable-next-line ownkit/no-use-after-move -- the failed unmap in the callback did not consume `outer`
  outer.unmap();
  return result;
}

/** What the run-time gallery did. */
export interface RuntimeGallery {
  /** The cases, in order. */
  readonly cases: readonly RuntimeMisuse[];
  /** Consistency problems of the machine afterwards (empty). */
  readonly problems: readonly string[];
  /** The machine's leak report afterwards (`null`). */
  readonly leakReport: string | null;
}

/**
 * Runs the run-time misuses on a debug machine.
 *
 * @param machine - A machine with debug options (default: a new 16 MiB machine with `debug: true`).
 * @returns The cases and the machine's state afterwards.
 */
export function runRuntimeGallery(machine: Machine = createMachine({ ramSize: 16 << 20, debug: true })): RuntimeGallery {
  const cases = [doubleFreeThroughAlias(machine), outOfOrderUnmap(machine), useAfterFree(machine)];
  return { cases, problems: machine.consistencyProblems(), leakReport: machine.leakReport() };
}

// Stack frames are printed relative to the working directory.
const root = `${process.cwd()}/`;

/**
 * Prints the run-time gallery: each case's message and report, indented.
 *
 * @param gallery - What {@link runRuntimeGallery} returned.
 * @param write - Where to print.
 */
export function printRuntimeGallery(gallery: RuntimeGallery, write: Write): void {
  for (const entry of gallery.cases) {
    write(`\n${entry.id}  ${entry.title}  (${entry.errno})\n`);
    write(`    ${entry.message}\n`);
    const report = (entry.report ?? "(no report)").split("\n").filter((line) => !/^=+$/.test(line) && line.trim() !== "");
    for (const line of report) write(`    | ${line.replaceAll(root, "")}\n`);
  }
  const clean = gallery.problems.length === 0 && gallery.leakReport === null;
  write(`\n  after the misuses: ${clean ? "machine consistent, leak report empty" : "PROBLEMS: " + gallery.problems.join("; ")}\n`);
}
