/**
 * @misuse M2
 * @title clone() on an Owned value
 */
import { OwnableResource, adoptOwned, unsafe, type Owned } from "ownkit";

class GpuBuffer extends OwnableResource {
  private constructor(readonly size: number) {
    super();
  }
  static alloc(size: number): Owned<GpuBuffer> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new GpuBuffer(size)));
  }
  protected override drop(): void {}
}

// correct use: an owner reads its resource and releases it once
export function correct(): number {
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  return buffer.size;
}

export function misuse(): void {
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  // @expect-error TS2339 "Property 'clone' does not exist on type 'Owned<GpuBuffer>'"
  buffer.clone();
}
