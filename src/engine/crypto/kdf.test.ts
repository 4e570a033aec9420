/**
 * Tests for the key derivations of key slots: Argon2id checked against an independent
 * implementation (@noble/hashes, itself checked against RFC 9106's test vector), scrypt against
 * @noble/hashes too; the bounds every reader accepts; descriptions and comparisons of costs.
 */

import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import {
  DEFAULT_ARGON2ID,
  DEFAULT_SCRYPT,
  defaultCost,
  deriveKey,
  describeKdf,
  type KdfCost,
  kdfCostIsValid,
  kdfParams,
  sameCost,
  validateKdfCost,
} from './kdf.js';

const SALT = Buffer.alloc(32, 7).toString('base64');
/** "café" with the accent as a combining character: derivation must first compose it (NFC). */
const DECOMPOSED = 'cafe\u0301 \u00fcber \u{1F511}';
const COMPOSED = DECOMPOSED.normalize('NFC');

describe('deriveKey with argon2id', () => {
  it('has an independent implementation that computes RFC 9106 test vector 5.3 (Argon2id, version 0x13)', () => {
    // The cross-checks below compare deriveKey with @noble/hashes; this pins @noble/hashes to the RFC.
    const tag = nobleArgon2id(Buffer.alloc(32, 1), Buffer.alloc(16, 2), {
      m: 32,
      t: 3,
      p: 4,
      key: Buffer.alloc(8, 3),
      personalization: Buffer.alloc(12, 4),
      dkLen: 32,
    });
    expect(Buffer.from(tag).toString('hex')).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('equals an independent Argon2id of the NFC, UTF-8 password (4 lanes, 2 passes)', async () => {
    const cost: KdfCost = { name: 'argon2id', m: 1024, t: 2, p: 4 };
    const key = await deriveKey(DECOMPOSED, kdfParams(cost, SALT));
    expect(key.length).toBe(32);
    const expected = nobleArgon2id(new TextEncoder().encode(COMPOSED), Buffer.from(SALT, 'base64'), {
      m: 1024,
      t: 2,
      p: 4,
      dkLen: 32,
    });
    expect(key.toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    expect((await deriveKey(COMPOSED, kdfParams(cost, SALT))).equals(key)).toBe(true);
  });

  it('gives another key for another salt, password or cost', async () => {
    const cost: KdfCost = { name: 'argon2id', m: 1024, t: 1, p: 1 };
    const base = await deriveKey('pw', kdfParams(cost, SALT));
    const others = await Promise.all([
      deriveKey('pw', kdfParams(cost, Buffer.alloc(32, 8).toString('base64'))),
      deriveKey('pW', kdfParams(cost, SALT)),
      deriveKey('pw', kdfParams({ ...cost, t: 2 }, SALT)),
      deriveKey('pw', kdfParams({ ...cost, p: 2 }, SALT)),
      deriveKey('pw', kdfParams({ ...cost, m: 2048 }, SALT)),
    ]);
    for (const other of others) expect(other.equals(base)).toBe(false);
  });
});

describe('deriveKey failures', () => {
  it('reports a derivation that cannot run as a CairnError naming the KDF and the reason', async () => {
    for (const params of [
      kdfParams({ name: 'argon2id', m: 1024, t: 0, p: 1 }, SALT),
      kdfParams({ name: 'scrypt', N: 1000, r: 8, p: 1 }, SALT),
    ]) {
      const error = (await deriveKey('pw', params).catch((e: unknown) => e)) as CairnError;
      expect(error).toBeInstanceOf(CairnError);
      expect(error.code).toBe('io');
      expect(error.message).toMatch(new RegExp(`^the key derivation \\(${describeKdf(params)}\\) failed: .+`));
    }
  });
});

describe('deriveKey with scrypt', () => {
  it('equals an independent scrypt of the NFC, UTF-8 password', async () => {
    const cost: KdfCost = { name: 'scrypt', N: 1024, r: 8, p: 2 };
    const key = await deriveKey(DECOMPOSED, kdfParams(cost, SALT));
    const expected = nobleScrypt(new TextEncoder().encode(COMPOSED), Buffer.from(SALT, 'base64'), {
      N: 1024,
      r: 8,
      p: 2,
      dkLen: 32,
    });
    expect(key.toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });
});

describe('costs', () => {
  it('defaults to Argon2id with 128 MiB, 3 passes and 4 lanes, and scrypt with 128 MiB', () => {
    expect(defaultCost('argon2id')).toEqual({ name: 'argon2id', m: 131072, t: 3, p: 4 });
    expect(defaultCost('scrypt')).toEqual({ name: 'scrypt', N: 131072, r: 8, p: 1 });
    expect(kdfCostIsValid(DEFAULT_ARGON2ID)).toBe(true);
    expect(kdfCostIsValid(DEFAULT_SCRYPT)).toBe(true);
  });

  it('stores the cost and the salt in the order of the spec', () => {
    expect(JSON.stringify(kdfParams(DEFAULT_ARGON2ID, SALT))).toBe(
      `{"name":"argon2id","m":131072,"t":3,"p":4,"salt":"${SALT}"}`,
    );
    expect(JSON.stringify(kdfParams(DEFAULT_SCRYPT, SALT))).toBe(
      `{"name":"scrypt","N":131072,"r":8,"p":1,"salt":"${SALT}"}`,
    );
  });

  it('refuses costs out of bounds with a message that names them and the bounds', () => {
    const refusal = (cost: unknown): CairnError => {
      try {
        validateKdfCost(cost as KdfCost);
      } catch (err) {
        return err as CairnError;
      }
      throw new Error(`accepted ${JSON.stringify(cost)}`);
    };
    const argon = refusal({ name: 'argon2id', m: 512, t: 3, p: 4 });
    expect(argon.code).toBe('invalid-argument');
    expect(argon.message).toBe(
      'argon2id parameters m=512 t=3 p=4 are out of bounds (m from 1024 KiB to 2 GiB and at least 8 KiB per lane, t 1-16, p 1-16)',
    );
    expect(refusal({ name: 'scrypt', N: 1000, r: 8, p: 1 }).message).toContain('scrypt parameters N=1000 r=8 p=1');
    expect(refusal({ name: 'pbkdf2', N: 1024 }).message).toBe('unknown key derivation "pbkdf2" (scrypt or argon2id)');
    expect(refusal(null).message).toBe('unknown key derivation "undefined" (scrypt or argon2id)');
    expect(refusal({ name: 'scrypt', N: 2 ** 22, r: 8, p: 1 }).message).toContain('at most 2 GiB');
  });

  it('describes and compares costs', () => {
    expect(describeKdf(DEFAULT_ARGON2ID)).toBe('argon2id m=131072 KiB t=3 p=4');
    expect(describeKdf(DEFAULT_SCRYPT)).toBe('scrypt N=131072 r=8 p=1');
    expect(sameCost(DEFAULT_ARGON2ID, { ...DEFAULT_ARGON2ID })).toBe(true);
    expect(sameCost(DEFAULT_ARGON2ID, { ...DEFAULT_ARGON2ID, t: 4 })).toBe(false);
    expect(sameCost(DEFAULT_SCRYPT, { ...DEFAULT_SCRYPT, r: 16 })).toBe(false);
    expect(sameCost(DEFAULT_SCRYPT, DEFAULT_ARGON2ID)).toBe(false);
  });
});
