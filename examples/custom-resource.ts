/**
 * Designing your own ownership-typed API with the kit: a GPU device whose buffers have one owner,
 * whose textures are shared by counted references, whose mapped views cannot escape the closure
 * that mapped them, and whose unchecked upload needs an `unsafe` token.
 *
 * Nothing here knows about pages or kernels: it is the pattern `ownkit/mm` follows, applied to
 * another resource. The guide `docs/designing-your-own-api.md` walks through it.
 *
 * @module
 */
import {
  OwnableResource,
  RefCountedResource,
  adoptARef,
  adoptOwned,
  assertUnsafe,
  kernelError,
  notRefCountedBecause,
  withScope,
  unsafe,
} from "ownkit";
import type { ARef, LifetimeBrand, NoEscape, Owned, Unsafe } from "ownkit";

/** A view of a buffer's bytes that is valid only inside the closure that mapped it. */
export type MappedBytes<Lifetime> = Uint8Array & LifetimeBrand<Lifetime>;

/**
 * A simulated GPU: a fixed pool of memory handed out in buffers, and a table of textures.
 *
 * @invariant `used` is the sum of the sizes of the live buffers.
 */
export class GpuDevice {
  /** Bytes in use by live buffers. */
  used = 0;
  /** Labels of buffers given back, in order (what a test or a leak report looks at). */
  readonly freed: string[] = [];

  /**
   * Creates a device with `capacity` bytes of memory.
   *
   * @param capacity - The device memory in bytes.
   */
  constructor(readonly capacity: number) {}

  /**
   * Allocates a buffer; the caller becomes its single owner.
   *
   * @param label - A name for reports.
   * @param size - Bytes, a positive integer.
   * @returns The owner of the new buffer.
   * @throws KernelError `EINVAL` for a bad size, `ENOMEM` when the device is full (nothing changes).
   */
  allocBuffer(label: string, size: number): Owned<GpuBuffer> {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw kernelError("EINVAL", "gpu_alloc", "size must be a positive integer", { size });
    }
    if (this.used + size > this.capacity) {
      throw kernelError("ENOMEM", "gpu_alloc", "device memory exhausted", { size, used: this.used, capacity: this.capacity });
    }
    this.used += size;
    // INVARIANT: `used` grew by the buffer's size; drop() takes it back.
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new GpuBuffer(this, label, new Uint8Array(size))));
  }

  /**
   * Creates a texture shared by counted references; the caller holds the first one.
   *
   * @param label - A name for reports.
   * @returns The first counted reference.
   */
  createTexture(label: string): ARef<Texture> {
    return unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new Texture({ device: this, label, count: 1 })));
  }
}

/**
 * A buffer of device memory with exactly one owner: only `Owned<GpuBuffer>` can free it.
 *
 * @invariant The bytes are reachable only while the owner has not released the buffer.
 */
export class GpuBuffer extends OwnableResource {
  /** Asking for `ARef<GpuBuffer>` prints this sentence instead of a bare constraint failure. */
  declare readonly [notRefCountedBecause]: "a GPU buffer has one owner and no refcount; use Owned<GpuBuffer>";
  readonly #bytes: Uint8Array;

  /** @internal Use {@link GpuDevice.allocBuffer}. */
  constructor(
    private readonly device: GpuDevice,
    /** The name given at allocation. */
    readonly label: string,
    bytes: Uint8Array,
  ) {
    super();
    this.#bytes = bytes;
  }

  /** The buffer's size in bytes. */
  get size(): number {
    return this.#bytes.length;
  }

  /**
   * Lends the buffer's bytes to `body`; the view must not escape the closure (a compile error).
   *
   * @param body - Reads or writes the bytes; its result must not contain the view.
   * @returns What `body` returned.
   */
  withMapped<Result>(body: <Lifetime>(bytes: MappedBytes<Lifetime>) => NoEscape<Result, Lifetime>): Result {
    this.assertLive("gpu_map");
    // SAFETY: the lifetime brand exists in types only; the view is the buffer's own bytes.
    const view = this.#bytes as MappedBytes<unknown>;
    return withScope(view, body);
  }

  /**
   * Copies `data` to `offset` without checking the range: the fast path a driver uses after
   * validating a whole batch once.
   *
   * @safety
   * - `offset + data.length` is at most {@link GpuBuffer.size};
   * - no other code reads the range while the copy runs.
   *
   * @param token - Proof that the caller is inside an `unsafe("SAFETY: ...", ...)` block.
   * @param offset - The destination offset.
   * @param data - The bytes to copy.
   */
  uploadUnchecked<Lifetime>(token: Unsafe<Lifetime>, offset: number, data: Uint8Array): void {
    assertUnsafe(token, "gpu_upload_unchecked");
    this.#bytes.set(data, offset);
  }

  protected override describeResource(): string {
    return `GpuBuffer ${this.label}`;
  }

  protected override drop(): void {
    // INVARIANT: the device's `used` shrinks by exactly what allocBuffer added.
    this.device.used -= this.#bytes.length;
    this.device.freed.push(this.label);
  }
}

interface TextureState {
  readonly device: GpuDevice;
  readonly label: string;
  count: number;
}

/**
 * A texture shared by counted references: each `ARef<Texture>` is one count; the last `put()` frees.
 *
 * @invariant `count` equals the number of live `ARef<Texture>` handles.
 */
export class Texture extends RefCountedResource {
  /** @internal Use {@link GpuDevice.createTexture}. */
  constructor(private readonly state: TextureState) {
    super();
  }

  /** The name given at creation. */
  get label(): string {
    return this.state.label;
  }

  protected override incRef(): void {
    this.state.count += 1;
  }

  protected override decRef(): void {
    this.state.count -= 1;
    if (this.state.count === 0) this.state.device.freed.push(this.state.label);
  }

  protected override refCount(): number {
    return this.state.count;
  }

  protected override newHandle(): this {
    // SAFETY: Texture has no subclasses, so a new Texture over the same state is `this` type.
    return new Texture(this.state) as this;
  }
}
