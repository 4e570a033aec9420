/**
 * Tests for the AES-256-GCM envelope: roundtrip, tamper detection on every bit, purpose binding,
 * key binding, truncation, and nonce freshness.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import {
  aadFor,
  ENVELOPE_AES256GCM,
  ENVELOPE_OVERHEAD,
  NONCE_BYTES,
  type ObjectPurpose,
  open,
  openInto,
  seal,
  sealInto,
  TAG_BYTES,
} from './aead.js';

const PURPOSES: ObjectPurpose[] = [
  'blob',
  'pack-header',
  'index',
  'snapshot',
  'config',
  'lock',
  'key-slot',
  'tombstone',
];

function key(fill: number): Buffer {
  return Buffer.alloc(32, fill);
}

describe('seal / open', () => {
  it('roundtrips plaintexts of several sizes', () => {
    const k = randomBytes(32);
    for (const size of [0, 1, 15, 16, 17, 1000, 65_537]) {
      const plain = randomBytes(size);
      const env = seal(k, plain, 'blob');
      expect(env.length).toBe(size + ENVELOPE_OVERHEAD);
      expect(env[0]).toBe(ENVELOPE_AES256GCM);
      expect(open(k, env, 'blob').equals(plain)).toBe(true);
    }
  });

  it('lays the envelope out as version byte, nonce, ciphertext, tag', () => {
    const nonce = Buffer.from('000102030405060708090a0b', 'hex');
    const env = seal(key(7), Buffer.from('hello'), 'snapshot', nonce);
    expect(env[0]).toBe(0x01);
    expect(env.subarray(1, 1 + NONCE_BYTES).equals(nonce)).toBe(true);
    expect(env.length).toBe(1 + NONCE_BYTES + 5 + TAG_BYTES);
    // the ciphertext is not the plaintext
    expect(env.subarray(13, 18).toString()).not.toBe('hello');
  });

  it('names the purpose in the additional data as cairn/v1/<purpose>', () => {
    expect(aadFor('pack-header').toString('utf8')).toBe('cairn/v1/pack-header');
    expect(aadFor('key-slot').toString('utf8')).toBe('cairn/v1/key-slot');
  });

  it('rejects every single flipped bit of the envelope with IntegrityError', () => {
    const k = key(1);
    const plain = Buffer.from('seventeen bytes!!');
    const env = seal(k, plain, 'index');
    let failures = 0;
    for (let byte = 0; byte < env.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(env);
        bad[byte] = (bad[byte] ?? 0) ^ (1 << bit);
        expect(() => open(k, bad, 'index'), `byte ${byte} bit ${bit}`).toThrow(IntegrityError);
        failures++;
      }
    }
    expect(failures).toBe(env.length * 8);
  });

  it('rejects every single replaced byte (each region: version, nonce, ciphertext, tag)', () => {
    const k = key(2);
    const env = seal(k, Buffer.from('some plaintext'), 'blob');
    for (let byte = 0; byte < env.length; byte++) {
      const bad = Buffer.from(env);
      bad[byte] = ((bad[byte] ?? 0) + 0x5a) & 0xff;
      expect(() => open(k, bad, 'blob'), `byte ${byte}`).toThrow(IntegrityError);
    }
  });

  it('reports an unknown version byte and a failed tag in words', () => {
    const k = key(3);
    const env = seal(k, Buffer.from('x'), 'blob');
    const badVersion = Buffer.from(env);
    badVersion[0] = 0x02;
    expect(() => open(k, badVersion, 'blob', 'pack 1234')).toThrow(
      /pack 1234 has an unknown encryption envelope \(version byte 2\)/,
    );
    const badTag = Buffer.from(env);
    badTag[badTag.length - 1] = (badTag[badTag.length - 1] ?? 0) ^ 1;
    expect(() => open(k, badTag, 'blob', 'pack 1234')).toThrow(/pack 1234 failed authentication/);
  });

  it('fails under any other purpose (AAD)', () => {
    const k = key(4);
    for (const purpose of PURPOSES) {
      const env = seal(k, Buffer.from('payload'), purpose);
      expect(open(k, env, purpose).toString()).toBe('payload');
      for (const other of PURPOSES) {
        if (other === purpose) continue;
        expect(() => open(k, env, other), `${purpose} opened as ${other}`).toThrow(IntegrityError);
      }
    }
  });

  it('fails under a wrong key', () => {
    const env = seal(key(5), Buffer.from('payload'), 'config');
    expect(() => open(key(6), env, 'config')).toThrow(IntegrityError);
    const nearly = key(5);
    nearly[31] = 4;
    expect(() => open(nearly, env, 'config')).toThrow(IntegrityError);
  });

  it('fails on every truncation and on an appended byte', () => {
    const k = key(8);
    const env = seal(k, Buffer.from('a longer plaintext here'), 'lock');
    for (let len = 0; len < env.length; len++) {
      expect(() => open(k, env.subarray(0, len), 'lock'), `length ${len}`).toThrow(IntegrityError);
    }
    expect(() => open(k, env.subarray(0, ENVELOPE_OVERHEAD - 1), 'lock')).toThrow(/truncated/);
    expect(() => open(k, Buffer.concat([env, Buffer.from([0])]), 'lock')).toThrow(IntegrityError);
  });

  it('uses a fresh random nonce for each seal of the same plaintext', () => {
    const k = key(9);
    const plain = Buffer.from('same plaintext');
    const a = seal(k, plain, 'blob');
    const b = seal(k, plain, 'blob');
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(open(k, a, 'blob').equals(open(k, b, 'blob'))).toBe(true);
  });

  it('is deterministic with a given nonce', () => {
    const nonce = Buffer.alloc(12, 0xab);
    expect(
      seal(key(1), Buffer.from('abc'), 'blob', nonce).equals(seal(key(1), Buffer.from('abc'), 'blob', nonce)),
    ).toBe(true);
  });

  it('refuses keys that are not 32 bytes and nonces that are not 12 bytes', () => {
    expect(() => seal(Buffer.alloc(16), Buffer.from('x'), 'blob')).toThrow(/32-byte key/);
    expect(() => seal(key(1), Buffer.from('x'), 'blob', Buffer.alloc(16))).toThrow(/12-byte nonce/);
    expect(() => seal(key(1), Buffer.from('x'), 'blob', Buffer.alloc(8))).toThrow(/12-byte nonce/);
  });
});

describe('sealInto / openInto (buffers the caller keeps)', () => {
  // Sizes around the 64 KiB slices the cipher is fed, and a multi-megabyte blob.
  const SIZES = [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 5, 2_000_000];

  it('writes the same envelope as seal at any offset, from parts, and returns its length', () => {
    for (const size of SIZES) {
      const plain = randomBytes(size);
      const nonce = randomBytes(NONCE_BYTES);
      const expected = seal(key(3), plain, 'blob', nonce);
      const out = Buffer.alloc(7 + ENVELOPE_OVERHEAD + size + 9, 0xee);
      const cut = Math.floor(size / 3);
      const written = sealInto(out, 7, key(3), [plain.subarray(0, cut), plain.subarray(cut)], 'blob', nonce);
      expect(written, `size ${size}`).toBe(expected.length);
      expect(out.subarray(7, 7 + written).equals(expected), `size ${size}`).toBe(true);
      expect(out.subarray(0, 7).every((b) => b === 0xee) && out.subarray(7 + written).every((b) => b === 0xee)).toBe(
        true,
      );
    }
  });

  it('refuses an output without room for the envelope', () => {
    expect(() => sealInto(Buffer.alloc(ENVELOPE_OVERHEAD + 9), 1, key(3), [Buffer.alloc(9)], 'blob')).toThrow(
      RangeError,
    );
  });

  it("openInto gives what open gives, into the caller's buffer", () => {
    for (const size of SIZES) {
      const plain = randomBytes(size);
      const envelope = seal(key(4), plain, 'snapshot');
      const out = Buffer.alloc(size + 3);
      const length = openInto(key(4), envelope, 'snapshot', out);
      expect(length).toBe(size);
      expect(out.subarray(0, length).equals(plain)).toBe(true);
    }
  });

  it('openInto rejects a flipped byte in any slice, a wrong purpose and a wrong key with IntegrityError', () => {
    const envelope = seal(key(5), randomBytes(3 * 65_536 + 100), 'blob');
    const out = Buffer.alloc(envelope.length);
    for (const at of [0, 5, 1 + NONCE_BYTES, 70_000, 140_000, envelope.length - TAG_BYTES - 1, envelope.length - 1]) {
      const damaged = Buffer.from(envelope);
      damaged[at] = (damaged[at] as number) ^ 0x04;
      expect(() => openInto(key(5), damaged, 'blob', out), `byte ${at}`).toThrow(IntegrityError);
    }
    expect(() => openInto(key(5), envelope, 'index', out)).toThrow(IntegrityError);
    expect(() => openInto(key(6), envelope, 'blob', out)).toThrow(IntegrityError);
    expect(() => openInto(key(5), envelope.subarray(0, ENVELOPE_OVERHEAD - 1), 'blob', out)).toThrow(/truncated/);
  });
});
