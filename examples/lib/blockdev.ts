/**
 * A simulated block device: a byte image read in 512-byte sectors, the way a filesystem reads its
 * superblock with a synchronous bio (`sb_bread`/`sread`) and file data in `read_folio`.
 *
 * @module
 */
import { kernelError } from "ownkit";

/** The device's sector size in bytes. */
export const SECTOR_SIZE = 512;

/** Where a read lands: a `Uint8Array` or a writable mapped view (anything with `length` and `set`). */
export interface SectorBuffer {
  /** The number of bytes. */
  readonly length: number;
  /** Copies `source` in at `offset`. */
  set(source: Uint8Array, offset?: number): void;
}

/**
 * A read-only block device over an in-memory image.
 *
 * @invariant The image length is a multiple of {@link SECTOR_SIZE}.
 */
export class BlockDevice {
  /** Sectors read so far. */
  sectorsRead = 0;
  /** Read requests served so far. */
  requests = 0;
  readonly #image: Uint8Array;

  /**
   * Creates a device over an image.
   *
   * @param image - The device contents; a whole number of sectors.
   * @throws KernelError `EINVAL` when the image is not a whole number of sectors.
   */
  constructor(image: Uint8Array) {
    if (image.length % SECTOR_SIZE !== 0) throw kernelError("EINVAL", "blkdev_init", "image is not a whole number of sectors", { bytes: image.length });
    this.#image = image;
  }

  /** The device size in sectors. */
  get sectors(): number {
    return this.#image.length / SECTOR_SIZE;
  }

  /**
   * Reads whole sectors into `dst` (one synchronous request).
   *
   * @param sector - The first sector.
   * @param dst - Where the bytes go (a `Uint8Array` or a writable mapped view); its length must be a
   *   multiple of {@link SECTOR_SIZE}.
   * @throws KernelError `EINVAL` for a bad sector or length; `EIO` when the request runs past the
   *   end of the device (nothing is written).
   */
  readSectors(sector: number, dst: SectorBuffer): void {
    if (!Number.isSafeInteger(sector) || sector < 0 || dst.length % SECTOR_SIZE !== 0) {
      throw kernelError("EINVAL", "submit_bio", "bad sector or length", { sector, length: dst.length });
    }
    const count = dst.length / SECTOR_SIZE;
    if (sector + count > this.sectors) throw kernelError("EIO", "submit_bio", "request beyond the end of the device", { sector, count, sectors: this.sectors });
    dst.set(this.#image.subarray(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE));
    this.sectorsRead += count;
    this.requests++;
  }
}
