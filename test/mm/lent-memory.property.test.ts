/**
 * Property: no sequence of public calls, kept views, aliases and stale handles included, reads or
 * writes a byte outside the memory its handle was lent. Every live page's bytes always equal a
 * shadow copy kept by the test, and every access through something that ended fails with a
 * KernelError that leaves the machine's state digest unchanged.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { GFP_HIGHUSER, GFP_KERNEL, Machine, __GFP_ZERO, type MachineConfig } from "../../src/core/index.js";
import { Folio, Page, kmapLocal, type KmapLocal, type UniqueFolio } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";
import { expectUnchanged } from "../core/helpers.js";

type Command =
  | { kind: "alloc" }
  | { kind: "write"; slot: number; offset: number; byte: number }
  | { kind: "mapWrite"; slot: number; offset: number; byte: number }
  | { kind: "kmapWrite"; slot: number; offset: number; byte: number }
  | { kind: "folioWrite"; offset: number; byte: number }
  | { kind: "release"; slot: number }
  | { kind: "churn"; times: number }
  | { kind: "stale"; which: number; write: boolean }
  | { kind: "kept"; which: number; write: boolean };

const offset = fc.nat({ max: 4095 });
const byte = fc.integer({ min: 1, max: 255 });
const slot = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: "alloc" as const }),
  fc.record({ kind: fc.constant("write" as const), slot, offset, byte }),
  fc.record({ kind: fc.constant("mapWrite" as const), slot, offset, byte }),
  fc.record({ kind: fc.constant("kmapWrite" as const), slot, offset, byte }),
  fc.record({ kind: fc.constant("folioWrite" as const), offset: fc.nat({ max: 8191 }), byte }),
  fc.record({ kind: fc.constant("release" as const), slot }),
  fc.record({ kind: fc.constant("churn" as const), times: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("stale" as const), which: fc.nat({ max: 7 }), write: fc.boolean() }),
  fc.record({ kind: fc.constant("kept" as const), which: fc.nat({ max: 15 }), write: fc.boolean() }),
);

interface Live {
  page: Owned<Page>;
  shadow: Uint8Array;
}

/** The first index where two byte arrays differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : a.length;
}


function run(config: MachineConfig, gfp: number, commands: readonly Command[]): void {
  const machine = new Machine(config);
  const live: Live[] = [];
  const stale: Page[] = [];
  const kept: Uint8Array[] = [];
  // a folio that stays live the whole run: a neighbour whose bytes must never change but by its owner
  const folio: UniqueFolio = Folio.alloc(1, gfp | __GFP_ZERO, machine);
  const folioShadow = new Uint8Array(8192);
  for (const c of commands) {
    const target = live.length === 0 ? undefined : live[("slot" in c ? c.slot : 0) % live.length]!;
    switch (c.kind) {
      case "alloc":
        if (live.length < 8) live.push({ page: Page.alloc(gfp | __GFP_ZERO, machine), shadow: new Uint8Array(4096) });
        break;
      case "write":
        if (target === undefined) break;
        target.page.write(c.offset, new Uint8Array([c.byte]));
        target.shadow[c.offset] = c.byte;
        break;
      case "mapWrite":
        if (target === undefined) break;
        target.page.withPageMapped((view) => {
          view[c.offset] = c.byte;
          kept.push(view as unknown as Uint8Array);
        });
        target.shadow[c.offset] = c.byte;
        break;
      case "kmapWrite":
        if (target === undefined) break;
        {
          using map: KmapLocal = kmapLocal(target.page);
          const view = map.view;
          view[c.offset] = c.byte;
          kept.push(view);
        }
        target.shadow[c.offset] = c.byte;
        break;
      case "folioWrite":
        folio.forEachChunkMut(c.offset, 1, (view) => {
          view[0] = c.byte;
          kept.push(view as unknown as Uint8Array);
        });
        folioShadow[c.offset] = c.byte;
        break;
      case "release":
        if (target === undefined) break;
        {
          const page: Owned<Page> = target.page;
          stale.push(page);
          page.release();
        }
        live.splice(live.indexOf(target), 1);
        break;
      case "churn":
        for (let i = 0; i < c.times; i++) {
          const page: Owned<Page> = Page.alloc(gfp, machine);
          page.release();
        }
        break;
      case "stale": {
        const alias = stale[c.which % Math.max(1, stale.length)];
        if (alias === undefined) break;
        expectUnchanged(machine, () => (c.write ? alias.write(0, new Uint8Array([0xee])) : alias.read(0, 1)), "EFAULT");
        break;
      }
      case "kept": {
        const view = kept[c.which % Math.max(1, kept.length)];
        if (view === undefined) break;
        expectUnchanged(machine, () => (c.write ? (view[0] = 0xee) : view[0]), "EFAULT");
        break;
      }
    }
    // after every step: every live page, and the folio, hold exactly what their owners wrote
    for (const { page, shadow } of live) expect(firstDifference(page.read(0, 4096), shadow)).toBe(-1);
    const folioBytes = new Uint8Array(8192);
    folio.memcpyFromFolio(folioBytes, 0);
    expect(firstDifference(folioBytes, folioShadow)).toBe(-1);
  }
  expect(machine.consistencyProblems()).toEqual([]);
  expect(machine.kmapLocalDepth()).toBe(0);
}

const configs: [string, MachineConfig, number][] = [
  ["debug views", { ramSize: 1 << 20, debug: { views: true } }, GFP_KERNEL],
  ["HIGHMEM + debug: true", { ramSize: 2 << 20, highmemStart: 1 << 20, debug: true }, GFP_HIGHUSER],
];

test.each(configs)("on %s, no call sequence reaches memory its handle was not lent", (_name, config, gfp) => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 5, maxLength: 40 }), (commands) => run(config, gfp, commands)),
    { numRuns: Number(process.env.OWNKIT_PROPERTY_RUNS ?? 60) },
  );
}, 60_000);
