/**
 * {@link UserSliceReader}: a source of bytes from "user space" for `page.copyFromUser`.
 *
 * @module
 */
import { byteLengthOf, checkBytes, copyBytes, subBytes } from "../../args.js";
import { kernelError } from "../../errors.js";
import { liveViewBytes } from "../../core/index.js";
import type { PageView } from "./page-view.js";

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
 * declare const page: Owned<Page>;
 *
 * const reader = userSliceReader(new TextEncoder().encode("transaction"));
 * page.copyFromUser(reader, 128, reader.length);
 * ```
 */
export function userSliceReader(src: Uint8Array): UserSliceReader {
  // The real length (intrinsic getter) is taken now; a caller's later `length` redefinition is ignored.
  const size = checkBytes("user_slice_reader", "src", src);
  let position = 0;
  const reader: UserSliceReader = {
    get length() {
      return Math.max(0, Math.min(size, byteLengthOf(src)) - position);
    },
    readInto<Lifetime>(view: PageView<Lifetime>): void {
      // The memory behind the lent view (a debug view is checked live), as a genuine Uint8Array.
      const dst = liveViewBytes(view, "copy_from_user");
      const wanted = checkBytes("copy_from_user", "dst", dst);
      const left = Math.max(0, Math.min(size, byteLengthOf(src)) - position);
      if (wanted > left) throw kernelError("EFAULT", "copy_from_user", "read past the end of the user buffer", { wanted, left });
      if (wanted === 0) return;
      // SAFETY: By the `wanted > left` check above (left counts src's real bytes, read with the
      // intrinsic getter), [position, position + wanted) lies in src, and by checkBytes dst holds
      // `wanted` bytes; copyBytes and subBytes are intrinsics, so no caller code runs in the copy.
      copyBytes(dst, subBytes(src, position, position + wanted), 0);
      position += wanted;
    },
  };
  // INVARIANT: frozen, so copyFromUser calls this readInto: a caller cannot redefine it (it would
  // receive the page's mapped view and could keep it past the mapping) nor the `length` getter.
  Object.freeze(reader);
  genuine.add(reader);
  return reader;
}

/** The readers made by {@link userSliceReader}: the only ones a page copies from. */
const genuine = new WeakSet<object>();

/**
 * Tells whether a value is a reader made by {@link userSliceReader} (a brand check: a look-alike
 * object would receive a view of the page in its `readInto`).
 *
 * @param value - Any value.
 * @returns `true` for a genuine reader.
 */
export function isUserSliceReader(value: unknown): value is UserSliceReader {
  return typeof value === "object" && value !== null && genuine.has(value);
}
