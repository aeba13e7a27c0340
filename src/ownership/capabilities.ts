/**
 * Capabilities a resource type declares: {@link Ownable} (single owner) and {@link AlwaysRefCounted}
 * (counted references), plus the checks that turn a missing capability into a sentence.
 *
 * @remarks
 * A capability is a brand: a property under a symbol key that only exists in the type. A class gets
 * it by extending one of the runtime bases ({@link OwnableResource}, {@link RefCountedResource},
 * {@link OwnableRefCountedResource}); an interface by extending {@link Ownable} or
 * {@link AlwaysRefCounted}. Nothing is stored at run time.
 *
 * A resource may explain why it lacks a capability by declaring a string literal under
 * {@link notRefCountedBecause} or {@link notOwnableBecause}; the compiler then prints that sentence
 * when someone asks for the missing capability:
 *
 * ```ts
 * class Page extends OwnableResource {
 *   declare readonly [notRefCountedBecause]: "a page has no refcount; use Owned<Page>";
 *   // ...
 * }
 * type Bad = ARef<Page>;
 * // error TS2344: Type 'Page' does not satisfy the constraint 'AlwaysRefCounted |
 * //   TypeErrorText<"ARef needs an AlwaysRefCounted resource: a page has no refcount; use Owned<Page>">'.
 * ```
 *
 * @module
 */
import type { TypeErrorText } from "./TypeErrorText.js";

/** The key of the {@link Ownable} brand; declared in types only, never set on an object. */
export const ownableCapability: unique symbol = Symbol("ownkit.Ownable");

/** The key of the {@link AlwaysRefCounted} brand; declared in types only, never set on an object. */
export const refCountedCapability: unique symbol = Symbol("ownkit.AlwaysRefCounted");

/**
 * The key of the phantom property through which a handle type names its resource; never set on an
 * object.
 */
export const handledResource: unique symbol = Symbol("ownkit.handledResource");

/** The key of the lifetime brand ({@link LifetimeBrand}); declared in types only, never set on an object. */
export const lifetimeBrand: unique symbol = Symbol("ownkit.lifetime");

/**
 * The key under which a resource declares, as a string literal type, why it has no refcount.
 *
 * @example
 * ```ts
 * class Page extends OwnableResource {
 *   declare readonly [notRefCountedBecause]: "a page has no refcount; use Owned<Page>";
 *   protected override drop(): void {
 *     // free the page
 *   }
 * }
 * ```
 */
export const notRefCountedBecause: unique symbol = Symbol("ownkit.notRefCountedBecause");

/**
 * The key under which a resource declares, as a string literal type, why it cannot have a single
 * owner.
 *
 * @example
 * ```ts
 * abstract class Folio extends RefCountedResource { // abstract here: the count hooks are left out
 *   declare readonly [notOwnableBecause]: "a folio is shared by the page cache; use ARef<Folio>";
 * }
 * ```
 */
export const notOwnableBecause: unique symbol = Symbol("ownkit.notOwnableBecause");

/**
 * The capability of a resource that has exactly one owner, who gives it back by releasing it.
 *
 * @remarks
 * Declare it by extending {@link OwnableResource} (classes) or this interface (types). Only an
 * `Ownable` resource may appear in {@link Owned}.
 */
export interface Ownable {
  /** The brand; exists in the type only. */
  readonly [ownableCapability]: true;
}

/**
 * The capability of a resource whose lifetime is governed by a reference count.
 *
 * @remarks
 * Declare it by extending {@link RefCountedResource} (classes) or this interface (types). Only an
 * `AlwaysRefCounted` resource may appear in {@link ARef}.
 */
export interface AlwaysRefCounted {
  /** The brand; exists in the type only. */
  readonly [refCountedCapability]: true;
}

/**
 * The sentence a resource declared under `Key` (a string literal type), or `Fallback` when it
 * declared none.
 *
 * @typeParam Resource - The resource type that may declare a sentence.
 * @typeParam Key - {@link notRefCountedBecause} or {@link notOwnableBecause}.
 * @typeParam Fallback - The sentence to use when the resource declared none.
 */
export type DeclaredSentence<Resource, Key extends symbol, Fallback extends string> =
  Resource extends { readonly [K in Key]: infer Sentence extends string } ? Sentence : Fallback;

/**
 * Why `Resource` is not {@link AlwaysRefCounted}, as the compiler prints it.
 *
 * @typeParam Resource - The resource type that lacks the capability.
 */
export type NotRefCountedSentence<Resource> = `ARef needs an AlwaysRefCounted resource: ${DeclaredSentence<
  Resource,
  typeof notRefCountedBecause,
  Resource extends Ownable
    ? "this type has no refcount (it is Ownable, not AlwaysRefCounted); use Owned<...> for its single owner"
    : "this type does not declare the AlwaysRefCounted capability (extend RefCountedResource or AlwaysRefCounted)"
>}`;

/**
 * Why `Resource` is not {@link Ownable}, as the compiler prints it.
 *
 * @typeParam Resource - The resource type that lacks the capability.
 */
export type NotOwnableSentence<Resource> = `Owned needs an Ownable resource: ${DeclaredSentence<
  Resource,
  typeof notOwnableBecause,
  Resource extends AlwaysRefCounted
    ? "this type is AlwaysRefCounted, not Ownable; use ARef<...> to hold a counted reference"
    : "this type does not declare the Ownable capability (extend OwnableResource or Ownable)"
>}`;

/**
 * The constraints of {@link Owned} and {@link ARef}: the capability, or a sentence naming it.
 *
 * @remarks
 * Written as properties of an interface and used through an indexed access
 * (`CapabilityChecks<Resource>["ownable"]`) on purpose: a conditional type in a type parameter's own
 * constraint is circular, and a type alias would be printed by its name, hiding the sentence. The
 * indexed access is neither, so the compiler prints the expanded union with the sentence in it. A
 * generic `Resource extends Ownable` satisfies the first member of the union, so generic code keeps
 * working.
 *
 * @typeParam Resource - The type being checked.
 */
export interface CapabilityChecks<Resource> {
  /** `Ownable`, or the sentence saying why `Resource` has no single owner. */
  ownable: Ownable | TypeErrorText<NotOwnableSentence<Resource>>;
  /** `AlwaysRefCounted`, or the sentence saying why `Resource` has no refcount. */
  refCounted: AlwaysRefCounted | TypeErrorText<NotRefCountedSentence<Resource>>;
}

/**
 * The resource type behind a handle: `ResourceOf<Owned<GpuBuffer>>` and `ResourceOf<ARef<Texture>>`
 * are the class types, which carry no ownership operation; any other type is returned unchanged.
 *
 * @typeParam Handle - An `Owned`, `ARef` or plain resource type.
 */
export type ResourceOf<Handle> = Handle extends {
  /** The phantom resource type of a handle. */
  readonly [handledResource]?: infer Resource;
}
  ? unknown extends Resource
    ? Handle
    : Resource
  : Handle;
