/**
 * Turns a chunk of plaintext into a stored blob and back (docs/repository-format.md, "Blobs").
 *
 * Stored blob = seal(dataKey, frame, "blob"), where frame = one codec byte + payload:
 *   0x00  payload is the raw bytes
 *   0x01  payload is one zstd frame (used only when it is smaller than the raw bytes)
 * Decoding authenticates, decompresses and then checks that the keyed id of the plaintext equals
 * the id the caller expected, so a blob swapped for another valid blob is caught as well.
 */
import { Compressor, Decompressor } from 'zstd-napi';
import { open, seal } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';

export const CODEC_RAW = 0x00;
export const CODEC_ZSTD = 0x01;
/** zstd level 1: on the benchmark dataset 1.4x faster than level 3 for a 1.5% larger repository. */
export const ZSTD_LEVEL = 1;
/** Blobs smaller than this are not worth a compression attempt. */
const MIN_COMPRESS = 64;

let compressor: Compressor | undefined;
let decompressor: Decompressor | undefined;

function getCompressor(): Compressor {
  if (!compressor) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: ZSTD_LEVEL });
  }
  return compressor;
}

const RAW_PREFIX = Buffer.from([CODEC_RAW]);
const ZSTD_PREFIX = Buffer.from([CODEC_ZSTD]);
/** Chunks at least this large are probed before a full compression attempt. */
const PROBE_FROM = 128 * 1024;
const PROBE_BYTES = 8 * 1024;
const PROBES = 4;

/**
 * True when samples spread over the data do not compress at all (encrypted, already compressed
 * or random content): compressing such a chunk whole costs far more than the probes and saves
 * nothing. Mixed content, where any sample compresses, is compressed whole.
 */
function looksIncompressible(plain: Uint8Array): boolean {
  const step = Math.floor((plain.length - PROBE_BYTES) / (PROBES - 1));
  for (let i = 0; i < PROBES; i++) {
    const sample = plain.subarray(i * step, i * step + PROBE_BYTES);
    if (getCompressor().compress(sample).length < sample.length - (sample.length >> 6)) return false;
  }
  return true;
}

/**
 * The frame of a blob as parts (codec byte, payload), so callers can encrypt without copying:
 * zstd when it saves at least 1/32 of the size, raw otherwise.
 */
export function frameParts(plain: Uint8Array): [Uint8Array, Uint8Array] {
  if (plain.length >= MIN_COMPRESS && !(plain.length >= PROBE_FROM && looksIncompressible(plain))) {
    const packed = getCompressor().compress(plain);
    if (packed.length + (plain.length >> 5) < plain.length) return [ZSTD_PREFIX, packed];
  }
  return [RAW_PREFIX, plain];
}

/** The frame of a blob as one buffer (documents; see `frameParts`). */
export function frameBlob(plain: Uint8Array): Buffer {
  return Buffer.concat(frameParts(plain));
}

export function unframeBlob(frame: Uint8Array, what: string): Buffer {
  const codec = frame[0];
  const payload = frame.subarray(1);
  if (codec === CODEC_RAW) return Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  if (codec === CODEC_ZSTD) {
    decompressor ??= new Decompressor();
    try {
      return decompressor.decompress(payload);
    } catch (cause) {
      throw new IntegrityError(`${what} holds a damaged zstd frame`, { cause });
    }
  }
  throw new IntegrityError(`${what} uses an unknown codec ${codec}`);
}

export function encodeBlob(dataKey: Uint8Array, plain: Uint8Array): Buffer {
  return seal(dataKey, frameParts(plain), 'blob');
}

export function decodeBlob(dataKey: Uint8Array, idKey: Uint8Array, stored: Uint8Array, expectedId: string): Buffer {
  const what = `blob ${expectedId.slice(0, 12)}`;
  const plain = unframeBlob(open(dataKey, stored, 'blob', what), what);
  if (blobId(idKey, plain) !== expectedId) {
    throw new IntegrityError(`${what} does not match its id: the repository holds the wrong content under this name`);
  }
  return plain;
}
