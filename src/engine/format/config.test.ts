/**
 * Tests for the repository config check: format version and algorithm names.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKER } from '../chunker/fastcdc.js';
import { CairnError } from '../errors.js';
import { ALGORITHMS_V1, ALGORITHMS_V2, type RepositoryConfig, validateConfig, versionForKdf } from './config.js';

const config: RepositoryConfig = {
  version: 2,
  id: 'ab'.repeat(32),
  created: '2026-01-01T00:00:00.000Z',
  algorithms: { ...ALGORITHMS_V2 },
  chunker: DEFAULT_CHUNKER,
  packSize: 16 * 1024 * 1024,
};

function failure(value: unknown): CairnError {
  try {
    validateConfig(value as RepositoryConfig);
  } catch (error) {
    return error as CairnError;
  }
  throw new Error('validateConfig accepted the config');
}

describe('validateConfig', () => {
  it('accepts a version-2 config with the v2 algorithms, and a version-1 config with the v1 ones', () => {
    expect(validateConfig(config)).toBe(config);
    const v1: RepositoryConfig = { ...config, version: 1, algorithms: { ...ALGORITHMS_V1 } };
    expect(validateConfig(v1)).toBe(v1);
    expect(ALGORITHMS_V2).toEqual({ ...ALGORITHMS_V1, keyDerivation: 'argon2id' });
    expect(ALGORITHMS_V1).toEqual({
      encryption: 'aes-256-gcm',
      blobId: 'hmac-sha256',
      objectName: 'sha256',
      compression: 'zstd',
      chunker: 'fastcdc-gear32',
      keyDerivation: 'scrypt',
    });
  });

  it('refuses a version-1 config with the v2 key derivation, and the reverse', () => {
    expect(failure({ ...config, version: 1 }).message).toBe(
      'this repository uses keyDerivation algorithm "argon2id", which this Cairn does not support',
    );
    expect(failure({ ...config, algorithms: { ...ALGORITHMS_V1 } }).message).toBe(
      'this repository uses keyDerivation algorithm "scrypt", which this Cairn does not support',
    );
  });

  it('makes scrypt repositories version 1 and Argon2id ones version 2', () => {
    expect(versionForKdf('scrypt')).toBe(1);
    expect(versionForKdf('argon2id')).toBe(2);
  });

  it('refuses another format version, naming the versions it reads', () => {
    const error = failure({ ...config, version: 3 });
    expect(error).toBeInstanceOf(CairnError);
    expect(error.code).toBe('unsupported-format');
    expect(error.message).toBe('this repository uses format version 3; this Cairn reads versions 1 and 2');
    expect(failure({ ...config, version: 0 }).code).toBe('unsupported-format');
    expect(failure(null).code).toBe('unsupported-format');
    expect(failure({ ...config, version: '1' }).code).toBe('unsupported-format');
  });

  it('refuses any algorithm it does not know, naming the role and the algorithm', () => {
    for (const role of Object.keys(ALGORITHMS_V2)) {
      const error = failure({ ...config, algorithms: { ...ALGORITHMS_V2, [role]: 'rot13' } });
      expect(error.code).toBe('unsupported-format');
      expect(error.message).toBe(`this repository uses ${role} algorithm "rot13", which this Cairn does not support`);
    }
  });

  it('refuses a config without an algorithms table as unsupported, not with a TypeError', () => {
    const { algorithms: _omitted, ...rest } = config;
    const error = failure(rest);
    expect(error).toBeInstanceOf(CairnError);
    expect(error.code).toBe('unsupported-format');
  });
});
