import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import {
  type ChunkerParams,
  type ChunkFileOptions,
  chunkBuffer,
  chunkFdSync,
  chunkFile,
  DEFAULT_CHUNKER,
  findCut,
  gearTable,
  maskFor,
  validateChunkerParams,
} from './fastcdc.js';
import { GearScanner } from './gear-scan.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SMALL: ChunkerParams = { minSize: 1 * KiB, avgSize: 4 * KiB, maxSize: 16 * KiB };

/** Deterministic pseudo-random bytes (AES-256-CTR keystream keyed by `seed`). */
function pseudoRandom(length: number, seed: number): Buffer {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed, 0);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

function seedBytes(fill: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => fill(i));
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const lengths = (chunks: Iterable<Uint8Array>): number[] => Array.from(chunks, (c) => c.length);

const GEAR = gearTable(seedBytes(() => 0));
const GEAR_OTHER = gearTable(seedBytes((i) => i));

describe('gearTable', () => {
  it('derives the pinned table for an all-zero seed', () => {
    const t = gearTable(new Uint8Array(32));
    expect(t.length).toBe(256);
    expect(Array.from(t.slice(0, 4))).toEqual([0x067881c9, 0xabcdcedc, 0xcecb225a, 0x53c6c8e3]);
  });

  it('derives the pinned table for seed = bytes 0..31', () => {
    const t = gearTable(seedBytes((i) => i));
    expect(Array.from(t.slice(0, 4))).toEqual([0xd73cfd4a, 0xc7c2690b, 0x6f6c37d7, 0x50cbc030]);
  });

  it('is deterministic and uses the whole 32-bit range', () => {
    const a = gearTable(seedBytes((i) => i * 7));
    const b = gearTable(seedBytes((i) => i * 7));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(256);
    expect(a.some((x) => x >= 0x80000000)).toBe(true);
  });

  it('rejects a seed that is not 32 bytes', () => {
    expect(() => gearTable(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => gearTable(new Uint8Array(33))).toThrow(CairnError);
  });
});

describe('maskFor and parameter validation', () => {
  it('gives the top log2(avg)+2 and log2(avg)-2 bits', () => {
    expect(maskFor(DEFAULT_CHUNKER)).toEqual({ bitsS: 22, bitsL: 18, maskS: 0xfffffc00, maskL: 0xffffc000 });
    expect(maskFor(SMALL)).toEqual({ bitsS: 14, bitsL: 10, maskS: 0xfffc0000, maskL: 0xffc00000 });
  });

  it.each([
    [{ minSize: 32, avgSize: 128, maxSize: 512 }, /minSize must be at least 64/],
    [{ minSize: 1024, avgSize: 3000, maxSize: 16384 }, /power of two/],
    [{ minSize: 4096, avgSize: 4096, maxSize: 16384 }, /minSize < avgSize < maxSize/],
    [{ minSize: 1024, avgSize: 16384, maxSize: 16384 }, /minSize < avgSize < maxSize/],
    [{ minSize: 1024, avgSize: 1 * MiB, maxSize: 65 * MiB }, /at most .*64 MiB/],
    [{ minSize: 1024.5, avgSize: 4096, maxSize: 16384 }, /minSize must be a positive whole number/],
    [{ minSize: 1024, avgSize: Number.NaN, maxSize: 16384 }, /avgSize must be a positive whole number/],
  ])('rejects %o', (params, message) => {
    expect(() => validateChunkerParams(params)).toThrow(message);
    expect(() => [...chunkBuffer(new Uint8Array(10), params, GEAR)]).toThrow(CairnError);
  });

  it('accepts the defaults and the bounds', () => {
    expect(() => validateChunkerParams(DEFAULT_CHUNKER)).not.toThrow();
    expect(() => validateChunkerParams({ minSize: 64, avgSize: 128, maxSize: 64 * MiB })).not.toThrow();
  });
});

describe('findCut', () => {
  const ones = new Uint32Array(256).fill(1); // h stays tiny: the first hashed byte is a cut point
  const never = new Uint32Array(256).fill(0x80000000); // top bit always set: no cut point ever

  it('asks for more data below minSize unless at eof', () => {
    const data = pseudoRandom(SMALL.minSize, 1);
    expect(findCut(data, 0, data.length, false, SMALL, GEAR)).toBe(-1);
    expect(findCut(data, 0, data.length, true, SMALL, GEAR)).toBe(SMALL.minSize);
    expect(findCut(data, 0, 0, true, SMALL, GEAR)).toBe(0);
  });

  it('starts testing at minSize and cuts after the first hashed byte that hits', () => {
    const data = pseudoRandom(4 * SMALL.maxSize, 2);
    expect(findCut(data, 0, data.length, false, SMALL, ones)).toBe(SMALL.minSize + 1);
    expect(findCut(data, 100, data.length, false, SMALL, ones)).toBe(SMALL.minSize + 1);
  });

  it('cuts at maxSize when no cut point exists, and otherwise waits for more data', () => {
    const data = pseudoRandom(2 * SMALL.maxSize, 3);
    expect(findCut(data, 0, data.length, false, SMALL, never)).toBe(SMALL.maxSize);
    expect(findCut(data, 5, 5 + SMALL.maxSize, false, SMALL, never)).toBe(SMALL.maxSize);
    expect(findCut(data, 0, SMALL.maxSize - 1, false, SMALL, never)).toBe(-1);
    expect(findCut(data, 0, SMALL.maxSize - 1, true, SMALL, never)).toBe(SMALL.maxSize - 1);
  });

  it('gives the same cut however much data follows it', () => {
    const data = pseudoRandom(1 * MiB, 4);
    let start = 0;
    for (const chunk of chunkBuffer(data, SMALL, GEAR)) {
      const len = chunk.length;
      if (start + len === data.length) break;
      for (const avail of [SMALL.minSize, len - 1, len, len + 1, len + 777, SMALL.maxSize + 3]) {
        const end = Math.min(start + avail, data.length);
        const expected = end - start >= len ? len : -1;
        expect(findCut(data, start, end, false, SMALL, GEAR)).toBe(expected);
      }
      start += len;
    }
  });

  it('rejects a range outside the data', () => {
    expect(() => findCut(new Uint8Array(10), 0, 11, true, SMALL, GEAR)).toThrow(RangeError);
    expect(() => findCut(new Uint8Array(10), 6, 5, true, SMALL, GEAR)).toThrow(RangeError);
  });
});

describe('reference vectors (checked against an independent implementation of the spec text)', () => {
  it('small params, all-zero seed, 256 KiB', () => {
    const ls = lengths(chunkBuffer(pseudoRandom(256 * KiB, 42), SMALL, GEAR));
    expect(ls.length).toBe(56);
    expect(ls.slice(0, 12)).toEqual([4224, 5197, 7405, 3465, 4858, 4404, 4349, 3257, 5111, 2109, 7513, 3636]);
    expect(ls.at(-1)).toBe(3604);
  });

  it('default params, seed = bytes 0..31, 12 MiB', () => {
    const ls = lengths(chunkBuffer(pseudoRandom(12 * MiB, 43), DEFAULT_CHUNKER, GEAR_OTHER));
    expect(ls).toEqual([1391850, 1073084, 1325760, 1487113, 1127005, 1162651, 1447081, 1242980, 1311671, 1013717]);
  });
});

describe('chunkBuffer', () => {
  it('yields nothing for empty data and one chunk for data up to minSize', () => {
    expect([...chunkBuffer(new Uint8Array(0), SMALL, GEAR)]).toEqual([]);
    const short = pseudoRandom(SMALL.minSize - 1, 5);
    expect(lengths(chunkBuffer(short, SMALL, GEAR))).toEqual([short.length]);
    const exact = pseudoRandom(SMALL.minSize, 5);
    expect(lengths(chunkBuffer(exact, SMALL, GEAR))).toEqual([exact.length]);
  });

  it('yields subarrays that concatenate to the input, each within [min, max] except the last', () => {
    const data = pseudoRandom(8 * MiB + 123, 6);
    const chunks = [...chunkBuffer(data, SMALL, GEAR)];
    expect(chunks.length).toBeGreaterThan(100);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    for (const c of chunks) expect(c.buffer).toBe(data.buffer);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThan(SMALL.minSize);
      expect(c.length).toBeLessThanOrEqual(SMALL.maxSize);
    }
  });

  it('cuts at maxSize on data without cut points (a constant run)', () => {
    const never = new Uint32Array(256).fill(0x80000000);
    const data = new Uint8Array(3 * SMALL.maxSize + 10);
    expect(lengths(chunkBuffer(data, SMALL, never))).toEqual([SMALL.maxSize, SMALL.maxSize, SMALL.maxSize, 10]);
  });

  it('is deterministic per seed and cuts elsewhere under another seed', () => {
    const data = pseudoRandom(4 * MiB, 7);
    const a = lengths(chunkBuffer(data, SMALL, GEAR));
    expect(lengths(chunkBuffer(data, SMALL, gearTable(seedBytes(() => 0))))).toEqual(a);
    const b = lengths(chunkBuffer(data, SMALL, GEAR_OTHER));
    expect(b).not.toEqual(a);
    const boundaries = (ls: number[]): Set<number> => {
      let pos = 0;
      return new Set(ls.map((l) => (pos += l)));
    };
    const shared = [...boundaries(a)].filter((x) => boundaries(b).has(x)).length;
    expect(shared).toBeLessThan(a.length / 10); // only the end of the data and coincidences
  });

  it('keeps an average chunk size near avgSize (small params)', () => {
    const data = pseudoRandom(64 * MiB, 8);
    const ls = lengths(chunkBuffer(data, SMALL, GEAR));
    const avg = data.length / ls.length;
    expect(avg).toBeGreaterThan(0.5 * SMALL.avgSize);
    expect(avg).toBeLessThan(2 * SMALL.avgSize);
  });

  describe('with the default parameters on 64 MiB', () => {
    let data: Buffer;
    beforeAll(() => {
      data = pseudoRandom(64 * MiB, 9);
    });

    it('keeps an average chunk size near 1 MiB, within [min, max]', () => {
      const chunks = [...chunkBuffer(data, DEFAULT_CHUNKER, GEAR)];
      const avg = data.length / chunks.length;
      expect(avg).toBeGreaterThan(0.5 * DEFAULT_CHUNKER.avgSize);
      expect(avg).toBeLessThan(2 * DEFAULT_CHUNKER.avgSize);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      for (const c of chunks.slice(0, -1)) {
        expect(c.length).toBeGreaterThan(DEFAULT_CHUNKER.minSize);
        expect(c.length).toBeLessThanOrEqual(DEFAULT_CHUNKER.maxSize);
      }
    });

    it('changes at most two chunks when a few bytes are inserted in the middle', () => {
      const before = [...chunkBuffer(data, DEFAULT_CHUNKER, GEAR)].map(sha256);
      const mid = 32 * MiB + 12345;
      const edited = Buffer.concat([data.subarray(0, mid), Buffer.from('hello'), data.subarray(mid)]);
      const after = [...chunkBuffer(edited, DEFAULT_CHUNKER, GEAR)].map(sha256);
      const oldSet = new Set(before);
      const newSet = new Set(after);
      const added = after.filter((h) => !oldSet.has(h));
      const removed = before.filter((h) => !newSet.has(h));
      expect(added.length).toBeGreaterThanOrEqual(1);
      expect(added.length).toBeLessThanOrEqual(2);
      expect(removed.length).toBeLessThanOrEqual(2);
      expect(after.length - added.length).toBeGreaterThanOrEqual(before.length - 2);
    });
  });
});

describe('chunkFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-fastcdc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function chunksOfFile(name: string, data: Uint8Array, params: ChunkerParams, opts?: ChunkFileOptions) {
    const path = join(dir, name);
    await writeFile(path, data);
    const handle = await open(path, 'r');
    try {
      const out: Buffer[] = [];
      for await (const c of chunkFile(handle, params, GEAR, opts)) out.push(c);
      return out;
    } finally {
      await handle.close();
    }
  }

  it('yields nothing for an empty file and one chunk for a short one', async () => {
    expect(await chunksOfFile('empty', new Uint8Array(0), SMALL)).toEqual([]);
    const short = pseudoRandom(700, 10);
    const chunks = await chunksOfFile('short', short, SMALL);
    expect(chunks.length).toBe(1);
    expect(chunks[0]?.equals(short)).toBe(true);
  });

  it.each<[ChunkFileOptions | undefined, number]>([
    [undefined, 3 * MiB + 5],
    [{ bufferSize: SMALL.maxSize + 4093 }, 3 * MiB + 5],
    [{ bufferSize: 3 * SMALL.maxSize + 7 }, 3 * MiB + 5],
    [{ bufferSize: 1 * MiB }, 3 * MiB + 5],
    [{ bufferSize: 2 * SMALL.maxSize, readSize: 999 }, 3 * MiB + 5],
    [{ bufferSize: SMALL.maxSize + 1, readSize: 1 }, 24 * KiB + 3],
    [{ bufferSize: SMALL.maxSize + 13, readSize: 13 }, 300 * KiB + 1],
  ])('matches chunkBuffer with options %o', async (opts, size) => {
    const data = pseudoRandom(size, 11);
    const expected = [...chunkBuffer(data, SMALL, GEAR)].map(sha256);
    const chunks = await chunksOfFile(`odd-${JSON.stringify(opts)}`, data, SMALL, opts);
    expect(chunks.map(sha256)).toEqual(expected);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('yields chunks that stay valid after later iterations (no shared buffer)', async () => {
    const data = pseudoRandom(1 * MiB, 12);
    const chunks = await chunksOfFile('stable', data, SMALL, { bufferSize: SMALL.maxSize + 100 });
    const buffers = new Set(chunks.map((c) => c.buffer));
    expect(buffers.size).toBe(chunks.length);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('matches chunkBuffer with the default parameters', async () => {
    const data = pseudoRandom(24 * MiB + 99, 13);
    const expected = [...chunkBuffer(data, DEFAULT_CHUNKER, GEAR)].map(sha256);
    const chunks = await chunksOfFile('defaults', data, DEFAULT_CHUNKER);
    expect(chunks.map(sha256)).toEqual(expected);
  });

  it('rejects a buffer without room for maxSize plus one read', async () => {
    const path = join(dir, 'small-buffer');
    await writeFile(path, pseudoRandom(100, 14));
    const handle = await open(path, 'r');
    try {
      await expect(chunkFile(handle, SMALL, GEAR, { bufferSize: SMALL.maxSize }).next()).rejects.toThrow(
        /larger than maxSize/,
      );
      await expect(
        chunkFile(handle, SMALL, GEAR, { bufferSize: SMALL.maxSize + 10, readSize: 11 }).next(),
      ).rejects.toThrow(/at least maxSize \+ readSize/);
      await expect(chunkFile(handle, SMALL, GEAR, { readSize: 0 }).next()).rejects.toThrow(CairnError);
    } finally {
      await handle.close();
    }
  });

  it('can be abandoned early, leaving no read in flight', async () => {
    const path = join(dir, 'abandon');
    await writeFile(path, pseudoRandom(2 * MiB, 15));
    const handle = await open(path, 'r');
    let first: Buffer | undefined;
    for await (const c of chunkFile(handle, SMALL, GEAR, { bufferSize: 64 * KiB, readSize: 8 * KiB })) {
      first = c;
      break;
    }
    await handle.close();
    expect(first?.length).toBe([...chunkBuffer(pseudoRandom(2 * MiB, 15), SMALL, GEAR)][0]?.length);
  });

  it('passes on read errors', async () => {
    const path = join(dir, 'closed-handle');
    await writeFile(path, pseudoRandom(100 * KiB, 16));
    const handle = await open(path, 'r+');
    await handle.close();
    const gen = chunkFile(handle, SMALL, GEAR);
    await expect(gen.next()).rejects.toThrow(/EBADF|closed/i);
  });
});

describe('chunkFdSync', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-fastcdc-sync-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function syncChunks(name: string, data: Uint8Array, params: ChunkerParams): Promise<string[]> {
    const path = join(dir, name);
    await writeFile(path, data);
    const fd = openSync(path, 'r');
    try {
      return Array.from(chunkFdSync(fd, new GearScanner(params, GEAR)), sha256); // views: hash each at once
    } finally {
      closeSync(fd);
    }
  }

  it('gives exactly the chunks of chunkBuffer, for empty, short, exact-size and long files', async () => {
    for (const [name, data, params] of [
      ['empty', new Uint8Array(0), SMALL],
      ['short', pseudoRandom(700, 21), SMALL],
      ['max', pseudoRandom(SMALL.maxSize, 22), SMALL],
      ['zeros', new Uint8Array(200 * KiB), SMALL],
      ['long', pseudoRandom(3 * MiB + 17, 23), SMALL],
      ['default', pseudoRandom(24 * MiB + 5, 24), DEFAULT_CHUNKER],
    ] as const) {
      const expected = Array.from(chunkBuffer(data, params, GEAR), sha256);
      expect(await syncChunks(name, data, params), name).toEqual(expected);
    }
  });
});
