/**
 * @misuse M5
 * @title every pair of address/size brands, and a plain number, is not assignable
 */
import { toDmaAddr, toPfn, toPhysAddr, toResourceSize, type DmaAddr, type Pfn, type PhysAddr, type ResourceSize } from "ownkit";

const phys = toPhysAddr(0x1000);
const dma = toDmaAddr(0x1000);
const pfn = toPfn(1);
const size = toResourceSize(0x1000);
const plain: number = 0x1000;

// correct use: each brand from its checked constructor; a brand is still a number
export const correct: [PhysAddr, DmaAddr, Pfn, ResourceSize, number] = [phys, dma, pfn, size, phys + dma + pfn + size];

// @expect-error TS2322 "Type 'DmaAddr' is not assignable to type 'PhysAddr'"
export const physFromDma: PhysAddr = dma;
// @expect-error TS2322 "Type 'Pfn' is not assignable to type 'PhysAddr'"
export const physFromPfn: PhysAddr = pfn;
// @expect-error TS2322 "Type 'ResourceSize' is not assignable to type 'PhysAddr'"
export const physFromSize: PhysAddr = size;
// @expect-error TS2322 "Type 'number' is not assignable to type 'PhysAddr'"
export const physFromNumber: PhysAddr = plain;

// @expect-error TS2322 "Type 'PhysAddr' is not assignable to type 'DmaAddr'"
export const dmaFromPhys: DmaAddr = phys;
// @expect-error TS2322 "Type 'Pfn' is not assignable to type 'DmaAddr'"
export const dmaFromPfn: DmaAddr = pfn;
// @expect-error TS2322 "Type 'ResourceSize' is not assignable to type 'DmaAddr'"
export const dmaFromSize: DmaAddr = size;
// @expect-error TS2322 "Type 'number' is not assignable to type 'DmaAddr'"
export const dmaFromNumber: DmaAddr = plain;

// @expect-error TS2322 "Type 'PhysAddr' is not assignable to type 'Pfn'"
export const pfnFromPhys: Pfn = phys;
// @expect-error TS2322 "Type 'DmaAddr' is not assignable to type 'Pfn'"
export const pfnFromDma: Pfn = dma;
// @expect-error TS2322 "Type 'ResourceSize' is not assignable to type 'Pfn'"
export const pfnFromSize: Pfn = size;
// @expect-error TS2322 "Type 'number' is not assignable to type 'Pfn'"
export const pfnFromNumber: Pfn = plain;

// @expect-error TS2322 "Type 'PhysAddr' is not assignable to type 'ResourceSize'"
export const sizeFromPhys: ResourceSize = phys;
// @expect-error TS2322 "Type 'DmaAddr' is not assignable to type 'ResourceSize'"
export const sizeFromDma: ResourceSize = dma;
// @expect-error TS2322 "Type 'Pfn' is not assignable to type 'ResourceSize'"
export const sizeFromPfn: ResourceSize = pfn;
// @expect-error TS2322 "Type 'number' is not assignable to type 'ResourceSize'"
export const sizeFromNumber: ResourceSize = plain;

// @expect-error TS2322 "Type 'number' is not assignable to type 'PhysAddr'"
export const physFromArithmetic: PhysAddr = phys + 0x1000;
