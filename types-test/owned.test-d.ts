import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import { OwnableResource, adoptOwned, type Ownable, type Owned, type OwnedHandle, type ResourceOf } from "ownkit";

declare class GpuBuffer extends OwnableResource {
  readonly size: number;
  fill(value: number): void;
  protected drop(): void;
}
interface PlainBuffer {
  readonly size: number;
}
declare const fresh: GpuBuffer;

// An owner: the resource's members plus release/dispose.
const buffer: Owned<GpuBuffer> = adoptOwned(fresh);
expectType<number>(buffer.size);
expectAssignable<OwnedHandle<GpuBuffer>>(buffer);
expectAssignable<Disposable>(buffer);
expectType<GpuBuffer>(null as unknown as ResourceOf<Owned<GpuBuffer>>);

// No clone on an owner.
expectError(buffer.clone());

// The class type (what a borrower sees) cannot release.
expectNotAssignable<OwnedHandle<GpuBuffer>>(fresh);
expectError(fresh.release());

// Owned only for Ownable types; the constraint names the missing capability.
expectAssignable<Ownable>(fresh);
expectError(null as unknown as Owned<PlainBuffer>);

// After release the annotated binding is `never`.
function consumed(owner: Owned<GpuBuffer>): void {
  const local: Owned<GpuBuffer> = owner;
  expectType<number>(local.size);
  local.release();
  expectType<never>(local);
}
consumed(buffer);
