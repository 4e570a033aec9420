/**
 * The repository's master keys and the key slots that wrap them.
 *
 * A repository has one master key set, drawn from the CSPRNG at `init` and never derived from a
 * password: the data key (AES-256-GCM for every object), the id key (HMAC-SHA-256 blob ids) and
 * the chunker seed (gear table of FastCDC). Each key slot wraps the set under a key derived from
 * one password (Argon2id, or scrypt in version-1 repositories: kdf.ts); the slot stores its own
 * KDF parameters, so they can be raised later without touching other slots. Changing a password
 * writes a new slot and removes the old one; no data is re-encrypted.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CairnError, IntegrityError, WrongPasswordError } from '../errors.js';
import { type Clock, isoTime, systemClock } from '../util/clock.js';
import { open, seal } from './aead.js';
import { isId } from './ids.js';
import {
  DEFAULT_ARGON2ID,
  deriveKey,
  type KdfCost,
  type KdfParams,
  kdfCostIsValid,
  kdfParams,
  sameCost,
  validateKdfCost,
} from './kdf.js';

export interface MasterKeys {
  /** Identifies the repository (random, 32 bytes hex); also in the encrypted config. */
  repositoryId: string;
  dataKey: Buffer;
  idKey: Buffer;
  chunkerSeed: Buffer;
}

/** The longest label a new slot takes (JSON-escaped, it stays far below the 64 KiB a slot file may be). */
export const MAX_LABEL_LENGTH = 1000;

/** The stored form of a key slot: `keys/<sha256 of this JSON>`, plaintext JSON. */
export interface KeySlotFile {
  version: 1;
  kdf: KdfParams;
  cipher: 'aes-256-gcm';
  created: string;
  label: string;
  /** The master key set, JSON, sealed under the password-derived key (purpose "key-slot"), base64. */
  wrapped: string;
}

export function generateMasterKeys(): MasterKeys {
  return {
    repositoryId: randomBytes(32).toString('hex'),
    dataKey: randomBytes(32),
    idKey: randomBytes(32),
    chunkerSeed: randomBytes(32),
  };
}

export async function createKeySlot(
  keys: MasterKeys,
  password: string,
  options: {
    label?: string;
    kdf?: KdfCost;
    /** Dates the slot's `created` (default: the system clock). */
    clock?: Clock;
  } = {},
): Promise<KeySlotFile> {
  if (password.length === 0) throw new CairnError('invalid-argument', 'the password must not be empty');
  const label = options.label ?? 'password';
  // Slots are read only up to 64 KiB (format/limits.ts): a label that could not be read back is refused here.
  if (label.length > MAX_LABEL_LENGTH) {
    throw new CairnError('invalid-argument', `a key slot label can be at most ${MAX_LABEL_LENGTH} characters long`);
  }
  const cost = options.kdf ?? DEFAULT_ARGON2ID;
  validateKdfCost(cost);
  const kdf = kdfParams(cost, randomBytes(32).toString('base64'));
  const wrappingKey = await deriveKey(password, kdf);
  const payload = Buffer.from(
    JSON.stringify({
      repositoryId: keys.repositoryId,
      dataKey: keys.dataKey.toString('base64'),
      idKey: keys.idKey.toString('base64'),
      chunkerSeed: keys.chunkerSeed.toString('base64'),
    }),
  );
  return {
    version: 1,
    kdf,
    cipher: 'aes-256-gcm',
    created: isoTime(options.clock ?? systemClock),
    label,
    wrapped: seal(wrappingKey, payload, 'key-slot').toString('base64'),
  };
}

/** Validates the shape of a stored slot; throws IntegrityError describing what is wrong. */
export function parseKeySlot(bytes: Uint8Array, what: string): KeySlotFile {
  let slot: KeySlotFile;
  try {
    slot = JSON.parse(Buffer.from(bytes).toString('utf8')) as KeySlotFile;
  } catch (cause) {
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
  const k = slot?.kdf;
  if (
    slot?.version !== 1 ||
    slot.cipher !== 'aes-256-gcm' ||
    !kdfCostIsValid(k) ||
    typeof k.salt !== 'string' ||
    Buffer.from(k.salt, 'base64').length < 16 ||
    typeof slot.wrapped !== 'string' ||
    typeof slot.created !== 'string' ||
    typeof slot.label !== 'string'
  ) {
    throw new IntegrityError(`${what} is not a valid version-1 key slot`);
  }
  return slot;
}

/**
 * A key derivation started ahead of an unlock (the CLI starts one while its modules load): an
 * `unlockKeySlot` of the same slot (salt and cost) with the same password takes it instead of
 * deriving again. A value the caller passes along, not state kept here.
 */
export interface DerivedAhead {
  readonly password: string;
  readonly kdf: KdfParams;
  readonly key: Promise<Buffer>;
}

/** Starts deriving `slot`'s wrapping key from `password` now (on the thread pool). */
export function deriveAhead(slot: KeySlotFile, password: string): DerivedAhead {
  const key = deriveKey(password, slot.kdf);
  key.catch(() => undefined); // a derivation nobody takes must not be an unhandled rejection
  return { password, kdf: slot.kdf, key };
}

function fits(ahead: DerivedAhead | undefined, password: string, kdf: KdfParams): ahead is DerivedAhead {
  return ahead !== undefined && ahead.kdf.salt === kdf.salt && ahead.password === password && sameCost(ahead.kdf, kdf);
}

/**
 * Unwraps the master keys, or throws WrongPasswordError when the password does not fit this slot.
 * `ahead` is used when it was started for this slot and password.
 */
export async function unlockKeySlot(slot: KeySlotFile, password: string, ahead?: DerivedAhead): Promise<MasterKeys> {
  const wrappingKey = await (fits(ahead, password, slot.kdf) ? ahead.key : deriveKey(password, slot.kdf));
  let payload: Buffer;
  try {
    payload = open(wrappingKey, Buffer.from(slot.wrapped, 'base64'), 'key-slot');
  } catch {
    throw new WrongPasswordError();
  }
  return parseWrappedKeys(payload);
}

/**
 * The master key set from a slot's unwrapped payload (authenticated JSON): a 64-hex repository
 * id and three 32-byte keys in base64. Throws IntegrityError for anything else.
 */
export function parseWrappedKeys(payload: Uint8Array): MasterKeys {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8'));
  } catch (cause) {
    throw new IntegrityError('a key slot holds malformed keys (not JSON)', { cause });
  }
  if (parsed === null || typeof parsed !== 'object') throw new IntegrityError('a key slot holds malformed keys');
  const { repositoryId, dataKey, idKey, chunkerSeed } = parsed;
  if (
    typeof repositoryId !== 'string' ||
    !isId(repositoryId) ||
    typeof dataKey !== 'string' ||
    typeof idKey !== 'string' ||
    typeof chunkerSeed !== 'string'
  ) {
    throw new IntegrityError('a key slot holds malformed keys');
  }
  const keys: MasterKeys = {
    repositoryId,
    dataKey: Buffer.from(dataKey, 'base64'),
    idKey: Buffer.from(idKey, 'base64'),
    chunkerSeed: Buffer.from(chunkerSeed, 'base64'),
  };
  if (keys.dataKey.length !== 32 || keys.idKey.length !== 32 || keys.chunkerSeed.length !== 32) {
    throw new IntegrityError('a key slot holds malformed keys');
  }
  return keys;
}

/** Constant-time comparison of two master key sets (used to refuse mixing repositories). */
export function sameKeys(a: MasterKeys, b: MasterKeys): boolean {
  return timingSafeEqual(a.dataKey, b.dataKey) && timingSafeEqual(a.idKey, b.idKey);
}
