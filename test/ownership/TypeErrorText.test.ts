import { expect, expectTypeOf, test } from "vitest";
import {
  notRefCountedBecause,
  ownableCapability,
  refCountedCapability,
  type AlwaysRefCounted,
  type CapabilityChecks,
  type Ownable,
  type TypeErrorText,
} from "../../src/ownership/index.js";

interface Plain {
  readonly size: number;
}
interface Explained extends Ownable {
  readonly [notRefCountedBecause]: "a page has no refcount; use Owned<Page>";
}

test("capability keys are distinct symbols", () => {
  expect(typeof ownableCapability).toBe("symbol");
  expect(ownableCapability).not.toBe(refCountedCapability);
});

test("types: a missing capability becomes a sentence, a resource's own sentence wins", () => {
  expectTypeOf<TypeErrorText<"why">>().toHaveProperty("why");
  expectTypeOf<Exclude<CapabilityChecks<Explained>["refCounted"], AlwaysRefCounted>>().toEqualTypeOf<
    TypeErrorText<"ARef needs an AlwaysRefCounted resource: a page has no refcount; use Owned<Page>">
  >();
  expectTypeOf<Exclude<CapabilityChecks<Plain>["ownable"], Ownable>>().toEqualTypeOf<
    TypeErrorText<"Owned needs an Ownable resource: this type does not declare the Ownable capability (extend OwnableResource or Ownable)">
  >();
  expectTypeOf<Plain>().not.toMatchTypeOf<CapabilityChecks<Plain>["ownable"]>();
  expectTypeOf<Explained>().toMatchTypeOf<CapabilityChecks<Explained>["ownable"]>();
});
