/**
 * @misuse M42
 * @title a Symbol where a page frame number is expected (a JavaScript caller)
 * @runtime
 * @expect-throw EINVAL "page_gen: pfn is not a non-negative integer (pfn=Symbol(pfn))"
 */
import { GFP_KERNEL, Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 1 << 20 });

export function correct(): void {
  const pfn = machine.allocPages(GFP_KERNEL, 0);
  machine.freePages(pfn, machine.pageGen(pfn), 0);
}

export function misuse(): void {
  // A JavaScript caller (or `any`) reaches the run-time check: no valueOf runs, no TypeError.
  const pfn: unknown = Symbol("pfn");
  const before = machine.stateDigest();
  try {
    machine.pageGen(pfn as number);
  } finally {
    if (machine.stateDigest() !== before) throw new Error("a failed call changed the machine");
  }
}
