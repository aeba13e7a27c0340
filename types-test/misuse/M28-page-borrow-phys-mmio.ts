/**
 * @misuse M28
 * @title borrowing a page at an MMIO address
 * @runtime
 * @expect-throw EFAULT "page frame has no memory"
 */
import { Page, toPhysAddr, unsafe } from "ownkit";
import { Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 4 << 20, ranges: [{ kind: "mmio", start: 2 << 20, size: 64 << 10 }] });
const mmio = toPhysAddr(2 << 20);

// correct use: the checked borrow returns null for MMIO, and the caller handles it
export function correct(): void {
  const first = unsafe("SAFETY: only probing", (token) => Page.borrowPhys(token, mmio, machine)?.read(0, 4) ?? null);
  if (first !== null) throw new Error("borrowPhys of MMIO must be null");
}

// misuse: the unchecked borrow believes the caller, and the access fails in the core
export function misuse(): void {
  unsafe("SAFETY: wrong: the address is MMIO, not RAM", (token) => Page.borrowPhysUnchecked(token, mmio, machine).read(0, 4).length);
}
