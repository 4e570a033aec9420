/**
 * Sealed JSON documents: config, index files, snapshots, locks, tombstones.
 * stored = seal(dataKey, frame(JSON UTF-8), purpose), with the same framing as blobs (codec byte,
 * zstd when it helps). The object name is the SHA-256 of the stored bytes (except `config` and
 * locks, whose names are fixed or random).
 */

import { type ObjectPurpose, open, seal } from '../crypto/aead.js';
import { IntegrityError } from '../errors.js';
import { frameBlob, unframeBlob } from './blob-codec.js';

export function encodeDocument(dataKey: Uint8Array, value: unknown, purpose: ObjectPurpose): Buffer {
  return seal(dataKey, frameBlob(Buffer.from(JSON.stringify(value), 'utf8')), purpose);
}

export function decodeDocument<T>(dataKey: Uint8Array, stored: Uint8Array, purpose: ObjectPurpose, what: string): T {
  const plain = unframeBlob(open(dataKey, stored, purpose, what), what);
  try {
    return JSON.parse(plain.toString('utf8')) as T;
  } catch (cause) {
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
}
