import { createCipheriv } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ChunkerParams, chunkBuffer, DEFAULT_CHUNKER, findCut, gearTable, type ScanState } from './fastcdc.js';
import { GearScanner } from './gear-scan.js';

const KiB = 1024;
const SMALL: ChunkerParams = { minSize: 1 * KiB, avgSize: 4 * KiB, maxSize: 16 * KiB };
/** Hits often: the JavaScript reference and the WebAssembly search must agree on every cut. */
const TINY: ChunkerParams = { minSize: 64, avgSize: 128, maxSize: 512 };

function pseudoRandom(length: number, seed: number): Buffer {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed, 0);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/** A gear table with entries on both sides of 2^31 (the search works on signed 32-bit values). */
const GEAR = gearTable(Uint8Array.from({ length: 32 }, (_, i) => i * 3));
const fresh = (start: number): ScanState => ({ pos: start, h: 0 });

/** The scanner's cuts over `data`, which it copies into its buffer first. */
function scannerCuts(scanner: GearScanner, data: Uint8Array): number[] {
  scanner.buffer.set(data);
  const cuts: number[] = [];
  for (let start = 0; start < data.length; ) {
    const len = scanner.findCut(start, data.length, true, fresh(start));
    cuts.push(len);
    start += len;
  }
  return cuts;
}

describe('GearScanner', () => {
  it('holds the gear table at the start of its memory and a reusable buffer after it', () => {
    const scanner = new GearScanner(SMALL, GEAR);
    expect(scanner.buffer.length).toBe(2 * SMALL.maxSize);
    expect(scanner.buffer.byteOffset).toBe(1024);
    const table = Buffer.from(scanner.buffer.buffer, 0, 1024);
    expect(Array.from({ length: 256 }, (_, i) => table.readUInt32LE(4 * i))).toEqual(Array.from(GEAR));
  });

  it('cuts exactly where the JavaScript reference cuts', () => {
    for (const [params, size, seed] of [
      [TINY, 256 * KiB, 1],
      [SMALL, 1024 * KiB, 2],
      [DEFAULT_CHUNKER, 12 * 1024 * KiB, 3],
    ] as const) {
      const data = pseudoRandom(size, seed);
      const expected = Array.from(chunkBuffer(data, params, GEAR), (c) => c.length);
      expect(expected.length).toBeGreaterThan(2);
      expect(scannerCuts(new GearScanner(params, GEAR, size), data)).toEqual(expected);
    }
  });

  it('resumes a search that ran out of data with the hash it had reached', () => {
    const data = pseudoRandom(64 * KiB, 4);
    const scanner = new GearScanner(TINY, GEAR, data.length);
    scanner.buffer.set(data);
    let checked = 0;
    for (let start = 0; start + TINY.maxSize < data.length; ) {
      const expected = findCut(data, start, data.length, false, TINY, GEAR);
      // Offer the bytes a few at a time: every stop must keep its place and its hash.
      const state = fresh(start);
      let len = -1;
      for (let end = start + TINY.minSize + 1; len === -1; end += 7) {
        len = scanner.findCut(start, Math.min(end, data.length), false, state);
        if (len === -1) {
          expect(state.pos).toBe(Math.min(end, data.length));
          checked++;
        }
      }
      expect(len).toBe(expected);
      start += len;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('tests from minSize, cuts at maxSize without a hit, and asks for more data before that', () => {
    const ones = new Uint32Array(256).fill(1);
    const never = new Uint32Array(256).fill(0x80000000);
    const data = pseudoRandom(4 * SMALL.maxSize, 5);
    const hits = new GearScanner(SMALL, ones, data.length);
    hits.buffer.set(data);
    expect(hits.findCut(0, data.length, false, fresh(0))).toBe(SMALL.minSize + 1);
    expect(hits.findCut(100, data.length, false, fresh(100))).toBe(SMALL.minSize + 1);
    const misses = new GearScanner(SMALL, never, data.length);
    misses.buffer.set(data);
    expect(misses.findCut(0, data.length, false, fresh(0))).toBe(SMALL.maxSize);
    expect(misses.findCut(5, 5 + SMALL.maxSize, false, fresh(5))).toBe(SMALL.maxSize);
    expect(misses.findCut(0, SMALL.maxSize - 1, false, fresh(0))).toBe(-1);
    expect(misses.findCut(0, SMALL.maxSize - 1, true, fresh(0))).toBe(SMALL.maxSize - 1);
    expect(misses.findCut(0, SMALL.minSize, false, fresh(0))).toBe(-1);
    expect(misses.findCut(0, SMALL.minSize, true, fresh(0))).toBe(SMALL.minSize);
    expect(misses.findCut(7, 7, true, fresh(7))).toBe(0);
  });

  describe('where WebAssembly is unavailable (node --jitless)', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('searches with the JavaScript loop over a plain buffer, with the same cuts', () => {
      const data = pseudoRandom(1024 * KiB, 6);
      const expected = Array.from(chunkBuffer(data, SMALL, GEAR), (c) => c.length);
      vi.stubGlobal('WebAssembly', undefined);
      const scanner = new GearScanner(SMALL, GEAR, data.length);
      expect(scanner.buffer.byteOffset).toBe(0);
      expect(scannerCuts(scanner, data)).toEqual(expected);
    });
  });

  it('refuses invalid params, a wrong-sized gear table and a buffer smaller than maxSize', () => {
    expect(() => new GearScanner({ ...SMALL, avgSize: 3000 }, GEAR)).toThrow(/power of two/);
    expect(() => new GearScanner(SMALL, new Uint32Array(255))).toThrow(/256 entries/);
    expect(() => new GearScanner(SMALL, GEAR, SMALL.maxSize - 1)).toThrow(/at least maxSize/);
  });
});
