import { expectAssignable, expectError, expectType } from "tsd";
import {
  OwnableRefCountedResource,
  OwnableResource,
  RefCountedResource,
  intoARef,
  intoOwned,
  type ARef,
  type AlwaysRefCounted,
  type Owned,
} from "ownkit";

declare class SharedTexture extends RefCountedResource {
  readonly width: number;
  protected incRef(): void;
  protected decRef(): void;
  protected refCount(): number;
  protected newHandle(): this;
}
declare class PooledBlock extends OwnableRefCountedResource {
  readonly bytes: number;
  protected incRef(): void;
  protected decRef(): void;
  protected refCount(): number;
  protected newHandle(): this;
}
declare class GpuBuffer extends OwnableResource {
  readonly size: number;
  protected drop(): void;
}
declare const texture: ARef<SharedTexture>;
declare const block: Owned<PooledBlock>;

// Counted references: clone returns another counted reference.
expectType<number>(texture.width);
expectType<ARef<SharedTexture>>(texture.clone());
expectAssignable<Disposable>(texture);
expectAssignable<AlwaysRefCounted>(texture);

// ARef only for AlwaysRefCounted types: an Ownable-only type is refused with a sentence.
expectError(null as unknown as ARef<GpuBuffer>);

// Conversions between the owner and a counted reference.
expectType<ARef<PooledBlock>>(intoARef(block));
expectType<Owned<PooledBlock>>(intoOwned(intoARef(block)));
expectError(block.clone());

// A refcounted-only resource has no owner, and cannot be converted.
expectError(null as unknown as Owned<SharedTexture>);
expectError(intoOwned(texture));

// Generic code over any refcounted resource keeps working.
function share<Resource extends AlwaysRefCounted>(reference: ARef<Resource>): ARef<Resource> {
  return reference;
}
expectType<ARef<SharedTexture>>(share(texture));
