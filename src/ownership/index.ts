/**
 * Ownership primitives: single owners ({@link Owned}), counted references ({@link ARef}), borrows
 * with lifetime brands ({@link Borrowed}, {@link NoEscape}), `unsafe` tokens, scope guards and
 * {@link Arc}. Nothing here is specific to any one kind of resource.
 *
 * @remarks
 * Resources are plain classes: they extend {@link OwnableResource}, {@link RefCountedResource} or
 * {@link OwnableRefCountedResource} and implement a few hooks. The class type is the borrower's view;
 * `Owned<X>` and `ARef<X>` are the same objects with the ownership operations added to the type.
 * Moves are free functions ({@link release}, {@link put}, {@link drop}) declared
 * `asserts value is never`: after `release(buffer)` any use of `buffer` is a compile error, with no
 * annotation needed. The methods do the same at run time without narrowing.
 *
 * @module
 */
export {
  handledResource,
  lifetimeBrand,
  notOwnableBecause,
  notRefCountedBecause,
  ownableCapability,
  refCountedCapability,
} from "./capabilities.js";
export type {
  AlwaysRefCounted,
  CapabilityChecks,
  DeclaredSentence,
  NotOwnableSentence,
  NotRefCountedSentence,
  Ownable,
  ResourceOf,
} from "./capabilities.js";
export type { TypeErrorText } from "./TypeErrorText.js";
export { OwnableResource, adoptOwned } from "./Owned.js";
export type { Owned, OwnedHandle } from "./Owned.js";
export {
  OwnableRefCountedResource,
  RefCountedResource,
  adoptARef,
  adoptOwnedRefCounted,
  intoARef,
  intoOwned,
  refCountOf,
} from "./ARef.js";
export type { ARef, ARefHandle } from "./ARef.js";
export { runScope, withBorrow, withScope } from "./borrow.js";
export type {
  BorrowBrand,
  BorrowEscapeError,
  BorrowedResource,
  BorrowSearch,
  BorrowSearchLeaf,
  BorrowSearchLevel,
  BorrowSearchStep,
  Borrowed,
  ContainsBorrow,
  LifetimeBrand,
  NoEscape,
} from "./borrow.js";
export { assertUnsafe, unsafe, unsafeActive, whenUnsafeEnds } from "./Unsafe.js";
export type { SafetyReason, Unsafe } from "./Unsafe.js";
export { drop, put, release } from "./moves.js";
export type { IfAlreadyMoved, Puttable, Releasable, ValueWasAlreadyMoved } from "./moves.js";
export { ScopeGuard } from "./ScopeGuard.js";
export { Arc } from "./Arc.js";
