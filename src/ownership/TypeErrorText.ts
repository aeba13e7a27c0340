/**
 * Readable compile errors: a type that makes the compiler print a sentence instead of `never`.
 *
 * @remarks
 * TypeScript reports a failed constraint or assignment by printing the types involved. When one of
 * them is an object type whose only key is a sentence, the sentence ends up in the diagnostic:
 *
 * ```text
 * error TS2344: Type 'GpuBuffer' does not satisfy the constraint 'AlwaysRefCounted |
 *   TypeErrorText<"ARef needs an AlwaysRefCounted resource: this type has no refcount; ...">'.
 * ```
 *
 * Every constraint in `ownership/` is built this way, so a misuse explains itself on every supported
 * compiler (TypeScript 5.2 to 5.9 and the TS 7 native compiler print it identically).
 *
 * @module
 */

/**
 * An object type whose single key is a sentence, used where a constraint or result must fail with
 * an explanation.
 *
 * @remarks
 * Use it as one member of a union constraint (`Capability | TypeErrorText<"...">`) so that a type
 * with the capability passes and any other type fails with the sentence printed, or as the result of
 * a conditional type (see {@link NoEscape}) so that returning the offending value fails the same way.
 * Keep the sentence a full statement of what is wrong and what to do instead.
 *
 * @typeParam Sentence - The explanation the compiler prints.
 *
 * @example
 * ```ts
 * type NeedsNumber<Value> = Value extends number ? Value : TypeErrorText<"expected a number here">;
 * const bad: NeedsNumber<string> = "x";
 * // error TS2322: Type 'string' is not assignable to type 'TypeErrorText<"expected a number here">'.
 * ```
 */
export type TypeErrorText<Sentence extends string> = {
  // `never`: no ordinary value satisfies a TypeErrorText by accident.
  readonly [Key in Sentence]: never;
};
