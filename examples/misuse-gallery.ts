/**
 * The misuse gallery: compiles a handful of misuse programs from the catalogue and prints, for each,
 * the offending line and the compiler's own error sentence; then triggers a few run-time misuses on
 * a debug machine and prints the core's reports (`./runtime-misuse.ts`).
 *
 * Run it with `npm run demo` (it is the last section) or on its own with `tsx examples/misuse-gallery.ts`.
 *
 * @module
 */
import { runCatalogue, type CaseResult } from "ownkit/misuse";
import { printRuntimeGallery, runRuntimeGallery } from "./runtime-misuse.js";

/** The cases the gallery shows, by catalogue id, in this order. */
export const GALLERY_CASES: readonly string[] = ["M1", "M2", "M3", "M5", "M8", "M10", "M11", "M12", "M15"];

/** One gallery entry: the misuse, the line of code and what the compiler said about it. */
export interface GalleryEntry {
  /** The catalogue id, such as `"M2"`. */
  readonly id: string;
  /** The case title. */
  readonly title: string;
  /** The offending line of code. */
  readonly line: string;
  /** The compiler's diagnostic code, such as `"TS2339"`. */
  readonly code: string;
  /** The compiler's own message. */
  readonly message: string;
}

/**
 * Compiles the gallery cases with the build compiler and collects the first marked error of each.
 *
 * @param ids - The case ids to show (default {@link GALLERY_CASES}).
 * @returns One entry per case found in the catalogue, in the order of `ids`.
 */
export async function collectGallery(ids: readonly string[] = GALLERY_CASES): Promise<GalleryEntry[]> {
  const result = await runCatalogue({ dir: "types-test/misuse", only: ["tsc-5.9"], runtime: false });
  const entries: GalleryEntry[] = [];
  for (const id of ids) {
    // Where a misuse has a generic form and a page/folio form, show the page/folio one.
    const forms = result.cases.filter((c) => c.case.id === id && !c.case.runtime);
    const found: CaseResult | undefined = forms.find((c) => /page|folio/i.test(c.case.file)) ?? forms[0];
    const check = found?.typeChecks[0];
    const outcome = check?.lines.find((l) => l.actual.length > 0);
    const diagnostic = outcome?.actual[0];
    if (found === undefined || outcome === undefined || diagnostic === undefined) continue;
    entries.push({
      id,
      title: found.case.title,
      line: outcome.sourceLine.trim(),
      code: `TS${diagnostic.code}`,
      message: diagnostic.message,
    });
  }
  return entries;
}

/**
 * Prints the type part of the gallery: each case's line and the compiler's sentence.
 *
 * @param write - Where to print (default: standard output).
 */
export async function printTypeGallery(write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const entries = await collectGallery();
  for (const entry of entries) {
    write(`\n${entry.id}  ${entry.title}\n`);
    write(`    ${entry.line}\n`);
    write(`    ${entry.code}: ${entry.message}\n`);
  }
}

/**
 * Prints the gallery: the type part, then the run-time part on a debug machine.
 *
 * @param write - Where to print (default: standard output).
 */
export async function printGallery(write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  write("\n### Caught by the compiler (tsc 5.9)\n");
  await printTypeGallery(write);
  write("\n### Caught at run time (debug machine: poisoning and page_owner stacks on)\n");
  printRuntimeGallery(runRuntimeGallery(), write);
}

if (import.meta.url === `file://${process.argv[1]}`) await printGallery();
