/**
 * The forget use case (./forget.ts, with ./prune.ts) over a real local repository of four
 * recovery points: the decision is made only once the lock is held, a policy keeps a frozen point
 * and says why, naming a frozen point removes nothing at all, a damaged point can be named, each
 * removal and prune is audited, and a prune runs only when something was removed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditDetails } from '../../../src/app/privacy/audit-trail.js';
import type { PrivacyRecords } from '../../../src/app/privacy/index.js';
import { FrozenPoints } from '../../../src/app/privacy/restriction/frozen.js';
import { DAMAGED_TIME, FROZEN_REASON, forget, previewForget } from '../../../src/app/services/forget.js';
import { previewPrune, pruneRepository } from '../../../src/app/services/prune.js';
import type { RepositoryRecords } from '../../../src/app/services/repository-records.js';
import { LocalBackend } from '../../../src/engine/backend/local.js';
import { backup } from '../../../src/engine/backup/archiver.js';
import { RepositoryLock } from '../../../src/engine/repo/lock.js';
import { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir, seededBytes } from '../../engine/helpers.js';

let dir: string;
let repoDir: string;
let repo: Repository;
let frozen: FrozenPoints;
let audit: { action: string; details: AuditDetails }[];
/** Oldest first. */
let ids: string[];

const deps = () => ({ frozen, records: recordsInto(audit) });

/** Records port whose audit trail is the `audit` array (and which fails the test on a warning). */
function recordsInto(entries: { action: string; details: AuditDetails }[]): RepositoryRecords {
  const trail = { append: (action: string, details: AuditDetails) => entries.push({ action, details }) };
  return {
    privacy: () => ({ audit: trail }) as unknown as PrivacyRecords,
    warn: (message) => {
      throw new Error(message);
    },
  };
}

beforeEach(async () => {
  dir = await makeTempDir('forget-service');
  const made = await initLocalRepo(dir);
  repo = made.repo;
  repoDir = made.repoDir;
  frozen = new FrozenPoints(path.join(dir, 'app-data'));
  audit = [];
  ids = [];
  const src = path.join(dir, 'src');
  await fs.mkdir(src);
  for (let i = 1; i <= 4; i++) {
    await fs.writeFile(path.join(src, 'changing.bin'), seededBytes(`changing ${i}`, 64 * 1024));
    const { snapshot } = await backup(repo, { paths: [src], time: new Date(Date.UTC(2026, 1, i, 12)) });
    ids.push(snapshot.id);
  }
});

afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

const oldest = () => ids[0] as string;
const stored = async () => (await fs.readdir(path.join(repoDir, 'snapshots'))).sort();

describe('forget by a policy', () => {
  it('previews and removes the same points, keeps a frozen one with its reason, audits and prunes', async () => {
    frozen.freeze(repo.config.id, ids[0] as string, 'disputed');
    const preview = await previewForget(repo, { policy: { last: 2 } }, deps());
    expect(preview.remove.map((s) => s.id)).toEqual([ids[1]]);
    expect(preview.keep.map((k) => k.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect(preview.keep.find((k) => k.id === ids[0])?.reasons).toEqual([FROZEN_REASON]);
    expect(preview.reclaimBytes).toBeGreaterThan(0);
    expect(await stored()).toHaveLength(4);
    expect(audit).toEqual([]);

    const r = await forget(repo, { policy: { last: 2 } }, deps(), { prune: true });
    expect(r.removed).toEqual([ids[1]]);
    expect(r.keep).toEqual(preview.keep);
    expect(r.prune?.bytesFreed).toBeGreaterThan(0);
    expect(await stored()).toEqual([ids[0], ids[2], ids[3]].sort());
    expect(audit.map((e) => e.action)).toEqual(['snapshots.forgotten', 'prune.completed']);
    expect(audit[0]?.details).toEqual({ repositoryId: repo.config.id, removed: [ids[1]], policy: { last: 2 } });
    // The session index was reloaded after the prune: nothing is left to prune.
    expect((await previewPrune(repo)).reclaimBytes).toBe(0);

    // Nothing more to remove: no prune, and nothing to audit.
    const again = await forget(repo, { policy: { last: 2 } }, deps(), { prune: true });
    expect(again.removed).toEqual([]);
    expect(again.prune).toBeUndefined();
    expect(audit).toHaveLength(2);
  });

  it('refuses an invalid policy before taking any lock', async () => {
    await expect(forget(repo, { policy: { last: -1 } }, deps())).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await stored()).toHaveLength(4);
  });
});

describe('forget by id', () => {
  it('decides only once it holds the lock: locked out, it reads nothing and removes nothing', async () => {
    const other = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    const lock = await RepositoryLock.acquire(other, 'backup', false);
    let read = 0;
    const countedIds = (id: string) => {
      read++;
      return frozen.ids(id);
    };
    const counting = { ...deps(), frozen: { ids: countedIds } };
    try {
      await expect(forget(repo, { ids: [oldest()] }, counting)).rejects.toMatchObject({ code: 'locked' });
      expect(read).toBe(0);
    } finally {
      await lock.release();
      await other.close();
    }
    expect(await stored()).toHaveLength(4);
  });

  it('refuses a frozen point and then removes none of those named; refuses "latest"', async () => {
    frozen.freeze(repo.config.id, ids[1] as string, 'disputed');
    await expect(
      forget(repo, { ids: [(ids[0] as string).slice(0, 8), (ids[1] as string).slice(0, 8)] }, deps()),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/is frozen.*unfreeze/) });
    await expect(forget(repo, { ids: ['latest'] }, deps())).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await stored()).toHaveLength(4);
    expect(audit).toEqual([]);
  });

  it('removes a damaged point it cannot read, by prefix, and audits it without a policy', async () => {
    const damaged = ids[2] as string;
    const file = path.join(repoDir, 'snapshots', damaged);
    await fs.chmod(file, 0o600);
    await fs.writeFile(file, 'not a recovery point');
    const preview = await previewForget(repo, { ids: [damaged.slice(0, 10), damaged] }, deps());
    expect(preview.remove).toEqual([{ id: damaged, time: DAMAGED_TIME }]);
    const r = await forget(repo, { ids: [damaged.slice(0, 10)] }, deps());
    expect(r.removed).toEqual([damaged]);
    expect(r.keep.map((k) => k.id)).toEqual([ids[0], ids[1], ids[3]]);
    expect(await stored()).not.toContain(damaged);
    expect(audit).toEqual([
      { action: 'snapshots.forgotten', details: { repositoryId: repo.config.id, removed: [damaged], policy: null } },
    ]);
  });
});

describe('prune', () => {
  it('audits what it freed', async () => {
    await forget(repo, { ids: [ids[0] as string] }, deps());
    const plan = await previewPrune(repo);
    expect(plan.reclaimBytes).toBeGreaterThan(0);
    const r = await pruneRepository(repo, deps());
    expect(r.bytesFreed).toBeGreaterThan(0);
    expect(audit.at(-1)).toEqual({
      action: 'prune.completed',
      details: { repositoryId: repo.config.id, bytesFreed: r.bytesFreed, packsDeleted: r.packsDeleted },
    });
  });
});
