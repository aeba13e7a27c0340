import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, PG_free, PG_nomap, PG_reserved } from "../../src/core/index.js";
import { machineFriend } from "../../src/core/machine.js";

describe("MemMap accessors, spans and default words", () => {
  const config = {
    ramSize: 4 << 20,
    ranges: [
      { kind: "reserved" as const, start: 0, size: 8192 },
      { kind: "hole" as const, start: 1 << 20, size: 4096 },
    ],
  };

  test("every frame of a fresh machine holds the default word of its kind", () => {
    const machine = new Machine(config);
    const mem = machineFriend.internals(machine).mem;
    const spans = [...mem.spans()];
    expect(spans.every(([start, end]) => start >= 0 && end <= machine.nrPages && start < end)).toBe(true);
    for (const [start, end] of spans) {
      for (let pfn = start; pfn < end; pfn++) {
        const kind = machine.kindOf(pfn);
        const expected = kind === "reserved" ? PG_reserved : kind === "ram" ? PG_free : PG_nomap;
        expect(mem.defaultWord(pfn)).toBe(expected);
        // A free block's first page carries PG_buddy and its order on top of the default.
        expect(mem.word(pfn) & mem.defaultWord(pfn)).toBe(expected);
        expect(mem.refcount(pfn)).toBe(0);
        expect(mem.genHigh(pfn)).toBe(0);
      }
    }
  });

  test("the state digest describes the logical state: equal for equal machines, changed by an allocation", () => {
    const a = new Machine(config);
    const b = new Machine(config);
    expect(a.stateDigest()).toBe(b.stateDigest());
    const pfn = a.allocPages(GFP_KERNEL, 0);
    expect(a.stateDigest()).not.toBe(b.stateDigest());
    expect(machineFriend.internals(a).mem.refcount(pfn)).toBe(1);
    expect(machineFriend.internals(a).mem.gen(pfn)).toBe(a.pageGen(pfn));
    a.freePages(pfn, a.pageGen(pfn), 0);
    // The page keeps its new generation: a different state from a machine that never allocated.
    expect(a.stateDigest()).not.toBe(b.stateDigest());
    b.freePages(b.allocPages(GFP_KERNEL, 0), 1, 0);
    expect(a.stateDigest()).toBe(b.stateDigest());
  });

  test("pfn arguments are checked as non-negative safe integers below nrPages", () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    for (const bad of [-1, 0.5, Number.NaN, machine.nrPages, 2 ** 32, 2 ** 53]) {
      expect(() => machine.pageFlags(bad)).toThrow(/pfn/);
      expect(() => machine.pageGen(bad)).toThrow(/pfn/);
    }
    expect(machine.pfnToPhys(2 ** 32)).toBe(2 ** 32 * machine.pageSize);
    expect(machine.physToPfn(2 ** 45 + 5)).toBe(2 ** 45 / machine.pageSize);
    expect(machine.describePfn(2 ** 33)).toMatch(/^pfn 0x200000000 \(phys 0x200000000000, beyond RAM\)$/);
  });

  test("describePfn names the zone, and a frame beyond RAM as beyond RAM, not HighMem", () => {
    const plain = new Machine({ ramSize: 4 << 20 });
    expect(plain.describePfn(0)).toBe("pfn 0x0 (phys 0x0, Normal)");
    expect(plain.describePfn(1023)).toBe("pfn 0x3ff (phys 0x3ff000, Normal)");
    expect(plain.describePfn(1024)).toBe("pfn 0x400 (phys 0x400000, beyond RAM)");
    const high = new Machine({ ramSize: 4 << 20, highmemStart: 2 << 20 });
    expect(high.describePfn(511)).toBe("pfn 0x1ff (phys 0x1ff000, Normal)");
    expect(high.describePfn(512)).toBe("pfn 0x200 (phys 0x200000, HighMem)");
    expect(high.describePfn(1023)).toBe("pfn 0x3ff (phys 0x3ff000, HighMem)");
    expect(high.describePfn(1024)).toBe("pfn 0x400 (phys 0x400000, beyond RAM)");
    expect(high.describePfn(2 ** 34)).toBe("pfn 0x400000000 (phys 0x400000000000, beyond RAM)");
  });
});
