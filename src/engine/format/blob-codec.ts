/**
 * Turns a chunk of plaintext into a stored blob and back (docs/repository-format.md, "Blobs").
 *
 * Stored blob = seal(dataKey, frame, "blob"), where frame = one codec byte + payload:
 *   0x00  payload is the raw bytes
 *   0x01  payload is one zstd frame (used only when it is smaller than the raw bytes)
 * Decoding authenticates, decompresses and then checks that the keyed id of the plaintext equals
 * the id the caller expected, so a blob swapped for another valid blob is caught as well.
 * Decompression is always bounded: to exactly the plaintext length the index records when the
 * caller knows it, else to a cap (limits.ts), so a tiny frame that claims or expands to
 * gigabytes (a zstd bomb, even inside an authenticated blob) is refused before it is allocated.
 */
import { createRequire } from 'node:module';
import { ENVELOPE_OVERHEAD, open, openInto, seal, sealInto } from '../crypto/aead.js';
import { blobId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import { MAX_BLOB_PLAIN } from './limits.js';

export const CODEC_RAW = 0x00;
export const CODEC_ZSTD = 0x01;
/** zstd level 1: on the benchmark dataset 1.4x faster than level 3 for a 1.5% larger repository. */
export const ZSTD_LEVEL = 1;
/** Blobs smaller than this are not worth a compression attempt. */
const MIN_COMPRESS = 64;

/** The bytes a stored blob adds to its frame's payload: the codec byte and the envelope. */
export const BLOB_OVERHEAD = 1 + ENVELOPE_OVERHEAD;

// The raw binding compresses into a buffer we keep, where zstd-napi's Compressor allocates (and
// often copies) a result per call; the frames are the same. Decoding uses the binding too:
// zstd-napi's Decompressor allocates whatever size a frame header claims, without a bound.
const cjs = createRequire(import.meta.url);
const zstd = cjs('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
let cctx: InstanceType<typeof zstd.CCtx> | undefined;
let scratch = Buffer.alloc(0);
let dctx: InstanceType<typeof zstd.DCtx> | undefined;

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

/**
 * The plaintext length a zstd payload declares (the sum over its frames), or undefined when a
 * frame does not say. Throws IntegrityError when the frames cannot be parsed.
 */
function declaredLength(payload: Uint8Array, what: string): number | undefined {
  let total = 0;
  let rest = payload;
  try {
    while (rest.length > 0) {
      const size = zstd.getFrameContentSize(rest);
      if (size === null) return undefined;
      total += size;
      rest = rest.subarray(zstd.findFrameCompressedSize(rest));
    }
  } catch (cause) {
    throw new IntegrityError(`${what} holds a damaged zstd frame`, { cause });
  }
  return total;
}

/**
 * The most a zstd payload of `length` bytes can decompress to: every block takes at least its
 * 3-byte header and yields at most 128 KiB (RFC 8878 §3.1.1.2). A frame header that claims more
 * is damaged, however small the claim is next to a cap.
 */
function mostFrom(length: number): number {
  return Math.floor(length / 3) * 128 * 1024;
}

/** Throws unless a zstd payload of `length` bytes can hold the `claimed` bytes `source` records. */
function checkClaim(length: number, claimed: number, what: string, source: string): void {
  if (claimed > mostFrom(length)) {
    throw new IntegrityError(
      `${what} holds a damaged zstd frame: ${length} bytes of it cannot hold the ${claimed} bytes ${source} records`,
    );
  }
}

/** `length` undefined: decompression was stopped one step past the cap, the total is not known. */
function tooLarge(what: string, length: number | undefined, maxLength: number): IntegrityError {
  return new IntegrityError(
    length === undefined
      ? `${what} decompresses to more than the ${maxLength} bytes it can hold`
      : `${what} decompresses to ${length} bytes, more than the ${maxLength} it can hold`,
  );
}

/**
 * Decompresses `payload` into exactly `out`, whose length `source` records ("the index", "its
 * zstd frame header"), else IntegrityError.
 */
function decompressExactly(payload: Uint8Array, out: Buffer, what: string, source = 'the index'): Buffer {
  dctx ??= new zstd.DCtx();
  let length: number;
  try {
    // One-shot: zstd writes straight into `out` and fails rather than write past its end.
    length = dctx.decompress(out, payload);
  } catch (cause) {
    throw new IntegrityError(`${what} holds a damaged zstd frame`, { cause });
  }
  if (length !== out.length) {
    throw new IntegrityError(`${what} holds ${length} bytes where ${source} records ${out.length}`);
  }
  return out;
}

/**
 * Decompresses frames that do not declare their length, in steps that never take the output
 * past `maxLength` + 1 bytes; the zstd window is held to 8 MiB, or the cap when it is larger.
 */
function decompressStreaming(payload: Uint8Array, maxLength: number, what: string): Buffer {
  dctx ??= new zstd.DCtx();
  const windowLog = Math.min(27, Math.max(23, Math.ceil(Math.log2(Math.max(1, maxLength)))));
  const chunks: Buffer[] = [];
  let produced = 0;
  let rest = payload;
  let pending = 1;
  try {
    dctx.reset(zstd.ResetDirective.sessionAndParameters);
    dctx.setParameter(zstd.DParameter.windowLogMax, windowLog);
    while (rest.length > 0 || pending !== 0) {
      const room = Math.min(maxLength + 1 - produced, Math.max(64 * 1024, rest.length * 4));
      const chunk = Buffer.allocUnsafe(room);
      const [hint, written, consumed] = dctx.decompressStream(chunk, rest);
      if (written === 0 && consumed === 0) break; // no progress: the input ends inside a frame
      chunks.push(chunk.subarray(0, written));
      produced += written;
      rest = rest.subarray(consumed);
      pending = hint;
      if (produced > maxLength) throw tooLarge(what, undefined, maxLength);
    }
  } catch (cause) {
    if (cause instanceof IntegrityError) throw cause;
    throw new IntegrityError(`${what} holds a damaged zstd frame`, { cause });
  } finally {
    dctx.reset(zstd.ResetDirective.sessionAndParameters);
  }
  if (pending !== 0) throw new IntegrityError(`${what} holds a truncated zstd frame`);
  return Buffer.concat(chunks, produced);
}

/** Decompresses a zstd payload into at most `maxLength` bytes, refusing before allocating more. */
function decompressBounded(payload: Uint8Array, maxLength: number, what: string): Buffer {
  const declared = declaredLength(payload, what);
  if (declared === undefined) return decompressStreaming(payload, maxLength, what);
  if (declared > maxLength) throw tooLarge(what, declared, maxLength);
  checkClaim(payload.length, declared, what, 'its frame header');
  return decompressExactly(payload, Buffer.allocUnsafe(declared), what, 'its frame header');
}

/**
 * The plaintext of a frame (codec byte and payload), at most `maxLength` bytes (what the
 * frame's kind can hold: limits.ts); `what` names the object in messages.
 */
export function unframeBlob(frame: Uint8Array, what: string, maxLength: number = MAX_BLOB_PLAIN): Buffer {
  const codec = frame[0];
  const payload = frame.subarray(1);
  if (codec === CODEC_RAW) {
    if (payload.length > maxLength) throw tooLarge(what, payload.length, maxLength);
    return Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  }
  if (codec === CODEC_ZSTD) return decompressBounded(payload, maxLength, what);
  throw new IntegrityError(`${what} uses an unknown codec ${codec}`);
}

/** Refuses a recorded plaintext length that no blob can have, before anything is allocated for it. */
function checkRawLength(rawLength: number, what: string): void {
  if (!Number.isSafeInteger(rawLength) || rawLength < 0 || rawLength > MAX_BLOB_PLAIN) {
    throw new IntegrityError(`${what}: the recorded plaintext length ${rawLength} is impossible for a blob`);
  }
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

/**
 * Authenticates, decompresses and id-checks a stored blob. With `rawLength` (the plaintext
 * length the index records) the plaintext must be exactly that long and decompression never
 * goes past it; without, it is bounded by the largest blob a backup can write (MAX_BLOB_PLAIN).
 */
export function decodeBlob(
  dataKey: Uint8Array,
  idKey: Uint8Array,
  stored: Uint8Array,
  expectedId: string,
  rawLength?: number,
): Buffer {
  const what = `blob ${expectedId.slice(0, 12)}`;
  if (rawLength !== undefined) checkRawLength(rawLength, what);
  const frame = open(dataKey, stored, 'blob', what);
  let plain: Buffer;
  if (rawLength === undefined) plain = unframeBlob(frame, what);
  else if (frame[0] === CODEC_ZSTD) {
    checkClaim(frame.length - 1, rawLength, what, 'the index');
    plain = decompressExactly(frame.subarray(1), Buffer.allocUnsafe(rawLength), what);
  } else {
    plain = unframeBlob(frame, what, rawLength);
    if (plain.length !== rawLength) {
      throw new IntegrityError(`${what} holds ${plain.length} bytes where the index records ${rawLength}`);
    }
  }
  checkId(idKey, plain, expectedId, what);
  return plain;
}

let frameBuffer: Buffer = Buffer.alloc(0);
let plainBuffer: Buffer = Buffer.alloc(0);

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
  checkRawLength(rawLength, what);
  frameBuffer = atLeast(frameBuffer, Math.max(0, stored.length - ENVELOPE_OVERHEAD));
  const frame = frameBuffer.subarray(0, openInto(dataKey, stored, 'blob', frameBuffer, what));
  let plain: Buffer;
  if (frame[0] === CODEC_RAW) plain = frame.subarray(1);
  else if (frame[0] === CODEC_ZSTD) {
    checkClaim(frame.length - 1, rawLength, what, 'the index');
    plainBuffer = atLeast(plainBuffer, rawLength);
    plain = decompressExactly(frame.subarray(1), plainBuffer.subarray(0, rawLength), what);
  } else throw new IntegrityError(`${what} uses an unknown codec ${frame[0]}`);
  if (plain.length !== rawLength) {
    throw new IntegrityError(`${what} holds ${plain.length} bytes where the index records ${rawLength}`);
  }
  checkId(idKey, plain, expectedId, what);
  return plain;
}
