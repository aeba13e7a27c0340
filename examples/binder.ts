/**
 * Binder transactions (thread 001): processes send each other thousands of buffers that are copied
 * straight into pages of the receiver's mapped region.
 *
 * What each step shows, with the thread's rule:
 *
 * - **Every process maps a 4 MiB region** for its incoming transactions, and a **range allocator**
 *   hands out byte ranges of it (best fit, merging freed neighbours; `lib/range-allocator.ts`).
 * - **Pages are allocated lazily**, when a range first uses them, as `Owned<Page>` with the GFP
 *   flags the *caller* chooses (`GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO`, binder's own), not flags
 *   hard-wired into `Page` ("Pages are not necessarily allocated with GFP_HIGHMEM, nor are they
 *   necessarily zeroed").
 * - **The sender copies directly into the receiver's pages** through a local mapping, one page at a
 *   time (`withPointerIntoPage`: the view is valid for the page only, only inside the closure).
 * - **The receiver reads through `kmapLocal`** bound with `using`, so the mapping is released in
 *   LIFO order even if verification throws, checks the checksum and frees the range.
 * - **Pages no range uses go on an LRU list** instead of being freed, and a **shrinker** frees them
 *   under memory pressure: here when the driver holds more pages than a budget, and once explicitly
 *   at the end (`lib/binder-lru.ts`).
 *
 * The copy loop is written against a {@link PageStore} strategy: {@link runBinder} runs it on the
 * kit's pages, {@link runBinderPlain} on plain `ArrayBuffer` pages with identical logic, so a
 * benchmark can compare the two.
 *
 * @module
 */
import { GFP_KERNEL, Page, isKernelError, __GFP_HIGHMEM, __GFP_ZERO, kmapLocal, type Gfp, type KmapLocal, type Owned } from "ownkit";
import { defaultMachine, type Machine } from "ownkit/core";
import { BinderShrinker, PageLru } from "./lib/binder-lru.js";
import { BinderProcess, CHECKSUM_SEED, fnv1a, type PageCounters, type PageStore } from "./lib/binder-process.js";
import { bytes, heading, int, rows, stdout, type Write } from "./lib/format.js";
import { Prng } from "./lib/prng.js";

export { fnv1a, type PageStore } from "./lib/binder-process.js";

/** The knobs of a binder run. */
export interface BinderOptions {
  /** Transactions to send (default 10,000). */
  readonly transactions?: number;
  /** Processes taking part (default 3). */
  readonly processes?: number;
  /** Bytes of each process's region (default 4 MiB). */
  readonly regionSize?: number;
  /** Pages the driver may hold before the shrinker runs (default 96). */
  readonly pageBudget?: number;
  /** The PRNG seed (default 2024). */
  readonly seed?: number;
}

/** What a binder run did. */
export interface BinderResult {
  /** The page store's name. */
  readonly store: string;
  /** Processes taking part. */
  readonly processes: number;
  /** Transactions sent, delivered, read back and verified. */
  readonly transactions: number;
  /** Transactions whose checksum did not match (0 when the copy is correct). */
  readonly checksumFailures: number;
  /** Bytes copied into receivers' pages. */
  readonly bytesCopied: number;
  /** Wall time of the transaction loop in milliseconds. */
  readonly elapsedMs: number;
  /** Pages allocated because a range first used them. */
  readonly pagesAllocated: number;
  /** Pages reused from the LRU list without a new allocation. */
  readonly pagesReusedFromLru: number;
  /** Pages freed by the shrinker when the driver went over its budget. */
  readonly pagesReclaimedUnderPressure: number;
  /** Shrinker scans that freed pages under pressure. */
  readonly shrinkerRuns: number;
  /** The page budget. */
  readonly pageBudget: number;
  /** The most pages held at once. */
  readonly peakLivePages: number;
  /** Halfway through: pages held, pages used by ranges, pages on the LRU list. */
  readonly midway: { readonly live: number; readonly inUse: number; readonly lru: number; readonly present: number };
  /** After every transaction was read: pages held and on the LRU list, before the explicit shrink. */
  readonly drained: { readonly live: number; readonly inUse: number; readonly lru: number };
  /** Pages freed by the explicit shrink at the end. */
  readonly pagesReclaimedExplicitly: number;
  /** Pages held at the end (0: the explicit shrink freed every unused page). */
  readonly livePages: number;
  /** Pages used by ranges at the end (0). */
  readonly pagesInUse: number;
}

const PROCESS_NAMES = ["surfaceflinger", "system_server", "camera.provider", "media.codec", "app"];

/** A transaction size: mostly a few hundred bytes, some kilobytes, a few tens of KiB. */
function transactionSize(prng: Prng): number {
  const roll = prng.float();
  if (roll < 0.88) return prng.int(24, 512);
  if (roll < 0.98) return prng.int(1024, 8192);
  return prng.int(16 * 1024, 64 * 1024);
}

/**
 * Runs the binder workload on any page store: the shared core loop.
 *
 * @typeParam Handle - How the store holds a page.
 * @param store - The page store.
 * @param options - The run's knobs.
 * @returns What happened.
 */
export function runBinderWith<Handle>(store: PageStore<Handle>, options: BinderOptions = {}): BinderResult {
  const transactions = options.transactions ?? 10_000;
  const nrProcesses = options.processes ?? 3;
  const regionSize = options.regionSize ?? 4 << 20;
  const pageBudget = options.pageBudget ?? 96;
  const prng = new Prng(options.seed ?? 2024);
  const pageSize = store.pageSize;
  const counters: PageCounters = { allocated: 0, reusedFromLru: 0, live: 0, inUse: 0 };
  const lru = new PageLru(regionSize / pageSize);
  const shrinker = new BinderShrinker(lru);
  const procs: BinderProcess<Handle>[] = [];
  for (let id = 0; id < nrProcesses; id++) {
    const user = prng.fill(new Uint8Array(128 * 1024));
    procs.push(new BinderProcess(id, PROCESS_NAMES[id % PROCESS_NAMES.length]!, regionSize, store, lru, counters, user));
  }
  const drainAt = procs.map(() => prng.int(4, 48));
  let bytesCopied = 0;
  let delivered = 0;
  let failures = 0;
  let peak = 0;
  let midway = { live: 0, inUse: 0, lru: 0, present: 0 };

  // The receiver reads every pending transaction, checks it and frees its range.
  const drain = (receiver: BinderProcess<Handle>): void => {
    for (const tx of receiver.pending) {
      let sum = CHECKSUM_SEED;
      for (let at = tx.start, end = tx.start + tx.length; at < end; ) {
        const offset = at % pageSize;
        const len = Math.min(pageSize - offset, end - at);
        sum = store.checksum(receiver.page((at - offset) / pageSize), offset, len, sum);
        at += len;
      }
      if (sum !== tx.sum) failures++;
      const span = receiver.ranges.free(tx.start);
      receiver.unusePages(tx.start, span);
      delivered++;
    }
    receiver.pending.length = 0;
  };

  const started = performance.now();
  for (let n = 0; n < transactions; n++) {
    const sender = procs[prng.int(0, nrProcesses - 1)]!;
    let receiver = procs[prng.int(0, nrProcesses - 2)]!;
    if (receiver === sender) receiver = procs[nrProcesses - 1]!;
    const length = transactionSize(prng);
    const from = prng.int(0, sender.userBuffer.length - length);

    // Reserve a range in the receiver's region; a full region makes the receiver catch up first.
    let start: number;
    try {
      start = receiver.ranges.alloc(length);
    } catch (error) {
      if (!isKernelError(error) || error.errno !== "ENOSPC") throw error;
      drain(receiver);
      start = receiver.ranges.alloc(length);
    }
    const span = receiver.ranges.lengthOf(start) ?? length;
    receiver.usePages(start, span);
    peak = Math.max(peak, counters.live);
    // Memory pressure: over budget, the shrinker frees unused pages (never ones a range uses).
    if (counters.live > pageBudget) shrinker.scan(counters.live - pageBudget + 8);

    // Copy from the sender's buffer straight into the receiver's pages, one page at a time.
    for (let at = start, src = from, end = start + length; at < end; ) {
      const offset = at % pageSize;
      const len = Math.min(pageSize - offset, end - at);
      store.copyIn(receiver.page((at - offset) / pageSize), offset, sender.userBuffer, src, len);
      at += len;
      src += len;
    }
    bytesCopied += length;
    receiver.pending.push({ start, length, sum: fnv1a(sender.userBuffer, from, from + length, CHECKSUM_SEED) });
    if (receiver.pending.length >= drainAt[receiver.id]!) {
      drain(receiver);
      drainAt[receiver.id] = prng.int(4, 48);
    }
    if (n === transactions >> 1) {
      midway = { live: counters.live, inUse: counters.inUse, lru: lru.length, present: procs.reduce((s, p) => s + p.presentPages, 0) };
    }
  }
  for (const proc of procs) drain(proc);
  const elapsedMs = performance.now() - started;
  const drained = { live: counters.live, inUse: counters.inUse, lru: lru.length };
  const underPressure = shrinker.reclaimed;
  const runs = shrinker.runs;
  // An explicit shrink (as `echo 2 > drop_caches` would ask): free every unused page.
  const explicit = shrinker.scan(shrinker.count());
  return {
    store: store.kind,
    processes: nrProcesses,
    transactions: delivered,
    checksumFailures: failures,
    bytesCopied,
    elapsedMs,
    pagesAllocated: counters.allocated,
    pagesReusedFromLru: counters.reusedFromLru,
    pagesReclaimedUnderPressure: underPressure,
    shrinkerRuns: runs,
    pageBudget,
    peakLivePages: peak,
    midway,
    drained,
    pagesReclaimedExplicitly: explicit,
    livePages: counters.live,
    pagesInUse: counters.inUse,
  };
}

/**
 * The kit's page store: `Owned<Page>` pages allocated with the caller's GFP flags, written through
 * `withPointerIntoPage` and read through `kmapLocal`.
 *
 * @param machine - The machine to allocate from.
 * @param gfp - The GFP flags binder chooses for its pages.
 * @returns The store.
 */
export function kitPageStore(machine: Machine, gfp: Gfp = GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO): PageStore<Owned<Page>> {
  return {
    kind: "Owned<Page> + kmap_local",
    pageSize: machine.pageSize,
    alloc: () => Page.alloc(gfp, machine),
    free(page: Owned<Page>): void {
      page.release();
    },
    copyIn(page, offset, src, srcStart, len): void {
      // The view covers exactly [offset, offset + len) of this page and dies with the closure.
      page.withPointerIntoPage(offset, len, (view) => {
        view.set(src.subarray(srcStart, srcStart + len));
      });
    },
    checksum(page, offset, len, sum): number {
      // `using` releases the local mapping when the block ends: LIFO by construction.
      using map: KmapLocal = kmapLocal(page, offset);
      return fnv1a(map.view, 0, len, sum);
    },
  };
}

/**
 * A plain page store: each page is a `Uint8Array` over its own `ArrayBuffer`; no checks, no
 * mappings. The baseline for the benchmark.
 *
 * @param pageSize - Bytes per page (default 4096).
 * @returns The store.
 */
export function plainPageStore(pageSize = 4096): PageStore<Uint8Array> {
  return {
    kind: "plain ArrayBuffer",
    pageSize,
    alloc: () => new Uint8Array(new ArrayBuffer(pageSize)),
    free(): void {},
    copyIn(page, offset, src, srcStart, len): void {
      page.set(src.subarray(srcStart, srcStart + len), offset);
    },
    checksum(page, offset, len, sum): number {
      return fnv1a(page, offset, offset + len, sum);
    },
  };
}

/**
 * Runs the binder workload on the kit's pages.
 *
 * @param machine - The machine (default: the default machine).
 * @param options - The run's knobs.
 * @returns What happened.
 */
export function runBinder(machine: Machine = defaultMachine(), options: BinderOptions = {}): BinderResult {
  return runBinderWith(kitPageStore(machine), options);
}

/**
 * Runs the same workload, with identical logic and choices, on plain `ArrayBuffer` pages.
 *
 * @param options - The run's knobs.
 * @returns What happened.
 */
export function runBinderPlain(options: BinderOptions = {}): BinderResult {
  return runBinderWith(plainPageStore(), options);
}

/**
 * Prints a binder run.
 *
 * @param result - The run.
 * @param write - Where to print.
 * @param plain - The same workload on plain pages ({@link runBinderPlain}), to print the ratio.
 */
export function printBinder(result: BinderResult, write: Write = stdout, plain?: BinderResult): void {
  heading(write, "Binder transactions: owned pages, kmap_local copies, a shrinker");
  const perSecond = result.transactions / (result.elapsedMs / 1000);
  rows(write, [
    ["page store", result.store],
    ["processes", `${result.processes}, each with a 4 MiB region`],
    ["transactions", `${int(result.transactions)} verified, ${result.checksumFailures} checksum failures`],
    ["throughput", `${int(perSecond)} transactions/s (${result.elapsedMs.toFixed(0)} ms)`],
    ["bytes copied", `${int(result.bytesCopied)} (${bytes(result.bytesCopied)})`],
    ["pages allocated", `${int(result.pagesAllocated)} lazily, ${int(result.pagesReusedFromLru)} reuses from the LRU list`],
    ["shrinker (pressure)", `${int(result.pagesReclaimedUnderPressure)} pages freed in ${int(result.shrinkerRuns)} scans, budget ${result.pageBudget}, peak ${result.peakLivePages}`],
    ["midway", `${result.midway.live} live = ${result.midway.inUse} in use + ${result.midway.lru} on the LRU list`],
    ["all read", `${result.drained.live} live = ${result.drained.inUse} in use + ${result.drained.lru} on the LRU list`],
    ["shrinker (explicit)", `${int(result.pagesReclaimedExplicitly)} pages freed`],
    ["at the end", `${result.livePages} live, ${result.pagesInUse} in use`],
    ...(plain === undefined ? [] : [["same loop, plain", plainRow(result, plain)] as const]),
  ]);
}

function plainRow(kit: BinderResult, plain: BinderResult): string {
  const rate = (r: BinderResult): number => r.transactions / (r.elapsedMs / 1000);
  return `${int(rate(plain))} transactions/s on ArrayBuffer pages (the kit runs at ${(rate(kit) / rate(plain)).toFixed(2)}x)`;
}

if (import.meta.url === `file://${process.argv[1]}`) printBinder(runBinder());
