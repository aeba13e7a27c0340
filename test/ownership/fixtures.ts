// Test resources: GpuBuffer (Ownable), SharedTexture (AlwaysRefCounted), PooledBlock (both).
import {
  OwnableRefCountedResource,
  OwnableResource,
  RefCountedResource,
  adoptARef,
  adoptOwned,
  adoptOwnedRefCounted,
  type ARef,
  type Owned,
  unsafe,
} from "../../src/ownership/index.js";

export const freed: string[] = [];

export class GpuBuffer extends OwnableResource {
  private constructor(
    readonly label: string,
    readonly size: number,
  ) {
    super();
  }
  static alloc(label: string, size = 64): Owned<GpuBuffer> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new GpuBuffer(label, size)));
  }
  /** For tests of adoption: a buffer that no owner holds yet. */
  static unowned(label: string): GpuBuffer {
    return new GpuBuffer(label, 1);
  }
  fill(): number {
    this.assertLive("fill");
    return this.size;
  }
  protected override describeResource(): string {
    return `GpuBuffer ${this.label}`;
  }
  protected override drop(): void {
    freed.push(this.label);
  }
}

interface Counted {
  count: number;
  readonly label: string;
}

export class SharedTexture extends RefCountedResource {
  private constructor(private readonly shared: Counted) {
    super();
  }
  static create(label: string): ARef<SharedTexture> {
    return unsafe("SAFETY: the resource was just created here with one reference, handed to the handle", (token) => adoptARef(token, new SharedTexture({ count: 1, label })));
  }
  get label(): string {
    return this.shared.label;
  }
  protected override incRef(): void {
    this.shared.count += 1;
  }
  protected override decRef(): void {
    this.shared.count -= 1;
    if (this.shared.count === 0) freed.push(this.shared.label);
  }
  protected override refCount(): number {
    return this.shared.count;
  }
  protected override newHandle(): this {
    // SAFETY: SharedTexture has no subclasses, so a SharedTexture is `this`.
    return new SharedTexture(this.shared) as this;
  }
}

export class PooledBlock extends OwnableRefCountedResource {
  private constructor(private readonly shared: Counted) {
    super();
  }
  static alloc(label: string): Owned<PooledBlock> {
    return unsafe("SAFETY: the block was just created with a count of 1, held here", (token) => adoptOwnedRefCounted(token, new PooledBlock({ count: 1, label })));
  }
  /** For tests of conversions: a borrower's view of `block` that no handle adopted. */
  static view(block: PooledBlock): PooledBlock {
    return new PooledBlock(block.shared);
  }
  get label(): string {
    return this.shared.label;
  }
  protected override incRef(): void {
    this.shared.count += 1;
  }
  protected override decRef(): void {
    this.shared.count -= 1;
    if (this.shared.count === 0) freed.push(this.shared.label);
  }
  protected override refCount(): number {
    return this.shared.count;
  }
  protected override newHandle(): this {
    // SAFETY: PooledBlock has no subclasses, so a PooledBlock is `this`.
    return new PooledBlock(this.shared) as this;
  }
}
