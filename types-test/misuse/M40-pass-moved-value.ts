/**
 * @misuse M40
 * @title passing a moved value on compiles (never is assignable to every type); lint flags it, the run time throws
 * @runtime
 * @expect-throw EFAULT "use after free"
 */
import { GFP_KERNEL, Page, release, type Owned } from "ownkit";

function firstByte(page: Owned<Page>): number {
  return page.read(0, 1)[0] ?? 0;
}

// correct use: pass the owner on while it is live, release it last
export function correct(): void {
  const page = Page.alloc(GFP_KERNEL);
  firstByte(page);
  release(page);
}

// The compiler accepts this (`page` is `never` after the move, and `never` fits any parameter);
// ownkit/no-use-after-move reports "use of moved value `page`: moved by `release()` at line 24".
export function misuse(): void {
  const page = Page.alloc(GFP_KERNEL);
  release(page);
  firstByte(page);
}
