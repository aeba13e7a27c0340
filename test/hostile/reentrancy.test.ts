// Re-entrancy-safe disposal: a handle is dead before its cleanup runs; a re-entrant call is EALREADY.
import { expect, test } from "vitest";
import { Arc, OwnableResource, RefCountedResource, adoptARef, adoptOwned, type ARef, type Owned, unsafe } from "../../src/ownership/index.js";
import { isKernelError } from "../../src/errors.js";

class Reentrant extends OwnableResource {
  drops = 0;
  inner: unknown = undefined;
  failNext = false;
  static make(): Owned<Reentrant> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new Reentrant()));
  }
  protected override drop(): void {
    this.drops++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("drop failed");
    }
    try {
      // SAFETY: the test reaches the owner operation from inside drop(), as a careless resource would.
      const self: Owned<Reentrant> = this as unknown as Owned<Reentrant>;
      self.release();
    } catch (error) {
      this.inner = error;
    }
  }
}

test("a release re-entered from drop() is EALREADY and drop() runs once", () => {
  const owner: Owned<Reentrant> = Reentrant.make();
  const resource: Reentrant = owner;
  const alias: Owned<Reentrant> = owner;
  owner.release();
  expect(resource.drops).toBe(1);
  expect(isKernelError(resource.inner, "EALREADY")).toBe(true);
  expect((resource.inner as Error).message).toMatch(/being released/);
  // a second release from outside is still EALREADY, and drop does not run again
  expect(() => alias.release()).toThrow(expect.objectContaining({ errno: "EALREADY" }));
  expect(resource.drops).toBe(1);
});

test("a drop() that throws leaves the handle live: the release can be retried, and drop then runs once more", () => {
  const owner: Owned<Reentrant> = Reentrant.make();
  const resource: Reentrant = owner;
  const alias: Owned<Reentrant> = owner;
  resource.failNext = true;
  expect(() => alias.release()).toThrow("drop failed");
  owner.release();
  expect(resource.drops).toBe(2);
  // correct use: dispose after a successful release is a no-op
  alias[Symbol.dispose]();
  expect(resource.drops).toBe(2);
});

class Counted extends RefCountedResource {
  constructor(readonly shared: { count: number; decrements: number; reentered: unknown[] }) {
    super();
  }
  protected override incRef(): void {
    this.shared.count++;
  }
  protected override decRef(): void {
    this.shared.decrements++;
    this.shared.count--;
    try {
      // SAFETY: the test re-enters put() from the decrement.
      const self: ARef<Counted> = this as unknown as ARef<Counted>;
      self.put();
    } catch (error) {
      this.shared.reentered.push(error);
    }
  }
  protected override refCount(): number {
    return this.shared.count;
  }
  protected override newHandle(): this {
    // SAFETY: Counted has no subclasses.
    return new Counted(this.shared) as this;
  }
}

test("a put() re-entered from the decrement is EALREADY and decrements once", () => {
  const shared = { count: 1, decrements: 0, reentered: [] as unknown[] };
  const ref: ARef<Counted> = unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new Counted(shared)));
  const clone: ARef<Counted> = ref.clone();
  ref.put();
  expect(shared.decrements).toBe(1);
  expect(shared.count).toBe(1);
  expect(isKernelError(shared.reentered[0], "EALREADY")).toBe(true);
  // correct use: the clone still holds its reference and drops it once
  clone.put();
  expect(shared.count).toBe(0);
  expect(shared.decrements).toBe(2);
});

test("an Arc whose value's dispose drops the Arc again disposes the value once (EALREADY inside)", () => {
  let disposed = 0;
  const errors: unknown[] = [];
  // eslint-disable-next-line prefer-const
  let arc: Arc<Disposable> | undefined;
  const value = {
    [Symbol.dispose]() {
      disposed++;
      try {
        const live: Arc<Disposable> = arc!;
        live.drop();
      } catch (error) {
        errors.push(error);
      }
    },
  };
  const made: Arc<Disposable> = Arc.new(value);
  arc = made;
  made.drop();
  expect(disposed).toBe(1);
  expect(isKernelError(errors[0], "EALREADY")).toBe(true);
  // correct use: a second share keeps the value until the last drop
  let count = 0;
  const a: Arc<Disposable> = Arc.new({ [Symbol.dispose]: () => void count++ });
  const b: Arc<Disposable> = a.clone();
  a.drop();
  expect(count).toBe(0);
  b.drop();
  expect(count).toBe(1);
});

test("an Arc whose dispose throws stays live and can be dropped again", () => {
  let fail = true;
  let disposed = 0;
  const arc: Arc<Disposable> = Arc.new({
    [Symbol.dispose]() {
      disposed++;
      if (fail) throw new Error("dispose failed");
    },
  });
  expect(() => arc.drop()).toThrow("dispose failed");
  expect(Arc.strongCount(arc)).toBe(1);
  fail = false;
  arc.drop();
  expect(disposed).toBe(2);
});
