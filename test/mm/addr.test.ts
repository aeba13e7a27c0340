import { describe, expect, expectTypeOf, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import {
  PFN_MAX,
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
  type Pfn,
  type PhysAddr,
  type ResourceSize,
} from "../../src/mm/index.js";
import { BAD_NUMBERS, expectKernelError } from "../core/helpers.js";

describe("branded addresses", () => {
  test("checked constructors keep the value and brand it", () => {
    const phys = toPhysAddr(0x10000);
    expect(phys).toBe(0x10000);
    expectTypeOf(phys).toEqualTypeOf<PhysAddr>();
    expectTypeOf(toDmaAddr(0x8000)).toEqualTypeOf<DmaAddr>();
    expectTypeOf(toPfn(3)).toEqualTypeOf<Pfn>();
    expectTypeOf(toResourceSize(4096)).toEqualTypeOf<ResourceSize>();
    expect(toPhysAddr(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(toPfn(PFN_MAX)).toBe(2 ** 34 - 1);
  });

  test("no brand is assignable to another, and a plain number to none", () => {
    expectTypeOf<DmaAddr>().not.toMatchTypeOf<PhysAddr>();
    expectTypeOf<Pfn>().not.toMatchTypeOf<PhysAddr>();
    expectTypeOf<ResourceSize>().not.toMatchTypeOf<PhysAddr>();
    expectTypeOf<PhysAddr>().not.toMatchTypeOf<DmaAddr>();
    expectTypeOf<PhysAddr>().not.toMatchTypeOf<Pfn>();
    expectTypeOf<PhysAddr>().not.toMatchTypeOf<ResourceSize>();
    expectTypeOf<number>().not.toMatchTypeOf<PhysAddr>();
    expectTypeOf<number>().not.toMatchTypeOf<Pfn>();
    // A branded value still is a number.
    expectTypeOf<PhysAddr>().toMatchTypeOf<number>();
  });

  test.each([
    ["toPhysAddr", toPhysAddr],
    ["toDmaAddr", toDmaAddr],
    ["toPfn", toPfn],
    ["toResourceSize", toResourceSize],
  ] as const)("%s rejects negative, fractional, NaN, infinite and unsafe numbers with the value", (_, make) => {
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53]) {
      const error = expectKernelError(() => make(bad), "EINVAL");
      expect(error.message).toContain(String(bad === 2 ** 53 ? "0x20000000000000" : bad));
    }
    expectKernelError(() => make("12" as unknown as number), "EINVAL");
  });

  test("a Pfn must fit 32 bits", () => {
    expectKernelError(() => toPfn(2 ** 34), "EINVAL", /out of range/);
  });
});

describe("page constants follow the machine", () => {
  test("the default machine has 4 KiB pages and PAGE_MASK is ~(PAGE_SIZE - 1) as in C", () => {
    const { PAGE_SIZE, PAGE_SHIFT, PAGE_MASK, PAGE_MASK_BIG } = pageConsts();
    expect([PAGE_SIZE, PAGE_SHIFT]).toEqual([4096, 12]);
    expect(PAGE_MASK).toBe(~4095);
    expect(PAGE_MASK_BIG).toBe(-4096n);
    // `addr & PAGE_MASK` rounds down (below 2^31, where JavaScript's 32-bit & is exact).
    expect(0x12345 & PAGE_MASK).toBe(0x12000);
    expect(0x7fffffff & PAGE_MASK).toBe(0x7ffff000);
    expect(4096 & PAGE_MASK).toBe(4096);
  });

  test("above 2^31 `&` is 32-bit: pageAlignDown and the bigint mask round down correctly", () => {
    const { PAGE_MASK, PAGE_MASK_BIG } = pageConsts();
    expect(0x80001234 & PAGE_MASK).not.toBe(0x80001000); // the trap the docs warn about
    expect(pageAlignDown(0x80001234)).toBe(0x80001000);
    expect(pageAlignDown(2 ** 52 + 5)).toBe(2 ** 52);
    expect(BigInt(0x80001234) & PAGE_MASK_BIG).toBe(0x80001000n);
    expect(pageAlignDown(0xffff_ffff_ffff_f123n)).toBe(0xffff_ffff_ffff_f000n);
  });

  test("constants of a 64 KiB and a 256 KiB machine", () => {
    const big = new Machine({ ramSize: 16 << 20, pageShift: 16 });
    expect(pageConsts(big)).toEqual({ PAGE_SHIFT: 16, PAGE_SIZE: 65536, PAGE_MASK: ~65535, PAGE_MASK_BIG: -65536n });
    expect(pageConsts(big)).toBe(pageConsts(big));
    expect(pageAlign(1, big)).toBe(65536);
    const huge = new Machine({ ramSize: 64 << 20, pageShift: 18 });
    expect(pageConsts(huge).PAGE_SIZE).toBe(1 << 18);
    expect(0x4ffff & pageConsts(huge).PAGE_MASK).toBe(0x40000);
  });

  test("pageAlign rounds up, keeps the brand and returns null on overflow", () => {
    expect(pageAlign(0)).toBe(0);
    expect(pageAlign(1)).toBe(4096);
    expect(pageAlign(4096)).toBe(4096);
    const phys = pageAlign(toPhysAddr(4097));
    expect(phys).toBe(8192);
    expectTypeOf(phys).toEqualTypeOf<PhysAddr | null>();
    expectTypeOf(pageAlign(5)).toEqualTypeOf<number | null>();
    expect(pageAlign(Number.MAX_SAFE_INTEGER)).toBeNull();
    expect(pageAlign(2 ** 53 - 4096)).toBe(2 ** 53 - 4096);
    expect(pageAlign(2 ** 53 - 4095)).toBeNull(); // 2^53 is not a safe integer
    expect(pageAlign(2n ** 64n - 1n)).toBeNull();
    expect(pageAlign(2n ** 64n - 4096n)).toBe(2n ** 64n - 4096n);
    expect(pageAlign(1n)).toBe(4096n);
  });

  test("pageAlign, pageAlignDown and pageConsts validate their arguments", () => {
    for (const bad of BAD_NUMBERS.filter((n) => !Number.isSafeInteger(n) || n < 0)) {
      expectKernelError(() => pageAlign(bad), "EINVAL");
      expectKernelError(() => pageAlignDown(bad), "EINVAL");
    }
    expectKernelError(() => pageAlign(-1n), "EINVAL", /negative/);
    expectKernelError(() => pageConsts({} as Machine), "EINVAL", /not a Machine/);
    expectKernelError(() => pageAlign(1, {} as Machine), "EINVAL", /not a Machine/);
  });

  test("pfnToPhys and physToPfn convert with the machine's page size", () => {
    const big = new Machine({ ramSize: 16 << 20, pageShift: 16 });
    expect(pfnToPhys(toPfn(3))).toBe(3 * 4096);
    expect(pfnToPhys(toPfn(3), big)).toBe(3 * 65536);
    expect(physToPfn(toPhysAddr(0x12345))).toBe(0x12);
    expect(physToPfn(toPhysAddr(0x12345), big)).toBe(1);
    expectKernelError(() => physToPfn(-1 as PhysAddr), "EINVAL");
    expectKernelError(() => pfnToPhys(0.5 as Pfn), "EINVAL");
  });

  test("pfnToPhys and physToPfn name their own operation (PFN_PHYS, PHYS_PFN) in every error", () => {
    // Frames above PFN_MAX (2^34 - 1) and addresses whose frame is above it.
    expectKernelError(() => pfnToPhys((PFN_MAX + 1) as Pfn), "EINVAL", /^PFN_PHYS: pfn is out of range/);
    expectKernelError(() => pfnToPhys(2 ** 40 as Pfn), "EINVAL", /^PFN_PHYS: pfn is out of range/);
    expectKernelError(() => physToPfn((PFN_MAX + 1) * 4096 as PhysAddr), "EINVAL", /^PHYS_PFN: pfn is out of range/);
    expectKernelError(() => physToPfn(2 ** 52 as PhysAddr), "EINVAL", /^PHYS_PFN: pfn is out of range/);
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53, "1"]) {
      expectKernelError(() => pfnToPhys(bad as Pfn), "EINVAL", /^PFN_PHYS: pfn is not a non-negative safe integer/);
      expectKernelError(() => physToPfn(bad as PhysAddr), "EINVAL", /^PHYS_PFN: addr is not a non-negative safe integer/);
    }
    // The edges that pass: the last frame, and the address of its last byte.
    expect(pfnToPhys(PFN_MAX as Pfn)).toBe(PFN_MAX * 4096);
    expect(physToPfn((PFN_MAX * 4096 + 4095) as PhysAddr)).toBe(PFN_MAX);
  });
});
