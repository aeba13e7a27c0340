/**
 * @misuse M40
 * @title the method forms compile wherever the call is correct (no TS2775/TS2776 false positives)
 */
import { Folio, GFP_KERNEL, Page, intoShared, kmapLocal, put, release, type Owned, type UniqueFolio } from "ownkit";

declare const header: Uint8Array;

class Pool {
  current: Owned<Page> | undefined = Page.alloc(GFP_KERNEL);
  readonly byKey = new Map<number, Owned<Page>>();

  // correct use: a method's receiver may be any expression; none of these needs an annotation
  drain(pages: Owned<Page>[]): void {
    for (let i = 0; i < pages.length; i += 1) pages[i]!.release();
    this.current!.release();
    this.byKey.get(1)!.release();
    this.current?.release();
    for (const each of pages) each.release();
    const page = Page.alloc(GFP_KERNEL);
    page.release();
    const unique: UniqueFolio = Folio.alloc(0);
    unique.intoShared();
    unique.put();
    const fresh = Folio.alloc(0);
    fresh.release();
    const shared = Folio.alloc(0);
    intoShared(shared);
    const locked = shared.lock();
    locked.unlock();
    put(shared);
    const owner = Page.alloc(GFP_KERNEL);
    const guard = kmapLocal(owner);
    guard.unmap();
    owner.release();
  }
}

export function misuse(pages: Owned<Page>[]): void {
  new Pool().drain(pages);
  const page = Page.alloc(GFP_KERNEL);
  release(page);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  page.release();
}
