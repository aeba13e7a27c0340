/**
 * @misuse M2
 * @title clone() on an Owned<Page>
 */
import { Arc, GFP_KERNEL, Page, type Owned } from "ownkit";

// correct use: one owner; share on the TypeScript side with Arc<Owned<Page>>
export function correct(): number {
  using shared: Arc<Owned<Page>> = Arc.new(Page.alloc(GFP_KERNEL));
  using second: Arc<Owned<Page>> = shared.clone();
  return second.value.pfn;
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  // @expect-error TS2339 "Property 'clone' does not exist on type 'Owned<Page>'"
  page.clone();
}
