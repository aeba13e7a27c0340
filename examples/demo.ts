/**
 * The main job (`npm run demo`): runs the seed workloads on the default machine, one section each,
 * then the misuse gallery.
 *
 * 1. `./rofs.ts`: a read-only filesystem's superblock in a `UniqueFolio`, file data through the
 *    page cache (thread 000).
 * 2. `./binder.ts`: binder transactions copied into lazily allocated pages, with an LRU list and a
 *    shrinker (thread 001).
 * 3. `./iommu.ts`: an IOMMU page table built from pages handed over with `intoPhys` (thread 004).
 * 4. `./misuse-gallery.ts`: what the compiler and the run-time core say about misuse.
 *
 * @module
 */
import { defaultMachine } from "ownkit/core";
import { printBinder, runBinder, runBinderPlain } from "./binder.js";
import { printIommu, runIommu } from "./iommu.js";
import { printGallery } from "./misuse-gallery.js";
import { printRofs, runRofs } from "./rofs.js";

const out = (text: string): void => {
  process.stdout.write(text);
};
const started = performance.now();
const machine = defaultMachine();

out("ownkit demo\n===========\n");
out(`machine: the default one, ${machine.nrPages * machine.pageSize >> 20} MiB of RAM, ${machine.pageSize >> 10} KiB pages, ${machine.cpus} CPUs, no HIGHMEM\n`);

printRofs(runRofs(machine), out);

printBinder(runBinder(machine), out, runBinderPlain());

printIommu(runIommu(machine), out);

out("\n## Misuse gallery\n");
await printGallery(out);

const leaks = machine.leakReport();
out(`\n---\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s; default machine leak report: ${leaks === null ? "empty" : "\n" + leaks}\n`);
