/**
 * Page-size constants that follow the machine: {@link pageConsts}, {@link pageAlign},
 * {@link pageAlignDown}, and the frame-number conversions.
 *
 * @remarks
 * **Why a function and not bare constants.** A kernel is built for one page size; the simulator
 * builds machines with 4, 8, 16, 32, 64 or 256 KiB pages side by side. A module-level
 * `PAGE_SIZE = 4096` would be wrong for every other machine, and would silently stay wrong after
 * `setDefaultMachine` swaps the default, so the constants are read from a machine:
 *
 * ```ts
 * const { PAGE_SIZE, PAGE_SHIFT, PAGE_MASK } = pageConsts();        // the default machine
 * const big = pageConsts(createMachine({ pageShift: 16 }));          // 64 KiB pages
 * const here = pageConsts(page.machine);                             // a handle's machine
 * ```
 *
 * **`PAGE_MASK` is `~(PAGE_SIZE - 1)`, as in C** (thread 001: defining it the other way round "is
 * going to bite us all day every day for a decade"). JavaScript's `&` works on 32-bit signed
 * integers, so `addr & PAGE_MASK` rounds down correctly only for `addr < 2^31`; above that the
 * result is garbage (`0x80001234 & PAGE_MASK` is negative). Use {@link pageAlignDown} for any
 * address up to 2^53, or {@link PageConsts.PAGE_MASK_BIG} with bigints.
 *
 * @module
 */
import type { Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import { machineArg } from "../internal/mm-args.js";
import { checkPfn, checkPhysAddr, type DmaAddr, type Pfn, type PhysAddr, type ResourceSize } from "./addr.js";

/**
 * The page-size constants of one machine.
 *
 * @invariant `PAGE_SIZE === 2 ** PAGE_SHIFT`, `PAGE_MASK === ~(PAGE_SIZE - 1)` and
 *   `PAGE_MASK_BIG === ~(BigInt(PAGE_SIZE) - 1n)`.
 */
export interface PageConsts {
  /** `PAGE_SHIFT`: 12, 13, 14, 15, 16 or 18. */
  readonly PAGE_SHIFT: number;
  /** `PAGE_SIZE` in bytes. */
  readonly PAGE_SIZE: number;
  /**
   * `~(PAGE_SIZE - 1)` as a (negative) 32-bit number, as in C: `addr & PAGE_MASK` rounds down,
   * valid for `addr < 2^31` only (JavaScript's `&` is 32-bit); use {@link pageAlignDown} above that.
   */
  readonly PAGE_MASK: number;
  /** `~(PAGE_SIZE - 1)` as a bigint: `BigInt(addr) & PAGE_MASK_BIG` rounds down any address. */
  readonly PAGE_MASK_BIG: bigint;
}

const cache = new WeakMap<Machine, PageConsts>();

/**
 * The page-size constants of a machine.
 *
 * @param machine - The machine; the default machine when omitted.
 * @returns The constants (the same frozen object on every call for one machine).
 * @throws KernelError `EINVAL` when `machine` is not a `Machine`.
 *
 * @example
 * ```ts
 * const { PAGE_SIZE, PAGE_MASK } = pageConsts();
 * 0x12345 & PAGE_MASK;               // 0x12000: rounds down (below 2^31)
 * 0x80001234 & PAGE_MASK;            // -2147479552: JavaScript's & is 32-bit; misuse above 2^31
 * pageAlignDown(0x80001234);         // 0x80001000
 * ```
 */
export function pageConsts(machine?: Machine): PageConsts {
  const target = machineArg("page_consts", machine);
  let consts = cache.get(target);
  if (consts === undefined) {
    const size = target.pageSize;
    consts = Object.freeze({
      PAGE_SHIFT: target.pageShift,
      PAGE_SIZE: size,
      PAGE_MASK: ~(size - 1),
      PAGE_MASK_BIG: ~(BigInt(size) - 1n),
    });
    cache.set(target, consts);
  }
  return consts;
}

/** The largest value of a 64-bit address, the width `pageAlign` overflows at for bigints. */
const U64_MAX = (1n << 64n) - 1n;

/**
 * The branded address types keep their brand through alignment; other numbers become `number`.
 *
 * @typeParam Addr - The argument type of {@link pageAlign} or {@link pageAlignDown}.
 */
export type AlignedAddr<Addr extends number | bigint> = Addr extends bigint
  ? bigint
  : Addr extends PhysAddr
    ? PhysAddr
    : Addr extends DmaAddr
      ? DmaAddr
      : Addr extends ResourceSize
        ? ResourceSize
        : number;

function checkAddr(op: string, addr: unknown): void {
  if (typeof addr === "bigint") {
    if (addr < 0n) throw kernelError("EINVAL", op, "addr is negative", { addr });
    return;
  }
  if (typeof addr !== "number" || !Number.isSafeInteger(addr) || addr < 0) {
    throw kernelError("EINVAL", op, "addr is not a non-negative safe integer", { addr: addr });
  }
}

/**
 * Rounds an address or size up to the next page boundary (`PAGE_ALIGN`), or `null` on overflow.
 *
 * @remarks
 * A number overflows when the result would exceed `Number.MAX_SAFE_INTEGER` (it could not be
 * represented exactly); a bigint overflows past 2^64 - 1, like the kernel's 64-bit `usize`.
 *
 * @typeParam Addr - A number (branded or not) or a bigint.
 * @param addr - A non-negative safe integer or a non-negative bigint.
 * @param machine - The machine whose page size applies; the default machine when omitted.
 * @returns The aligned value (same brand), or `null` when it does not fit.
 * @throws KernelError `EINVAL` for a negative, fractional, NaN, infinite or unsafe number.
 *
 * @example
 * ```ts
 * pageAlign(1);                          // 4096
 * pageAlign(Number.MAX_SAFE_INTEGER);    // null: overflow
 * pageAlign(-1);                         // KernelError EINVAL
 * ```
 */
export function pageAlign<Addr extends number | bigint>(addr: Addr, machine?: Machine): AlignedAddr<Addr> | null {
  checkAddr("PAGE_ALIGN", addr);
  const size = machineArg("PAGE_ALIGN", machine).pageSize;
  if (typeof addr === "bigint") {
    const big = BigInt(size);
    const aligned = ((addr + big - 1n) / big) * big;
    // SAFETY: By the definition of AlignedAddr, AlignedAddr<bigint> is bigint.
    return (aligned > U64_MAX ? null : aligned) as AlignedAddr<Addr> | null;
  }
  const aligned = Math.ceil(Number(addr) / size) * size;
  // SAFETY: By the isSafeInteger test here and checkAddr (addr >= 0), the aligned value is a
  // non-negative safe integer: the invariant of PhysAddr, DmaAddr and ResourceSize alike, so the
  // argument's brand is kept.
  return (Number.isSafeInteger(aligned) ? aligned : null) as AlignedAddr<Addr> | null;
}

/**
 * Rounds an address down to its page boundary: `addr & PAGE_MASK` for every address up to 2^53.
 *
 * @typeParam Addr - A number (branded or not) or a bigint.
 * @param addr - A non-negative safe integer or a non-negative bigint.
 * @param machine - The machine whose page size applies; the default machine when omitted.
 * @returns The aligned value, with the brand of `addr`.
 * @throws KernelError `EINVAL` for a negative, fractional, NaN, infinite or unsafe number.
 */
export function pageAlignDown<Addr extends number | bigint>(addr: Addr, machine?: Machine): AlignedAddr<Addr> {
  checkAddr("page_align_down", addr);
  const consts = pageConsts(machineArg("page_align_down", machine));
  if (typeof addr === "bigint") {
    // SAFETY: By the definition of AlignedAddr, AlignedAddr<bigint> is bigint.
    return (addr & consts.PAGE_MASK_BIG) as AlignedAddr<Addr>;
  }
  const value = Number(addr);
  // SAFETY: By checkAddr, value is a non-negative safe integer; rounding it down keeps it one, the
  // invariant of PhysAddr, DmaAddr and ResourceSize alike, so the argument's brand is kept.
  return (value - (value % consts.PAGE_SIZE)) as AlignedAddr<Addr>;
}

/**
 * The physical address of a page frame (`PFN_PHYS`).
 *
 * @param pfn - A frame number.
 * @param machine - The machine whose page size applies; the default machine when omitted.
 * @returns `pfn << PAGE_SHIFT`.
 * @throws KernelError `EINVAL` for a bad frame number or a non-`Machine`.
 */
export function pfnToPhys(pfn: Pfn, machine?: Machine): PhysAddr {
  checkPfn("PFN_PHYS", pfn);
  return checkPhysAddr("PFN_PHYS", machineArg("PFN_PHYS", machine).pfnToPhys(pfn));
}

/**
 * The frame holding a physical address (`PHYS_PFN`); the offset inside the page is dropped.
 *
 * @param addr - A physical address.
 * @param machine - The machine whose page size applies; the default machine when omitted.
 * @returns `addr >> PAGE_SHIFT`.
 * @throws KernelError `EINVAL` for a bad address, one whose frame is above `PFN_MAX`
 *   (2^34 - 1, the last frame of the largest machine), or a non-`Machine`.
 */
export function physToPfn(addr: PhysAddr, machine?: Machine): Pfn {
  checkPhysAddr("PHYS_PFN", addr);
  return checkPfn("PHYS_PFN", machineArg("PHYS_PFN", machine).physToPfn(addr));
}
