import { expectError, expectNotAssignable, expectType } from "tsd";
import {
  OwnableResource,
  withBorrow,
  type BorrowEscapeError,
  type Borrowed,
  type LifetimeBrand,
  type NoEscape,
  type Owned,
} from "ownkit";

declare class GpuBuffer extends OwnableResource {
  readonly size: number;
  protected drop(): void;
}
declare const buffer: Owned<GpuBuffer>;

function withBuffer<Result>(
  owner: Owned<GpuBuffer>,
  body: <Lifetime>(view: Borrowed<GpuBuffer, Lifetime>) => NoEscape<Result, Lifetime>,
): Result {
  return withBorrow(owner, body);
}

// Results without the borrow pass through.
expectType<number>(withBuffer(buffer, (view) => view.size));
expectType<{ size: number }>(withBuffer(buffer, (view) => ({ size: view.size })));
expectType<Promise<number>>(withBuffer(buffer, async (view) => view.size));

// The borrow cannot be returned or stored in the result.
expectError(withBuffer(buffer, (view) => view));
expectError(withBuffer(buffer, (view) => ({ view })));
expectError(withBuffer(buffer, (view) => [1, view] as const));
expectError(withBuffer(buffer, async (view) => ({ nested: [view] })));

// A borrowed view has no ownership operation, even when borrowed from an owner.
declare const view: Borrowed<Owned<GpuBuffer>, "scope">;
expectType<number>(view.size);
expectError(view.release());

// Lifetimes are not interchangeable.
expectNotAssignable<LifetimeBrand<"b">>(null as unknown as LifetimeBrand<"a">);
expectType<BorrowEscapeError>(null as unknown as NoEscape<{ view: typeof view }, "scope">);
