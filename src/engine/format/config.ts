/**
 * The repository config (`config`, sealed document, purpose "config"): the format version, the
 * algorithm of each role by name, and the chunker parameters. Version 2 differs from version 1
 * only in the key derivation of its key slots (Argon2id instead of scrypt). Version 3 has version 2's
 * algorithms and adds to trees what a faithful restore needs (nanosecond times, hard links, extended
 * attributes, owners, names that are not UTF-8, special files; docs/repository-format.md §10), which
 * an older Cairn would restore wrongly without a word: it refuses version 3 instead. This Cairn
 * reads all three and creates version 3 (version 1 when asked for scrypt key slots). It refuses a version or an algorithm it does not know rather than guessing,
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

/** The algorithm registry of each format version this Cairn reads (version 3 changes trees only). */
export const ALGORITHMS_BY_VERSION = { 1: ALGORITHMS_V1, 2: ALGORITHMS_V2, 3: ALGORITHMS_V2 } as const;

/** The first format version whose trees carry the fidelity fields (§10): the backup writes them only there. */
export const FIDELITY_VERSION = 3;

export interface RepositoryConfig {
  version: 1 | 2 | 3;
  id: string;
  created: string;
  algorithms: typeof ALGORITHMS_V1 | typeof ALGORITHMS_V2;
  chunker: ChunkerParams;
  /** Target size of a data pack in bytes; packs close at or above it. */
  packSize: number;
}

/** The format version `init` makes for key slots of `kdf`: 1 for scrypt (legacy), 3 for Argon2id. */
export function versionForKdf(kdf: KdfName): 1 | 3 {
  return kdf === 'scrypt' ? 1 : 3;
}

export function validateConfig(config: RepositoryConfig): RepositoryConfig {
  const registries: Partial<Record<number, Record<string, string>>> = ALGORITHMS_BY_VERSION;
  const known = typeof config?.version === 'number' ? registries[config.version] : undefined;
  if (!known) {
    throw new CairnError(
      'unsupported-format',
      `this repository uses format version ${String(config?.version)}; this Cairn reads versions 1, 2 and 3`,
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
