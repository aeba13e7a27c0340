/**
 * @misuse M10
 * @title fromPhys, borrowPhysUnchecked or a raw read/write without an Unsafe token
 */
import { GFP_KERNEL, Page, unsafe, type Owned } from "ownkit";

// correct use: the unchecked operations inside unsafe("SAFETY: ...", ...)
export function correct(): number {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const into = new Uint8Array(4);
  unsafe("SAFETY: in-page ranges; nothing else touches the page", (token) => {
    page.writeRaw(token, 0, new Uint8Array([1, 2, 3, 4]));
    page.fillZeroRaw(token, 0, 1);
    page.readRaw(token, 0, into);
    return Page.borrowPhysUnchecked(token, page.phys()).pfn;
  });
  return into[1] ?? 0;
}

export function misuse(): void {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const addr = page.phys();
  // @expect-error TS2554 "Expected 3 arguments, but got 2."
  page.readRaw(0, new Uint8Array(4));
  // @expect-error TS2554 "Expected 3 arguments, but got 2."
  page.writeRaw(0, new Uint8Array(4));
  // @expect-error TS2554 "Expected 3 arguments, but got 2."
  page.fillZeroRaw(0, 4);
  // @expect-error TS2345 "Argument of type 'number' is not assignable to parameter of type 'Unsafe<"
  page.readRaw(0, 0, new Uint8Array(4));
  // @expect-error TS2554 "Expected 2-3 arguments, but got 1."
  Page.fromPhys(addr);
  // @expect-error TS2554 "Expected 2-3 arguments, but got 1."
  Page.borrowPhysUnchecked(addr);
  // @expect-error TS2345 "Argument of type 'PhysAddr' is not assignable to parameter of type 'Unsafe<"
  Page.borrowPhysUnchecked(addr, addr);
  // A forged token lacks the brands only unsafe() gives.
  // @expect-error TS2345 "is not assignable to parameter of type 'Unsafe<"
  // @expect-error[tsgo-7.0] TS2739 "is missing the following properties from type 'Unsafe<unknown>'"
  Page.borrowPhys({ reason: "SAFETY: forged", active: true }, addr);
}
