/**
 * The repository use cases shared by the CLI and the app (src/app/services): creating (regions,
 * records, refusals before anything is asked or written), opening (the password asked only for an
 * existing repository, a recovery key typed loosely, an incident for an integrity failure, no
 * records opened for a wrong password) and the key changes with their audit entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import { createRepository } from '../../src/app/services/create-repository.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  type KeyChangeDeps,
  listKeys,
  removeKey,
} from '../../src/app/services/keys.js';
import {
  erasuresToReapply,
  openRepository,
  type Repository,
  type RepositoryRecords,
  reapplyErasures,
} from '../../src/app/services/open-repository.js';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { FAST_KDF, makeTempDir, removeDir } from '../engine/helpers.js';

let dataDir: string;
let warnings: string[];
let incidentsChanged: number;
let records: RepositoryRecords;
let opened: PrivacyRecords | undefined;

beforeEach(async () => {
  dataDir = await makeTempDir('services');
  warnings = [];
  incidentsChanged = 0;
  opened = undefined;
  records = {
    privacy: () => {
      opened ??= openPrivacyRecords(dataDir, 'cli');
      return opened;
    },
    warn: (m) => warnings.push(m),
    incidentsChanged: () => {
      incidentsChanged++;
    },
  };
});

afterEach(async () => {
  await removeDir(dataDir);
});

const actions = () =>
  records
    .privacy()
    .audit.entries()
    .map((e) => e.action);

async function created(backend = new MemoryBackend()): Promise<{ backend: MemoryBackend; repo: Repository }> {
  const { repo } = await createRepository({ backend, password: 'pw', operation: 'init', kdf: FAST_KDF, records });
  return { backend, repo };
}

describe('creating a repository', () => {
  it('records the default region, the backup purpose and the audit entry', async () => {
    const { repo, backend } = await created();
    const privacy = records.privacy();
    expect(privacy.regions.locations()).toMatchObject([
      { location: backend.location, repositoryId: repo.config.id, region: 'this-device', via: 'cli' },
    ]);
    expect(privacy.consent.isGiven('backup')).toBe(true);
    expect(actions()).toContain('repository.created');
    expect(warnings).toEqual([]);
  });

  it('refuses an unknown region and an existing repository before asking for the password', async () => {
    let asked = 0;
    const password = async () => {
      asked++;
      return 'pw';
    };
    await expect(
      createRepository({ backend: new MemoryBackend(), password, region: 'Atlantis', operation: 'init', records }),
    ).rejects.toThrow(/region/);
    const { backend } = await created();
    await expect(createRepository({ backend, password, operation: 'init', records })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: `a repository already exists at ${backend.location}`,
    });
    expect(asked).toBe(0);
  });
});

describe('opening a repository', () => {
  it('says there is none without asking for the password, and opens no records for a wrong one', async () => {
    let asked = 0;
    const password = async () => {
      asked++;
      return 'pw';
    };
    await expect(openRepository({ backend: new MemoryBackend(), password, records })).rejects.toMatchObject({
      code: 'no-repository',
    });
    expect(asked).toBe(0);
    const { backend } = await created();
    opened = undefined;
    fs.rmSync(path.join(dataDir, 'privacy'), { recursive: true, force: true });
    await expect(openRepository({ backend, password: 'wrong', records })).rejects.toMatchObject({
      code: 'wrong-password',
    });
    expect(fs.existsSync(path.join(dataDir, 'privacy'))).toBe(false);
  });

  it('opens an incident when the config fails authentication', async () => {
    const { backend } = await created();
    await backend.save({ kind: 'config', id: 'config' }, Buffer.alloc(200, 7), { overwrite: true });
    await expect(
      openRepository({ backend, password: 'pw', repository: { id: null, label: 'Disk' }, records }),
    ).rejects.toMatchObject({ code: 'integrity' });
    const incidents = records.privacy().incidents.list({ openOnly: true });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.title).toContain('Disk');
    expect(incidentsChanged).toBe(1);
  });

  it('accepts a recovery key typed loosely, and has nothing to re-apply without tombstones', async () => {
    const { backend, repo } = await created();
    const deps: KeyChangeDeps = { records, cost: FAST_KDF };
    const { recoveryKey } = await createRecoveryKey(repo, deps);
    const loose = recoveryKey.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    const again = await openRepository({ backend, password: loose, records });
    expect((await listKeys(again)).find((s) => s.current)?.recoveryKey).toBe(true);
    expect(await erasuresToReapply(again, { dataDir, records })).toBe(false);
    expect(await reapplyErasures(again, { dataDir, records })).toEqual([]);
  });
});

describe('key changes', () => {
  it('adds, changes and removes key slots, auditing each', async () => {
    const { backend, repo } = await created();
    const deps: KeyChangeDeps = { records, cost: FAST_KDF };
    await expect(addKey(repo, 'x', ' Recovery Key ', deps)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(addKey(repo, 'x', '  ', deps)).rejects.toMatchObject({ code: 'invalid-argument' });
    const laptop = await addKey(repo, 'laptop pw', ' laptop ', deps);
    expect(laptop).toMatchObject({ label: 'laptop', current: false, recoveryKey: false, damaged: false });

    const first = repo.keySlotId;
    const change = await changePassword(repo, 'new pw', deps);
    expect(change.replaced).toBe(first);
    const entry = records
      .privacy()
      .audit.entries()
      .find((e) => e.action === 'keys.password-changed');
    expect(entry?.details).toMatchObject({ keySlot: change.slot.id, removed: first });

    await expect(removeKey(repo, change.slot.id.slice(0, 8), deps)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(removeKey(repo, 'zz', deps)).rejects.toMatchObject({ code: 'not-found' });
    expect(await removeKey(repo, laptop.id.slice(0, 8), deps)).toBe(laptop.id);
    expect(await listKeys(repo)).toHaveLength(1);
    await expect(openRepository({ backend, password: 'pw', records })).rejects.toMatchObject({
      code: 'wrong-password',
    });
    expect(actions().filter((a) => a.startsWith('keys.'))).toEqual([
      'keys.added',
      'keys.password-changed',
      'keys.removed',
    ]);
  });

  it('keeps the recovery key when the password of a session it unlocked is changed', async () => {
    const { backend, repo } = await created();
    const deps: KeyChangeDeps = { records, cost: FAST_KDF };
    const kit = await createRecoveryKey(repo, deps);
    const viaKey = await openRepository({ backend, password: kit.recoveryKey, records });
    const change = await changePassword(viaKey, 'fresh pw', deps);
    expect(change.replaced).toBeNull();
    expect(change.slot.label).toBe('password');
    await openRepository({ backend, password: kit.recoveryKey, records });
    await openRepository({ backend, password: 'fresh pw', records });

    const next = await createRecoveryKey(repo, deps);
    expect(next.removed).toEqual([kit.slotId]);
    expect((await listKeys(repo)).filter((s) => s.recoveryKey).map((s) => s.id)).toEqual([next.slotId]);
  });
});
