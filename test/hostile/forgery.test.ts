// Forging or retargeting a kit handle from outside: a class's private constructor called at run time
// (`Reflect.construct`, a subclass), a handle's public fields reassigned, a folio's shared state
// reached through its own symbol key. Each is refused with a KernelError and changes nothing; a
// handle made by the kit keeps naming its own page.
import { describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine } from "../../src/core/index.js";
import { AddressSpace, Folio, KmapLocal, LockedFolio, MapGuard, Page, kmapLocal, type UniqueFolio } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

/** Calls a class's constructor at run time, as plain JavaScript can, whatever its TypeScript visibility. */
const construct = (target: object, args: unknown[]): unknown => Reflect.construct(target as new (...args: unknown[]) => unknown, args);

describe("a private constructor is private at run time", () => {
  test("new Page(...) and a subclass of Page are EPERM: no handle to another owner's page", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    using victim: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    victim.write(0, new Uint8Array([42]));
    const gen = machine.pageGen(victim.pfn);
    expectUnchanged(machine, () => construct(Page, [machine, victim.pfn, gen, undefined]), "EPERM", "Page.alloc");
    class Sub extends (Page as unknown as new (...args: unknown[]) => object) {
      constructor() {
        super(machine, victim.pfn, gen, undefined);
      }
    }
    expectUnchanged(machine, () => new Sub(), "EPERM");
    // correct twin: the owner still reads its page
    expect(victim.read(0, 1)[0]).toBe(42);
  });

  test("new Folio(state) and new LockedFolio(...) are EPERM: no unlocked writer of a shared folio", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
    unique.intoShared();
    using shared = unique;
    expectUnchanged(machine, () => construct(Folio, [{ machine, pfn: 0, gen: 0, unique: true }]), "EPERM");
    expectUnchanged(machine, () => construct(LockedFolio, [shared, {}, 0, 0]), "EPERM");
    expectUnchanged(machine, () => construct(MapGuard, [new Uint8Array(8), 0]), "EPERM");
    // correct twin: the lock is the way to write
    {
      using locked = shared.lock();
      locked.write(0, new Uint8Array([1]));
    }
    expect(shared.locked).toBe(false);
  });
});

describe("a handle's state cannot be retargeted", () => {
  test("reassigning a page's pfn or machine fails; the handle keeps naming its own page", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    const other = new Machine({ ramSize: 1 << 20 });
    using victim: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    victim.write(0, new Uint8Array([42]));
    const mine: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    const pfn = mine.pfn;
    // Both pages have the same generation, so a retargeted handle would pass the core's check.
    expect(machine.pageGen(victim.pfn)).toBe(machine.pageGen(pfn));
    const loose = mine as unknown as { pfn: number; machine: Machine };
    expect(() => (loose.pfn = victim.pfn)).toThrow(TypeError);
    expect(() => (loose.machine = other)).toThrow(TypeError);
    // An own property shadows the accessor for the caller who defined it, and for no one else:
    // every access, mapping and the release still use the handle's private state.
    Object.defineProperty(mine, "pfn", { value: victim.pfn });
    Object.defineProperty(mine, "machine", { value: other });
    mine.write(0, new Uint8Array([7]));
    expect(mine.read(0, 1)[0]).toBe(7);
    expect(mine.withPageMapped((view) => view[0])).toBe(7);
    {
      using map: KmapLocal = kmapLocal(mine);
      expect(map.view[0]).toBe(7);
    }
    expect(machine.isAllocated(pfn)).toBe(true);
    mine.release();
    expect(machine.isAllocated(pfn)).toBe(false);
    expect(victim.read(0, 1)[0]).toBe(42);
    expect(machine.consistencyProblems()).toEqual([]);
  });
});

test("a forged token object, a Proxy of a live token or none at all is EPERM for every adopter; the resource stays adoptable", async () => {
  const { adoptARef, adoptOwned, OwnableResource, RefCountedResource, unsafe } = await import("../../src/ownership/index.js");
  class Buffer extends OwnableResource {
    dropped = 0;
    protected override drop(): void {
      this.dropped++;
    }
  }
  class Counted extends RefCountedResource {
    count = 1;
    protected override incRef(): void {
      this.count++;
    }
    protected override decRef(): void {
      this.count--;
    }
    protected override refCount(): number {
      return this.count;
    }
    protected override newHandle(): this {
      return new Counted() as this;
    }
  }
  const buffer = new Buffer();
  const counted = new Counted();
  let kept: unknown;
  unsafe("SAFETY: the test keeps the token to try it after its block", (token) => {
    kept = token;
    const proxy = new Proxy(token, {});
    for (const bad of [proxy, { active: true, reason: "SAFETY: forged" }, undefined, null, 42, buffer]) {
      const owned = expectKernelError(() => adoptOwned(bad as never, buffer), "EPERM", "not an Unsafe token");
      expect(owned.op).toBe("adoptOwned");
      expectKernelError(() => adoptARef(bad as never, counted), "EPERM", "not an Unsafe token");
    }
  });
  const ended = expectKernelError(() => adoptOwned(kept as never, buffer), "EPERM", "ended");
  expect(ended.values).toMatchObject({ reason: "SAFETY: the test keeps the token to try it after its block" });
  expectKernelError(() => adoptARef(kept as never, counted), "EPERM", "ended");
  // The state is unchanged: both are still fresh, adopted once with a live token, then refused a second time.
  unsafe("SAFETY: both were just created above and refused every adoption so far", (token) => {
    const owner = adoptOwned(token, buffer);
    const reference = adoptARef(token, counted);
    expectKernelError(() => adoptOwned(token, buffer), "EBUSY", "already has an owner");
    expectKernelError(() => adoptARef(token, counted), "EBUSY", "already held");
    owner.release();
    reference.put();
  });
  expect(buffer.dropped).toBe(1);
  expect(counted.count).toBe(0);
});

describe("guards and spaces cannot be retargeted or forged", () => {
  test("a kmapLocal guard keeps its own mapping: its id cannot be reassigned, nor a guard made for another id", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    using victim: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    victim.write(0, new Uint8Array([42]));
    using mine: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
    using victimMap: KmapLocal = kmapLocal(victim);
    using myMap: KmapLocal = kmapLocal(mine);
    expect(() => ((myMap as unknown as { id: number }).id = victimMap.id)).toThrow(TypeError);
    Object.defineProperty(myMap, "id", { value: victimMap.id });
    expect(myMap.view[0]).toBe(0);
    expectUnchanged(machine, () => construct(KmapLocal, [machine, victimMap.id]), "EPERM", "kmapLocal(page)");
    expect(victimMap.view[0]).toBe(42);
  });

  test("an address space's id cannot be reassigned to reach another file's page cache", () => {
    const machine = new Machine({ ramSize: 1 << 20 });
    using secret = AddressSpace.create(machine);
    using mine = AddressSpace.create(machine);
    using cached = secret.readFolio(0, (locked) => {
      locked.write(0, new Uint8Array([42]));
      locked.markUptodate();
    });
    expect(cached.uptodate).toBe(true);
    expect(() => ((mine as unknown as { id: number }).id = secret.id)).toThrow(TypeError);
    expect(() => Object.defineProperty(mine, "id", { value: secret.id })).toThrow(TypeError);
    expect(mine.lookup(0)).toBeNull();
  });
});

test("a borrower's view cannot be adopted as a second owner without unsafe: adoptOwnedRefCounted takes a token", async () => {
  const { PooledBlock, freed } = await import("../ownership/fixtures.js");
  const { adoptOwnedRefCounted, refCountOf, unsafe } = await import("../../src/ownership/index.js");
  freed.length = 0;
  const owner = PooledBlock.alloc("pool-0");
  // A view of the owner's block that no handle adopted: count 1, never a handle, like a new block.
  const view = PooledBlock.view(owner);
  const adopt = adoptOwnedRefCounted as unknown as (resource: unknown) => unknown;
  expectKernelError(() => adopt(view), "EPERM", "not an Unsafe token");
  expect(refCountOf(owner)).toBe(1);
  expect(freed).toEqual([]);
  // The misuse needs an unsafe block whose SAFETY claim is false, as in Rust.
  unsafe("SAFETY: the test breaks the contract on purpose to show it is the caller's", (token) => {
    expect(() => adoptOwnedRefCounted(token, view)).not.toThrow();
  });
  owner.release();
  expect(freed).toEqual(["pool-0"]);
});
