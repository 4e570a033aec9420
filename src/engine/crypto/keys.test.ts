/**
 * Tests for master keys and password key slots (scrypt cost lowered to N = 2^10 for speed).
 */
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CairnError, IntegrityError, WrongPasswordError } from '../errors.js';
import { seal } from './aead.js';
import {
  createKeySlot,
  DEFAULT_SCRYPT,
  generateMasterKeys,
  type KeySlotFile,
  type MasterKeys,
  parseKeySlot,
  sameKeys,
  unlockKeySlot,
} from './keys.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

function slotBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

async function validSlot(keys: MasterKeys = generateMasterKeys(), password = 'correct horse'): Promise<KeySlotFile> {
  return createKeySlot(keys, password, { scrypt: FAST, label: 'laptop' });
}

function expectSameKeys(a: MasterKeys, b: MasterKeys): void {
  expect(b.repositoryId).toBe(a.repositoryId);
  expect(b.dataKey.equals(a.dataKey)).toBe(true);
  expect(b.idKey.equals(a.idKey)).toBe(true);
  expect(b.chunkerSeed.equals(a.chunkerSeed)).toBe(true);
}

describe('generateMasterKeys', () => {
  it('draws 32-byte keys and a 64-hex repository id', () => {
    const keys = generateMasterKeys();
    expect(keys.repositoryId).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.dataKey.length).toBe(32);
    expect(keys.idKey.length).toBe(32);
    expect(keys.chunkerSeed.length).toBe(32);
  });

  it('gives different keys on every call, and different keys for each role', () => {
    const a = generateMasterKeys();
    const b = generateMasterKeys();
    expect(a.repositoryId).not.toBe(b.repositoryId);
    expect(a.dataKey.equals(b.dataKey)).toBe(false);
    expect(a.idKey.equals(b.idKey)).toBe(false);
    expect(a.chunkerSeed.equals(b.chunkerSeed)).toBe(false);
    expect(a.dataKey.equals(a.idKey)).toBe(false);
    expect(a.idKey.equals(a.chunkerSeed)).toBe(false);
    expect(sameKeys(a, b)).toBe(false);
    expect(sameKeys(a, { ...a })).toBe(true);
  });
});

describe('createKeySlot / unlockKeySlot', () => {
  it('unlocks the same master keys with the right password', async () => {
    const keys = generateMasterKeys();
    const slot = await validSlot(keys, 'correct horse');
    expect(slot.version).toBe(1);
    expect(slot.cipher).toBe('aes-256-gcm');
    expect(slot.label).toBe('laptop');
    expect(slot.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 10, r: 8, p: 1 });
    expect(Buffer.from(slot.kdf.salt, 'base64').length).toBe(32);
    expect(Number.isNaN(Date.parse(slot.created))).toBe(false);
    expectSameKeys(keys, await unlockKeySlot(slot, 'correct horse'));
  });

  it('survives a JSON roundtrip through parseKeySlot', async () => {
    const keys = generateMasterKeys();
    const slot = await validSlot(keys);
    const parsed = parseKeySlot(slotBytes(slot), 'key slot');
    expect(parsed).toEqual(slot);
    expectSameKeys(keys, await unlockKeySlot(parsed, 'correct horse'));
  });

  it('throws WrongPasswordError for a wrong password', async () => {
    const slot = await validSlot();
    const attempt = unlockKeySlot(slot, 'Correct horse');
    await expect(attempt).rejects.toBeInstanceOf(WrongPasswordError);
    await expect(unlockKeySlot(slot, 'correct horse ')).rejects.toThrow('wrong password (no key slot matches)');
    const error = await unlockKeySlot(slot, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('wrong-password');
  });

  it('treats a tampered wrapped key set as a wrong password, not as success', async () => {
    const slot = await validSlot();
    const wrapped = Buffer.from(slot.wrapped, 'base64');
    wrapped[20] = (wrapped[20] ?? 0) ^ 1;
    await expect(
      unlockKeySlot({ ...slot, wrapped: wrapped.toString('base64') }, 'correct horse'),
    ).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('fails when the slot KDF parameters or salt are changed', async () => {
    const slot = await validSlot();
    const otherSalt = Buffer.alloc(32, 1).toString('base64');
    await expect(
      unlockKeySlot({ ...slot, kdf: { ...slot.kdf, salt: otherSalt } }, 'correct horse'),
    ).rejects.toBeInstanceOf(WrongPasswordError);
    await expect(unlockKeySlot({ ...slot, kdf: { ...slot.kdf, N: 2 ** 11 } }, 'correct horse')).rejects.toBeInstanceOf(
      WrongPasswordError,
    );
  });

  it('normalizes the password to NFC, so composed and decomposed forms both unlock', async () => {
    const keys = generateMasterKeys();
    const slot = await createKeySlot(keys, 'caf\u00e9', { scrypt: FAST });
    expectSameKeys(keys, await unlockKeySlot(slot, 'cafe\u0301'));
  });

  it('uses a fresh salt per slot, so two slots with the same password differ', async () => {
    const keys = generateMasterKeys();
    const a = await validSlot(keys);
    const b = await validSlot(keys);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.wrapped).not.toBe(b.wrapped);
  });

  it('refuses an empty password', async () => {
    await expect(createKeySlot(generateMasterKeys(), '', { scrypt: FAST })).rejects.toThrow(
      'the password must not be empty',
    );
  });

  it('labels a slot "password" unless told otherwise', async () => {
    expect((await createKeySlot(generateMasterKeys(), 'pw', { scrypt: FAST })).label).toBe('password');
  });

  it('records the interactive scrypt cost as the default', () => {
    expect(DEFAULT_SCRYPT.N).toBe(2 ** 17);
    expect(DEFAULT_SCRYPT.r).toBe(8);
    expect(DEFAULT_SCRYPT.p).toBe(1);
  });

  it('never writes the raw keys into the slot JSON', async () => {
    const keys = generateMasterKeys();
    const json = JSON.stringify(await validSlot(keys));
    for (const secret of [keys.dataKey, keys.idKey, keys.chunkerSeed]) {
      expect(json).not.toContain(secret.toString('base64'));
      expect(json).not.toContain(secret.toString('base64url'));
      expect(json.toLowerCase()).not.toContain(secret.toString('hex'));
      // a 16-byte prefix would also betray a raw key in any encoding
      expect(json).not.toContain(secret.subarray(0, 15).toString('base64'));
    }
    expect(json).not.toContain(keys.repositoryId);
    expect(json).not.toContain('dataKey');
  });

  it('reports a wrapped payload that is not a key set as IntegrityError', async () => {
    const slot = await validSlot();
    const salt = Buffer.from(slot.kdf.salt, 'base64');
    const wrappingKey = scryptSync('correct horse', salt, 32, { N: FAST.N, r: FAST.r, p: FAST.p });
    const notJson = seal(wrappingKey, Buffer.from('not json'), 'key-slot').toString('base64');
    await expect(unlockKeySlot({ ...slot, wrapped: notJson }, 'correct horse')).rejects.toThrow(IntegrityError);
    const shortKeys = seal(
      wrappingKey,
      Buffer.from(JSON.stringify({ repositoryId: 'r', dataKey: 'AAAA', idKey: 'AAAA', chunkerSeed: 'AAAA' })),
      'key-slot',
    ).toString('base64');
    await expect(unlockKeySlot({ ...slot, wrapped: shortKeys }, 'correct horse')).rejects.toThrow(
      'a key slot holds malformed keys',
    );
  });
});

describe('parseKeySlot', () => {
  it('rejects bytes that are not JSON', () => {
    expect(() => parseKeySlot(Buffer.from('{"version":1,'), 'key slot ab12')).toThrow(IntegrityError);
    expect(() => parseKeySlot(Buffer.from('{"version":1,'), 'key slot ab12')).toThrow(
      'key slot ab12 is not valid JSON',
    );
    expect(() => parseKeySlot(Buffer.alloc(0), 'key slot')).toThrow('is not valid JSON');
  });

  it('rejects JSON that is not an object', () => {
    for (const text of ['null', '1', '"slot"', '[]', 'true']) {
      expect(() => parseKeySlot(Buffer.from(text), 'key slot'), text).toThrow(
        'key slot is not a valid version-1 key slot',
      );
    }
  });

  it('rejects a version other than 1 and an unknown cipher or KDF', async () => {
    const slot = await validSlot();
    for (const bad of [
      { ...slot, version: 2 },
      { ...slot, version: '1' },
      { ...slot, version: 0 },
      { ...slot, cipher: 'chacha20-poly1305' },
      { ...slot, kdf: { ...slot.kdf, name: 'argon2id' } },
    ]) {
      expect(() => parseKeySlot(slotBytes(bad), 'key slot'), JSON.stringify(bad).slice(0, 60)).toThrow(IntegrityError);
    }
  });

  it('rejects scrypt N below 2^10 or not a power of two, and out-of-range r and p', async () => {
    const slot = await validSlot();
    for (const N of [2 ** 9, 1, 0, -1024, 1000, 1025, 3 * 2 ** 10, 2 ** 10 + 0.5, '1024']) {
      expect(() => parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, N } }), 'key slot'), `N=${N}`).toThrow(
        IntegrityError,
      );
    }
    for (const r of [0, 65, 1.5]) {
      expect(() => parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, r } }), 'key slot'), `r=${r}`).toThrow(
        IntegrityError,
      );
    }
    for (const p of [0, 17, 2.5]) {
      expect(() => parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, p } }), 'key slot'), `p=${p}`).toThrow(
        IntegrityError,
      );
    }
    for (const N of [2 ** 10, 2 ** 14, 2 ** 20]) {
      expect(parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, N } }), 'key slot').kdf.N).toBe(N);
    }
  });

  it('rejects a slot with a missing field', async () => {
    const slot = (await validSlot()) as unknown as Record<string, unknown>;
    for (const field of ['version', 'kdf', 'cipher', 'created', 'label', 'wrapped']) {
      const copy = { ...slot };
      delete copy[field];
      expect(() => parseKeySlot(slotBytes(copy), 'key slot'), `without ${field}`).toThrow(
        'key slot is not a valid version-1 key slot',
      );
    }
    const kdf = slot.kdf as Record<string, unknown>;
    for (const field of ['name', 'N', 'r', 'p', 'salt']) {
      const copy = { ...kdf };
      delete copy[field];
      expect(() => parseKeySlot(slotBytes({ ...slot, kdf: copy }), 'key slot'), `without kdf.${field}`).toThrow(
        IntegrityError,
      );
    }
  });
});
