/**
 * The repository config (`config`, sealed document, purpose "config"): the format version, the
 * algorithm of each role by name, and the chunker parameters. A later format version may name
 * other algorithms; this version refuses a config it does not know rather than guessing.
 */

import type { ChunkerParams } from '../chunker/fastcdc.js';
import { CairnError } from '../errors.js';

export const FORMAT_VERSION = 1;

export const ALGORITHMS_V1 = {
  encryption: 'aes-256-gcm',
  blobId: 'hmac-sha256',
  objectName: 'sha256',
  compression: 'zstd',
  chunker: 'fastcdc-gear32',
  keyDerivation: 'scrypt',
} as const;

export interface RepositoryConfig {
  version: number;
  id: string;
  created: string;
  algorithms: typeof ALGORITHMS_V1;
  chunker: ChunkerParams;
  /** Target size of a data pack in bytes; packs close at or above it. */
  packSize: number;
}

export function validateConfig(config: RepositoryConfig): RepositoryConfig {
  if (config?.version !== FORMAT_VERSION) {
    throw new CairnError(
      'unsupported-format',
      `this repository uses format version ${String(config?.version)}; this Cairn reads version ${FORMAT_VERSION}`,
    );
  }
  const algorithms = (config.algorithms ?? {}) as Record<string, unknown>;
  for (const [role, name] of Object.entries(ALGORITHMS_V1)) {
    if (algorithms[role] !== name) {
      throw new CairnError(
        'unsupported-format',
        `this repository uses ${role} algorithm "${String(algorithms[role])}", which this Cairn does not support`,
      );
    }
  }
  return config;
}
