/**
 * Tests for the repository config check: format version and algorithm names.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKER } from '../chunker/fastcdc.js';
import { CairnError } from '../errors.js';
import { ALGORITHMS_V1, FORMAT_VERSION, type RepositoryConfig, validateConfig } from './config.js';

const config: RepositoryConfig = {
  version: FORMAT_VERSION,
  id: 'ab'.repeat(32),
  created: '2026-01-01T00:00:00.000Z',
  algorithms: { ...ALGORITHMS_V1 },
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
  it('accepts a version-1 config with the v1 algorithms and returns it', () => {
    expect(validateConfig(config)).toBe(config);
    expect(ALGORITHMS_V1).toEqual({
      encryption: 'aes-256-gcm',
      blobId: 'hmac-sha256',
      objectName: 'sha256',
      compression: 'zstd',
      chunker: 'fastcdc-gear32',
      keyDerivation: 'scrypt',
    });
  });

  it('refuses another format version, naming both versions', () => {
    const error = failure({ ...config, version: 2 });
    expect(error).toBeInstanceOf(CairnError);
    expect(error.code).toBe('unsupported-format');
    expect(error.message).toBe('this repository uses format version 2; this Cairn reads version 1');
    expect(failure(null).code).toBe('unsupported-format');
    expect(failure({ ...config, version: '1' }).code).toBe('unsupported-format');
  });

  it('refuses any algorithm it does not know, naming the role and the algorithm', () => {
    for (const role of Object.keys(ALGORITHMS_V1)) {
      const error = failure({ ...config, algorithms: { ...ALGORITHMS_V1, [role]: 'rot13' } });
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
