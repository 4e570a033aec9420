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
/** zstd level 3 is zstd's own default: ~280 MB/s on text here, close to restic's "auto" ratio. */
export const ZSTD_LEVEL = 3;
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

/** Frames the plaintext: compressed when that saves at least 1/32 of its size (and some bytes). */
export function frameBlob(plain: Uint8Array): Buffer {
  if (plain.length >= MIN_COMPRESS) {
    const packed = getCompressor().compress(plain);
    if (packed.length + (plain.length >> 5) < plain.length) {
      const out = Buffer.allocUnsafe(packed.length + 1);
      out[0] = CODEC_ZSTD;
      packed.copy(out, 1);
      return out;
    }
  }
  const out = Buffer.allocUnsafe(plain.length + 1);
  out[0] = CODEC_RAW;
  out.set(plain, 1);
  return out;
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
  return seal(dataKey, frameBlob(plain), 'blob');
}

export function decodeBlob(dataKey: Uint8Array, idKey: Uint8Array, stored: Uint8Array, expectedId: string): Buffer {
  const what = `blob ${expectedId.slice(0, 12)}`;
  const plain = unframeBlob(open(dataKey, stored, 'blob', what), what);
  if (blobId(idKey, plain) !== expectedId) {
    throw new IntegrityError(`${what} does not match its id: the repository holds the wrong content under this name`);
  }
  return plain;
}
