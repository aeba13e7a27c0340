/**
 * @misuse M4
 * @title releasing an owned value twice (annotated binding)
 */
import { OwnableResource, adoptOwned, type Owned } from "ownkit";

class GpuBuffer extends OwnableResource {
  private constructor(readonly size: number) {
    super();
  }
  static alloc(size: number): Owned<GpuBuffer> {
    return adoptOwned(new GpuBuffer(size));
  }
  protected override drop(): void {}
}

// correct use: release once; `using` does not release a consumed owner again
export function correct(): void {
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  buffer.release();
}

export function misuse(): void {
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  buffer.release();
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  buffer.release();
}
