/**
 * The main job: runs the seed workloads on the default machine and then the misuse gallery.
 *
 * @module
 */
import { printGallery } from "./misuse-gallery.js";

const out = (text: string): void => {
  process.stdout.write(text);
};

out("ownkit demo\n===========\n");
out("\n## Misuse gallery: what the compiler says\n");
await printGallery(out);
