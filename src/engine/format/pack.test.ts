/**
 * Tests for pack headers: encode/decode roundtrip, offsets, and detection of damaged or
 * inconsistent packs.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import { decodeBlob, encodeBlob } from './blob-codec.js';
import {
  type BlobType,
  decodePackHeader,
  decodeSealedPackHeader,
  encodePackHeader,
  type PackEntry,
  packHeaderRange,
} from './pack.js';

const dataKey = Buffer.alloc(32, 0x31);
const idKey = Buffer.alloc(32, 0x32);

interface BuiltPack {
  pack: Buffer;
  entries: PackEntry[];
  plains: Buffer[];
}

/** Assembles a pack the way the pack writer does: blobs back to back, then the sealed header. */
function buildPack(items: { type: BlobType; plain: Buffer }[]): BuiltPack {
  const parts: Buffer[] = [];
  const entries: PackEntry[] = [];
  let offset = 0;
  for (const { type, plain } of items) {
    const stored = encodeBlob(dataKey, plain);
    entries.push({ type, id: blobId(idKey, plain), offset, length: stored.length, rawLength: plain.length });
    parts.push(stored);
    offset += stored.length;
  }
  parts.push(encodePackHeader(dataKey, entries));
  return { pack: Buffer.concat(parts), entries, plains: items.map((i) => i.plain) };
}

function sample(): BuiltPack {
  return buildPack([
    { type: 'data', plain: randomBytes(1000) },
    { type: 'tree', plain: Buffer.from(JSON.stringify({ nodes: [] })) },
    { type: 'data', plain: Buffer.from('x'.repeat(5000)) },
    { type: 'data', plain: Buffer.alloc(0) },
  ]);
}

describe('encodePackHeader / decodePackHeader', () => {
  it('roundtrips entries and derives each blob offset from the lengths', () => {
    const { pack, entries, plains } = sample();
    const decoded = decodePackHeader(dataKey, pack, 'pack 1');
    expect(decoded).toEqual(entries);
    let expectedOffset = 0;
    for (const entry of decoded) {
      expect(entry.offset).toBe(expectedOffset);
      expectedOffset += entry.length;
    }
    expect(expectedOffset).toBe(pack.length - 4 - pack.readUInt32LE(pack.length - 4));
    decoded.forEach((entry, i) => {
      const stored = pack.subarray(entry.offset, entry.offset + entry.length);
      const plain = decodeBlob(dataKey, idKey, stored, entry.id);
      expect(plain.equals(plains[i] ?? Buffer.alloc(1))).toBe(true);
      expect(plain.length).toBe(entry.rawLength);
    });
  });

  it('decodes a pack given as a view into a larger buffer', () => {
    const { pack, entries } = sample();
    const outer = Buffer.concat([Buffer.alloc(7, 0xee), pack, Buffer.alloc(5, 0xee)]);
    const view = new Uint8Array(outer.buffer, outer.byteOffset + 7, pack.length);
    expect(decodePackHeader(dataKey, view, 'pack 1')).toEqual(entries);
  });

  it('accepts a pack with no blobs', () => {
    const header = encodePackHeader(dataKey, []);
    expect(decodePackHeader(dataKey, header, 'pack 0')).toEqual([]);
  });

  it('ends with the u32le length of the sealed header, which holds 41 bytes per entry', () => {
    const { pack, entries } = sample();
    const headerLength = pack.readUInt32LE(pack.length - 4);
    const sealed = pack.subarray(pack.length - 4 - headerLength, pack.length - 4);
    const plain = open(dataKey, sealed, 'pack-header');
    expect(plain.length).toBe(1 + 41 * entries.length);
    expect(plain[0]).toBe(0x01);
    expect(plain[1 + 41]).toBe(1); // the second entry is a tree
    expect(plain.toString('hex', 2, 34)).toBe(entries[0]?.id);
  });

  it('refuses a pack shorter than its trailer', () => {
    expect(() => decodePackHeader(dataKey, Buffer.alloc(3), 'pack 9')).toThrow('pack 9 is too short to be a pack');
  });

  it('detects a header length pointing outside the pack', () => {
    const { pack } = sample();
    const bad = Buffer.from(pack);
    bad.writeUInt32LE(pack.length - 3, pack.length - 4);
    expect(() => decodePackHeader(dataKey, bad, 'pack 2')).toThrow('pack 2 has a header length beyond its size');
    bad.writeUInt32LE(0xffffffff, pack.length - 4);
    expect(() => decodePackHeader(dataKey, bad, 'pack 2')).toThrow(IntegrityError);
  });

  it('detects a header length pointing at the wrong place inside the pack', () => {
    const { pack } = sample();
    const headerLength = pack.readUInt32LE(pack.length - 4);
    for (const wrong of [0, 1, headerLength - 1, headerLength + 1, pack.length - 4]) {
      const bad = Buffer.from(pack);
      bad.writeUInt32LE(wrong, pack.length - 4);
      expect(() => decodePackHeader(dataKey, bad, 'pack 3'), `length ${wrong}`).toThrow(IntegrityError);
    }
  });

  it('detects a modified header byte', () => {
    const { pack } = sample();
    const headerLength = pack.readUInt32LE(pack.length - 4);
    const headerStart = pack.length - 4 - headerLength;
    for (let i = headerStart; i < pack.length - 4; i += 7) {
      const bad = Buffer.from(pack);
      bad[i] = (bad[i] ?? 0) ^ 0x10;
      expect(() => decodePackHeader(dataKey, bad, 'pack 4'), `byte ${i}`).toThrow(IntegrityError);
    }
  });

  it('refuses a header under another key', () => {
    const { pack } = sample();
    expect(() => decodePackHeader(Buffer.alloc(32, 0x33), pack, 'pack 5')).toThrow(
      /pack 5 header failed authentication/,
    );
  });

  it('detects listed lengths that do not fill the space before the header', () => {
    const { pack, entries } = sample();
    const headerLength = pack.readUInt32LE(pack.length - 4);
    const blobs = pack.subarray(0, pack.length - 4 - headerLength);

    // one blob listed a byte longer than it is
    const longer = entries.map((e, i) => (i === 1 ? { ...e, length: e.length + 1 } : e));
    const packLonger = Buffer.concat([blobs, encodePackHeader(dataKey, longer)]);
    expect(() => decodePackHeader(dataKey, packLonger, 'pack 6')).toThrow(
      `pack 6: header lists ${blobs.length + 1} bytes of blobs, pack holds ${blobs.length}`,
    );

    // a blob missing from the header
    const fewer = entries.slice(0, -2);
    const packFewer = Buffer.concat([blobs, encodePackHeader(dataKey, fewer)]);
    expect(() => decodePackHeader(dataKey, packFewer, 'pack 7')).toThrow(IntegrityError);

    // extra bytes slipped in before the header
    const packPadded = Buffer.concat([blobs, Buffer.from([0]), encodePackHeader(dataKey, entries)]);
    expect(() => decodePackHeader(dataKey, packPadded, 'pack 8')).toThrow(/header lists/);
  });

  it('refuses to write an entry whose id or lengths do not fit the layout', () => {
    const good: PackEntry = { type: 'data', id: 'ab'.repeat(32), offset: 0, length: 10, rawLength: 9 };
    expect(() => encodePackHeader(dataKey, [good])).not.toThrow();
    for (const id of ['ab'.repeat(31), 'AB'.repeat(32), `${'ab'.repeat(31)}zz`, '', 'ab'.repeat(33)]) {
      expect(() => encodePackHeader(dataKey, [{ ...good, id }]), id).toThrow(/invalid blob id/);
    }
    for (const length of [-1, 1.5, 2 ** 32]) {
      expect(() => encodePackHeader(dataKey, [{ ...good, length }]), String(length)).toThrow(/invalid length/);
      expect(() => encodePackHeader(dataKey, [{ ...good, rawLength: length }]), String(length)).toThrow(
        /invalid length/,
      );
    }
  });
});

describe('packHeaderRange / decodeSealedPackHeader (reading only the header)', () => {
  /** Reads a pack the way repair index does: the last 4 bytes, then the header they locate. */
  function headerOnly(pack: Buffer, what: string): PackEntry[] {
    const { offset, length } = packHeaderRange(pack.length, pack.subarray(pack.length - 4), what);
    return decodeSealedPackHeader(dataKey, pack.subarray(offset, offset + length), pack.length, what);
  }

  it('gives the entries decodePackHeader gives, from the header bytes alone', () => {
    const { pack, entries } = sample();
    const { offset, length } = packHeaderRange(pack.length, pack.subarray(pack.length - 4), 'pack 1');
    expect(offset + length).toBe(pack.length - 4);
    expect(offset).toBe(entries.reduce((sum, e) => sum + e.length, 0));
    // Only the header is handed over: the blobs before it are not needed.
    const sealed = Buffer.from(pack.subarray(offset, offset + length));
    expect(decodeSealedPackHeader(dataKey, sealed, pack.length, 'pack 1')).toEqual(entries);
    expect(headerOnly(pack, 'pack 1')).toEqual(decodePackHeader(dataKey, pack, 'pack 1'));
  });

  it('refuses what decodePackHeader refuses, with the same messages', () => {
    const { pack, entries } = sample();
    expect(() => packHeaderRange(3, Buffer.alloc(3), 'pack 9')).toThrow('pack 9 is too short to be a pack');
    const beyond = Buffer.from(pack);
    beyond.writeUInt32LE(pack.length - 3, pack.length - 4);
    expect(() => headerOnly(beyond, 'pack 2')).toThrow('pack 2 has a header length beyond its size');
    const flipped = Buffer.from(pack);
    flipped[pack.length - 10] = (flipped[pack.length - 10] ?? 0) ^ 1;
    expect(() => headerOnly(flipped, 'pack 4')).toThrow(/pack 4 header failed authentication/);
    // A pack whose size does not match its header (e.g. bytes lost before it) is refused.
    const blobs = pack.subarray(
      0,
      entries.reduce((sum, e) => sum + e.length, 0),
    );
    const shorter = Buffer.concat([blobs.subarray(1), encodePackHeader(dataKey, entries)]);
    expect(() => headerOnly(shorter, 'pack 6')).toThrow(
      `pack 6: header lists ${blobs.length} bytes of blobs, pack holds ${blobs.length - 1}`,
    );
  });
});
