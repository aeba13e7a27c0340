/**
 * @misuse M5
 * @title a DmaAddr, Pfn, ResourceSize or plain number where a PhysAddr is expected
 */
import {
  GFP_KERNEL,
  Page,
  pfnToPhys,
  physToPfn,
  toDmaAddr,
  toPfn,
  toPhysAddr,
  toResourceSize,
  unsafe,
  type Owned,
  type Pfn,
  type PhysAddr,
} from "ownkit";

// correct use: a PhysAddr from page.phys() or from the checked constructor
export function correct(): Pfn {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL);
  const addr: PhysAddr = page.phys();
  const same: PhysAddr = toPhysAddr(addr + 0);
  unsafe("SAFETY: the owner above keeps the page allocated", (token) => Page.borrowPhys(token, same)?.pfn);
  return physToPfn(pfnToPhys(toPfn(3)));
}

export function misuse(): void {
  const dma = toDmaAddr(0x8000);
  const pfn = toPfn(8);
  const size = toResourceSize(0x8000);
  unsafe("SAFETY: compile-time misuse only", (token) => {
    // @expect-error TS2345 "Argument of type 'DmaAddr' is not assignable to parameter of type 'PhysAddr'"
    Page.borrowPhys(token, dma);
    // @expect-error TS2345 "Argument of type 'Pfn' is not assignable to parameter of type 'PhysAddr'"
    Page.borrowPhys(token, pfn);
    // @expect-error TS2345 "Argument of type 'ResourceSize' is not assignable to parameter of type 'PhysAddr'"
    Page.fromPhys(token, size);
    // The brand names the fix: the message chain says which constructor makes a PhysAddr.
    // @expect-error TS2345 "PhysAddr: make one with toPhysAddr(…) or page.phys()"
    Page.borrowPhysUnchecked(token, 0x8000);
    return 0;
  });
  // @expect-error TS2345 "Type '\"DmaAddr: make one with toDmaAddr(…)\"' is not assignable to type '\"PhysAddr: make one with toPhysAddr(…) or page.phys()\"'"
  // @expect-error[tsc-5.2] TS2345 "Argument of type 'DmaAddr' is not assignable to parameter of type 'PhysAddr'"
  physToPfn(dma);
  // @expect-error TS2345 "Argument of type 'PhysAddr' is not assignable to parameter of type 'Pfn'"
  pfnToPhys(toPhysAddr(0x8000));
}
