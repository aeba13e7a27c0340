// A page has exactly one owner: a counted reference to it does not exist.
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import type { ARef, Page } from "ownkit";

// @expect-error TS2344 "a page has no refcount; use Owned<Page>"
export type Counted = ARef<Page>;
