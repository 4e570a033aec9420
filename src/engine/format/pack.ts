/**
 * Pack files (docs/repository-format.md, "Packs"): many stored blobs in one `data/` object.
 *
 *   pack   = blob_1 ‖ … ‖ blob_n ‖ sealedHeader ‖ u32le(len(sealedHeader))
 *   header = 0x01 (header version) ‖ n × entry
 *   entry  = type (u8: 0 data, 1 tree) ‖ id (32 bytes) ‖ length (u32le, stored bytes)
 *            ‖ rawLength (u32le, plaintext bytes)
 * Blob offsets follow from the lengths (the first blob starts at 0). The header is sealed with
 * purpose "pack-header". A pack's object name is the SHA-256 of its bytes. A reader that needs
 * only the header (repair index) loads the last 4 bytes, then the header: `packHeaderRange`,
 * `decodeSealedPackHeader`.
 */

import { open, seal } from '../crypto/aead.js';
import { isId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';

export type BlobType = 'data' | 'tree';

export interface PackEntry {
  type: BlobType;
  id: string;
  offset: number;
  length: number;
  rawLength: number;
}

const HEADER_VERSION = 0x01;
const ENTRY_BYTES = 1 + 32 + 4 + 4;

const MAX_U32 = 0xffffffff;

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_U32;
}

export function encodePackHeader(dataKey: Uint8Array, entries: readonly PackEntry[]): Buffer {
  const plain = Buffer.allocUnsafe(1 + entries.length * ENTRY_BYTES);
  plain[0] = HEADER_VERSION;
  let at = 1;
  for (const e of entries) {
    // A short or non-hex id would leave bytes of the header unwritten, so refuse it outright.
    if (!isId(e.id)) throw new Error(`pack header entry has an invalid blob id ${JSON.stringify(e.id)}`);
    if (!isU32(e.length) || !isU32(e.rawLength)) {
      throw new Error(
        `pack header entry for blob ${e.id.slice(0, 12)} has an invalid length (${e.length}/${e.rawLength})`,
      );
    }
    plain[at] = e.type === 'tree' ? 1 : 0;
    plain.write(e.id, at + 1, 32, 'hex');
    plain.writeUInt32LE(e.length, at + 33);
    plain.writeUInt32LE(e.rawLength, at + 37);
    at += ENTRY_BYTES;
  }
  const sealed = seal(dataKey, plain, 'pack-header');
  const trailer = Buffer.allocUnsafe(4);
  trailer.writeUInt32LE(sealed.length, 0);
  return Buffer.concat([sealed, trailer]);
}

/** Parses a whole pack's header; checks that the blobs exactly fill the space before it. */
export function decodePackHeader(dataKey: Uint8Array, pack: Uint8Array, what: string): PackEntry[] {
  const view = Buffer.from(pack.buffer, pack.byteOffset, pack.length);
  const { offset, length } = packHeaderRange(pack.length, view.subarray(Math.max(0, pack.length - 4)), what);
  return decodeSealedPackHeader(dataKey, view.subarray(offset, offset + length), pack.length, what);
}

/**
 * Where the sealed header of a pack of `packSize` bytes lies, from the pack's last 4 bytes
 * (`trailer`): so a reader can load just the header with two ranged reads (repair index).
 */
export function packHeaderRange(
  packSize: number,
  trailer: Uint8Array,
  what: string,
): { offset: number; length: number } {
  if (packSize < 4 || trailer.length !== 4) throw new IntegrityError(`${what} is too short to be a pack`);
  const length = Buffer.from(trailer.buffer, trailer.byteOffset, 4).readUInt32LE(0);
  const offset = packSize - 4 - length;
  if (offset < 0) throw new IntegrityError(`${what} has a header length beyond its size`);
  return { offset, length };
}

/**
 * Parses a pack's sealed header read on its own (see `packHeaderRange`), with the same checks as
 * `decodePackHeader`: the blobs it lists must exactly fill the `packSize - 4 - len(sealed)` bytes
 * before it.
 */
export function decodeSealedPackHeader(
  dataKey: Uint8Array,
  sealed: Uint8Array,
  packSize: number,
  what: string,
): PackEntry[] {
  const headerStart = packSize - 4 - sealed.length;
  if (headerStart < 0) throw new IntegrityError(`${what} has a header length beyond its size`);
  const plain = open(dataKey, sealed, 'pack-header', `${what} header`);
  if (plain[0] !== HEADER_VERSION || (plain.length - 1) % ENTRY_BYTES !== 0) {
    throw new IntegrityError(`${what} has a malformed header`);
  }
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let at = 1; at < plain.length; at += ENTRY_BYTES) {
    const typeByte = plain[at];
    if (typeByte !== 0 && typeByte !== 1) throw new IntegrityError(`${what} header names an unknown blob type`);
    const length = plain.readUInt32LE(at + 33);
    entries.push({
      type: typeByte === 1 ? 'tree' : 'data',
      id: plain.toString('hex', at + 1, at + 33),
      offset,
      length,
      rawLength: plain.readUInt32LE(at + 37),
    });
    offset += length;
  }
  if (offset !== headerStart)
    throw new IntegrityError(`${what}: header lists ${offset} bytes of blobs, pack holds ${headerStart}`);
  return entries;
}
