/**
 * {@link UserSliceReader}: a source of bytes from "user space" for `page.copyFromUser`.
 *
 * @module
 */
import { kernelError } from "../errors.js";
import type { PageView } from "./PageView.js";

/**
 * A reader of user memory, in the manner of the kernel's `UserSliceReader`: each call consumes the
 * next `dst.length` bytes.
 *
 * @remarks
 * Binder copies a transaction straight from the sender's memory into a page of the receiver
 * (thread 001), so `copyFromUser` hands the reader the mapped page bytes themselves. The reader must
 * write into `dst` only during the call and must not keep it.
 */
export interface UserSliceReader {
  /** Bytes left to read. */
  readonly length: number;
  /**
   * Fills `dst` with the next `dst.length` bytes and advances.
   *
   * @typeParam Lifetime - The lifetime of the mapping `dst` belongs to.
   * @param dst - Where the bytes go: a mapped page view, valid only during the call.
   * @throws KernelError `EFAULT` when fewer than `dst.length` bytes are left (nothing is consumed).
   */
  readInto<Lifetime>(dst: PageView<Lifetime>): void;
}

/**
 * Makes a {@link UserSliceReader} over a byte array, standing in for a user-space buffer.
 *
 * @param src - The user bytes (read, never kept past the reader's use).
 * @returns A reader that consumes `src` from the start.
 * @throws KernelError `EINVAL` when `src` is not a `Uint8Array`.
 *
 * @example
 * ```ts
 * const reader = userSliceReader(new TextEncoder().encode("transaction"));
 * page.copyFromUser(reader, 128, reader.length);
 * ```
 */
export function userSliceReader(src: Uint8Array): UserSliceReader {
  if (!(src instanceof Uint8Array)) {
    throw kernelError("EINVAL", "user_slice_reader", "src is not a Uint8Array", { src: Object.prototype.toString.call(src) });
  }
  let position = 0;
  return {
    get length() {
      return src.length - position;
    },
    readInto<Lifetime>(dst: PageView<Lifetime>): void {
      if (!(dst instanceof Uint8Array)) {
        throw kernelError("EINVAL", "copy_from_user", "dst is not a Uint8Array", { dst: Object.prototype.toString.call(dst) });
      }
      const left = src.length - position;
      if (dst.length > left) throw kernelError("EFAULT", "copy_from_user", "read past the end of the user buffer", { wanted: dst.length, left });
      dst.set(src.subarray(position, position + dst.length));
      position += dst.length;
    },
  };
}
