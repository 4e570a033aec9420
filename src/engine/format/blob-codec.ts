/**
 * Turns a chunk of plaintext into a stored blob and back (docs/repository-format.md, "Blobs").
 *
 * Stored blob = seal(dataKey, frame, "blob"), where frame = one codec byte + payload:
 *   0x00  payload is the raw bytes
 *   0x01  payload is one zstd frame (used only when it is smaller than the raw bytes)
 * Decoding authenticates, decompresses and then checks that the keyed id of the plaintext equals
 * the id the caller expected, so a blob swapped for another valid blob is caught as well.
 */
import { createRequire } from 'node:module';
import type { Decompressor } from 'zstd-napi';
import { ENVELOPE_OVERHEAD, open, openInto, seal, sealInto } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';

export const CODEC_RAW = 0x00;
export const CODEC_ZSTD = 0x01;
/** zstd level 1: on the benchmark dataset 1.4x faster than level 3 for a 1.5% larger repository. */
export const ZSTD_LEVEL = 1;
/** Blobs smaller than this are not worth a compression attempt. */
const MIN_COMPRESS = 64;

/** The bytes a stored blob adds to its frame's payload: the codec byte and the envelope. */
export const BLOB_OVERHEAD = 1 + ENVELOPE_OVERHEAD;

// The raw binding compresses into a buffer we keep, where zstd-napi's Compressor allocates (and
// often copies) a result per call; the frames are the same. The rest of zstd-napi (its
// Decompressor) loads on the first decode: a backup worker never decodes, and loading it took
// 7-15 ms of every worker's start.
const cjs = createRequire(import.meta.url);
const zstd = cjs('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
let cctx: InstanceType<typeof zstd.CCtx> | undefined;
let scratch = Buffer.alloc(0);
let decompressor: Decompressor | undefined;

/** One zstd frame of `plain`, as a view into a buffer reused by the next call (consume it at once). */
function compressToScratch(plain: Uint8Array): Buffer {
  if (!cctx) {
    cctx = new zstd.CCtx();
    cctx.setParameter(zstd.CParameter.compressionLevel, ZSTD_LEVEL);
  }
  const bound = zstd.compressBound(plain.length);
  if (scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
  return scratch.subarray(0, cctx.compress2(scratch, plain));
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
    if (compressToScratch(sample).length < sample.length - (sample.length >> 6)) return false;
  }
  return true;
}

/**
 * The frame of a blob as parts (codec byte, payload), so callers can encrypt without copying:
 * zstd when it saves at least 1/32 of the size, raw otherwise. The payload may be a view into a
 * buffer that the next call reuses: consume the parts before framing again.
 */
export function frameParts(plain: Uint8Array): [Uint8Array, Uint8Array] {
  if (plain.length >= MIN_COMPRESS && !(plain.length >= PROBE_FROM && looksIncompressible(plain))) {
    const packed = compressToScratch(plain);
    if (packed.length + (plain.length >> 5) < plain.length) return [ZSTD_PREFIX, packed];
  }
  return [RAW_PREFIX, plain];
}

/** The frame of a blob as one buffer (documents; see `frameParts`). */
export function frameBlob(plain: Uint8Array): Buffer {
  return Buffer.concat(frameParts(plain));
}

function loadDecompressor(): Decompressor {
  const { Decompressor: ZstdDecompressor } = cjs('zstd-napi') as typeof import('zstd-napi');
  return new ZstdDecompressor();
}

export function unframeBlob(frame: Uint8Array, what: string): Buffer {
  const codec = frame[0];
  const payload = frame.subarray(1);
  if (codec === CODEC_RAW) return Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  if (codec === CODEC_ZSTD) {
    decompressor ??= loadDecompressor();
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

/**
 * Encodes a blob into `out` at `at`, which must have room for plain.length + BLOB_OVERHEAD
 * bytes (the most a stored blob can take); returns its stored length.
 */
export function encodeBlobInto(out: Uint8Array, at: number, dataKey: Uint8Array, plain: Uint8Array): number {
  return sealInto(out, at, dataKey, frameParts(plain), 'blob');
}

/**
 * Encodes the blobs given back to back in `data` (`lengths` bytes each) into one buffer that owns
 * its whole ArrayBuffer (so it can be transferred between threads), back to back; returns it with
 * each stored length. The buffer has room for the worst case (no blob shrinks) and is trimmed when
 * that would waste more than a quarter: its holder keeps it until every blob is in a pack.
 */
export function encodeBatch(
  dataKey: Uint8Array,
  data: Uint8Array,
  lengths: readonly number[],
): { stored: Buffer; lengths: number[] } {
  let out = Buffer.allocUnsafeSlow(data.length + lengths.length * BLOB_OVERHEAD);
  const storedLengths: number[] = [];
  let from = 0;
  let at = 0;
  for (const length of lengths) {
    const stored = encodeBlobInto(out, at, dataKey, data.subarray(from, from + length));
    from += length;
    at += stored;
    storedLengths.push(stored);
  }
  if (at < out.length * 0.75) {
    const trimmed = Buffer.allocUnsafeSlow(at);
    out.copy(trimmed, 0, 0, at);
    out = trimmed;
  }
  return { stored: out.subarray(0, at), lengths: storedLengths };
}

/** A blob swapped for another valid blob decodes fine: only its keyed id tells. */
function checkId(idKey: Uint8Array, plain: Uint8Array, expectedId: string, what: string): void {
  if (blobId(idKey, plain) !== expectedId) {
    throw new IntegrityError(`${what} does not match its id: the repository holds the wrong content under this name`);
  }
}

export function decodeBlob(dataKey: Uint8Array, idKey: Uint8Array, stored: Uint8Array, expectedId: string): Buffer {
  const what = `blob ${expectedId.slice(0, 12)}`;
  const plain = unframeBlob(open(dataKey, stored, 'blob', what), what);
  checkId(idKey, plain, expectedId, what);
  return plain;
}

let frameBuffer: Buffer = Buffer.alloc(0);
let plainBuffer: Buffer = Buffer.alloc(0);
let dctx: InstanceType<typeof zstd.DCtx> | undefined;

function atLeast(buffer: Buffer, size: number): Buffer {
  return buffer.length >= size ? buffer : Buffer.allocUnsafeSlow(Math.max(size, 2 * buffer.length));
}

/**
 * Like `decodeBlob` for a blob whose plaintext length is known (the index records it), into
 * buffers this thread keeps: the result is a view valid until the next call. Restore decodes
 * every blob this way, so no blob costs a fresh multi-megabyte allocation. A frame that would
 * decompress to any other length than `rawLength` is damaged.
 */
export function decodeBlobReusing(
  dataKey: Uint8Array,
  idKey: Uint8Array,
  stored: Uint8Array,
  expectedId: string,
  rawLength: number,
): Buffer {
  const what = `blob ${expectedId.slice(0, 12)}`;
  frameBuffer = atLeast(frameBuffer, Math.max(0, stored.length - ENVELOPE_OVERHEAD));
  const frame = frameBuffer.subarray(0, openInto(dataKey, stored, 'blob', frameBuffer, what));
  let plain: Buffer;
  if (frame[0] === CODEC_RAW) plain = frame.subarray(1);
  else if (frame[0] === CODEC_ZSTD) {
    plainBuffer = atLeast(plainBuffer, rawLength);
    dctx ??= new zstd.DCtx();
    let length: number;
    try {
      length = dctx.decompress(plainBuffer.subarray(0, rawLength), frame.subarray(1));
    } catch (cause) {
      throw new IntegrityError(`${what} holds a damaged zstd frame`, { cause });
    }
    plain = plainBuffer.subarray(0, length);
  } else throw new IntegrityError(`${what} uses an unknown codec ${frame[0]}`);
  if (plain.length !== rawLength) {
    throw new IntegrityError(`${what} holds ${plain.length} bytes where the index records ${rawLength}`);
  }
  checkId(idKey, plain, expectedId, what);
  return plain;
}
