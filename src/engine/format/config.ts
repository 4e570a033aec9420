/**
 * The repository config (`config`, sealed document, purpose "config"): the format version, the
 * algorithm of each role by name, and the chunker parameters. Version 2 differs from version 1
 * only in the key derivation of its key slots (Argon2id instead of scrypt); this Cairn reads both
 * and creates version 2. It refuses a version or an algorithm it does not know rather than guessing,
 * and a config whose other fields (id, chunker parameters, pack size) no writer could have made.
 */

import { type ChunkerParams, validateChunkerParams } from '../chunker/fastcdc.js';
import { isId } from '../crypto/ids.js';
import type { KdfName } from '../crypto/kdf.js';
import { CairnError, IntegrityError } from '../errors.js';
import { MAX_PACK_SIZE_SETTING } from './limits.js';

export const ALGORITHMS_V1 = {
  encryption: 'aes-256-gcm',
  blobId: 'hmac-sha256',
  objectName: 'sha256',
  compression: 'zstd',
  chunker: 'fastcdc-gear32',
  keyDerivation: 'scrypt',
} as const;

export const ALGORITHMS_V2 = { ...ALGORITHMS_V1, keyDerivation: 'argon2id' } as const;

/** The algorithm registry of each format version this Cairn reads. */
export const ALGORITHMS_BY_VERSION = { 1: ALGORITHMS_V1, 2: ALGORITHMS_V2 } as const;

export interface RepositoryConfig {
  version: 1 | 2;
  id: string;
  created: string;
  algorithms: typeof ALGORITHMS_V1 | typeof ALGORITHMS_V2;
  chunker: ChunkerParams;
  /** Target size of a data pack in bytes; packs close at or above it. */
  packSize: number;
}

/** The format version whose key slots use `kdf`: 1 for scrypt, 2 for Argon2id (what `init` makes). */
export function versionForKdf(kdf: KdfName): 1 | 2 {
  return kdf === 'scrypt' ? 1 : 2;
}

export function validateConfig(config: RepositoryConfig): RepositoryConfig {
  const registries: Partial<Record<number, Record<string, string>>> = ALGORITHMS_BY_VERSION;
  const known = typeof config?.version === 'number' ? registries[config.version] : undefined;
  if (!known) {
    throw new CairnError(
      'unsupported-format',
      `this repository uses format version ${String(config?.version)}; this Cairn reads versions 1 and 2`,
    );
  }
  const algorithms = (config.algorithms ?? {}) as Record<string, unknown>;
  for (const [role, name] of Object.entries(known)) {
    if (algorithms[role] !== name) {
      throw new CairnError(
        'unsupported-format',
        `this repository uses ${role} algorithm "${String(algorithms[role])}", which this Cairn does not support`,
      );
    }
  }
  if (typeof config.id !== 'string' || !isId(config.id) || typeof config.created !== 'string') {
    throw new IntegrityError('the repository config is malformed (its id or creation time is missing)');
  }
  try {
    validateChunkerParams(config.chunker ?? ({} as ChunkerParams));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new IntegrityError(`the repository config is malformed: ${reason}`, { cause });
  }
  const { packSize } = config;
  if (!Number.isSafeInteger(packSize) || packSize < 1 || packSize > MAX_PACK_SIZE_SETTING) {
    throw new IntegrityError(
      `the repository config is malformed: its pack size ${String(packSize)} is not from 1 to ${MAX_PACK_SIZE_SETTING} bytes`,
    );
  }
  return config;
}
