/**
 * Sealed JSON documents: config, index files, snapshots, locks, tombstones.
 * stored = seal(dataKey, frame(JSON UTF-8), purpose), with the same framing as blobs (codec byte,
 * zstd when it helps). The object name is the SHA-256 of the stored bytes (except `config` and
 * locks, whose names are fixed or random). Each purpose has a size cap (limits.ts) that bounds
 * both the stored bytes and their decompression.
 */

import { ENVELOPE_OVERHEAD, open, seal } from '../crypto/aead.js';
import { IntegrityError } from '../errors.js';
import { frameBlob, unframeBlob } from './blob-codec.js';
import { DOCUMENT_PLAIN_CAPS, type DocumentPurpose } from './limits.js';

export function encodeDocument(dataKey: Uint8Array, value: unknown, purpose: DocumentPurpose): Buffer {
  return seal(dataKey, frameBlob(Buffer.from(JSON.stringify(value), 'utf8')), purpose);
}

/**
 * Authenticates and decompresses (to at most the purpose's cap) a document: its JSON as bytes,
 * for a reader that parses them itself (format/index-compact.ts).
 */
export function openDocument(dataKey: Uint8Array, stored: Uint8Array, purpose: DocumentPurpose, what: string): Buffer {
  const cap = DOCUMENT_PLAIN_CAPS[purpose];
  // A raw frame is the plaintext plus the codec byte and envelope; a compressed one is smaller.
  if (stored.length > cap + 1 + ENVELOPE_OVERHEAD) {
    throw new IntegrityError(`${what} is ${stored.length} bytes, more than a ${purpose} document can be (${cap})`);
  }
  return unframeBlob(open(dataKey, stored, purpose, what), what, cap);
}

/**
 * Authenticates, decompresses (to at most the purpose's cap) and parses a document. The result
 * is only JSON: callers validate its shape (e.g. `fromStoredIndex`, `parseSnapshot`).
 */
export function decodeDocument<T>(dataKey: Uint8Array, stored: Uint8Array, purpose: DocumentPurpose, what: string): T {
  const plain = openDocument(dataKey, stored, purpose, what);
  try {
    return JSON.parse(plain.toString('utf8')) as T;
  } catch (cause) {
    // Not JSON, or (with a cap above V8's string limit) text too long to become one string.
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
}
