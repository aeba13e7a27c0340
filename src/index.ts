/**
 * ownkit: ownership-typed API design kit for TypeScript.
 *
 * @packageDocumentation
 */
export { ERRNO, KernelError, isKernelError, kernelError } from "./errors.js";
export type { Errno } from "./errors.js";
export {
  Arc,
  OwnableRefCountedResource,
  OwnableResource,
  RefCountedResource,
  ScopeGuard,
  adoptARef,
  adoptOwned,
  adoptOwnedRefCounted,
  assertUnsafe,
  handledResource,
  intoARef,
  intoOwned,
  lifetimeBrand,
  notOwnableBecause,
  notRefCountedBecause,
  ownableCapability,
  refCountOf,
  refCountedCapability,
  runScope,
  unsafe,
  withBorrow,
  withScope,
} from "./ownership/index.js";
export type {
  ARef,
  ARefHandle,
  AlwaysRefCounted,
  BorrowEscapeError,
  BorrowSearch,
  BorrowSearchLevel,
  BorrowSearchStep,
  Borrowed,
  CapabilityChecks,
  ContainsBorrow,
  DeclaredSentence,
  LifetimeBrand,
  NoEscape,
  NotOwnableSentence,
  NotRefCountedSentence,
  Ownable,
  Owned,
  OwnedHandle,
  ResourceOf,
  SafetyReason,
  TypeErrorText,
  Unsafe,
} from "./ownership/index.js";
