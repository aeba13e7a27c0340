import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import { OwnableResource, adoptOwned, release, unsafe, type Ownable, type Owned, type OwnedHandle, type ResourceOf } from "ownkit";

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
const buffer: Owned<GpuBuffer> = unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, fresh));
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

// After release(local) the binding is `never`, with no annotation needed.
function consumed(owner: Owned<GpuBuffer>): void {
  const local = owner;
  expectType<number>(local.size);
  release(local);
  expectType<never>(local);
}
consumed(buffer);

// The method does the same at run time and does not narrow (so it never needs an annotation).
function consumedByMethod(owner: Owned<GpuBuffer>): void {
  const local = owner;
  local.release();
  expectType<Owned<GpuBuffer>>(local);
}
consumedByMethod(buffer);
