/**
 * Authenticated encryption of every repository object: AES-256-GCM through node:crypto.
 *
 * Envelope (see docs/repository-format.md, "Encryption"):
 *   byte 0      envelope version, 0x01 = AES-256-GCM
 *   bytes 1-12  96-bit nonce from the CSPRNG, fresh for every encryption
 *   bytes 13-   ciphertext, then the 16-byte GCM tag
 * The additional authenticated data names what the object is (e.g. "cairn/v1/tree"), so an
 * object cannot be passed off as one of another kind.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { IntegrityError } from '../errors.js';

export const ENVELOPE_AES256GCM = 0x01;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const ENVELOPE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** What an encrypted object is; bound into the GCM tag as additional data. */
export type ObjectPurpose =
  | 'blob'
  | 'pack-header'
  | 'index'
  | 'snapshot'
  | 'config'
  | 'lock'
  | 'key-slot'
  | 'tombstone';

const aadCache = new Map<string, Buffer>();
export function aadFor(purpose: ObjectPurpose): Buffer {
  let aad = aadCache.get(purpose);
  if (!aad) {
    aad = Buffer.from(`cairn/v1/${purpose}`, 'utf8');
    aadCache.set(purpose, aad);
  }
  return aad;
}

/**
 * Fresh nonces are taken from a block of CSPRNG output filled 4096 nonces at a time: one call
 * to the generator per blob cost more than the encryption of a small blob. Every nonce is used
 * once (each thread has its own block); the bound in the spec is unchanged.
 */
const NONCES_PER_FILL = 4096;
/**
 * Bytes given to the cipher per call. Each call returns a new buffer; slices of one size let
 * the allocator reuse the same memory, where whole multi-megabyte blobs fragment it.
 */
const SLICE_BYTES = 64 * 1024;
const noncePool = Buffer.allocUnsafeSlow(NONCE_BYTES * NONCES_PER_FILL);
let nonceAt = noncePool.length;

function freshNonce(): Buffer {
  if (nonceAt === noncePool.length) {
    randomFillSync(noncePool);
    nonceAt = 0;
  }
  const nonce = noncePool.subarray(nonceAt, nonceAt + NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

/** Encrypts with a random nonce. `nonce` may be given only by the test-vector generator. */
export function seal(
  key: Uint8Array,
  plaintext: Uint8Array | readonly Uint8Array[],
  purpose: ObjectPurpose,
  nonce?: Uint8Array,
): Buffer {
  const parts = plaintext instanceof Uint8Array ? [plaintext] : plaintext;
  const out = Buffer.allocUnsafe(ENVELOPE_OVERHEAD + parts.reduce((n, p) => n + p.length, 0));
  sealInto(out, 0, key, parts, purpose, nonce);
  return out;
}

/**
 * Like `seal`, writing the envelope into `out` at `at` (which must have room for
 * ENVELOPE_OVERHEAD + the plaintext's length); returns the number of bytes written. Lets a
 * caller put many envelopes into one buffer without copying each one again.
 */
export function sealInto(
  out: Uint8Array,
  at: number,
  key: Uint8Array,
  parts: readonly Uint8Array[],
  purpose: ObjectPurpose,
  nonce?: Uint8Array,
): number {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  if (nonce && nonce.length !== NONCE_BYTES) throw new Error(`AES-256-GCM envelopes need a ${NONCE_BYTES}-byte nonce`);
  // Parts are encrypted as if concatenated: framing bytes need not be copied in front of the data.
  const length = parts.reduce((n, p) => n + p.length, 0);
  if (at < 0 || at + ENVELOPE_OVERHEAD + length > out.length)
    throw new RangeError('sealInto: no room for the envelope');
  const iv = nonce ?? freshNonce();
  out[at] = ENVELOPE_AES256GCM;
  out.set(iv, at + 1);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadFor(purpose));
  let pos = at + 1 + NONCE_BYTES;
  for (const part of parts) {
    for (let from = 0; from < part.length; from += SLICE_BYTES) {
      const c = cipher.update(part.subarray(from, from + SLICE_BYTES));
      out.set(c, pos);
      pos += c.length;
    }
  }
  const last = cipher.final();
  out.set(last, pos);
  pos += last.length;
  out.set(cipher.getAuthTag(), pos);
  return pos + TAG_BYTES - at;
}

/**
 * Like `open`, writing the plaintext into `out` (at least the envelope's length minus
 * ENVELOPE_OVERHEAD bytes) and returning its length. `out` holds unauthenticated bytes when
 * this throws: use it only after a normal return.
 */
export function openInto(
  key: Uint8Array,
  envelope: Uint8Array,
  purpose: ObjectPurpose,
  out: Uint8Array,
  what = 'object',
): number {
  if (envelope.length < ENVELOPE_OVERHEAD) throw new IntegrityError(`${what} is truncated (${envelope.length} bytes)`);
  if (envelope[0] !== ENVELOPE_AES256GCM) {
    throw new IntegrityError(`${what} has an unknown encryption envelope (version byte ${envelope[0]})`);
  }
  const bodyEnd = envelope.length - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.subarray(1, 1 + NONCE_BYTES));
  decipher.setAAD(aadFor(purpose));
  decipher.setAuthTag(envelope.subarray(bodyEnd));
  if (out.length < bodyEnd - 1 - NONCE_BYTES) throw new RangeError('openInto: no room for the plaintext');
  let at = 0;
  try {
    for (let from = 1 + NONCE_BYTES; from < bodyEnd; from += SLICE_BYTES) {
      const part = decipher.update(envelope.subarray(from, Math.min(bodyEnd, from + SLICE_BYTES)));
      out.set(part, at);
      at += part.length;
    }
    const tail = decipher.final();
    out.set(tail, at);
    return at + tail.length;
  } catch (cause) {
    throw new IntegrityError(`${what} failed authentication: it was modified or damaged`, { cause });
  }
}

/** Decrypts and authenticates; any modified byte raises IntegrityError. */
export function open(key: Uint8Array, envelope: Uint8Array, purpose: ObjectPurpose, what = 'object'): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, envelope.length - ENVELOPE_OVERHEAD));
  return out.subarray(0, openInto(key, envelope, purpose, out, what));
}
