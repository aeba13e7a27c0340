/**
 * @misuse M15
 * @title ARef<T> / Owned<T> of a user type that does not declare the capability
 */
import type { ARef, AlwaysRefCounted, Ownable, Owned } from "ownkit";

// A user type that declares its capability, and one that declares none.
interface FileHandle extends AlwaysRefCounted {
  readonly fd: number;
}
interface GpuBuffer extends Ownable {
  readonly size: number;
}
interface PlainBuffer {
  readonly size: number;
}

// correct use: each capability where it is declared
export type SharedFile = ARef<FileHandle>;
export type OwnedBuffer = Owned<GpuBuffer>;
export function sizes(file: ARef<FileHandle>, buffer: Owned<GpuBuffer>): number {
  return file.fd + buffer.size;
}

// @expect-error TS2344 "Owned needs an Ownable resource: this type does not declare the Ownable capability"
export type OwnedPlain = Owned<PlainBuffer>;

// @expect-error TS2344 "ARef needs an AlwaysRefCounted resource: this type does not declare the AlwaysRefCounted capability"
export type CountedPlain = ARef<PlainBuffer>;

// @expect-error TS2344 "Owned needs an Ownable resource: this type is AlwaysRefCounted, not Ownable; use ARef<...>"
export type OwnedFile = Owned<FileHandle>;
