/**
 * `kmap_local` guards of pages: {@link KmapLocal}, made by {@link kmapLocal}, released in LIFO order,
 * disposable with `using`. (Folio mappings are closure-scoped: `MapGuard` in `mm/folio`.)
 *
 * @remarks
 * A local mapping belongs to the CPU that made it and lives on that CPU's stack of slots (15 per CPU,
 * 16 with the debug guard layout). `using` releases guards in reverse order of creation, which is
 * exactly the rule `kunmap_local` has:
 *
 * ```ts
 * {
 *   using outer: KmapLocal = kmapLocal(first);
 *   using inner: KmapLocal = kmapLocal(second);
 *   inner.view.set(outer.view.subarray(0, 16));
 * } // inner unmapped, then outer
 * ```
 *
 * What `using` cannot stop, the core catches: releasing a guard that is not the innermost (`EINVAL`
 * naming both mappings, slots unchanged, M22), a 16th nested mapping (`ENOSPC`, earlier mappings
 * untouched, M23), and using or releasing a guard from another CPU (`EPERM`, M24). The core checks
 * LIFO on every machine, HIGHMEM or not; upstream `kunmap_local` is a no-op without HIGHMEM, which
 * hides out-of-order code until it meets a HIGHMEM machine.
 *
 * @module
 */
import { checkIndex } from "../../args.js";
import type { Machine } from "../../core/index.js";
import { kernelError } from "../../errors.js";
import { whenUnsafeEnds } from "../../ownership/index.js";
import { pageFriend, type Page } from "./Page.js";
import { privateConstructor } from "../internal/mm-args.js";

// Module-local copies of the friend's members: optimised code calls a module's own constant
// directly, where a property of an imported object is loaded on every call.
const { handle: pageHandle, scopeToken: scopeTokenOf, machine: pageMachine, pfn: pagePfn } = pageFriend;

/** The key of `KmapLocal`'s constructor: module-local, so only `kmapLocal` constructs a guard. */
const KMAP_KEY: unique symbol = Symbol("KmapLocal");

/** What `KmapLocal`'s static block grants to {@link kmapLocal}, in this file only. */
interface KmapLocalFriend {
  /** Makes a guard (the private constructor). */
  readonly make: (machine: Machine, id: number) => KmapLocal;
  /** Ends a live guard's scope: its view fails from now on, naming `why`. */
  readonly endScope: (guard: KmapLocal, why: string) => void;
}

/** Set by `KmapLocal`'s static block, the only code that constructs a guard or ends its scope. */
let friend: KmapLocalFriend;

/**
 * A live `kmap_local` mapping: its view, and its release.
 *
 * @invariant While the guard is live, `id` names a live mapping on the CPU that made it.
 *
 * @example
 * ```ts
 * declare const page: Owned<Page>;
 *
 * using map: KmapLocal = kmapLocal(page);
 * map.view[0] = 1;
 *
 * const a: KmapLocal = kmapLocal(page);
 * const b: KmapLocal = kmapLocal(page);
 * a.unmap(); // KernelError EINVAL: kunmap_local: mappings must be released in LIFO order
 *            //   (expected="kmap_local#2 (...)", actual="kmap_local#1 (...)")
 * ```
 */
export class KmapLocal implements Disposable {
  // Private, read through accessors: a guard whose `id` could be reassigned would show (and
  // release) another mapping of the same CPU, another owner's page.
  readonly #machine: Machine;
  readonly #id: number;
  #live = true;
  /** Why the mapping's scope ended before the guard was released (a borrowed page's block), or `""`. */
  #scopeEnded = "";

  private constructor(key: typeof KMAP_KEY, machine: Machine, id: number) {
    // `private` binds the type only: the module-local key refuses a guard over another mapping's id.
    if (key !== KMAP_KEY) throw privateConstructor("KmapLocal", "kmapLocal(page)");
    this.#machine = machine;
    this.#id = id;
  }

  /** The machine the mapping lives on. */
  get machine(): Machine {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "kmap_local_machine", "not a KmapLocal guard", {});
    return this.#machine;
  }

  /** The core's mapping id. */
  get id(): number {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "kmap_local_id", "not a KmapLocal guard", {});
    return this.#id;
  }

  static {
    friend = {
      make: (machine, id) => new KmapLocal(KMAP_KEY, machine, id),
      endScope: (guard, why) => {
        if (!guard.#live) return;
        guard.#scopeEnded = why;
        guard.#machine.endLocalViews(guard.#id, why);
      },
    };
  }

  /**
   * The mapped bytes: from the mapped offset to the end of the page (to the end of the block for a
   * lowmem block mapped by a folio handle on a machine without force-map).
   *
   * @remarks
   * Each read asks the core, which checks the CPU and that the mapping is live; read it once into a
   * local. Stop using it when the guard is released: with `debug.views` (on with `debug: true`) a
   * kept view then fails with `EFAULT` at its next use; without it a view cannot be revoked.
   *
   * @throws KernelError `EPERM` on another CPU than the one that mapped it (M24); `EFAULT` after release,
   *   and for a borrowed page's mapping after the page's `unsafe` block ended (M39).
   */
  get view(): Uint8Array {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "kmap_local_view", "not a KmapLocal guard", {});
    if (this.#scopeEnded !== "") {
      throw kernelError("EFAULT", "kmap_local_view", "mapping of a borrowed page used after its unsafe block ended", { id: this.#id, scope: this.#scopeEnded });
    }
    return this.#machine.kmapLocalView(this.#id);
  }

  /** Whether the mapping has not been released yet. */
  get live(): boolean {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "kmap_local_live", "not a KmapLocal guard", {});
    return this.#live;
  }

  /**
   * Releases the mapping (`kunmap_local`).
   *
   * @remarks
   * Does not narrow the binding (an assertion method would reject unannotated bindings, TS2775);
   * `drop(guard)` does, and `using` needs neither.
   *
   * @throws KernelError `EINVAL` naming the expected and the actual mapping when this is not the
   *   CPU's innermost mapping, nothing released (M22); `EPERM` from another CPU (M24); `EFAULT` when
   *   already released.
   */
  unmap(): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "kunmap_local", "not a KmapLocal guard", {});
    this.#release("kunmap_local");
  }

  /** Releases the mapping unless it was already released; called by `using`. */
  [Symbol.dispose](): void {
    if (typeof this !== "object" || this === null || !(#live in this)) throw kernelError("EINVAL", "dispose", "not a KmapLocal", { self: this });
    if (this.#live) this.#release("kunmap_local");
  }

  #release(op: string): void {
    if (!this.#live) throw kernelError("EFAULT", op, "mapping was already released", { id: this.#id });
    this.#machine.kunmapLocal(this.#id);
    // INVARIANT: the guard turns dead only after the core released its slot.
    this.#live = false;
  }
}

/**
 * Maps a page on the current CPU (`kmap_local_page`), for HIGHMEM pages and any other page.
 *
 * @param page - An owned or borrowed page.
 * @param offset - The first mapped byte, `0 <= offset < PAGE_SIZE`; 0 when omitted.
 * @returns A guard whose view runs from `offset` to the end of the page; release it with `using`.
 * @throws KernelError `ENOSPC` for the 16th nested mapping (M23); `EINVAL` for a bad offset;
 *   `EFAULT` for a freed page or one handed over with `intoPhys`.
 *
 * @example
 * ```ts
 * declare const page: Owned<Page>;
 *
 * using map: KmapLocal = kmapLocal(page, 128);
 * map.view.length; // PAGE_SIZE - 128
 * ```
 */
export function kmapLocal(page: Page, offset = 0): KmapLocal {
  const op = "kmap_local_page";
  const gen = pageHandle(page, op);
  // The page's own state, not its `machine` and `pfn` properties (an own property could shadow them).
  const machine = pageMachine(page);
  checkIndex(op, "offset", offset, machine.pageSize);
  const guard = friend.make(machine, machine.kmapLocal(pagePfn(page), gen, offset, "write", op));
  const token = scopeTokenOf(page);
  // INVARIANT: a mapping of a borrowed page ends with the unsafe block that bounds the borrow.
  if (token !== undefined) whenUnsafeEnds(token, () => friend.endScope(guard, `unsafe block ended: ${token.reason}`));
  return guard;
}
