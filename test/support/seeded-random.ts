/**
 * A seeded stand-in for `crypto.randomInt` (mulberry32 underneath), so tests of randomised
 * response and random send delays are deterministic: the same seed gives the same draws.
 */
import type { RandomInt } from '../../src/app/privacy/randomised-response.js';

export function seededRandomInt(seed: number): RandomInt {
  let a = seed >>> 0;
  return (max: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
  };
}
