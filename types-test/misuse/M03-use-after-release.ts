/**
 * @misuse M3
 * @title using an owned value after release() with no type annotation
 */
import { OwnableResource, adoptOwned, release, unsafe, type Owned } from "ownkit";

class GpuBuffer extends OwnableResource {
  private constructor(readonly size: number) {
    super();
  }
  static alloc(size: number): Owned<GpuBuffer> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new GpuBuffer(size)));
  }
  protected override drop(): void {}
}

// correct use: read, then release last
export function correct(): number {
  const buffer = GpuBuffer.alloc(64);
  const size = buffer.size;
  release(buffer);
  return size;
}

export function misuse(): number {
  const buffer = GpuBuffer.alloc(64);
  release(buffer);
  // @expect-error TS2339 "Property 'size' does not exist on type 'never'"
  return buffer.size;
}
