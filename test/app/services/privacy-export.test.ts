/**
 * The privacy export and its neighbours (./privacy-export.ts, ./privacy-inventory.ts,
 * ./consent.ts) as the CLI drives them: a repository opened outside the catalog is included with
 * its recovery points, a catalog repository that is not open is left out and named in
 * `skippedLocked`, the export is audited, and withdrawing usage statistics deletes the counters.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RepositoryRecord } from '../../../src/app/catalog/records.js';
import { openPrivacyRecords, type PrivacyRecords } from '../../../src/app/privacy/index.js';
import { readZip } from '../../../src/app/privacy/zip.js';
import { setConsent } from '../../../src/app/services/consent.js';
import { exportPrivacyData } from '../../../src/app/services/privacy-export.js';
import {
  EMPTY_CATALOG,
  type PrivacyContext,
  processingRecord,
  storageLocations,
} from '../../../src/app/services/privacy-inventory.js';
import { backup } from '../../../src/engine/backup/archiver.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../../engine/helpers.js';

let dir: string;
let repo: Repository;
let records: PrivacyRecords;
let ctx: PrivacyContext;
const locked: RepositoryRecord = {
  id: 'b'.repeat(64),
  location: '/elsewhere/locked-repo',
  label: 'Locked',
  region: 'EU',
  addedAt: '2026-01-01T00:00:00.000Z',
  lastBackupAt: null,
  lastCheckAt: null,
};

beforeAll(async () => {
  dir = await makeTempDir('export-service');
  repo = (await initLocalRepo(dir)).repo;
  await fs.writeFile(path.join(dir, 'note.txt'), 'TOP SECRET');
  await backup(repo, { paths: [path.join(dir, 'note.txt')] });
  const dataDir = path.join(dir, 'app-data');
  records = openPrivacyRecords(dataDir, 'cli');
  ctx = {
    dataDir,
    appVersion: '9.9.9',
    records: {
      privacy: () => records,
      warn: (message) => {
        throw new Error(message);
      },
    },
    catalog: {
      ...EMPTY_CATALOG,
      listRepositories: () => [locked],
      getRepository: (id) => (id === locked.id ? locked : undefined),
    },
    openRepository: () => undefined,
  };
});

afterAll(async () => {
  await repo.close();
  await removeDir(dir);
});

it('exports the open repository, names the locked one, and audits the export', async () => {
  const out = path.join(dir, 'export.zip');
  const extra = [{ repo, label: 'Laptop', region: 'this-device' }];
  const r = await exportPrivacyData(ctx, { out, extra });
  expect(r.skippedLocked).toEqual([locked.id]);
  expect(records.audit.list({ limit: 1 })[0]?.action).toBe('export.created');
  const files = readZip(await fs.readFile(out));
  const names = [...files.keys()];
  expect(names).toContain(`recovery-points/${repo.config.id.slice(0, 16)}/recovery-points.json`);
  expect(names.some((n) => n.startsWith(`recovery-points/${locked.id.slice(0, 16)}`))).toBe(false);
  for (const [name, bytes] of files) expect(bytes.includes(Buffer.from('TOP SECRET')), name).toBe(false);
  await expect(exportPrivacyData(ctx, { out: 'relative.zip' })).rejects.toMatchObject({ code: 'invalid-argument' });
  await expect(
    exportPrivacyData(ctx, { out: path.join(dir, 'one.zip'), repositoryId: locked.id }),
  ).rejects.toMatchObject({ code: 'locked' });

  const record = await processingRecord(ctx, extra);
  expect(record.html).toMatch(/^<!doctype html>/);
  expect(storageLocations(records, ctx.catalog).map((l) => l.label)).toEqual(['Locked']);
});

it('withdrawing usage statistics deletes what was counted; withdrawing backup offers erasure', () => {
  setConsent(records, 'usage-statistics', true, 'cli');
  records.usage.recordBackup(1000);
  expect(records.usage.counters()).not.toBeNull();
  const withdrawn = setConsent(records, 'usage-statistics', false, 'cli');
  expect(withdrawn).toMatchObject({ usageDiscarded: true, offerErasure: false, state: { given: false } });
  expect(records.usage.counters()).toBeNull();
  expect(setConsent(records, 'backup', false, 'cli')).toMatchObject({ offerErasure: true, usageDiscarded: false });
});
