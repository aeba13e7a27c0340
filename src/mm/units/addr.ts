/**
 * Branded address and size types: {@link PhysAddr}, {@link DmaAddr}, {@link Pfn} and
 * {@link ResourceSize}, and the checked constructors that are the only way to make them.
 *
 * @remarks
 * Each type is a `number` carrying a brand that exists only in the type, so none is assignable to
 * another, and a plain `number` is assignable to none of them:
 *
 * ```ts
 * const dma: DmaAddr = toDmaAddr(0x8000);
 * Page.borrowPhys(token, dma);
 * // error TS2345: Argument of type 'DmaAddr' is not assignable to parameter of type 'PhysAddr'.
 * ```
 *
 * The other direction is allowed: a branded value is a `number`, so arithmetic and printing work,
 * and the result of arithmetic is a plain `number` again, which must go back through a checked
 * constructor. The constructors accept non-negative safe integers (`0..2^53-1`); a {@link Pfn} must
 * also lie below 2^34, the most frames a machine may have (64 TiB of 4 KiB pages). The kernel's
 * `phys_addr_t` is 64 bits wide; a JavaScript number is exact up to 2^53, which covers every machine
 * the simulator can build (at most 2^34 frames of at most 256 KiB, plus MMIO above RAM).
 *
 * @module
 */
import { kernelError } from "../../errors.js";

// The brand key: declared only and not exported, so no other type can claim a brand.
declare const addressKind: unique symbol;

/**
 * A physical address in bytes (the kernel's `phys_addr_t`): what `page.phys()` returns and
 * `Page.fromPhys`/`Page.borrowPhys` take.
 *
 * @invariant A non-negative safe integer.
 */
export type PhysAddr = number & {
  /** The brand, naming the checked constructor so that a type error says what to call; exists in the type only. */
  readonly [addressKind]: "PhysAddr: make one with toPhysAddr(…) or page.phys()";
};

/**
 * An address as a device sees it through its IOMMU or bus (`dma_addr_t`); never interchangeable
 * with a {@link PhysAddr}, even when the two happen to be equal.
 *
 * @invariant A non-negative safe integer.
 */
export type DmaAddr = number & {
  /** The brand, naming the checked constructor so that a type error says what to call; exists in the type only. */
  readonly [addressKind]: "DmaAddr: make one with toDmaAddr(…)";
};

/**
 * A page frame number: a physical address divided by the page size (`unsigned long pfn`).
 *
 * @invariant An integer in `0..2^34-1` ({@link PFN_MAX}).
 */
export type Pfn = number & {
  /** The brand, naming the checked constructor so that a type error says what to call; exists in the type only. */
  readonly [addressKind]: "Pfn: make one with toPfn(…) or physToPfn(…)";
};

/**
 * The size of a physical resource in bytes (`resource_size_t`).
 *
 * @invariant A non-negative safe integer.
 */
export type ResourceSize = number & {
  /** The brand, naming the checked constructor so that a type error says what to call; exists in the type only. */
  readonly [addressKind]: "ResourceSize: make one with toResourceSize(…)";
};

/**
 * The largest {@link Pfn}: 2^34 - 1, the last frame of the largest machine (`MAX_PAGES` = 2^34).
 * Pfns do not fit 32 bits: hold them in plain numbers or `Float64Array`s, never through `>>>`/`|0`.
 */
export const PFN_MAX = 2 ** 34 - 1;

function checked(op: string, name: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw kernelError("EINVAL", op, `${name} is not a non-negative safe integer`, { [name]: value });
  }
  if (value > max) throw kernelError("EINVAL", op, `${name} is out of range`, { [name]: value, max });
  return value;
}

/**
 * Makes a {@link PhysAddr} from a number, after checking it.
 *
 * @param value - A byte address, a non-negative safe integer.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` with the value for a negative, fractional, NaN, infinite or unsafe number.
 *
 * @example
 * ```ts
 * const addr: PhysAddr = toPhysAddr(0x10000);
 * toPhysAddr(-1); // KernelError EINVAL: phys_addr: addr is not a non-negative safe integer (addr=-1)
 * const bad: PhysAddr = 0x10000; // error TS2322: Type 'number' is not assignable to type 'PhysAddr'.
 * ```
 */
export function toPhysAddr(value: number): PhysAddr {
  // SAFETY: checked() accepted the value as a non-negative safe integer, the PhysAddr invariant.
  return checked("phys_addr", "addr", value, Number.MAX_SAFE_INTEGER) as PhysAddr;
}

/**
 * Checks a physical address argument in the name of the caller's operation.
 *
 * @param op - The operation, for the error (`"PHYS_PFN"`, `"borrow_phys"`, ...).
 * @param value - The argument.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` naming `op`, as {@link toPhysAddr}.
 */
export function checkPhysAddr(op: string, value: unknown): PhysAddr {
  // SAFETY: checked() accepted the value as a non-negative safe integer, the PhysAddr invariant.
  return checked(op, "addr", value, Number.MAX_SAFE_INTEGER) as PhysAddr;
}

/**
 * Checks a frame number argument in the name of the caller's operation.
 *
 * @param op - The operation, for the error (`"PFN_PHYS"`, `"PHYS_PFN"`, ...).
 * @param value - The argument.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` naming `op`, as {@link toPfn}.
 */
export function checkPfn(op: string, value: unknown): Pfn {
  // SAFETY: checked() accepted the value as an integer in 0..PFN_MAX, the Pfn invariant.
  return checked(op, "pfn", value, PFN_MAX) as Pfn;
}

/**
 * Makes a {@link DmaAddr} from a number, after checking it.
 *
 * @param value - A bus address, a non-negative safe integer.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` with the value for a negative, fractional, NaN, infinite or unsafe number.
 */
export function toDmaAddr(value: number): DmaAddr {
  // SAFETY: checked() accepted the value as a non-negative safe integer, the DmaAddr invariant.
  return checked("dma_addr", "addr", value, Number.MAX_SAFE_INTEGER) as DmaAddr;
}

/**
 * Makes a {@link Pfn} from a number, after checking it.
 *
 * @param value - A frame number, an integer in `0..2^34-1`.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` with the value for a negative, fractional, NaN or infinite number,
 *   or one above {@link PFN_MAX}.
 */
export function toPfn(value: number): Pfn {
  // SAFETY: checked() accepted the value as an integer in 0..PFN_MAX, the Pfn invariant.
  return checked("pfn", "pfn", value, PFN_MAX) as Pfn;
}

/**
 * Makes a {@link ResourceSize} from a number, after checking it.
 *
 * @param value - A size in bytes, a non-negative safe integer.
 * @returns The same number, branded.
 * @throws KernelError `EINVAL` with the value for a negative, fractional, NaN, infinite or unsafe number.
 */
export function toResourceSize(value: number): ResourceSize {
  // SAFETY: checked() accepted the value as a non-negative safe integer, the ResourceSize invariant.
  return checked("resource_size", "size", value, Number.MAX_SAFE_INTEGER) as ResourceSize;
}
