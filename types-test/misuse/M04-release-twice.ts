/**
 * @misuse M4
 * @title releasing an owned value twice with no type annotation
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

// correct use: release once; `using` does not release a consumed owner again
export function correct(): void {
  using buffer = GpuBuffer.alloc(64);
  release(buffer);
}

export function misuse(): void {
  using buffer = GpuBuffer.alloc(64);
  release(buffer);
  // @expect-error TS2339 "Property 'release' does not exist on type 'never'"
  buffer.release();
  // @expect-error TS2554 "Expected 2 arguments, but got 1."
  release(buffer);
}
