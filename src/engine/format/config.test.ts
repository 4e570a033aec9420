/**
 * Tests for the repository config check: format version and algorithm names.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKER } from '../chunker/fastcdc.js';
import { CairnError, IntegrityError } from '../errors.js';
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

  it('makes scrypt repositories version 1 and Argon2id ones version 3, and reads version 3 with the v2 algorithms', () => {
    expect(versionForKdf('scrypt')).toBe(1);
    expect(versionForKdf('argon2id')).toBe(3);
    const v3: RepositoryConfig = { ...config, version: 3 };
    expect(validateConfig(v3)).toBe(v3);
    expect(failure({ ...config, version: 3, algorithms: { ...ALGORITHMS_V1 } }).code).toBe('unsupported-format');
  });

  it('refuses another format version, naming the versions it reads', () => {
    const error = failure({ ...config, version: 4 });
    expect(error).toBeInstanceOf(CairnError);
    expect(error.code).toBe('unsupported-format');
    expect(error.message).toBe('this repository uses format version 4; this Cairn reads versions 1, 2 and 3');
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

describe('validateConfig: the fields no writer could have made otherwise', () => {
  it('refuses a missing or malformed id or creation time', () => {
    for (const bad of [{ id: 'ab' }, { id: 42 }, { id: 'AB'.repeat(32) }, { created: 5 }, { created: undefined }]) {
      const error = failure({ ...config, ...bad });
      expect(error, JSON.stringify(bad)).toBeInstanceOf(IntegrityError);
      expect(error.message).toBe('the repository config is malformed (its id or creation time is missing)');
    }
  });

  it('refuses chunker parameters the chunker refuses, naming the reason', () => {
    const error = failure({ ...config, chunker: { minSize: 16, avgSize: 64, maxSize: 128 } });
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toBe(
      'the repository config is malformed: invalid chunker parameters: minSize must be at least 64 bytes (got 16)',
    );
    expect(failure({ ...config, chunker: null }).message).toMatch(/minSize must be a positive whole number/);
    expect(failure({ ...config, chunker: { ...DEFAULT_CHUNKER, maxSize: 2 ** 27 } })).toBeInstanceOf(IntegrityError);
  });

  it('accepts a pack size from 1 byte to 128 MiB, and refuses anything else', () => {
    for (const packSize of [1, 128 * 1024 * 1024])
      expect(validateConfig({ ...config, packSize }).packSize).toBe(packSize);
    for (const packSize of [0, -1, 1.5, 128 * 1024 * 1024 + 1, '16777216', null, 2 ** 53]) {
      const error = failure({ ...config, packSize });
      expect(error, String(packSize)).toBeInstanceOf(IntegrityError);
      expect(error.message).toBe(
        `the repository config is malformed: its pack size ${String(packSize)} is not from 1 to 134217728 bytes`,
      );
    }
  });
});
