/**
 * Tests for the blob codec: framing (raw vs zstd), sealing, and the id check on decode.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import {
  BLOB_OVERHEAD,
  CODEC_RAW,
  CODEC_ZSTD,
  decodeBlob,
  decodeBlobReusing,
  encodeBlob,
  encodeBlobInto,
  frameBlob,
  frameParts,
  unframeBlob,
} from './blob-codec.js';

const dataKey = Buffer.alloc(32, 0x11);
const idKey = Buffer.alloc(32, 0x22);

function compressibleText(bytes: number): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog; Cairn keeps every version.\n';
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes), 'utf8');
}

describe('frameBlob / unframeBlob', () => {
  it('stores compressible text as one zstd frame (codec 0x01), smaller than the text', () => {
    const text = compressibleText(100_000);
    const frame = frameBlob(text);
    expect(frame[0]).toBe(CODEC_ZSTD);
    expect(frame.length).toBeLessThan(text.length / 10);
    // zstd frame magic number 0xFD2FB528, little-endian
    expect(frame.subarray(1, 5).toString('hex')).toBe('28b52ffd');
    expect(unframeBlob(frame, 'blob').equals(text)).toBe(true);
  });

  it('stores incompressible random data raw (codec 0x00)', () => {
    const random = randomBytes(100_000);
    const frame = frameBlob(random);
    expect(frame[0]).toBe(CODEC_RAW);
    expect(frame.length).toBe(random.length + 1);
    expect(frame.subarray(1).equals(random)).toBe(true);
    expect(unframeBlob(frame, 'blob').equals(random)).toBe(true);
  });

  it('leaves blobs under 64 bytes raw even when they compress, and handles the empty blob', () => {
    const small = Buffer.alloc(63, 0x61);
    expect(frameBlob(small)[0]).toBe(CODEC_RAW);
    expect(frameBlob(Buffer.alloc(64, 0x61))[0]).toBe(CODEC_ZSTD);
    const empty = frameBlob(Buffer.alloc(0));
    expect(empty.equals(Buffer.from([CODEC_RAW]))).toBe(true);
    expect(unframeBlob(empty, 'blob').length).toBe(0);
  });

  it('rejects an unknown codec byte and a damaged zstd frame with IntegrityError', () => {
    expect(() => unframeBlob(Buffer.from([0x02, 1, 2, 3]), 'blob abc')).toThrow('blob abc uses an unknown codec 2');
    expect(() => unframeBlob(Buffer.alloc(0), 'blob abc')).toThrow(IntegrityError);
    const frame = frameBlob(compressibleText(10_000));
    const damaged = Buffer.from(frame.subarray(0, frame.length - 3));
    expect(() => unframeBlob(damaged, 'blob abc')).toThrow(IntegrityError);
    const garbage = Buffer.concat([Buffer.from([CODEC_ZSTD]), randomBytes(100)]);
    expect(() => unframeBlob(garbage, 'blob abc')).toThrow(/blob abc holds a damaged zstd frame/);
  });
});

describe('encodeBlob / decodeBlob', () => {
  it('seals a compressible blob with a zstd frame inside', () => {
    const text = compressibleText(50_000);
    const stored = encodeBlob(dataKey, text);
    expect(stored.length).toBeLessThan(text.length / 5);
    const frame = open(dataKey, stored, 'blob');
    expect(frame[0]).toBe(CODEC_ZSTD);
    expect(decodeBlob(dataKey, idKey, stored, blobId(idKey, text)).equals(text)).toBe(true);
  });

  it('seals random data raw inside', () => {
    const random = randomBytes(50_000);
    const stored = encodeBlob(dataKey, random);
    const frame = open(dataKey, stored, 'blob');
    expect(frame[0]).toBe(CODEC_RAW);
    expect(stored.length).toBe(random.length + 1 + 29);
    expect(decodeBlob(dataKey, idKey, stored, blobId(idKey, random)).equals(random)).toBe(true);
  });

  it('roundtrips blobs of many sizes and kinds', () => {
    for (const plain of [
      Buffer.alloc(0),
      Buffer.from('x'),
      compressibleText(63),
      compressibleText(64),
      randomBytes(4096),
      compressibleText(1 << 20),
    ]) {
      const stored = encodeBlob(dataKey, plain);
      expect(decodeBlob(dataKey, idKey, stored, blobId(idKey, plain)).equals(plain)).toBe(true);
    }
  });

  it('does not contain the plaintext in the stored bytes', () => {
    const random = randomBytes(1000);
    const stored = encodeBlob(dataKey, random);
    expect(stored.includes(random.subarray(0, 32))).toBe(false);
  });

  it('refuses a valid blob decoded under a different expected id', () => {
    const a = Buffer.from('content of blob A, long enough to matter');
    const b = Buffer.from('content of blob B, long enough to matter');
    const storedA = encodeBlob(dataKey, a);
    const idB = blobId(idKey, b);
    expect(() => decodeBlob(dataKey, idKey, storedA, idB)).toThrow(IntegrityError);
    expect(() => decodeBlob(dataKey, idKey, storedA, idB)).toThrow(`blob ${idB.slice(0, 12)} does not match its id`);
  });

  it('refuses the right blob under the wrong id key', () => {
    const plain = Buffer.from('some content');
    const stored = encodeBlob(dataKey, plain);
    expect(() => decodeBlob(dataKey, Buffer.alloc(32, 0x23), stored, blobId(idKey, plain))).toThrow(
      'does not match its id',
    );
  });

  it('refuses every single flipped byte of a stored blob', () => {
    const plain = compressibleText(500);
    const stored = encodeBlob(dataKey, plain);
    const id = blobId(idKey, plain);
    for (let i = 0; i < stored.length; i++) {
      const bad = Buffer.from(stored);
      bad[i] = (bad[i] ?? 0) ^ 0xff;
      expect(() => decodeBlob(dataKey, idKey, bad, id), `byte ${i}`).toThrow(IntegrityError);
    }
  });

  it('refuses an object sealed for another purpose', () => {
    const plain = Buffer.from('x');
    const asIndex = seal(dataKey, frameBlob(plain), 'index');
    expect(() => decodeBlob(dataKey, idKey, asIndex, blobId(idKey, plain))).toThrow(IntegrityError);
    expect(() => decodeBlob(dataKey, idKey, asIndex, blobId(idKey, plain))).toThrow(/failed authentication/);
  });
});

describe('frameParts on large chunks (incompressibility probe)', () => {
  it('stores a large random chunk raw and still compresses a chunk that is only partly compressible', () => {
    const random = randomBytes(256 * 1024);
    expect(frameParts(random)[0][0]).toBe(CODEC_RAW);
    const mixed = Buffer.concat([randomBytes(192 * 1024), Buffer.from('compressible text line\n'.repeat(2850))]);
    const [codec, payload] = frameParts(mixed);
    expect(codec[0]).toBe(CODEC_ZSTD);
    expect(payload.length).toBeLessThan(mixed.length - 32 * 1024);
  });
});

describe("encodeBlobInto / decodeBlobReusing (the backup and restore workers' paths)", () => {
  const samples = [
    Buffer.alloc(0),
    compressibleText(200),
    randomBytes(5000),
    compressibleText(3_000_000),
    randomBytes(1_500_000),
  ];

  it('encodes blobs back to back into one buffer, each decodable by decodeBlob', () => {
    const out = Buffer.alloc(samples.reduce((n, b) => n + b.length + BLOB_OVERHEAD, 0));
    let at = 0;
    const spans: [number, number][] = [];
    for (const plain of samples) {
      const length = encodeBlobInto(out, at, dataKey, plain);
      spans.push([at, length]);
      at += length;
    }
    for (const [i, plain] of samples.entries()) {
      const [from, length] = spans[i] as [number, number];
      const stored = out.subarray(from, from + length);
      expect(decodeBlob(dataKey, idKey, stored, blobId(idKey, plain)).equals(plain)).toBe(true);
    }
  });

  it('decodes into reused buffers: the same bytes as decodeBlob, whatever the order of sizes', () => {
    for (const plain of [...samples, ...samples.slice().reverse()]) {
      const stored = encodeBlob(dataKey, plain);
      const id = blobId(idKey, plain);
      const view = decodeBlobReusing(dataKey, idKey, stored, id, plain.length);
      expect(view.equals(plain)).toBe(true);
    }
  });

  it('refuses a length other than the index records, a damaged frame, a swapped blob and a flipped byte', () => {
    const text = compressibleText(100_000);
    const stored = encodeBlob(dataKey, text);
    const id = blobId(idKey, text);
    expect(() => decodeBlobReusing(dataKey, idKey, stored, id, text.length - 1)).toThrow(IntegrityError);
    expect(() => decodeBlobReusing(dataKey, idKey, stored, id, text.length + 1)).toThrow(/index records/);
    const random = randomBytes(1000);
    expect(() => decodeBlobReusing(dataKey, idKey, encodeBlob(dataKey, random), blobId(idKey, random), 999)).toThrow(
      /index records/,
    );
    const broken = seal(dataKey, Buffer.concat([Buffer.from([CODEC_ZSTD]), Buffer.from('not a zstd frame')]), 'blob');
    expect(() => decodeBlobReusing(dataKey, idKey, broken, id, 100)).toThrow(/damaged zstd frame/);
    const other = encodeBlob(dataKey, compressibleText(100_001));
    expect(() => decodeBlobReusing(dataKey, idKey, other, id, 100_001)).toThrow(/does not match its id/);
    const flipped = Buffer.from(stored);
    flipped[40] = (flipped[40] as number) ^ 1;
    expect(() => decodeBlobReusing(dataKey, idKey, flipped, id, text.length)).toThrow(/failed authentication/);
  });
});
