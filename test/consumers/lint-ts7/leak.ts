// Linted in a project whose `typescript` is 6.0 (for typescript-eslint) and whose compiler is
// TypeScript 7.0 (`ts7` alias): ownkit/bind-disposables must flag line 6, tsc 7 must accept it.
import { GFP_KERNEL, Page } from "ownkit";

export function leak(): void {
  Page.alloc(GFP_KERNEL);
}
