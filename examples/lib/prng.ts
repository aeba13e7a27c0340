/**
 * A small deterministic pseudo-random generator (mulberry32) for the example workloads, so every
 * run of the demo and of the tests makes the same choices.
 *
 * @module
 */

/** A seeded pseudo-random number generator; the same seed gives the same sequence. */
export class Prng {
  #state: number;

  /**
   * Creates a generator.
   *
   * @param seed - Any 32-bit integer.
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /**
   * An integer in `[min, max]`, both included.
   *
   * @param min - The smallest value.
   * @param max - The largest value.
   */
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1));
  }

  /** A number in `[0, 1)`. */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /**
   * Fills `bytes` with pseudo-random bytes.
   *
   * @param bytes - The buffer to fill.
   * @returns The same buffer.
   */
  fill(bytes: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) {
      const word = this.next();
      bytes[i] = word;
      bytes[i + 1] = word >>> 8;
      bytes[i + 2] = word >>> 16;
      bytes[i + 3] = word >>> 24;
    }
    for (; i < bytes.length; i++) bytes[i] = this.next();
    return bytes;
  }
}
