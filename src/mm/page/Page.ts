/**
 * {@link Page}: one owned page of memory (`struct page`, order 0), never refcounted, with
 * closure-scoped mapping, checked and raw access, and physical-address conversions.
 *
 * @remarks
 * A page's lifetime belongs to whoever allocated it (thread 003: "'page' is too low-level an object
 * to have its own lifecycle"), so a page is held as `Owned<Page>` and asking for `ARef<Page>` does
 * not compile. Shared use on the TypeScript side is `Arc<Owned<Page>>` (thread 004). The class type
 * `Page` is the borrower's view: it has every method except the ones that free the page, so a
 * function that only reads or writes a page takes a `Page` and its caller keeps ownership.
 *
 * The access methods live in {@link PageAccess}, its base class. A second release of a freed page
 * goes to the core, which reports the double free (M19) with the allocation and free stacks in
 * debug mode.
 *
 * @module
 */
import { isObjectLike } from "../args.js";
import { PG_owner_priv_1, PG_free, __GFP_COMP, type Machine } from "../core/index.js";
import { kernelError } from "../errors.js";
import { OwnableResource, adoptOwned, assertUnsafe, notRefCountedBecause, unsafeActive, type IfAlreadyMoved, type Owned, type Unsafe } from "../ownership/index.js";
import { toPhysAddr, type PhysAddr } from "./addr.js";
import type { BorrowedPage } from "./BorrowedPage.js";
import { machineArg } from "./consts.js";
import type { Gfp } from "./gfp.js";
import { installPageHandle } from "./internal/page-handle.js";
import { PageAccess, pageHandle, type BorrowScope } from "./PageAccess.js";

/**
 * The scope of a handle handed over with `intoPhys`: never active. Kept in the borrow-scope field
 * (an owned page has no scope), so one field holds both rare cases and the common case costs a
 * single `undefined` test.
 */
const HANDED_OVER: BorrowScope = Object.freeze({ active: false, reason: "handed over with intoPhys" });

/** `release` of every owner, captured at load (see handOver). */
const ownerRelease = (OwnableResource.prototype as unknown as Owned<Page>).release;

// Set by Page's static block, which alone may call the constructor and the protected hooks.
let handOver: (page: Page) => void;
let makePage: (machine: Machine, pfn: number, gen: number, scope: BorrowScope | undefined) => Page;
let markWaiting: (page: Page) => void;

/**
 * One page of memory, owned by whoever allocated it; `Owned<Page>` is the owner, `Page` the
 * borrower's view.
 *
 * @invariant `(machine, pfn, gen)` named an order-0 page when the handle was made: a page from
 *   `alloc_page` for an owner, the page at that frame for a borrowed page.
 * @invariant An owned page goes back to the allocator exactly once, when its owner is released or
 *   disposed, unless it was handed over with {@link intoPhys}.
 * @invariant After {@link intoPhys} the handle is dead and the page carries `PG_owner_priv_1` until
 *   {@link Page.fromPhys} takes it back.
 * @invariant A borrowed page (from `borrowPhys`) is usable only while its `unsafe` block runs.
 *
 * @example
 * ```ts
 * {
 *   using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO);
 *   page.write(0, new Uint8Array([1, 2, 3]));
 *   page.withPageMapped((view) => view[1]); // 2
 * } // freed here
 *
 * type Counted = ARef<Page>;
 * // error TS2344: ... "ARef needs an AlwaysRefCounted resource: a page has no refcount; use Owned<Page>"
 * ```
 */
export class Page extends PageAccess {
  /** Why `ARef<Page>` does not compile; exists in the type only. */
  declare readonly [notRefCountedBecause]: "a page has no refcount; use Owned<Page>";

  /** The page's generation when the handle was made. */
  readonly #gen: number;
  /** A borrow's scope, {@link HANDED_OVER} after `intoPhys`, `undefined` for an owned page. */
  #scope: BorrowScope | undefined;

  private constructor(machine: Machine, pfn: number, gen: number, scope: BorrowScope | undefined) {
    super(machine, pfn);
    this.#gen = gen;
    this.#scope = scope;
  }

  static {
    installPageHandle((page, op) => {
      // SAFETY: Page is the only subclass of PageAccess, whose constructor is internal; the brand
      // check refuses `Object.create(Page.prototype)`, a Proxy and any non-object `this`.
      const handle = page as Page;
      if (!isObjectLike(handle) || !(#gen in handle)) throw kernelError("EINVAL", op, "not a Page", { page: page });
      const scope = handle.#scope;
      // The token's private state decides, never a property a caller could have set.
      if (scope !== undefined && (scope === HANDED_OVER || !unsafeActive(scope))) {
        if (scope === HANDED_OVER) throw kernelError("EFAULT", op, "page was handed over with intoPhys", { pfn: handle.pfn });
        throw kernelError("EFAULT", op, "borrowed page used after its unsafe block ended", { pfn: handle.pfn, reason: scope.reason });
      }
      return handle.#gen;
    }, (page) => {
      // SAFETY: as above; a scope other than HANDED_OVER is the token borrowPhys was given.
      const scope = (page as Page).#scope;
      return scope === undefined || scope === HANDED_OVER ? undefined : (scope as Unsafe<unknown>);
    });
    handOver = (page) => {
      pageHandle(page, "into_phys");
      if (!page.isLive) throw kernelError("EALREADY", "into_phys", "page was already released", { pfn: page.pfn });
      // A page handed over while mapped would reach its next owner through the live mapping.
      page.machine.checkUnmapped("into_phys", page.pfn, 0);
      const before = page.#scope;
      page.#scope = HANDED_OVER;
      try {
        // SAFETY: release exists on every OwnableResource; a borrowed page throws EPERM from it.
        // The prototype's release, not a property the caller may have redefined on the instance
        // (a no-op there would leave the page neither released nor marked as waiting).
        const owner: Owned<Page> = page as Owned<Page>;
        Reflect.apply(ownerRelease, owner, []);
      } catch (error) {
        page.#scope = before;
        throw error;
      }
    };
    makePage = (machine, pfn, gen, scope) => new Page(machine, pfn, gen, scope);
    markWaiting = (page) => {
      // INVARIANT: the mark tells fromPhys that the page is waiting for an owner.
      page.machine.setPageFlag(page.pfn, page.#gen, PG_owner_priv_1);
    };
  }

  /**
   * Allocates one page (`alloc_page(gfp)`) with the caller's GFP flags.
   *
   * @param gfp - `GFP_KERNEL`, `GFP_KERNEL | __GFP_ZERO`, `GFP_HIGHUSER`, ...; without `__GFP_ZERO`
   *   the bytes are whatever the page last held. `__GFP_COMP` is refused: a page is not a folio.
   * @param machine - The machine; the default machine when omitted.
   * @returns The page's single owner.
   * @throws KernelError `EINVAL` for unknown flags, `__GFP_COMP` or a non-`Machine`; `ENOMEM` when
   *   no page is free. The machine is unchanged on error.
   *
   * @example
   * ```ts
   * using page: Owned<Page> = Page.alloc(GFP_HIGHUSER | __GFP_ZERO, machine);
   * Page.alloc(0x10000000); // KernelError EINVAL: alloc_pages: unknown GFP flags
   * ```
   */
  static alloc(gfp: Gfp, machine?: Machine): Owned<Page> {
    const target = machineArg("alloc_page", machine);
    if ((typeof gfp === "number" && (gfp >>> 0) === gfp) && (gfp & __GFP_COMP) !== 0) throw compoundRefused(gfp);
    const pfn = target.allocPages(gfp, 0);
    // INVARIANT: a fresh order-0 page with its allocation reference, held by this owner only.
    return adoptOwned(makePage(target, pfn, target.pageGen(pfn), undefined));
  }

  /**
   * Takes back the ownership of a page given away with {@link intoPhys} (`Page::from_phys`).
   *
   * @safety
   * - `addr` came from {@link intoPhys} and nobody has taken it back since (the run time checks
   *   this one: a second call fails).
   * - Nothing that was given the address still uses the page as its own after this call.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param addr - The page-aligned physical address `intoPhys` handed out.
   * @param machine - The machine; the default machine when omitted.
   * @returns The page's owner again.
   * @throws KernelError `EBUSY` "the page already has an owner" when the page was not handed over
   *   or was already taken back (M27); `EINVAL` for a bad or unaligned address, a frame that is not
   *   RAM, or a page that is not an order-0 allocation; `EFAULT` for a free page; `EPERM` for a
   *   token whose block ended.
   *
   * @example
   * ```ts
   * const addr = page.phys();
   * intoPhys(page);
   * const back: Owned<Page> = unsafe("SAFETY: addr came from intoPhys above", (token) => Page.fromPhys(token, addr));
   * unsafe("SAFETY: wrong, taken back already", (token) => Page.fromPhys(token, addr));
   * // KernelError EBUSY: from_phys: the page already has an owner (pfn=...)
   * ```
   */
  static fromPhys<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): Owned<Page> {
    const op = "from_phys";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    if (!target.pfnValid(pfn) || !target.pageIsRam(pfn)) throw kernelError("EINVAL", op, "address is not RAM with a struct page", { addr, pfn });
    const flags = target.pageFlags(pfn);
    if (!target.isAllocated(pfn)) {
      if ((flags & PG_free) !== 0) throw kernelError("EFAULT", op, "page is free", { addr, pfn });
      throw kernelError("EINVAL", op, "page is reserved, not allocated", { addr, pfn });
    }
    if (target.blockHead(pfn) !== pfn || target.pageOrder(pfn) !== 0 || target.isCompoundHead(pfn)) {
      throw kernelError("EINVAL", op, "not an order-0 page", { addr, pfn, order: target.pageOrder(target.blockHead(pfn)) });
    }
    if ((flags & PG_owner_priv_1) === 0) {
      throw kernelError("EBUSY", op, "the page already has an owner (it was not handed over with intoPhys, or was taken back)", { addr, pfn });
    }
    const gen = target.pageGen(pfn);
    // INVARIANT: clearing the hand-over mark makes this the page's only owner; a second call fails above.
    target.clearPageFlag(pfn, gen, PG_owner_priv_1);
    return adoptOwned(makePage(target, pfn, gen, undefined));
  }

  /**
   * Borrows the page at a physical address, after checking that it has a `struct page` and is RAM
   * (`Page::borrow_phys`); `null` for holes, MMIO and other non-RAM frames.
   *
   * @safety
   * - The page stays allocated (or reserved) and is not freed by its owner while the borrow is used.
   * - Accesses follow the rules of {@link Page.readRaw}: concurrent accesses to the same bytes are
   *   both reads, both atomic, or to disjoint ranges.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime, which bounds the borrow.
   * @param token - Proof of an `unsafe(reason, ...)` block; the borrow ends with the block.
   * @param addr - A page-aligned physical address.
   * @param machine - The machine; the default machine when omitted.
   * @returns The borrowed page, or `null` when no RAM page is there (M28).
   * @throws KernelError `EINVAL` for a bad or unaligned address; `EPERM` for a token whose block ended.
   *
   * @example
   * ```ts
   * unsafe("SAFETY: the firmware table is reserved RAM, never freed", (token) => {
   *   const table = Page.borrowPhys(token, tableAddr);
   *   return table?.read(0, 16);
   * });
   * Page.borrowPhys(token, mmioAddr); // null
   * table.release(); // error TS2339: Property 'release' does not exist on type 'BorrowedPage<Lifetime>'.
   * ```
   */
  static borrowPhys<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): BorrowedPage<Lifetime> | null {
    const op = "borrow_phys";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    if (!target.pfnValid(pfn) || !target.pageIsRam(pfn)) return null;
    // SAFETY: a never-adopted Page is the borrower's view; the brand exists in types only, and the
    // token bounds the borrow at run time too.
    return makePage(target, pfn, target.pageGen(pfn), token) as BorrowedPage<Lifetime>;
  }

  /**
   * Borrows the page at a physical address without checking that it is RAM
   * (`Page::borrow_phys_unchecked`).
   *
   * @safety
   * - `addr` is the address of a RAM page with a `struct page` (for example one from {@link intoPhys}
   *   or a page-table walk over pages the caller allocated).
   * - The rules of {@link Page.borrowPhys} hold.
   *
   * @typeParam Lifetime - The `unsafe` block's lifetime, which bounds the borrow.
   * @param token - Proof of an `unsafe(reason, ...)` block.
   * @param addr - A page-aligned physical address below the end of RAM.
   * @param machine - The machine; the default machine when omitted.
   * @returns The borrowed page; accesses to a hole or MMIO frame fail in the core with `EFAULT`.
   * @throws KernelError `EINVAL` for a bad or unaligned address or a frame without metadata;
   *   `EPERM` for a token whose block ended.
   */
  static borrowPhysUnchecked<Lifetime>(token: Unsafe<Lifetime>, addr: PhysAddr, machine?: Machine): BorrowedPage<Lifetime> {
    const op = "borrow_phys_unchecked";
    assertUnsafe(token, op);
    const target = machineArg(op, machine);
    const pfn = frameOf(op, target, addr);
    const gen = target.pageGen(pfn);
    // SAFETY: as in borrowPhys; the caller vouched for RAM (see @safety).
    return makePage(target, pfn, gen, token) as BorrowedPage<Lifetime>;
  }

  /** Names the page in ownership errors: `Page pfn 0x10 (phys 0x10000, Normal)`. */
  protected override describeResource(): string {
    return `Page ${this.machine.describePfn(this.pfn)}`;
  }

  /** Frees the page (`__free_pages(page, 0)`), or marks it handed over for {@link intoPhys}. */
  protected override drop(): void {
    if (this.#scope === HANDED_OVER) markWaiting(this);
    else this.machine.freePages(this.pfn, this.#gen, 0);
  }

  /** A second release: the core judges the stale handle, so debug mode reports both stacks (M19). */
  protected override releasedAgain(op: string): void {
    const gen = this.#gen;
    if (this.#scope === HANDED_OVER) {
      throw kernelError("EALREADY", op, "page was handed over with intoPhys; take it back with Page.fromPhys", { pfn: this.pfn });
    }
    const machine = this.machine;
    // A page that is free, or was reallocated since, makes the core throw its double-free report.
    if (!machine.isAllocated(this.pfn) || machine.pageGen(this.pfn) !== gen) machine.freePages(this.pfn, gen, 0);
  }
}

/** The error of `Page.alloc` with `__GFP_COMP`; out of line to keep the allocation path short. */
function compoundRefused(gfp: Gfp): Error {
  return kernelError("EINVAL", "alloc_page", "__GFP_COMP makes a folio, not a page; use Folio.alloc", { gfp });
}

/** Checks an address argument and returns its frame number; the address must be page-aligned. */
function frameOf(op: string, machine: Machine, addr: PhysAddr): number {
  toPhysAddr(addr);
  if (addr % machine.pageSize !== 0) throw kernelError("EINVAL", op, "address is not page-aligned", { addr, pageSize: machine.pageSize });
  // A frame beyond 32 bits has no metadata: the checked borrow returns null, the others fail.
  return addr / machine.pageSize;
}

/**
 * Gives up the ownership of a page and leaves it allocated, to be found again by its physical
 * address (`Page::into_phys`); the binding is consumed.
 *
 * @remarks
 * TypeScript assertion functions return nothing, so read the address first with `page.phys()`,
 * then hand the page over; any later use of `page` does not compile (M3). The page is marked so
 * that exactly one {@link Page.fromPhys} can take it back.
 *
 * @typeParam Owner - The owner's type as the caller's binding has it.
 * @param page - The owner.
 * @param moved - Nothing; demanded only when `page` was already moved (a second `intoPhys` does not compile).
 * @throws KernelError `EPERM` for a borrowed page; `EALREADY` for a page already released or
 *   handed over; `EINVAL` when `page` is not a `Page`.
 *
 * @example
 * ```ts
 * const page: Owned<Page> = Page.alloc(GFP_KERNEL);
 * const addr: PhysAddr = page.phys();
 * intoPhys(page);
 * page.phys(); // error TS2339: Property 'phys' does not exist on type 'never'.
 * ```
 */
export function intoPhys<Owner extends Owned<Page>>(page: Owner, ...moved: IfAlreadyMoved<Owner>): asserts page is never {
  void moved;
  // handOver checks the brand first (through pageHandle), before any state is read.
  handOver(page);
}
