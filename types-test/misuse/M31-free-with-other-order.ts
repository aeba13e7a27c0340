/**
 * @misuse M31
 * @title freeing a block with a different order than it was allocated with
 * @runtime
 * @expect-throw EINVAL "order differs from the allocation's order"
 */
import { GFP_KERNEL, Machine } from "ownkit/core";

const machine = new Machine({ ramSize: 8 << 20 });

export function correct(): void {
  const pfn = machine.allocPages(GFP_KERNEL, 2);
  machine.freePages(pfn, machine.pageGen(pfn), 2);
}

export function misuse(): void {
  const pfn = machine.allocPages(GFP_KERNEL, 2);
  const before = machine.stateDigest();
  try {
    machine.freePages(pfn, machine.pageGen(pfn), 1);
  } finally {
    // The allocator is unchanged by the failed free; give the block back the right way.
    if (machine.stateDigest() !== before) throw new Error("a failed free changed the allocator");
    machine.freePages(pfn, machine.pageGen(pfn), 2);
  }
}
