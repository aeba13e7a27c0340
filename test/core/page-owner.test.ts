import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, test } from "vitest";
import { GFP_KERNEL, Machine, captureStack, formatStack } from "../../src/core/index.js";
import { PageStackTable } from "../../src/core/debug/page-owner.js";
import { Folio, Page, type UniqueFolio } from "../../src/mm/index.js";
import { StackDepot } from "../../src/core/debug/stackdepot.js";
import { machineFriend } from "../../src/core/machine.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const userPrepare = Error.prepareStackTrace;
const userLimit = Error.stackTraceLimit;
afterEach(() => {
  Error.prepareStackTrace = userPrepare;
  Error.stackTraceLimit = userLimit;
});

/** Captures into a depot and into an `Error` kept unformatted (the old page_owner) on one line. */
function sideBySide(depth: number): { depot: string; lazy: string } {
  if (depth > 0) return sideBySide(depth - 1);
  const depot = new StackDepot();
  Error.stackTraceLimit = 30;
  const [id, error] = [depot.capture(), new Error()];
  Error.stackTraceLimit = userLimit;
  return { depot: depot.format(id), lazy: formatStack(error) };
}

/** The same text with the first frame's column removed (the two captures sit on one line). */
function firstColumnless(text: string): string {
  return text.replace(/:(\d+):\d+(\)?)\n/, ":$1:_$2\n");
}

describe("page_owner: stack depot", () => {
  test.each([
    ["the test runner's source-mapping Error.prepareStackTrace", 1],
    ["the test runner's source-mapping Error.prepareStackTrace, deeper than the frames shown", 12],
    ["V8's own formatting", 1],
    ["V8's own formatting, deeper than the frames shown", 12],
  ])("a report shows the same frames as the lazily formatted Error did, with %s", (how, depth) => {
    if (how.startsWith("V8")) Reflect.deleteProperty(Error, "prepareStackTrace");
    else expect(userPrepare).toBeTypeOf("function"); // vitest maps positions to the sources
    const { depot, lazy } = sideBySide(depth);
    const lines = depot.split("\n").length;
    expect(depth > 8 ? lines === 8 : lines >= depth + 2).toBe(true); // at most eight, none lost
    expect(depot).toMatch(/^ {4}at sideBySide .*page-owner\.test\.ts:\d+:\d+\)/);
    expect(firstColumnless(depot)).toBe(firstColumnless(lazy));
  });

  test("callbacks nested through the kit deeper than the first capture are captured again, deeper", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    using page = Page.alloc(GFP_KERNEL, machine);
    let pfn = -1;
    let lazy = new Error();
    // Seven mapping closures (the last is `allocate`), a kit frame between two, below a folio
    // allocation's kit frames: the first 16 frames end in a kit frame, seven of eight shown.
    const allocate = (): void => {
      Error.stackTraceLimit = 30;
      let folio: UniqueFolio;
      [folio, lazy] = [Folio.alloc(0, GFP_KERNEL, machine), new Error()];
      Error.stackTraceLimit = userLimit;
      pfn = folio.phys() / 4096;
      folio.release();
    };
    page.withPageMapped(() =>
      page.withPageMapped(() =>
        page.withPageMapped(() => page.withPageMapped(() => page.withPageMapped(() => page.withPageMapped(() => page.withPageMapped(allocate))))),
      ),
    );
    const report = machineFriend.internals(machine).owner!.allocStack(pfn)!;
    expect(report.split("\n").filter((line) => line.includes("page-owner.test.ts"))).toHaveLength(8);
    expect(firstColumnless(report)).toBe(firstColumnless(formatStack(lazy)));
  });

  test("an allocation site used many times is stored once; each page keeps 4 bytes per stack", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    const owner = machineFriend.internals(machine).owner!;
    const pfns: number[] = [];
    for (let i = 0; i < 256; i++) pfns.push(machine.allocPages(GFP_KERNEL, 0));
    for (const pfn of pfns) machine.freePages(pfn, machine.pageGen(pfn), 0);
    expect(owner.depot.size).toBe(2); // one allocation stack, one free stack
    expect(machine.memoryUsage().debugStackEntries).toBe(512);
    expect(owner.allocStacks.size).toBe(256);
    expect(owner.allocStacks.bytes).toBeLessThanOrEqual(2 * 4096 * 4);
    const again = machine.allocPages(GFP_KERNEL, 0); // another site: a third stack
    expect(owner.depot.size).toBe(3);
    expect(owner.allocStack(again)).not.toBe(owner.allocStack(pfns[1]!));
    expect(owner.allocStack(pfns[1]!)).toBe(owner.allocStack(pfns[2]!));
    expect(machine.memoryUsage().debugStackEntries).toBe(512); // the page had an entry already
  });

  test("a user's Error.prepareStackTrace sees copied frames that lead to no object of the program", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    const receiver = { allocate: () => machine.allocPages(GFP_KERNEL, 0) };
    const pfn = receiver.allocate();
    const seen: unknown[] = [];
    Error.prepareStackTrace = (error, frames) => {
      for (const frame of frames) seen.push(frame.getThis(), frame.getFunction());
      return `${String(error)}\n${frames.map((frame) => `    at ${String(frame)}`).join("\n")}`;
    };
    expect(machineFriend.internals(machine).owner!.allocStack(pfn)).toMatch(/^ {4}at Object\.allocate .*page-owner\.test\.ts/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((value) => value === undefined)).toBe(true);
  });

  test("a failing or odd Error.prepareStackTrace cannot break a report, and capture leaves the user's settings", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    Error.stackTraceLimit = 0; // the user turned stacks off: page_owner still records its own
    const pfn = machine.allocPages(GFP_KERNEL, 0);
    expect(Error.stackTraceLimit).toBe(0);
    Error.prepareStackTrace = () => {
      throw new Error("formatter failed");
    };
    expect(machineFriend.internals(machine).owner!.allocStack(pfn)).toMatch(/^ {4}at .*page-owner\.test\.ts/);
    Error.prepareStackTrace = (_error, frames) => frames; // returns the frames, not a string
    expect(machineFriend.internals(machine).owner!.allocStack(pfn)).toMatch(/^ {4}at .*page-owner\.test\.ts/);
    const mine = (): string => "mine";
    Error.prepareStackTrace = mine;
    machine.freePages(pfn, machine.pageGen(pfn), 0);
    expect(Error.prepareStackTrace).toBe(mine);
    expect(captureStack()).toBe("    (no frames outside the core)"); // "mine" has no frame lines
  });

  test("a capture that cannot run is recorded as not captured, and the allocation stands", () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: { pageOwner: true } });
    const descriptor = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
    // A program that froze Error.prepareStackTrace: page_owner cannot install its collector.
    Object.defineProperty(Error, "prepareStackTrace", { value: userPrepare, writable: false, configurable: true });
    let pfn = -1;
    try {
      pfn = machine.allocPages(GFP_KERNEL, 0);
    } finally {
      if (descriptor === undefined) Reflect.deleteProperty(Error, "prepareStackTrace");
      else Object.defineProperty(Error, "prepareStackTrace", descriptor);
    }
    expect(Error.stackTraceLimit).toBe(userLimit);
    expect(machine.isAllocated(pfn)).toBe(true);
    expect(machineFriend.internals(machine).owner!.allocStack(pfn)).toMatch(/^ {4}\(not captured: /);
    expect(machine.consistencyProblems()).toEqual([]);
    machine.freePages(pfn, machine.pageGen(pfn), 0); // capture works again
    expect(machineFriend.internals(machine).owner!.freeStack(pfn)).toMatch(/^ {4}at .*page-owner\.test\.ts/);
  });
});

describe("page_owner keeps no object of the program alive", () => {
  /** A caller whose method allocates: its frame's receiver is the caller, holding 1 MiB. */
  class Client {
    readonly payload = new Uint8Array(1 << 20);
    pfn = -1;
    allocate(machine: Machine, record?: () => void): void {
      this.pfn = machine.allocPages(GFP_KERNEL, 0);
      record?.();
    }
    release(machine: Machine): void {
      machine.freePages(this.pfn, machine.pageGen(this.pfn), 0);
    }
  }

  /** Runs `use` on a fresh 1 MiB client, drops it, collects, and says whether it was freed. */
  async function freedAfterGc(use: (client: Client) => void): Promise<boolean> {
    const ref = ((): WeakRef<Client> => {
      const client = new Client();
      use(client);
      return new WeakRef(client);
    })();
    await new Promise((resolve) => setTimeout(resolve, 0)); // a WeakRef holds its target until the job ends
    gc();
    return ref.deref() === undefined;
  }

  test("the control: an Error kept unformatted (the old page_owner) keeps the caller's receiver alive", async () => {
    const machine = new Machine({ ramSize: 4 << 20 });
    const kept: Error[] = [];
    const oldRecord = (): void => {
      Error.stackTraceLimit = 30;
      kept.push(new Error());
      Error.stackTraceLimit = userLimit;
    };
    expect(await freedAfterGc((client) => (client.allocate(machine, oldRecord), client.release(machine)))).toBe(false);
    expect(kept).toHaveLength(1);
  });

  test("a receiver of 1 MiB is freed after release() and a GC, as on a plain machine", async () => {
    for (const debug of [false, true]) {
      const machine = new Machine({ ramSize: 4 << 20, debug });
      expect(await freedAfterGc((client) => (client.allocate(machine), client.release(machine)))).toBe(true);
      expect(machine.memoryUsage().debugStackEntries).toBe(debug ? 2 : 0);
    }
  });

  test("a closure holding 1 MiB is freed after the page it allocated is freed", async () => {
    const machine = new Machine({ ramSize: 4 << 20, debug: true });
    const ref = ((): WeakRef<Uint8Array> => {
      const payload = new Uint8Array(1 << 20);
      const allocate = (): number => machine.allocPages(GFP_KERNEL, 0) + payload.length * 0;
      const pfn = allocate();
      machine.freePages(pfn, machine.pageGen(pfn), 0);
      return new WeakRef(payload);
    })();
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});

describe("page_owner: the per-page id table", () => {
  test("ids are stored per page in 4096-page chunks made on first use", () => {
    const table = new PageStackTable();
    expect(table.get(0)).toBe(-1);
    expect(table.has(4095)).toBe(false);
    expect(table.bytes).toBe(0);
    table.set(4095, 0);
    table.set(4096, 7);
    table.set(4096, 9); // replacing keeps the count
    table.set(2 ** 32 - 1, 3); // the largest pfn
    expect([table.get(4095), table.get(4096), table.get(4094), table.get(2 ** 32 - 1)]).toEqual([0, 9, -1, 3]);
    expect(table.size).toBe(3);
    expect(table.bytes).toBe(3 * 4096 * 4);
  });
});
