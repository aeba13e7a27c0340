import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import {
  pageAlign,
  pageAlignDown,
  pageConsts,
  pfnToPhys,
  physToPfn,
  toDmaAddr,
  toPfn,
  toPhysAddr,
  toResourceSize,
  type DmaAddr,
  type PageConsts,
  type Pfn,
  type PhysAddr,
  type ResourceSize,
} from "ownkit";

const phys = toPhysAddr(0x1000);
const dma = toDmaAddr(0x1000);
const pfn = toPfn(1);
const size = toResourceSize(0x1000);

// Checked constructors give the brands; brands are still numbers.
expectType<PhysAddr>(phys);
expectType<DmaAddr>(dma);
expectType<Pfn>(pfn);
expectType<ResourceSize>(size);
expectAssignable<number>(phys);

// No brand is assignable to another, and a plain number to none.
expectNotAssignable<PhysAddr>(dma);
expectNotAssignable<PhysAddr>(pfn);
expectNotAssignable<PhysAddr>(size);
expectNotAssignable<PhysAddr>(0x1000);
expectNotAssignable<DmaAddr>(phys);
expectNotAssignable<Pfn>(phys);
expectNotAssignable<ResourceSize>(phys);
expectError(physToPfn(dma));
expectError(pfnToPhys(phys));
expectType<Pfn>(physToPfn(phys));
expectType<PhysAddr>(pfnToPhys(pfn));

// Constants per machine; alignment keeps the brand.
expectType<PageConsts>(pageConsts());
expectType<number>(pageConsts().PAGE_MASK);
expectType<bigint>(pageConsts().PAGE_MASK_BIG);
expectType<PhysAddr | null>(pageAlign(phys));
expectType<number | null>(pageAlign(4097));
expectType<bigint | null>(pageAlign(4097n));
expectType<PhysAddr>(pageAlignDown(phys));
expectType<DmaAddr>(pageAlignDown(dma));
