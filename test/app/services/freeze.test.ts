/**
 * Freezing and unfreezing (./freeze.ts) over a real local repository: a freeze is audited only
 * when it is new, with the reason as stored; unfreezing resolves the prefix among the frozen
 * points (so it needs no readable recovery point), refuses an ambiguous or unknown one, and is
 * audited.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditDetails } from '../../../src/app/privacy/audit-trail.js';
import type { PrivacyRecords } from '../../../src/app/privacy/index.js';
import { FrozenPoints } from '../../../src/app/privacy/restriction/frozen.js';
import { freezeRecoveryPoint, unfreezeRecoveryPoint } from '../../../src/app/services/freeze.js';
import type { RepositoryRecords } from '../../../src/app/services/repository-records.js';
import { backup } from '../../../src/engine/backup/archiver.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../../engine/helpers.js';

let dir: string;
let repo: Repository;
let id: string;
const audit: { action: string; details: AuditDetails }[] = [];
let deps: { frozen: FrozenPoints; records: RepositoryRecords; clock: () => number };

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

beforeAll(async () => {
  dir = await makeTempDir('freeze-service');
  repo = (await initLocalRepo(dir)).repo;
  await fs.writeFile(path.join(dir, 'a.txt'), 'a');
  id = (await backup(repo, { paths: [path.join(dir, 'a.txt')] })).snapshot.id;
  deps = {
    frozen: new FrozenPoints(path.join(dir, 'app-data')),
    records: recordsInto(audit),
    clock: () => Date.UTC(2026, 2, 1),
  };
});

afterAll(async () => {
  await repo.close();
  await removeDir(dir);
});

it('freezes once (audited with the stored reason), and a second freeze keeps the first', async () => {
  const first = await freezeRecoveryPoint(repo, deps, 'latest', '  ');
  expect(first).toMatchObject({
    repositoryId: repo.config.id,
    snapshotId: id,
    frozenAt: '2026-03-01T00:00:00.000Z',
    reason: 'restriction requested (GDPR Art. 18)',
    already: false,
  });
  const again = await freezeRecoveryPoint(repo, deps, id.slice(0, 8), 'another reason');
  expect(again).toMatchObject({ already: true, reason: first.reason });
  expect(audit).toEqual([
    { action: 'snapshot.frozen', details: { repositoryId: repo.config.id, snapshotId: id, reason: first.reason } },
  ]);
});

it('unfreezes by a prefix of a frozen point, refusing an unknown or ambiguous one', () => {
  const other = 'f'.repeat(64);
  deps.frozen.freeze(repo.config.id, other, 'a point this repository no longer holds');
  expect(() => unfreezeRecoveryPoint(repo.config.id, deps, '0123')).toThrow(/is not frozen/);
  expect(() => unfreezeRecoveryPoint(repo.config.id, deps, '')).toThrow(/is not frozen/);
  // A point that cannot be read any more can still be unfrozen.
  expect(unfreezeRecoveryPoint(repo.config.id, deps, 'ffff')).toMatchObject({ snapshotId: other });
  deps.frozen.freeze(repo.config.id, `${id.slice(0, 4)}${'0'.repeat(60)}`, 'twin prefix');
  expect(() => unfreezeRecoveryPoint(repo.config.id, deps, id.slice(0, 4))).toThrow(/ambiguous/);
  expect(unfreezeRecoveryPoint(repo.config.id, deps, id)).toMatchObject({
    repositoryId: repo.config.id,
    snapshotId: id,
  });
  expect(audit.filter((e) => e.action === 'snapshot.unfrozen').map((e) => e.details.snapshotId)).toEqual([other, id]);
});
