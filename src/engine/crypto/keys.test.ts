/**
 * Tests for master keys and password key slots, with each key derivation (Argon2id and scrypt) at
 * a lowered cost for speed.
 */
import { describe, expect, it } from 'vitest';
import { CairnError, IntegrityError, WrongPasswordError } from '../errors.js';
import { seal } from './aead.js';
import { DEFAULT_ARGON2ID, DEFAULT_SCRYPT, deriveKey, type KdfCost } from './kdf.js';
import {
  createKeySlot,
  generateMasterKeys,
  type KeySlotFile,
  MAX_LABEL_LENGTH,
  type MasterKeys,
  parseKeySlot,
  parseWrappedKeys,
  sameKeys,
  unlockKeySlot,
} from './keys.js';

const FAST_SCRYPT: KdfCost = { name: 'scrypt', N: 2 ** 10, r: 8, p: 1 };
const FAST_ARGON2ID: KdfCost = { name: 'argon2id', m: 1024, t: 1, p: 1 };

function slotBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

async function validSlot(
  keys: MasterKeys = generateMasterKeys(),
  password = 'correct horse',
  kdf: KdfCost = FAST_ARGON2ID,
): Promise<KeySlotFile> {
  return createKeySlot(keys, password, { kdf, label: 'laptop' });
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

describe.each([FAST_ARGON2ID, FAST_SCRYPT])('createKeySlot / unlockKeySlot with $name', (cost) => {
  const slotWithCost = (keys?: MasterKeys, password?: string) => validSlot(keys, password, cost);

  it('unlocks the same master keys with the right password', async () => {
    const keys = generateMasterKeys();
    const slot = await slotWithCost(keys, 'correct horse');
    expect(slot.version).toBe(1);
    expect(slot.cipher).toBe('aes-256-gcm');
    expect(slot.label).toBe('laptop');
    expect(slot.kdf).toEqual({ ...cost, salt: slot.kdf.salt });
    expect(Buffer.from(slot.kdf.salt, 'base64').length).toBe(32);
    expect(Number.isNaN(Date.parse(slot.created))).toBe(false);
    expectSameKeys(keys, await unlockKeySlot(slot, 'correct horse'));
  });

  it('survives a JSON roundtrip through parseKeySlot', async () => {
    const keys = generateMasterKeys();
    const slot = await slotWithCost(keys);
    const parsed = parseKeySlot(slotBytes(slot), 'key slot');
    expect(parsed).toEqual(slot);
    expectSameKeys(keys, await unlockKeySlot(parsed, 'correct horse'));
  });

  it('throws WrongPasswordError for a wrong password', async () => {
    const slot = await slotWithCost();
    const attempt = unlockKeySlot(slot, 'Correct horse');
    await expect(attempt).rejects.toBeInstanceOf(WrongPasswordError);
    await expect(unlockKeySlot(slot, 'correct horse ')).rejects.toThrow('wrong password (no key slot matches)');
    const error = await unlockKeySlot(slot, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('wrong-password');
  });

  it('treats a tampered wrapped key set as a wrong password, not as success', async () => {
    const slot = await slotWithCost();
    const wrapped = Buffer.from(slot.wrapped, 'base64');
    wrapped[20] = (wrapped[20] ?? 0) ^ 1;
    await expect(
      unlockKeySlot({ ...slot, wrapped: wrapped.toString('base64') }, 'correct horse'),
    ).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('fails when the slot KDF parameters or salt are changed', async () => {
    const slot = await slotWithCost();
    const otherSalt = Buffer.alloc(32, 1).toString('base64');
    await expect(
      unlockKeySlot({ ...slot, kdf: { ...slot.kdf, salt: otherSalt } }, 'correct horse'),
    ).rejects.toBeInstanceOf(WrongPasswordError);
    const costlier = slot.kdf.name === 'scrypt' ? { ...slot.kdf, N: 2 ** 11 } : { ...slot.kdf, t: 2 };
    await expect(unlockKeySlot({ ...slot, kdf: costlier }, 'correct horse')).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('normalizes the password to NFC, so composed and decomposed forms both unlock', async () => {
    const keys = generateMasterKeys();
    const slot = await createKeySlot(keys, 'caf\u00e9', { kdf: cost });
    expectSameKeys(keys, await unlockKeySlot(slot, 'cafe\u0301'));
  });

  it('uses a fresh salt per slot, so two slots with the same password differ', async () => {
    const keys = generateMasterKeys();
    const a = await slotWithCost(keys);
    const b = await slotWithCost(keys);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.wrapped).not.toBe(b.wrapped);
  });

  it('refuses an empty password', async () => {
    await expect(createKeySlot(generateMasterKeys(), '', { kdf: cost })).rejects.toThrow(
      'the password must not be empty',
    );
  });

  it('labels a slot "password" unless told otherwise', async () => {
    expect((await createKeySlot(generateMasterKeys(), 'pw', { kdf: cost })).label).toBe('password');
  });

  it('never writes the raw keys into the slot JSON', async () => {
    const keys = generateMasterKeys();
    const json = JSON.stringify(await slotWithCost(keys));
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
    const slot = await slotWithCost();
    const wrappingKey = await deriveKey('correct horse', slot.kdf);
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

describe('createKeySlot defaults', () => {
  it('gives new slots Argon2id at its interactive default cost unless told otherwise', async () => {
    expect(DEFAULT_ARGON2ID).toEqual({ name: 'argon2id', m: 128 * 1024, t: 3, p: 4 });
    expect(DEFAULT_SCRYPT).toEqual({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 });
    const keys = generateMasterKeys();
    const slot = await createKeySlot(keys, 'pw');
    expect(slot.kdf).toEqual({ ...DEFAULT_ARGON2ID, salt: slot.kdf.salt });
    expectSameKeys(keys, await unlockKeySlot(slot, 'pw'));
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
      { ...slot, kdf: { ...slot.kdf, name: 'bcrypt' } },
      // Argon2id's fields under scrypt's name, and the reverse
      { ...slot, kdf: { ...slot.kdf, name: 'scrypt' } },
      { ...slot, kdf: { name: 'argon2id', N: 1024, r: 8, p: 1, salt: slot.kdf.salt } },
    ]) {
      expect(() => parseKeySlot(slotBytes(bad), 'key slot'), JSON.stringify(bad).slice(0, 60)).toThrow(IntegrityError);
    }
  });

  it('rejects scrypt N below 2^10 or not a power of two, and out-of-range r and p', async () => {
    const slot = await createKeySlot(generateMasterKeys(), 'pw', { kdf: FAST_SCRYPT });
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
      expect(parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, N } }), 'key slot').kdf).toMatchObject({ N });
    }
  });

  it('rejects Argon2id memory below 1 MiB or 8 KiB per lane or above 2 GiB, and out-of-range t and p', async () => {
    const slot = await validSlot();
    const refused = (kdf: Record<string, unknown>) =>
      expect(() => parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, ...kdf } }), 'key slot'), JSON.stringify(kdf));
    for (const m of [1023, 0, -1024, 1024.5, '1024', 2 * 1024 * 1024 + 1]) refused({ m }).toThrow(IntegrityError);
    for (const t of [0, 17, 1.5, '3']) refused({ t }).toThrow(IntegrityError);
    for (const p of [0, 17, 2.5]) refused({ p }).toThrow(IntegrityError);
    // 16 lanes need at least 128 KiB, which the 1 MiB floor already covers; 2 GiB is the ceiling
    for (const [m, t, p] of [
      [1024, 1, 16],
      [2 * 1024 * 1024, 16, 1],
      [131072, 3, 4],
    ]) {
      expect(parseKeySlot(slotBytes({ ...slot, kdf: { ...slot.kdf, m, t, p } }), 'key slot').kdf).toMatchObject({
        m,
        t,
        p,
      });
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
    const scryptSlot = await createKeySlot(generateMasterKeys(), 'pw', { kdf: FAST_SCRYPT });
    for (const [kdf, fields] of [
      [slot.kdf, ['name', 'm', 't', 'p', 'salt']],
      [scryptSlot.kdf, ['name', 'N', 'r', 'p', 'salt']],
    ] as const) {
      for (const field of fields) {
        const copy: Record<string, unknown> = { ...(kdf as object) };
        delete copy[field];
        expect(() => parseKeySlot(slotBytes({ ...slot, kdf: copy }), 'key slot'), `without kdf.${field}`).toThrow(
          IntegrityError,
        );
      }
    }
  });
});

describe('parseWrappedKeys (the unwrapped key set)', () => {
  const keys = generateMasterKeys();
  const payload = (fields: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({
        repositoryId: keys.repositoryId,
        dataKey: keys.dataKey.toString('base64'),
        idKey: keys.idKey.toString('base64'),
        chunkerSeed: keys.chunkerSeed.toString('base64'),
        ...fields,
      }),
    );

  it('returns the key set a slot wraps', () => {
    expectSameKeys(keys, parseWrappedKeys(payload({})));
  });

  it('refuses a repository id that is not 64 hex digits, and keys that are not strings', () => {
    for (const fields of [
      { repositoryId: 'r' },
      { repositoryId: keys.repositoryId.toUpperCase() },
      { repositoryId: 5 },
      { dataKey: 12345 },
      { idKey: null },
      { chunkerSeed: ['AAAA'] },
    ]) {
      expect(() => parseWrappedKeys(payload(fields)), JSON.stringify(fields)).toThrow(
        'a key slot holds malformed keys',
      );
    }
  });
});

describe('createKeySlot labels', () => {
  it(`takes a label of ${MAX_LABEL_LENGTH} characters and refuses a longer one (slots are read up to 64 KiB)`, async () => {
    const keys = generateMasterKeys();
    const slot = await createKeySlot(keys, 'pw', { kdf: FAST_ARGON2ID, label: '\u0001'.repeat(MAX_LABEL_LENGTH) });
    expect(Buffer.byteLength(JSON.stringify(slot, null, 2))).toBeLessThan(64 * 1024);
    await expect(
      createKeySlot(keys, 'pw', { kdf: FAST_ARGON2ID, label: 'x'.repeat(MAX_LABEL_LENGTH + 1) }),
    ).rejects.toThrow(`a key slot label can be at most ${MAX_LABEL_LENGTH} characters long`);
  });
});
