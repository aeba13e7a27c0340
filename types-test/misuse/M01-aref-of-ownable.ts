/**
 * @misuse M1
 * @title ARef<T> of a resource that is only Ownable
 */
import {
  OwnableResource,
  RefCountedResource,
  adoptARef,
  adoptOwned,
  notRefCountedBecause,
  type ARef,
  type Owned,
  unsafe,
} from "ownkit";

// An Ownable resource: single owner, no refcount.
class GpuBuffer extends OwnableResource {
  private constructor(readonly size: number) {
    super();
  }
  static alloc(size: number): Owned<GpuBuffer> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new GpuBuffer(size)));
  }
  protected override drop(): void {}
}

// An Ownable resource that explains why it has no refcount.
class ScratchPage extends OwnableResource {
  declare readonly [notRefCountedBecause]: "a scratch page has no refcount; use Owned<ScratchPage>";
  protected override drop(): void {}
}

// A refcounted resource.
class SharedTexture extends RefCountedResource {
  private constructor(private readonly shared: { count: number }) {
    super();
  }
  static create(): ARef<SharedTexture> {
    return unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new SharedTexture({ count: 1 })));
  }
  protected override incRef(): void {
    this.shared.count += 1;
  }
  protected override decRef(): void {
    this.shared.count -= 1;
  }
  protected override refCount(): number {
    return this.shared.count;
  }
  protected override newHandle(): this {
    // SAFETY: SharedTexture has no subclasses.
    return new SharedTexture(this.shared) as this;
  }
}

// correct use: counted references to a refcounted resource, a single owner for an Ownable one
export function correct(): number {
  using texture: ARef<SharedTexture> = SharedTexture.create();
  using second: ARef<SharedTexture> = texture.clone();
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  return buffer.size + (second === texture ? 0 : 1);
}

// @expect-error TS2344 "ARef needs an AlwaysRefCounted resource: this type has no refcount (it is Ownable, not AlwaysRefCounted); use Owned<...> for its single owner"
export type CountedBuffer = ARef<GpuBuffer>;

// @expect-error TS2344 "ARef needs an AlwaysRefCounted resource: a scratch page has no refcount; use Owned<ScratchPage>"
export type CountedPage = ARef<ScratchPage>;
