/**
 * Seeded randomness for the torture run: every choice (operation, kill moment, file contents)
 * comes from the run's seed, so a seed names a run. Numbers from mulberry32; bytes from an
 * AES-256-CTR keystream (fast, and incompressible like real media files).
 */
import { createCipheriv, createHash } from 'node:crypto';

/** A generator of numbers in [0, 1) and the choices built on them. */
export class Rng {
  /** @param {number} seed */
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** mulberry32 */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }

  /** A whole number in [min, max]. */
  between(min, max) {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p) {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick(items) {
    return items[this.int(items.length)];
  }
}

/** `size` pseudo-random bytes determined by `label` alone. */
export function bytesFor(label, size) {
  const key = createHash('sha256').update(label).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}
