// Hand attacks the fuzz does not reach: hostile values thrown by the caller's getters, async cleanups
// whose refused promise later rejects, readFolio re-entered from its own fill, intoUnique under a
// mapping made through another handle of the same folio.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { isKernelError } from "../../src/errors.js";
import { AddressSpace, Folio, GFP_KERNEL, Page, intoPhys, type LockedFolio, type PhysAddr, type UniqueFolio } from "../../src/mm/index.js";
import {
  Arc,
  OwnableResource,
  RefCountedResource,
  ScopeGuard,
  adoptARef,
  adoptOwned,
  drop,
  put,
  release,
  runScope,
  unsafe,
  whenUnsafeEnds,
  type ARef,
  type Owned,
} from "../../src/ownership/index.js";
import { expectKernelError, expectUnchanged } from "../core/helpers.js";

const fill = (locked: LockedFolio): void => locked.markUptodate();
const later = async (message: string): Promise<void> => {
  await null;
  throw new Error(message);
};

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

test("release/put/drop on an argument whose getter throws a value that cannot be stringified is EINVAL", () => {
  for (const thrown of [Object.create(null) as object, revoked(), Symbol("s")]) {
    const hostile = {
      get release(): () => void { throw thrown; },
      get put(): () => void { throw thrown; },
      get [Symbol.dispose](): () => void { throw thrown; },
    };
    expectKernelError(() => release(hostile), "EINVAL", /could not be read/);
    expectKernelError(() => put(hostile), "EINVAL", /could not be read/);
    expectKernelError(() => drop(hostile), "EINVAL", /could not be read/);
  }
  // correct use: a plain releasable is released
  let released = 0;
  release({ release: () => void released++ });
  expect(released).toBe(1);
});

test("runScope: a body that throws a revoked Proxy while onExit throws lets the body's value through", () => {
  const thrown = revoked();
  let caught: unknown;
  try {
    runScope(() => { throw thrown; }, () => { throw new Error("exit"); });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBe(thrown);
  // correct use: an ordinary error gets the exit error as `suppressed`
  const plain = new Error("body");
  expect(() => runScope(() => { throw plain; }, () => { throw new Error("exit"); })).toThrow(plain);
  expect((plain as Error & { suppressed?: Error }).suppressed?.message).toBe("exit");
});

class AsyncDrop extends OwnableResource {
  drops = 0;
  static make(): Owned<AsyncDrop> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new AsyncDrop()));
  }
  protected override async drop(): Promise<void> {
    this.drops++;
    await later("late drop");
  }
}

class AsyncCount extends RefCountedResource {
  constructor(readonly shared: { count: number }) {
    super();
  }
  static make(): ARef<AsyncCount> {
    return unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new AsyncCount({ count: 1 })));
  }
  protected override incRef(): void {
    this.shared.count++;
  }
  protected override async decRef(): Promise<void> {
    this.shared.count--;
    await later("late decRef");
  }
  protected override refCount(): number {
    return this.shared.count;
  }
  protected override newHandle(): this {
    // SAFETY: AsyncCount has no subclasses, so an AsyncCount is `this`.
    return new AsyncCount(this.shared) as this;
  }
}

test("async cleanups are refused with EINVAL after running once, and their later rejection is observed", async () => {
  const guard = new ScopeGuard(() => later("late cleanup"));
  expectKernelError(() => guard[Symbol.dispose](), "EINVAL", /must be synchronous/);
  expect(guard.armed).toBe(false);
  expectKernelError(() => runScope(() => 1, () => later("late exit")), "EINVAL", /must be synchronous/);
  const arc: Arc<object> = Arc.new({ [Symbol.dispose]: () => later("late arc") });
  expectKernelError(() => arc.drop(), "EINVAL", /must be synchronous/);
  expectKernelError(() => drop({ [Symbol.dispose]: () => later("late drop()") }), "EINVAL", /must be synchronous/);
  const owner: Owned<AsyncDrop> = AsyncDrop.make();
  const resource: AsyncDrop = owner;
  expectKernelError(() => owner.release(), "EINVAL", /drop\(\) must be synchronous/);
  expect(resource.drops).toBe(1);
  // released once: a second release is EALREADY and drop() does not run again
  expectKernelError(() => owner.release(), "EALREADY");
  expect(resource.drops).toBe(1);
  const counted: ARef<AsyncCount> = AsyncCount.make();
  expectKernelError(() => counted.put(), "EINVAL", /decRef\(\) must be synchronous/);
  expect(counted.shared.count).toBe(0);
  // every refused promise rejects later; vitest fails the file on an unhandled rejection
  await new Promise((resolve) => setTimeout(resolve, 20));
  // correct use: synchronous cleanups are accepted
  let ran = 0;
  new ScopeGuard(() => void ran++)[Symbol.dispose]();
  expect(runScope(() => 2, () => void ran++)).toBe(2);
  expect(ran).toBe(2);
});

test("readFolio re-entered from its own fill for the same or a covered index is EDEADLK, never an unread folio", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const inner: unknown[] = [];
  const tryInner = (index: number): void => {
    try {
      inner.push(space.readFolio(index, fill));
    } catch (error) {
      inner.push(error);
    }
  };
  const folio: ARef<Folio> = space.readFolio(8, (locked) => {
    tryInner(8);
    tryInner(9);
    locked.markUptodate();
  }, { order: 1 });
  expect(inner.map((value) => isKernelError(value, "EDEADLK"))).toEqual([true, true]);
  // correct use: a higher index from inside a fill, and the same index once the fill is done
  const outer: ARef<Folio> = space.readFolio(0, (locked) => {
    space.readFolio(2, fill).put();
    locked.markUptodate();
  });
  const again: ARef<Folio> = space.readFolio(9, fill);
  expect(again.uptodate).toBe(true);
  expect(again.index).toBe(8);
  for (const handle of [folio, outer, again]) handle.put();
});

test("a readFolio fill that drops readFolio's own reference reports its own failure, and leaks nothing", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const free = machine.nrFreePages();
  expectKernelError(
    () =>
      space.readFolio(0, (locked) => {
        locked.markUptodate();
        // Reflect.get returns `any`: a hurried caller reaches the hidden put of the shared handle.
        Reflect.apply(Reflect.get(locked.folio, "put"), locked.folio, []);
      }),
    "EFAULT",
    /already dropped/,
  );
  expect(space.indexes()).toEqual([]);
  expect(machine.nrFreePages()).toBe(free);
  expect(machine.consistencyProblems()).toEqual([]);
});

test("intoUnique while another handle of the same folio maps it is EBUSY naming the mapping", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  const space = AddressSpace.create(machine);
  const first: ARef<Folio> = space.readFolio(0, fill);
  const second: ARef<Folio> = space.readFolio(0, fill);
  space.teardown();
  first.map(0, () => {
    // `second` has borrows of its own (another lookup), and once `first` drops its reference inside
    // its own mapping, `second` holds the last one: only the core's record of live mappings sees it.
    first.put();
    expect(machine.refCount(second.phys() / machine.pageSize)).toBe(1);
    expectUnchanged(machine, () => release(Folio.intoUnique(second)), "EBUSY", /still mapped/);
  });
  // correct use: with no mapping live, the last reference becomes unique
  const unique: UniqueFolio = Folio.intoUnique(second);
  unique.write(0, new Uint8Array([7]));
  unique.release();
  expect(machine.leakReport()).toBeNull();
});

test("Folio.alloc's unique handle and GFP_KERNEL still allocate after the attacks", () => {
  const machine = new Machine({ ramSize: 1 << 20 });
  const folio: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  folio.release();
  expect(machine.consistencyProblems()).toEqual([]);
});

test("a readFolio fill that redefines its guard's dispose and unlock still leaves the folio unlocked", () => {
  const machine = new Machine({ ramSize: 4 << 20 });
  using space = AddressSpace.create(machine);
  const folio: ARef<Folio> = space.readFolio(0, (locked) => {
    locked.markUptodate();
    Object.defineProperty(locked, Symbol.dispose, { value: () => undefined });
    Object.defineProperty(locked, "unlock", { value: () => undefined });
  });
  expect(folio.locked).toBe(false);
  // correct use: the folio can be locked again
  const guard = folio.lock();
  guard.unlock();
  folio.put();
});

test("intoPhys hands the page over even when the owner's release was redefined on the instance", () => {
  const machine = new Machine({ ramSize: 1 << 20 });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  Object.defineProperty(page, "release", { value: () => undefined });
  const addr: PhysAddr = page.phys();
  intoPhys(page);
  // correct use: the page was handed over, so exactly one fromPhys takes it back
  const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys above", (token) => Page.fromPhys(token, addr, machine));
  back[Symbol.dispose]();
  expect(machine.leakReport()).toBeNull();
});

test("whenUnsafeEnds checks its hook when it is registered, and every hook runs even when one throws", () => {
  const ran: string[] = [];
  expect(() =>
    unsafe("SAFETY: the test registers hooks on its own token", (token) => {
      expectKernelError(() => whenUnsafeEnds(token, JSON.parse("5")), "EINVAL", /hook is not a function/);
      whenUnsafeEnds(token, () => void ran.push("first"));
      whenUnsafeEnds(token, () => {
        throw new Error("hook failed");
      });
      whenUnsafeEnds(token, () => void ran.push("last"));
    }),
  ).toThrow("hook failed");
  expect(ran).toEqual(["last", "first"]);
});
