/**
 * ownkit: ownership-typed API design kit for TypeScript.
 *
 * @packageDocumentation
 */
export { ERRNO, KernelError, isKernelError, kernelError } from "./errors.js";
export type { Errno } from "./errors.js";
