/**
 * @misuse M41
 * @title a move inside a loop compiles (the method form does not narrow); lint flags it, the run time throws
 * @runtime
 * @expect-throw EINVAL "double free"
 */
import { GFP_KERNEL, Page, release } from "ownkit";

// correct use: one owner per iteration
export function correct(): void {
  for (let i = 0; i < 2; i += 1) {
    const page = Page.alloc(GFP_KERNEL);
    page.write(0, new Uint8Array([i]));
    release(page);
  }
}

// ownkit/no-use-after-move reports "use of possibly moved value `page`: it may have been moved by
// `release()` at line 23 (in a previous iteration of the loop)".
export function misuse(): void {
  const page = Page.alloc(GFP_KERNEL);
  for (let i = 0; i < 2; i += 1) {
    page.release();
  }
}
