import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, defaultMachine, metadataBytesPerPage, setDefaultMachine } from "../../src/core/index.js";
import type { MachineConfig, PhysRange } from "../../src/core/index.js";
import { expectKernelError } from "./helpers.js";

describe("machine configuration", () => {
  test("defaults: 256 MiB, 4 KiB pages, no HIGHMEM, 2 CPUs", () => {
    const machine = new Machine();
    expect(machine.pageSize).toBe(4096);
    expect(machine.nrPages).toBe(65536);
    expect(machine.highmemPfn).toBe(machine.nrPages);
    expect(machine.cpus).toBe(2);
    expect(machine.nrFreePages()).toBe(65536);
    machine.checkConsistency();
  });

  test.each([12, 13, 14, 15, 16, 18] as const)("PAGE_SHIFT %i works", (pageShift) => {
    const machine = new Machine({ ramSize: 2 ** pageShift * 2048, pageShift });
    expect(machine.pageSize).toBe(2 ** pageShift);
    const pfn = machine.allocPages(GFP_KERNEL, 10);
    expect(machine.pageOrder(pfn)).toBe(10);
    machine.freePages(pfn, machine.pageGen(pfn), 10);
    machine.checkConsistency();
  });

  test("bad configurations are EINVAL naming the field", () => {
    expectKernelError(() => new Machine({ pageShift: 17 as 12 }), "EINVAL", /pageShift/);
    expectKernelError(() => new Machine({ ramSize: 4097 }), "EINVAL", /ramSize/);
    expectKernelError(() => new Machine({ ramSize: -4096 }), "EINVAL", /ramSize/);
    expectKernelError(() => new Machine({ ramSize: Number.NaN }), "EINVAL", /ramSize/);
    expectKernelError(() => new Machine({ cpus: 0 }), "EINVAL", /cpus/);
    expectKernelError(() => new Machine({ cpus: 65 }), "EINVAL", /cpus/);
    expectKernelError(() => new Machine({ cpus: 1.5 }), "EINVAL", /cpus/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, highmemStart: 100 }), "EINVAL", /highmemStart/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, highmemStart: 2 << 20 }), "EINVAL", /highmemStart/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, ranges: [{ kind: "hole", start: 100, size: 4096 }] }), "EINVAL", /page-aligned/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, ranges: [{ kind: "hole", start: 1 << 20, size: 4096 }] }), "EINVAL", /only mmio/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, ranges: [{ kind: "hole", start: (1 << 20) - 4096, size: 8192 }] }), "EINVAL", /crosses/);
    expectKernelError(() => new Machine({ ramSize: 1 << 20, ranges: [{ kind: "disk" as "ram", start: 0, size: 4096 }] }), "EINVAL", /kind/);
  });

  test("RAM up to 2^34 frames (64 TiB of 4 KiB pages) is accepted; one page more is EINVAL naming ramSize and the limit", () => {
    const TiB = 2 ** 40;
    expect(new Machine({ ramSize: TiB }).nrPages).toBe(2 ** 28);
    expect(new Machine({ ramSize: 64 * TiB }).nrPages).toBe(2 ** 34);
    expect(new Machine({ ramSize: 64 * TiB, highmemStart: 32 * TiB }).highmemPfn).toBe(2 ** 33);
    const error = expectKernelError(() => new Machine({ ramSize: 64 * TiB + 4096 }), "EINVAL", /machine_create: ramSize is out of range/);
    expect(error.values).toEqual({ ramSize: 64 * TiB + 4096, limit: 64 * TiB });
    // The limit is in frames: 64 KiB pages reach 1 PiB.
    expect(new Machine({ ramSize: 2 ** 50, pageShift: 16 }).nrPages).toBe(2 ** 34);
    expectKernelError(() => new Machine({ ramSize: 2 ** 50 + 2 ** 16, pageShift: 16 }), "EINVAL", /ramSize is out of range/);
  });

  test("a configuration of the wrong shape from a JavaScript caller is EINVAL, not a TypeError or ignored", () => {
    expectKernelError(() => new Machine(null as unknown as MachineConfig), "EINVAL", /machine_create: config is not an object \(config=null\)/);
    expectKernelError(() => new Machine({ ranges: "x" as unknown as PhysRange[] }), "EINVAL", /ranges is not an array/);
    expectKernelError(() => new Machine({ ranges: [null as unknown as PhysRange] }), "EINVAL", /range is not an object \(index=0, range=null\)/);
    expectKernelError(() => new Machine({ debug: "yes" as unknown as boolean }), "EINVAL", /debug must be a boolean or an options object \(debug="yes"\)/);
    expectKernelError(() => new Machine({ debug: { poison: 1 as unknown as boolean } }), "EINVAL", /debug\.poison must be a boolean/);
    // Correct use beside them.
    expect(new Machine({ ranges: [], debug: { poison: true, pageOwner: false } }).config.debug.poison).toBe(true);
  });

  test("ranges: reserved RAM is RAM but never allocated; holes and MMIO are not RAM", () => {
    const machine = new Machine({
      ramSize: 4 << 20,
      ranges: [
        { kind: "reserved", start: 0, size: 1 << 20 },
        { kind: "hole", start: 2 << 20, size: 64 << 10 },
        { kind: "mmio", start: 3 << 20, size: 4096 },
        { kind: "mmio", start: 0xfe000000, size: 4096 },
      ],
    });
    const reserved = 0;
    const hole = (2 << 20) / 4096;
    const mmioInside = (3 << 20) / 4096;
    const mmioAbove = 0xfe000000 / 4096;
    expect([machine.pfnValid(reserved), machine.pageIsRam(reserved)]).toEqual([true, true]);
    expect([machine.pfnValid(hole), machine.pageIsRam(hole)]).toEqual([true, false]);
    expect([machine.pfnValid(mmioInside), machine.pageIsRam(mmioInside)]).toEqual([false, false]);
    expect([machine.pfnValid(mmioAbove), machine.pageIsRam(mmioAbove)]).toEqual([false, false]);
    expect(machine.kindOf(mmioAbove)).toBe("mmio");
    expect(machine.pfnValid(-1)).toBe(false);
    expect(machine.pageIsRam(Number.NaN)).toBe(false);
    expect(machine.nrFreePages()).toBe(1024 - 256 - 16 - 1);
    // Allocate everything: no reserved, hole or MMIO frame is ever handed out.
    const got = new Set<number>();
    for (;;) {
      try {
        got.add(machine.allocPages(GFP_KERNEL, 0));
      } catch {
        break;
      }
    }
    expect(got.size).toBe(1024 - 256 - 16 - 1);
    for (const pfn of got) expect(machine.kindOf(pfn)).toBe("ram");
    machine.checkConsistency();
    // Reserved pages are accessible through a handle (gen 0), holes are not.
    const bytes = new Uint8Array(4);
    machine.read(reserved, machine.pageGen(reserved), 0, bytes);
    expect(machine.isAllocated(reserved)).toBe(false);
  });

  test("physical address helpers", () => {
    const machine = new Machine({ ramSize: 8 << 20, highmemStart: 4 << 20 });
    expect(machine.pfnToPhys(3)).toBe(3 * 4096);
    expect(machine.physToPfn(3 * 4096 + 17)).toBe(3);
    expect(machine.isHighmem(1023)).toBe(false);
    expect(machine.isHighmem(1024)).toBe(true);
    expect(machine.isHighmem(2048)).toBe(false);
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectKernelError(() => machine.pfnToPhys(bad), "EINVAL", /pfn/);
      expectKernelError(() => machine.physToPfn(bad), "EINVAL", /addr/);
    }
  });

  test("onCpu switches the current CPU and restores it, even on throw", () => {
    const machine = new Machine({ ramSize: 1 << 20, cpus: 4 });
    expect(machine.currentCpu).toBe(0);
    expect(machine.onCpu(3, () => machine.currentCpu)).toBe(3);
    expect(() => machine.onCpu(2, () => {
      throw new Error("boom");
    })).toThrow("boom");
    expect(machine.currentCpu).toBe(0);
    expectKernelError(() => machine.onCpu(4, () => 0), "EINVAL", /cpu/);
    expectKernelError(() => machine.onCpu(-1, () => 0), "EINVAL", /cpu/);
  });

  test("a 16 GiB machine starts fast and allocates no backing until touched", () => {
    const start = performance.now();
    const machine = new Machine({ ramSize: 16 * 2 ** 30 });
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(2000);
    expect(machine.memoryUsage().backedChunks).toBe(0);
    expect(machine.memoryUsage().metadataBytesPerPage).toBe(20);
    expect(metadataBytesPerPage()).toBeLessThanOrEqual(20);
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    const gen = machine.pageGen(pfn);
    const out = new Uint8Array(8);
    machine.read(pfn, gen, 0, out); // reading untouched memory allocates nothing
    expect(machine.memoryUsage().backedChunks).toBe(0);
    machine.write(pfn, gen, 0, out);
    expect(machine.memoryUsage().backedChunks).toBe(1);
    expect(machine.memoryUsage().backedBytes).toBe(4096 * 1024);
  });

  test("the default machine is created lazily and can be replaced", () => {
    const previous = setDefaultMachine(undefined);
    const first = defaultMachine();
    expect(defaultMachine()).toBe(first);
    expect(first.nrPages * first.pageSize).toBe(256 << 20);
    const custom = new Machine({ ramSize: 1 << 20 });
    setDefaultMachine(custom);
    expect(defaultMachine()).toBe(custom);
    setDefaultMachine(previous);
  });
});
