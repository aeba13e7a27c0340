/**
 * A read-only filesystem on a simulated block device (thread 000, "Rust abstractions for VFS").
 *
 * What each step shows, with the thread's rule:
 *
 * 1. **Mount: read the superblock into a `UniqueFolio`.** `Folio.alloc(order)` is the only source of
 *    a `UniqueFolio`, which means "no other handle aliases this folio", not "the refcount is 1".
 *    Reading blocks from the device into it (`forEachChunkMut`) is an *exclusive* operation: it
 *    fails with `EBUSY` while any mapping of the folio is live, the run-time form of Rust's "`sread`
 *    needs `&mut folio`" (M17, M29).
 * 2. **Parse it through a mapping.** `map(offset, body)` takes a byte offset, not a page index, and
 *    lends a read-only view to the closure only ("map this chunk of a folio" in bytes); the view
 *    cannot escape the closure (M8). The inode table is parsed at `map(4096)` of the same folio.
 * 3. **Serve file data through the page cache.** Each file has an `AddressSpace`; a miss calls the
 *    filesystem's `readFolio` with a folio that arrives **locked and not uptodate**. Only the
 *    `LockedFolio` may write it, zero the tail past the end of the file and `markUptodate()` (M7);
 *    there is no error flag to set on failure (M13): not marking it uptodate is the error.
 * 4. **Positions are `Loff`s**, bigint-based, so they are not limited to 64 bits; `folio.pos` and
 *    `indexForPos` convert between positions and page-cache indexes.
 * 5. **Read every file back and verify it byte for byte**, then a second pass that is served by
 *    the cache without touching the device. Disposing each `AddressSpace` drops the cache's folio
 *    references; the machine ends with nothing allocated.
 *
 * @module
 */
import { AddressSpace, Folio, GFP_KERNEL, loff, type ARef, type LockedFolio, type Loff, type UniqueFolio } from "ownkit";
import { defaultMachine, type Machine } from "ownkit/core";
import { BlockDevice, SECTOR_SIZE } from "./lib/blockdev.js";
import { bytes, heading, hex, int, rows, stdout, type Write } from "./lib/format.js";
import { Prng } from "./lib/prng.js";
import { INODE_SIZE, ROFS_BLOCK_SIZE, mkfs, parseInode, parseSuperblock, type FileSpec, type Inode, type Superblock } from "./lib/rofs-format.js";

/** What happened to one file. */
export interface RofsFileResult {
  /** The file name. */
  readonly name: string;
  /** The file size in bytes. */
  readonly size: number;
  /** Folios filled from the device by `readFolio` (page-cache misses). */
  readonly folioReads: number;
  /** Folio lookups served by the page cache on the second pass. */
  readonly cacheHits: number;
  /** Whether the bytes read back through the page cache equal the file's bytes. */
  readonly verified: boolean;
}

/** What the read-only filesystem run did. */
export interface RofsResult {
  /** The parsed superblock. */
  readonly superblock: Superblock;
  /** One entry per inode. */
  readonly files: readonly RofsFileResult[];
  /** Bytes read back through the page cache and compared. */
  readonly bytesVerified: number;
  /** Sectors the device served. */
  readonly sectorsRead: number;
  /** Read requests the device served. */
  readonly deviceRequests: number;
  /** Whether every file round-tripped byte for byte. */
  readonly allVerified: boolean;
  /** The machine's leak report after unmount (`null`: nothing left). */
  readonly leakReport: string | null;
}

/** The files of the demo image, generated deterministically. */
export function sampleFiles(): FileSpec[] {
  const prng = new Prng(0x0f5);
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  const config = Array.from({ length: 700 }, (_, i) => `CONFIG_OPTION_${i.toString(36).toUpperCase()}=${prng.int(0, 1) === 1 ? "y" : "m"}\n`).join("");
  return [
    { name: "README", data: encode("rofs: a read-only filesystem served through ownkit's page cache.\n") },
    { name: "kernel.config", data: encode(config) },
    { name: "firmware.bin", data: prng.fill(new Uint8Array(150_001)) },
    { name: "empty", data: new Uint8Array(0) },
    { name: "page.bin", data: prng.fill(new Uint8Array(ROFS_BLOCK_SIZE)) },
  ];
}

/**
 * Reads `count` filesystem blocks from the device into a unique folio (the synchronous bio of a
 * mount): exclusive use of the folio, so no mapping of it may be live.
 *
 * @param device - The device.
 * @param folio - The unique folio, at least `count` blocks long.
 * @param block - The first filesystem block.
 * @param count - The number of blocks.
 * @throws KernelError `EBUSY` while a mapping of the folio is live (M17); `EIO` past the device end.
 */
export function readBlocks(device: BlockDevice, folio: UniqueFolio, block: number, count: number): void {
  const first = (block * ROFS_BLOCK_SIZE) / SECTOR_SIZE;
  folio.forEachChunkMut(0, count * ROFS_BLOCK_SIZE, (view, offset) => device.readSectors(first + offset / SECTOR_SIZE, view));
}

/** Mounts: reads the superblock and inode table into one order-1 unique folio and parses them. */
function mount(device: BlockDevice, machine: Machine): { superblock: Superblock; inodes: Inode[] } {
  using folio: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
  readBlocks(device, folio, 0, 2);
  const superblock = folio.map(0, ({ view }) => parseSuperblock(view));
  const inodes = folio.map(superblock.inodeTableBlock * ROFS_BLOCK_SIZE, ({ view }) =>
    Array.from({ length: superblock.inodeCount }, (_, i) => parseInode(view, i * INODE_SIZE)),
  );
  return { superblock, inodes };
} // the folio is freed here

/**
 * The filesystem's `read_folio` for one inode: fills a locked, not-uptodate folio from the device,
 * zeroes what lies past the end of the file and marks it uptodate.
 */
function readFolioOf(device: BlockDevice, inode: Inode): (folio: LockedFolio) => void {
  const size = inode.size;
  return (folio) => {
    const pos: Loff = folio.pos;
    const inFile = pos >= size ? 0 : Number(size - pos < BigInt(folio.size) ? size - pos : BigInt(folio.size));
    const whole = Math.ceil(inFile / SECTOR_SIZE) * SECTOR_SIZE;
    const first = (inode.firstBlock * ROFS_BLOCK_SIZE + Number(pos)) / SECTOR_SIZE;
    if (whole > 0) folio.forEachChunkMut(0, whole, (view, offset) => device.readSectors(first + offset / SECTOR_SIZE, view));
    if (inFile < folio.size) folio.zeroOut(inFile, folio.size - inFile);
    folio.markUptodate();
  };
}

/**
 * Reads `dst.length` bytes of a file from position `pos` through its page cache.
 *
 * @returns The number of folio lookups.
 */
function readAt(space: AddressSpace, fill: (folio: LockedFolio) => void, pos: Loff, dst: Uint8Array): number {
  let done = 0;
  let lookups = 0;
  while (done < dst.length) {
    const at = loff(pos + BigInt(done));
    using folio: ARef<Folio> = space.readFolio(space.indexForPos(at), fill);
    const inFolio = Number(at - folio.pos);
    const n = Math.min(folio.size - inFolio, dst.length - done);
    folio.memcpyFromFolio(dst.subarray(done, done + n), inFolio);
    done += n;
    lookups++;
  }
  return lookups;
}

/**
 * Builds an image, mounts it, reads every file back through the page cache twice and verifies it.
 *
 * @param machine - The machine (default: the default machine).
 * @returns What happened.
 */
export function runRofs(machine: Machine = defaultMachine()): RofsResult {
  const specs = sampleFiles();
  const device = new BlockDevice(mkfs("ownkit-demo", specs));
  const { superblock, inodes } = mount(device, machine);
  const files: RofsFileResult[] = [];
  let bytesVerified = 0;
  for (const inode of inodes) {
    const expected = specs.find((f) => f.name === inode.name)?.data ?? new Uint8Array(0);
    using space = AddressSpace.create(machine);
    let folioReads = 0;
    const fill = readFolioOf(device, inode);
    const counted = (folio: LockedFolio): void => {
      folioReads++;
      fill(folio);
    };
    const back = new Uint8Array(Number(inode.size));
    readAt(space, counted, loff(0), back);
    const missesFirstPass = folioReads;
    const again = new Uint8Array(back.length);
    const lookups = readAt(space, counted, loff(0), again);
    const verified = back.length === expected.length && back.every((b, i) => b === expected[i]) && again.every((b, i) => b === back[i]);
    bytesVerified += back.length;
    files.push({ name: inode.name, size: back.length, folioReads: missesFirstPass, cacheHits: lookups - (folioReads - missesFirstPass), verified });
  } // each file's AddressSpace is torn down here, dropping the cache's references
  return {
    superblock,
    files,
    bytesVerified,
    sectorsRead: device.sectorsRead,
    deviceRequests: device.requests,
    allVerified: files.every((f) => f.verified),
    leakReport: machine.leakReport(),
  };
}

/**
 * Prints a run.
 *
 * @param result - The run.
 * @param write - Where to print.
 */
export function printRofs(result: RofsResult, write: Write = stdout): void {
  const sb = result.superblock;
  heading(write, "Read-only filesystem: folios in a page cache, filled under the folio lock");
  rows(write, [
    ["superblock", `magic ${hex(sb.magic)} v${sb.version} "${sb.label}", read into a UniqueFolio of order 1`],
    ["geometry", `${sb.blockCount} blocks of ${sb.blockSize} bytes, ${sb.inodeCount} inodes (table at block ${sb.inodeTableBlock})`],
    ["device", `${int(result.sectorsRead)} sectors in ${int(result.deviceRequests)} requests`],
  ]);
  write("\n  file            size      folios read   cache hits   verified\n");
  for (const f of result.files) {
    write(`  ${f.name.padEnd(14)} ${bytes(f.size).padStart(9)} ${String(f.folioReads).padStart(10)} ${String(f.cacheHits).padStart(12)}   ${f.verified ? "yes" : "NO"}\n`);
  }
  write("\n");
  rows(write, [
    ["round trip", `${int(result.bytesVerified)} bytes byte-for-byte ${result.allVerified ? "identical" : "DIFFERENT"}`],
    ["after unmount", result.leakReport === null ? "leak report empty" : "LEAKS:\n" + result.leakReport],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) printRofs(runRofs());
