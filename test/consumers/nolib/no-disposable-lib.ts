// Without `ESNext.Disposable` in `lib` (or @types/node, which brings it) a `using` declaration
// fails, and so do the declarations of every disposable handle (unless skipLibCheck hides them);
// the fix is `"lib": ["ES2022", "ESNext.Disposable"]`.
// @expect-global TS2318 "Cannot find global type 'Disposable'"
import { GFP_KERNEL, Page, type Owned } from "ownkit";

export function correct(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  void page;
}
