/**
 * Tests for sealed JSON documents: roundtrip, framing inside, purpose binding and damage.
 */
import { describe, expect, it } from 'vitest';
import { open, seal } from '../crypto/aead.js';
import { IntegrityError } from '../errors.js';
import { CODEC_RAW, CODEC_ZSTD } from './blob-codec.js';
import { decodeDocument, encodeDocument } from './sealed-json.js';

const dataKey = Buffer.alloc(32, 0x51);

describe('encodeDocument / decodeDocument', () => {
  it('roundtrips JSON values', () => {
    for (const value of [{ a: 1, b: ['x', null, true] }, [], 'text', 42, { nested: { ünï: 'cødé' } }]) {
      const stored = encodeDocument(dataKey, value, 'snapshot');
      expect(decodeDocument(dataKey, stored, 'snapshot', 'snapshot 1')).toEqual(value);
    }
  });

  it('frames small documents raw and large repetitive ones with zstd', () => {
    const small = open(dataKey, encodeDocument(dataKey, { a: 1 }, 'lock'), 'lock');
    expect(small[0]).toBe(CODEC_RAW);
    expect(small.subarray(1).toString('utf8')).toBe('{"a":1}');
    const large = open(dataKey, encodeDocument(dataKey, { items: Array(500).fill('same words') }, 'lock'), 'lock');
    expect(large[0]).toBe(CODEC_ZSTD);
  });

  it('is bound to its purpose and authenticated', () => {
    const stored = encodeDocument(dataKey, { a: 1 }, 'config');
    expect(() => decodeDocument(dataKey, stored, 'index', 'the config')).toThrow(/the config failed authentication/);
    const bad = Buffer.from(stored);
    bad[14] = (bad[14] ?? 0) ^ 4;
    expect(() => decodeDocument(dataKey, bad, 'config', 'the config')).toThrow(IntegrityError);
  });

  it('reports a sealed payload that is not JSON', () => {
    const stored = seal(dataKey, Buffer.from([CODEC_RAW, 0x7b]), 'tombstone');
    expect(() => decodeDocument(dataKey, stored, 'tombstone', 'tombstone 1')).toThrow('tombstone 1 is not valid JSON');
  });
});
