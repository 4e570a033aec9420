/**
 * Derived keys (docs/repository-format.md §3.5): HKDF-SHA-256 against RFC 5869's test cases 1
 * and 3 and against an independent implementation (@noble/hashes), and the erasure path key
 * against the vector the format document gives (the path hashes made with it: ../erase).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { deriveSubkey, ERASURE_PATH_LABEL, erasurePathKey, hkdfSha256 } from './subkeys.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('HKDF-SHA-256', () => {
  it('gives RFC 5869 test case 1', () => {
    const okm = hkdfSha256(Buffer.alloc(22, 0x0b), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(okm.toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('gives RFC 5869 test case 3 (empty salt and info)', () => {
    const okm = hkdfSha256(Buffer.alloc(22, 0x0b), Buffer.alloc(0), Buffer.alloc(0), 42);
    expect(okm.toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('derives a labelled key as an independent HKDF does, and refuses an empty label', () => {
    const master = Buffer.from([...Array(32).keys()]);
    const expected = hkdf(sha256, master, new Uint8Array(0), new TextEncoder().encode('some purpose'), 32);
    expect(deriveSubkey(master, 'some purpose').equals(Buffer.from(expected))).toBe(true);
    expect(deriveSubkey(master, 'another purpose').equals(Buffer.from(expected))).toBe(false);
    expect(() => deriveSubkey(master, '')).toThrow(/label/);
  });
});

describe('the erasure path key', () => {
  // The vector of docs/repository-format.md §3.5: idKey = bytes 00 01 … 1f.
  const idKey = Buffer.from([...Array(32).keys()]);

  it('is HKDF of the id key with its own label', () => {
    expect(ERASURE_PATH_LABEL).toBe('cairn erasure path hash v1');
    expect(erasurePathKey({ idKey }).toString('hex')).toBe(
      'ae37d560acfc2f984ce7d3b57a6b018d342598eff94eec685c09b12ce52b63ec',
    );
    expect(erasurePathKey({ idKey: Buffer.alloc(32, 0xaa) }).equals(erasurePathKey({ idKey }))).toBe(false);
  });
});
