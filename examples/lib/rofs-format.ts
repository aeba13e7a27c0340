/**
 * The on-disk format of a tiny read-only filesystem ("rofs") and a `mkfs` that builds an image.
 *
 * Layout, in 4096-byte filesystem blocks, all integers little-endian:
 *
 * | block | contents |
 * |---|---|
 * | 0 | superblock: magic, version, block size, block count, inode count, inode table block and length, volume label |
 * | 1 | inode table: 64-byte inodes (number, mode, 64-bit size, first block, block count, name) |
 * | 2.. | file data, each file in consecutive blocks |
 *
 * @module
 */
import { kernelError } from "ownkit";

/** The superblock magic ("ROFS"). */
export const ROFS_MAGIC = 0x53464f52;
/** The format version. */
export const ROFS_VERSION = 1;
/** The filesystem block size. */
export const ROFS_BLOCK_SIZE = 4096;
/** Bytes per inode. */
export const INODE_SIZE = 64;
/** Bytes of an inode's name field. */
const NAME_BYTES = 40;
/** A regular file with mode 0644. */
export const S_IFREG_0644 = 0o100644;

/** The parsed superblock. */
export interface Superblock {
  /** {@link ROFS_MAGIC}. */
  readonly magic: number;
  /** {@link ROFS_VERSION}. */
  readonly version: number;
  /** Bytes per filesystem block ({@link ROFS_BLOCK_SIZE}). */
  readonly blockSize: number;
  /** Blocks in the filesystem, superblock included. */
  readonly blockCount: number;
  /** Inodes in the inode table. */
  readonly inodeCount: number;
  /** The first block of the inode table. */
  readonly inodeTableBlock: number;
  /** The inode table's length in blocks. */
  readonly inodeTableBlocks: number;
  /** The volume label. */
  readonly label: string;
}

/** One parsed inode. */
export interface Inode {
  /** The inode number, from 1. */
  readonly ino: number;
  /** The file type and permissions ({@link S_IFREG_0644}). */
  readonly mode: number;
  /** The file size in bytes (64 bits on disk). */
  readonly size: bigint;
  /** The first data block. */
  readonly firstBlock: number;
  /** The number of data blocks. */
  readonly blockCount: number;
  /** The file name. */
  readonly name: string;
}

/** A file to put into an image. */
export interface FileSpec {
  /** The file name (at most 39 ASCII characters). */
  readonly name: string;
  /** The contents. */
  readonly data: Uint8Array;
}

function u32(bytes: ArrayLike<number | undefined>, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function text(bytes: ArrayLike<number | undefined>, at: number, length: number): string {
  let out = "";
  for (let i = at; i < at + length && bytes[i] !== 0; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/**
 * Parses and checks a superblock.
 *
 * @param bytes - At least 64 bytes from the start of block 0 (any array-like view, read-only is fine).
 * @returns The superblock.
 * @throws KernelError `EINVAL` for a bad magic, version or block size.
 */
export function parseSuperblock(bytes: ArrayLike<number | undefined>): Superblock {
  const sb: Superblock = {
    magic: u32(bytes, 0),
    version: u32(bytes, 4),
    blockSize: u32(bytes, 8),
    blockCount: u32(bytes, 12),
    inodeCount: u32(bytes, 16),
    inodeTableBlock: u32(bytes, 20),
    inodeTableBlocks: u32(bytes, 24),
    label: text(bytes, 28, 32),
  };
  if (sb.magic !== ROFS_MAGIC) throw kernelError("EINVAL", "rofs_fill_super", "bad magic", { magic: sb.magic, expected: ROFS_MAGIC });
  if (sb.version !== ROFS_VERSION) throw kernelError("EINVAL", "rofs_fill_super", "unknown version", { version: sb.version });
  if (sb.blockSize !== ROFS_BLOCK_SIZE) throw kernelError("EINVAL", "rofs_fill_super", "unsupported block size", { blockSize: sb.blockSize });
  return sb;
}

/**
 * Parses one inode.
 *
 * @param bytes - The inode table bytes.
 * @param at - The inode's offset.
 * @returns The inode.
 */
export function parseInode(bytes: ArrayLike<number | undefined>, at: number): Inode {
  return {
    ino: u32(bytes, at),
    mode: u32(bytes, at + 4),
    size: BigInt(u32(bytes, at + 8)) | (BigInt(u32(bytes, at + 12)) << 32n),
    firstBlock: u32(bytes, at + 16),
    blockCount: u32(bytes, at + 20),
    name: text(bytes, at + 24, NAME_BYTES),
  };
}

/**
 * Builds a filesystem image holding `files`.
 *
 * @param label - The volume label (at most 31 ASCII characters).
 * @param files - The files, at most one inode-table block of them.
 * @returns The image, a whole number of blocks.
 */
export function mkfs(label: string, files: readonly FileSpec[]): Uint8Array {
  const perBlock = ROFS_BLOCK_SIZE / INODE_SIZE;
  if (files.length > perBlock) throw kernelError("EINVAL", "mkfs", "too many files", { files: files.length, max: perBlock });
  const blocksOf = (n: number): number => Math.ceil(n / ROFS_BLOCK_SIZE);
  const dataBlocks = files.reduce((sum, f) => sum + blocksOf(f.data.length), 0);
  const blockCount = 2 + dataBlocks;
  const image = new Uint8Array(blockCount * ROFS_BLOCK_SIZE);
  const view = new DataView(image.buffer);
  const ascii = (at: number, value: string, max: number): void => {
    for (let i = 0; i < Math.min(value.length, max - 1); i++) image[at + i] = value.charCodeAt(i) & 0x7f;
  };
  view.setUint32(0, ROFS_MAGIC, true);
  view.setUint32(4, ROFS_VERSION, true);
  view.setUint32(8, ROFS_BLOCK_SIZE, true);
  view.setUint32(12, blockCount, true);
  view.setUint32(16, files.length, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, 1, true);
  ascii(28, label, 32);
  let block = 2;
  files.forEach((file, i) => {
    const at = ROFS_BLOCK_SIZE + i * INODE_SIZE;
    view.setUint32(at, i + 1, true);
    view.setUint32(at + 4, S_IFREG_0644, true);
    view.setBigUint64(at + 8, BigInt(file.data.length), true);
    view.setUint32(at + 16, block, true);
    view.setUint32(at + 20, blocksOf(file.data.length), true);
    ascii(at + 24, file.name, NAME_BYTES);
    image.set(file.data, block * ROFS_BLOCK_SIZE);
    block += blocksOf(file.data.length);
  });
  return image;
}
