// `moduleResolution: node10` ignores the exports map: the root resolves through `types`, every
// subpath is TS2307. The fix is `node16`/`nodenext` (or `bundler`).
import { GFP_KERNEL, Page, type Owned } from "ownkit";
// @expect-error TS2307 "Cannot find module 'ownkit/mm'"
import { kmapLocal } from "ownkit/mm";

export function correct(): void {
  const page: Owned<Page> = Page.alloc(GFP_KERNEL);
  page.release();
  void kmapLocal;
}
