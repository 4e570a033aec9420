/**
 * Pinned test vectors (test/fixtures/vectors/aes-256-gcm.json) for the v1 format's crypto and
 * pack header layout. The JSON was generated once and is committed: a difference here is a change
 * of the on-disk format, never something to "fix" by regenerating it.
 *
 * Each vector is checked twice: against Cairn's own code (node:crypto), and against an
 * independent implementation (@noble/ciphers, @noble/hashes), so the format is what the spec says
 * and not merely what our code happens to do.
 */
import { readFileSync } from 'node:fs';
import { ctr, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { gearTable } from '../src/engine/chunker/fastcdc.js';
import { type ObjectPurpose, open, seal } from '../src/engine/crypto/aead.js';
import { blobId } from '../src/engine/crypto/ids.js';
import { decodePackHeader, encodePackHeader, type PackEntry } from '../src/engine/format/pack.js';

interface AeadCase {
  purpose: ObjectPurpose;
  keyHex: string;
  nonceHex: string;
  plaintextHex: string;
  envelopeHex: string;
}
interface BlobIdCase {
  idKeyHex: string;
  plaintextHex: string;
  blobIdHex: string;
}
interface GearCase {
  seedHex: string;
  first8: number[];
  last: number;
  tableSha256Hex: string;
}
interface PackHeaderCase {
  dataKeyHex: string;
  entries: Pick<PackEntry, 'type' | 'id' | 'length' | 'rawLength'>[];
  sealedLength: number;
  plaintextHex: string;
}
interface Vectors {
  aead: AeadCase[];
  blobIds: BlobIdCase[];
  gear: GearCase[];
  packHeader: PackHeaderCase;
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/vectors/aes-256-gcm.json', import.meta.url), 'utf8'),
) as Vectors;

const fromHex = (hex: string): Buffer => Buffer.from(hex, 'hex');
const toHex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('the committed vectors file', () => {
  it('covers the sizes and purposes the format needs', () => {
    const sizes = new Set(vectors.aead.map((c) => c.plaintextHex.length / 2));
    for (const size of [0, 1, 17, 1000]) expect(sizes.has(size), `plaintext of ${size} bytes`).toBe(true);
    const purposes = new Set(vectors.aead.map((c) => c.purpose));
    for (const p of ['blob', 'pack-header', 'index', 'snapshot', 'config', 'lock', 'key-slot', 'tombstone']) {
      expect(purposes.has(p as ObjectPurpose), p).toBe(true);
    }
    expect(vectors.blobIds.length).toBeGreaterThanOrEqual(3);
    expect(vectors.gear.map((g) => g.seedHex)).toEqual([
      '00'.repeat(32),
      Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'),
    ]);
  });
});

describe('AES-256-GCM envelopes', () => {
  for (const [i, c] of vectors.aead.entries()) {
    const label = `case ${i}: ${c.purpose}, ${c.plaintextHex.length / 2} bytes`;

    it(`${label}: seal with the fixed nonce reproduces the envelope, open recovers the plaintext`, () => {
      const key = fromHex(c.keyHex);
      const envelope = seal(key, fromHex(c.plaintextHex), c.purpose, fromHex(c.nonceHex));
      expect(envelope.toString('hex')).toBe(c.envelopeHex);
      expect(open(key, fromHex(c.envelopeHex), c.purpose).toString('hex')).toBe(c.plaintextHex);
    });

    it(`${label}: @noble/ciphers decrypts and encrypts the same bytes`, () => {
      const envelope = fromHex(c.envelopeHex);
      expect(envelope[0]).toBe(0x01);
      const nonce = envelope.subarray(1, 13);
      expect(toHex(nonce)).toBe(c.nonceHex);
      const aad = utf8(`cairn/v1/${c.purpose}`);
      const body = envelope.subarray(13);
      expect(body.length).toBe(c.plaintextHex.length / 2 + 16);
      const key = fromHex(c.keyHex);
      expect(toHex(gcm(key, nonce, aad).decrypt(body))).toBe(c.plaintextHex);
      expect(toHex(gcm(key, nonce, aad).encrypt(fromHex(c.plaintextHex)))).toBe(toHex(body));
      // and the AAD really is part of the tag
      expect(() => gcm(key, nonce, utf8('cairn/v1/other')).decrypt(body)).toThrow();
    });
  }

  it('gives different envelopes for the same key, nonce and plaintext under different purposes', () => {
    const same = vectors.aead.filter(
      (c) =>
        c.keyHex === vectors.aead[1]?.keyHex && c.nonceHex === vectors.aead[1]?.nonceHex && c.plaintextHex === '61',
    );
    expect(same.map((c) => c.purpose).sort()).toEqual(['blob', 'index']);
    const [a, b] = same;
    // identical ciphertext (same keystream), different tag
    expect(a?.envelopeHex.slice(0, 28)).toBe(b?.envelopeHex.slice(0, 28));
    expect(a?.envelopeHex).not.toBe(b?.envelopeHex);
  });
});

describe('blob ids', () => {
  for (const [i, c] of vectors.blobIds.entries()) {
    it(`case ${i}: our blobId and @noble/hashes HMAC-SHA-256 give the committed id`, () => {
      expect(blobId(fromHex(c.idKeyHex), fromHex(c.plaintextHex))).toBe(c.blobIdHex);
      expect(toHex(hmac(sha256, fromHex(c.idKeyHex), fromHex(c.plaintextHex)))).toBe(c.blobIdHex);
    });
  }
});

describe('gear table', () => {
  /** The spec's derivation, recomputed with @noble only. */
  function nobleGear(seed: Uint8Array): Uint32Array {
    const key = hmac(sha256, seed, utf8('cairn/v1/gear'));
    const stream = ctr(key, new Uint8Array(16)).encrypt(new Uint8Array(1024));
    const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
    return Uint32Array.from({ length: 256 }, (_, i) => view.getUint32(4 * i, true));
  }

  function tableHash(table: Uint32Array): string {
    const bytes = new Uint8Array(1024);
    const view = new DataView(bytes.buffer);
    for (const [i, v] of table.entries()) view.setUint32(4 * i, v, true);
    return toHex(sha256(bytes));
  }

  for (const c of vectors.gear) {
    it(`seed ${c.seedHex.slice(0, 8)}…: gearTable() matches the committed samples and the noble derivation`, () => {
      const ours = gearTable(fromHex(c.seedHex));
      expect(Array.from(ours.subarray(0, 8))).toEqual(c.first8);
      expect(ours[255]).toBe(c.last);
      expect(tableHash(ours)).toBe(c.tableSha256Hex);
      const theirs = nobleGear(fromHex(c.seedHex));
      expect(Array.from(theirs)).toEqual(Array.from(ours));
    });
  }
});

describe('pack header layout', () => {
  const c = vectors.packHeader;
  const entries: PackEntry[] = [];
  let offset = 0;
  for (const e of c.entries) {
    entries.push({ ...e, offset });
    offset += e.length;
  }

  it('encodePackHeader seals exactly the committed plaintext', () => {
    const key = fromHex(c.dataKeyHex);
    const sealed = encodePackHeader(key, entries);
    const sealedLength = sealed.readUInt32LE(sealed.length - 4);
    expect(sealedLength).toBe(c.sealedLength);
    expect(sealed.length).toBe(sealedLength + 4);
    const plain = open(key, sealed.subarray(0, sealedLength), 'pack-header');
    expect(plain.toString('hex')).toBe(c.plaintextHex);
  });

  it('the committed plaintext spells out the documented layout', () => {
    // 0x01 ‖ per entry: type u8 ‖ id 32 bytes ‖ length u32le ‖ rawLength u32le
    const expected = [
      '01',
      ...c.entries.map((e) => {
        const tail = Buffer.alloc(8);
        tail.writeUInt32LE(e.length, 0);
        tail.writeUInt32LE(e.rawLength, 4);
        return (e.type === 'tree' ? '01' : '00') + e.id + tail.toString('hex');
      }),
    ].join('');
    expect(c.plaintextHex).toBe(expected);
    expect(c.plaintextHex.length / 2).toBe(1 + 41 * c.entries.length);
  });

  it('a pack holding blobs of the listed lengths decodes back to the entries', () => {
    const key = fromHex(c.dataKeyHex);
    // Small lengths only: the second committed entry lists ~300 MB, so shrink copies for a real pack.
    const small = entries.map((e, i) => ({ ...e, length: 10 + i, offset: i === 0 ? 0 : 10 }));
    const pack = Buffer.concat([Buffer.alloc(10 + 11, 0xaa), encodePackHeader(key, small)]);
    expect(decodePackHeader(key, pack, 'pack')).toEqual(small);
  });
});
