/**
 * The accessors of a page handle's private state, for {@link PageAccess}'s methods. The state lives
 * in `Page`, the leaf class, which installs them from its static block. Internal to mm.
 *
 * @remarks
 * The fields belong to the leaf class because on Node 20 (V8 11) a base class that declares fields
 * makes every construction of a subclass go through a call that is not inlined (about 20 ns per
 * page), while a leaf class's fields cost what plain stores do.
 *
 * @module
 */
import type { Unsafe } from "../../ownership/index.js";
import type { PageAccess } from "../PageAccess.js";

/**
 * The generation of a page handle after checking that the handle may be used: not handed over with
 * `intoPhys`, and for a borrow, its `unsafe` block still running.
 *
 * @throws KernelError `EFAULT` otherwise.
 */
export let handleOf: (page: PageAccess, op: string) => number;

/**
 * The `unsafe` token that bounds a borrowed page (`Page.borrowPhys`), or `undefined` for an owned
 * page: what a mapping of the page must end with.
 */
export let scopeTokenOf: (page: PageAccess) => Unsafe<unknown> | undefined;

/**
 * Installs the accessors; called once, by `Page`'s static block.
 *
 * @param check - The checked accessor of {@link handleOf}.
 * @param scope - The accessor of {@link scopeTokenOf}.
 */
export function installPageHandle(check: (page: PageAccess, op: string) => number, scope: (page: PageAccess) => Unsafe<unknown> | undefined): void {
  handleOf = check;
  scopeTokenOf = scope;
}
