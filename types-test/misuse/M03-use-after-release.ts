/**
 * @misuse M3
 * @title using an owned value after release() (annotated binding)
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

// correct use: read, then release last
export function correct(): number {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  const size = buffer.size;
  buffer.release();
  return size;
}

export function misuse(): number {
  const buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  buffer.release();
  // @expect-error TS2339 "Property 'size' does not exist on type 'never'"
  return buffer.size;
}
