/**
 * {@link ScopeGuard}: runs a cleanup when its scope ends, unless dismissed.
 *
 * @module
 */
import { checkSyncResult } from "../args.js";
import { kernelError } from "../errors.js";

/**
 * A disposable that runs a cleanup once when disposed, unless {@link ScopeGuard.dismiss} was
 * called first.
 *
 * @invariant The cleanup runs at most once.
 *
 * @example
 * ```ts
 * declare abstract class GpuBuffer extends OwnableResource {
 *   static alloc(size: number): Owned<GpuBuffer>;
 *   readonly size: number;
 *   fill(value: number): void;
 * }
 *
 * function build(): Owned<GpuBuffer> {
 *   const buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
 *   using guard = new ScopeGuard(() => buffer.release());
 *   buffer.fill(1); // may throw: the guard releases the buffer
 *   guard.dismiss(); // success: the caller owns the buffer
 *   return buffer;
 * }
 * ```
 */
export class ScopeGuard implements Disposable {
  #cleanup: (() => void) | undefined;

  /**
   * Arms a guard.
   *
   * @param cleanup - What to run when the guard is disposed.
   * @throws KernelError `EINVAL` when `cleanup` is not a function (checked now, not at disposal).
   */
  constructor(cleanup: () => void) {
    if (typeof cleanup !== "function") throw kernelError("EINVAL", "ScopeGuard", "cleanup is not a function", { cleanup: typeof cleanup });
    this.#cleanup = cleanup;
  }

  /** `true` until the guard was disposed or dismissed. */
  get armed(): boolean {
    if (typeof this !== "object" || this === null || !(#cleanup in this)) throw kernelError("EINVAL", "ScopeGuard.armed", "not a ScopeGuard", {});
    return this.#cleanup !== undefined;
  }

  /** Cancels the cleanup; disposing the guard afterwards does nothing. */
  dismiss(): void {
    if (typeof this !== "object" || this === null || !(#cleanup in this)) throw kernelError("EINVAL", "ScopeGuard.dismiss", "not a ScopeGuard", {});
    this.#cleanup = undefined;
  }

  /** Runs the cleanup if the guard is still armed, then disarms it. */
  [Symbol.dispose](): void {
    if (typeof this !== "object" || this === null || !(#cleanup in this)) throw kernelError("EINVAL", "dispose", "not a ScopeGuard", { self: this });
    const cleanup = this.#cleanup;
    // INVARIANT: disarm before running, so a throwing or re-entrant cleanup cannot run twice.
    this.#cleanup = undefined;
    // An async cleanup has run only up to its first await: refused, its promise observed.
    if (cleanup !== undefined) checkSyncResult("ScopeGuard.dispose", cleanup(), "a ScopeGuard cleanup", "the guard's scope has already ended");
  }
}
