import { Folio, GFP_KERNEL, type UniqueFolio } from "ownkit";
import { createMachine } from "ownkit/core";
import { describe, expect, it } from "vitest";
import { BlockDevice } from "../../examples/lib/blockdev.js";
import { ROFS_BLOCK_SIZE, ROFS_MAGIC, mkfs, parseSuperblock } from "../../examples/lib/rofs-format.js";
import { readBlocks, runRofs, sampleFiles } from "../../examples/rofs.js";

describe("rofs example", () => {
  it("mounts, reads every file back through the page cache byte for byte, and leaks nothing", () => {
    const machine = createMachine({ ramSize: 32 << 20 });
    const result = runRofs(machine);
    const specs = sampleFiles();
    expect(result.superblock).toMatchObject({ magic: ROFS_MAGIC, version: 1, blockSize: 4096, inodeCount: specs.length, label: "ownkit-demo" });
    expect(result.files.map((f) => f.name)).toEqual(specs.map((f) => f.name));
    expect(result.allVerified).toBe(true);
    expect(result.bytesVerified).toBe(specs.reduce((sum, f) => sum + f.data.length, 0));
    for (const file of result.files) {
      const folios = Math.ceil(file.size / machine.pageSize);
      expect(file.verified).toBe(true);
      expect(file.folioReads).toBe(folios); // first pass: one readFolio per folio
      expect(file.cacheHits).toBe(folios); // second pass: all from the cache
    }
    expect(result.leakReport).toBeNull();
    expect(machine.consistencyProblems()).toEqual([]);
  });

  it("round-trips on 16 KiB pages, on HIGHMEM and with force-map (views end at the page end)", () => {
    for (const machine of [
      createMachine({ ramSize: 32 << 20, pageShift: 14 }),
      createMachine({ ramSize: 32 << 20, highmemStart: 4 << 20 }),
      createMachine({ ramSize: 32 << 20, debug: { forceMap: true, poison: true } }),
    ]) {
      const result = runRofs(machine);
      expect(result.allVerified).toBe(true);
      expect(result.leakReport).toBeNull();
    }
  });

  it("refuses to read blocks into a unique folio while a mapping of it is live (M17)", () => {
    const machine = createMachine({ ramSize: 16 << 20 });
    const device = new BlockDevice(mkfs("t", sampleFiles()));
    const folio: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
    let caught: unknown;
    folio.map(0, () => {
      try {
        readBlocks(device, folio, 0, 1);
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toMatchObject({ errno: "EBUSY" });
    readBlocks(device, folio, 0, 1); // fine once the mapping is gone
    expect(folio.map(0, ({ view }) => parseSuperblock(view).blockSize)).toBe(ROFS_BLOCK_SIZE);
    folio.release();
    expect(machine.leakReport()).toBeNull();
  });

  it("rejects a bad superblock and reads past the device end", () => {
    const image = mkfs("t", []);
    image[0] = 0;
    expect(() => parseSuperblock(image)).toThrow(/bad magic/);
    const device = new BlockDevice(image);
    expect(() => device.readSectors(device.sectors, new Uint8Array(512))).toThrow(/beyond the end/);
  });
});
