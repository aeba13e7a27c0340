/**
 * The handle state shared by {@link OwnableResource} and {@link RefCountedResource}: the four states
 * of a handle and the stamping base class of the leaf class that holds one. Internal to ownership.
 *
 * @remarks
 * Each resource base class keeps its handle's state in a hard-private field. The field could be
 * declared in the base class itself, but on Node 20 (V8 11) a base class that declares fields makes
 * every subclass construction go through a call that is not inlined (about 20 ns); a field defined
 * by a small leaf class, stamped onto the existing handle by `new LeafState(handle)` through
 * {@link FieldStamp}, costs what an ordinary store does.
 *
 * The leaf class is declared in each base class's own module, on purpose, as:
 *
 * ```ts
 * class OwnerState extends FieldStamp {
 *   #state: number = FRESH;
 *   static {
 *     hasState = (value) => typeof value === "object" && value !== null && #state in value;
 *     stateOf = (handle) => (handle as unknown as OwnerState).#state;
 *     setState = (handle, state) => { (handle as unknown as OwnerState).#state = state; };
 *   }
 * }
 * ```
 *
 * A class made here for both (a factory, or one shared class) would give both modules the same
 * function literals: V8 then shares their feedback between `Owned` and `ARef` handles, and folio
 * allocation measured about a third slower. Two literals also keep two distinct private fields, so
 * neither module's accessors can read the other's state.
 *
 * The modules copy the state constants into module-local constants
 * (`const { FRESH, LIVE, CONSUMED, DISPOSED } = handleStates`): optimised code loads an imported
 * binding on every use, and `release()` measured about 1 ns slower with the imports used directly.
 *
 * @module
 */

/** Not adopted by a handle yet: a borrower's view. */
export const FRESH = 0;
/** Adopted: the handle owns the resource or holds a reference. */
export const LIVE = 1;
/** Released, put or converted explicitly. */
export const CONSUMED = 2;
/** Released or put by disposal. */
export const DISPOSED = 3;

/**
 * Being released: `drop()` (or the decrement) is running. The handle is already dead, so a call
 * re-entered from the cleanup is `EALREADY`; a cleanup that throws puts the handle back to
 * {@link LIVE}, so the failed call changed nothing.
 */
export const RELEASING = 4;

/** One of {@link FRESH}, {@link LIVE}, {@link CONSUMED}, {@link DISPOSED} and {@link RELEASING}. */
export type HandleStateValue = typeof FRESH | typeof LIVE | typeof CONSUMED | typeof DISPOSED | typeof RELEASING;

/** Tells whether a handle has a state field: set by the leaf class's static block (a brand check). */
export type StateBrand = (value: unknown) => boolean;

/** Reads the state field of a handle: set by the leaf class's static block, its only reader. */
export type StateReader<Handle> = (handle: Handle) => number;

/** Writes the state field of a handle: set by the leaf class's static block, its only writer. */
export type StateWriter<Handle> = (handle: Handle, state: HandleStateValue) => void;

/**
 * A constructor that returns the object it is given, so that a subclass's fields are defined on
 * that object instead of a new one: the base of each module's leaf state class.
 */
export class FieldStamp {
  /**
   * Makes `target` the object being constructed.
   *
   * @param target - The handle the subclass's fields are defined on.
   */
  constructor(target: object) {
    // SAFETY: By ECMAScript's [[Construct]] semantics, a constructor returning an object makes that
    // object the result of `new` (and the `this` of a subclass's field initialisers); FieldStamp
    // declares no member, so none is missing.
    return target as FieldStamp;
  }
}
