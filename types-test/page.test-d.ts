import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import {
  Arc,
  GFP_KERNEL,
  KmapLocal,
  Page,
  __GFP_ZERO,
  intoPhys,
  kmapLocal,
  unsafe,
  type ARef,
  type BorrowedPage,
  type Owned,
  type OwnedHandle,
  type PageView,
  type PhysAddr,
} from "ownkit";

declare const owner: Owned<Page>;
declare const view: Page;

// Allocation with the caller's flags returns the single owner.
expectType<Owned<Page>>(Page.alloc(GFP_KERNEL | __GFP_ZERO));
expectAssignable<OwnedHandle<Page>>(owner);

// A page has no refcount: ARef<Page> does not compile; Owned<Page> does.
expectAssignable<Owned<Page>>(owner);
expectError(null as unknown as ARef<Page>);

// No clone on an owner; no release on the borrower's view.
expectError(owner.clone());
expectNotAssignable<OwnedHandle<Page>>(view);
expectError(view.release());

// Arc<Owned<Page>> shares a page; the shared value has no release.
const shared = Arc.new(owner);
expectType<Page>(shared.value);
expectError(shared.value.release());

// Checked access.
expectType<Uint8Array>(owner.read(0, 4));
expectType<Uint8Array>(owner.read(0, new Uint8Array(4)));
expectType<void>(owner.write(0, new Uint8Array(1)));
expectError(owner.write(0, [1, 2]));

// The mapped view has a lifetime and is not a Uint8Array; it cannot escape or widen (M8, M33).
expectType<number>(owner.withPageMapped((mapped) => mapped.length));
expectType<number | undefined>(owner.withPointerIntoPage(0, 4, (bytes) => bytes[0]));
owner.withPageMapped((mapped) => {
  expectNotAssignable<Uint8Array>(mapped);
  expectNotAssignable<{ [index: number]: number }>(mapped);
  expectType<typeof mapped>(mapped.subarray(0, 4));
  expectType<typeof mapped>(mapped.fill(0));
  expectType<Uint8Array>(mapped.slice(0, 4));
  expectType<Uint8Array>(mapped.map((byte) => byte + 1));
  return 0;
});
expectError(owner.withPageMapped((mapped) => mapped.subarray(0, 4)));
expectError(owner.withPageMapped((mapped) => () => mapped));
expectError(owner.withPageMapped((mapped) => mapped));
expectError(owner.withPointerIntoPage(0, 4, (bytes) => ({ bytes })));
expectNotAssignable<PageView<"a">>(null as unknown as PageView<"b">);

// Raw access needs the token.
unsafe("SAFETY: in-page range, no concurrent access", (token) => {
  owner.readRaw(token, 0, new Uint8Array(4));
  owner.writeRaw(token, 0, new Uint8Array(4));
  owner.fillZeroRaw(token, 0, 4);
  return 0;
});
expectError(owner.readRaw(0, new Uint8Array(4)));
expectError(owner.fillZeroRaw(0, 0, 4));

// phys() then intoPhys(): the binding is consumed.
function handOver(page: Owned<Page>): PhysAddr {
  const local: Owned<Page> = page;
  const addr = local.phys();
  expectType<PhysAddr>(addr);
  intoPhys(local);
  expectType<never>(local);
  return addr;
}
handOver(owner);
expectError(intoPhys(view));

// Borrows: everything except freeing; the lifetime is the token's and cannot escape the block.
unsafe("SAFETY: the owner keeps the page allocated", (token) => {
  const borrowed = Page.borrowPhys(token, owner.phys());
  if (borrowed !== null) {
    expectAssignable<Page>(borrowed);
    expectType<Uint8Array>(borrowed.read(0, 1));
    expectError(borrowed.release());
  }
  return 0;
});
expectError(unsafe("SAFETY: returns the borrow", (token) => Page.borrowPhysUnchecked(token, owner.phys())));
expectError(Page.fromPhys(owner.phys()));

// kmapLocal guards are disposable.
expectAssignable<Disposable>(kmapLocal(owner));
expectType<Uint8Array>(kmapLocal(view, 16).view);
expectType<KmapLocal>(kmapLocal(owner));

// A borrow is a page but not an owner.
expectAssignable<Page>(null as unknown as BorrowedPage<"scope">);
expectNotAssignable<Owned<Page>>(null as unknown as BorrowedPage<"scope">);
