/**
 * Decompression is bounded (blob-codec.ts, sealed-json.ts): hand-made zstd frames that lie about
 * their size, declare none, or expand a few bytes into megabytes are refused with a message, and
 * no allocation along the way exceeds the bound the caller set. Allocations are watched through
 * the same Buffer.alloc* wrappers the fuzz targets use.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENVELOPE_OVERHEAD, seal } from '../../src/engine/crypto/aead.js';
import { blobId } from '../../src/engine/crypto/ids.js';
import { IntegrityError } from '../../src/engine/errors.js';
import {
  CODEC_ZSTD,
  decodeBlob,
  decodeBlobReusing,
  encodeBlob,
  frameBlob,
  unframeBlob,
} from '../../src/engine/format/blob-codec.js';
import { MAX_BLOB_PLAIN, MAX_SMALL_DOCUMENT } from '../../src/engine/format/limits.js';
import { decodeDocument, encodeDocument } from '../../src/engine/format/sealed-json.js';
import { type ZstdBlock, zstdFrame } from './arbitraries.js';
import { allocations, TEST_ID_KEY, TEST_KEY, trackAllocations, untrackAllocations } from './targets.js';

const MiB = 1024 * 1024;
const zstd = (frame: Buffer) => Buffer.concat([Buffer.from([CODEC_ZSTD]), frame]);
/** `count` RLE blocks of 128 KiB of `byte`: 4 bytes stored for each 128 KiB. */
const rle = (count: number, byte = 0x61): ZstdBlock[] =>
  Array.from({ length: count }, () => ({ rle: true, size: 128 * 1024, byte }));

beforeAll(trackAllocations);
afterAll(untrackAllocations);
beforeEach(() => {
  allocations.largest = 0;
});

describe('unframeBlob bounds decompression by its cap', () => {
  it('decodes a hand-made frame within the cap, with or without a declared size', () => {
    expect(unframeBlob(zstd(zstdFrame(rle(2), 256 * 1024)), 'f', MiB).equals(Buffer.alloc(256 * 1024, 0x61))).toBe(
      true,
    );
    expect(unframeBlob(zstd(zstdFrame(rle(2))), 'f', MiB).equals(Buffer.alloc(256 * 1024, 0x61))).toBe(true);
  });

  it('refuses a frame that declares more than the cap, before allocating it', () => {
    const frame = zstd(zstdFrame(rle(1), 2 ** 40));
    expect(() => unframeBlob(frame, 'blob x', MiB)).toThrow(
      `blob x decompresses to ${2 ** 40} bytes, more than the ${MiB} it can hold`,
    );
    expect(allocations.largest).toBeLessThan(64 * 1024);
  });

  it('refuses a frame whose declared size its blocks cannot hold (a lie), before allocating it', () => {
    // 20 bytes of frame claim 900 KiB: no 20 bytes of zstd blocks can produce that much.
    const frame = zstd(zstdFrame([{ rle: false, size: 0, byte: 0 }], 900 * 1024));
    expect(() => unframeBlob(frame, 'blob y', MiB)).toThrow(
      /blob y holds a damaged zstd frame: 17 bytes of it cannot hold the 921600 bytes/,
    );
    expect(allocations.largest).toBeLessThan(64 * 1024);
  });

  it('stops a bomb without a declared size one step past the cap (4 KiB expanding to 125 MiB)', () => {
    const frame = zstd(zstdFrame(rle(1000)));
    expect(frame.length).toBeLessThan(5000);
    expect(() => unframeBlob(frame, 'blob z', MiB)).toThrow(
      `blob z decompresses to more than the ${MiB} bytes it can hold`,
    );
    expect(allocations.largest).toBeLessThanOrEqual(MiB + 1);
  });

  it('refuses a truncated frame without a declared size instead of returning what came out', () => {
    const whole = zstd(zstdFrame(rle(3)));
    expect(() => unframeBlob(whole.subarray(0, whole.length - 2), 'blob t', MiB)).toThrow(
      'blob t holds a truncated zstd frame',
    );
  });

  it('refuses a raw frame above the cap', () => {
    const raw = Buffer.concat([Buffer.from([0]), Buffer.alloc(1001)]);
    expect(() => unframeBlob(raw, 'doc', 1000)).toThrow('doc decompresses to 1001 bytes, more than the 1000');
    expect(unframeBlob(raw, 'doc', 1001).length).toBe(1001);
  });
});

describe('decodeBlob and decodeBlobReusing decode exactly the length the index records', () => {
  const plain = Buffer.from('a blob that compresses well. '.repeat(4000));
  const id = blobId(TEST_ID_KEY, plain);
  const stored = encodeBlob(TEST_KEY, plain);

  it('decode with the recorded length, and refuse any other', () => {
    expect(decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id, plain.length).equals(plain)).toBe(true);
    expect(decodeBlobReusing(TEST_KEY, TEST_ID_KEY, stored, id, plain.length).equals(plain)).toBe(true);
    for (const decode of [decodeBlob, decodeBlobReusing]) {
      expect(() => decode(TEST_KEY, TEST_ID_KEY, stored, id, plain.length + 1)).toThrow(
        `blob ${id.slice(0, 12)} holds ${plain.length} bytes where the index records ${plain.length + 1}`,
      );
      expect(() => decode(TEST_KEY, TEST_ID_KEY, stored, id, plain.length - 1)).toThrow(/damaged zstd frame/);
    }
  });

  it('refuse a recorded length no blob can have, or one the stored bytes cannot hold, before allocating it', () => {
    for (const rawLength of [-1, 1.5, MAX_BLOB_PLAIN + 1]) {
      expect(() => decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id, rawLength)).toThrow(/is impossible for a blob/);
      expect(() => decodeBlobReusing(TEST_KEY, TEST_ID_KEY, stored, id, rawLength)).toThrow(/is impossible for a blob/);
    }
    allocations.largest = 0;
    const claim = 1024 * MiB; // 1 GiB from a few hundred bytes of zstd
    expect(() => decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id, claim)).toThrow(
      /cannot hold the 1073741824 bytes the index records/,
    );
    expect(() => decodeBlobReusing(TEST_KEY, TEST_ID_KEY, stored, id, claim)).toThrow(/cannot hold/);
    expect(allocations.largest).toBeLessThan(MiB);
  });

  it('without a recorded length, decode up to the largest blob (a real 25 MiB expansion of 800 bytes is fine)', () => {
    const bomb = Buffer.concat([Buffer.from([CODEC_ZSTD]), zstdFrame(rle(200))]);
    const expanded = unframeBlob(bomb, 'big');
    const sealed = seal(TEST_KEY, bomb, 'blob');
    expect(decodeBlob(TEST_KEY, TEST_ID_KEY, sealed, blobId(TEST_ID_KEY, expanded)).length).toBe(200 * 128 * 1024);
  });
});

describe('decodeDocument bounds each kind of document by its cap', () => {
  it('refuses a lock whose JSON decompresses past 64 KiB, though its stored bytes are small', () => {
    const big = { operation: 'x'.repeat(MAX_SMALL_DOCUMENT) };
    const stored = encodeDocument(TEST_KEY, big, 'lock');
    expect(stored.length).toBeLessThan(1024);
    expect(() => decodeDocument(TEST_KEY, stored, 'lock', 'lock 1')).toThrow(
      `lock 1 decompresses to ${JSON.stringify(big).length} bytes, more than the ${MAX_SMALL_DOCUMENT} it can hold`,
    );
    // The same document is a valid snapshot-sized one.
    expect(decodeDocument(TEST_KEY, encodeDocument(TEST_KEY, big, 'snapshot'), 'snapshot', 's')).toEqual(big);
  });

  it('refuses stored bytes longer than any document of the kind, before decrypting them', () => {
    const stored = seal(TEST_KEY, frameBlob(randomBytes(MAX_SMALL_DOCUMENT + 1)), 'config'); // stored raw
    expect(stored.length).toBe(MAX_SMALL_DOCUMENT + 2 + ENVELOPE_OVERHEAD);
    allocations.largest = 0;
    expect(() => decodeDocument(TEST_KEY, stored, 'config', 'the config')).toThrow(
      /the config is \d+ bytes, more than a config document can be/,
    );
    expect(allocations.largest).toBe(0);
  });

  it('names a document that is not JSON, and one that is a bomb without a declared size', () => {
    expect(() => decodeDocument(TEST_KEY, seal(TEST_KEY, zstd(zstdFrame(rle(2))), 'lock'), 'lock', 'lock 2')).toThrow(
      'lock 2 decompresses to more than the 65536 bytes it can hold',
    );
    const braces = seal(TEST_KEY, zstd(zstdFrame(rle(1, 0x7b))), 'snapshot'); // 128 KiB of "{"
    expect(() => decodeDocument(TEST_KEY, braces, 'snapshot', 's 3')).toThrow('s 3 is not valid JSON');
    expect(() => decodeDocument(TEST_KEY, braces, 'snapshot', 's 3')).toThrow(IntegrityError);
  });
});
