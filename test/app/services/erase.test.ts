/**
 * The erase use cases (./erase.ts) over a real local repository: erasing a path is audited with
 * its request, the path's keyed hash and receipt (never contents, never the name) and listed by
 * tombstone and receipt; erasing
 * everything refuses a receipt inside what it erases before anything changes (the app's
 * `beforeErase`, which stops its schedules, does not run), and a location without a repository.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditDetails } from '../../../src/app/privacy/audit-trail.js';
import type { PrivacyRecords } from '../../../src/app/privacy/index.js';
import {
  eraseEverythingFor,
  eraseFromRecoveryPoints,
  listReceipts,
  listTombstones,
  previewErasure,
} from '../../../src/app/services/erase.js';
import type { RepositoryRecords } from '../../../src/app/services/repository-records.js';
import { backup } from '../../../src/engine/backup/archiver.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../../engine/helpers.js';

let dir: string;
let dataDir: string;
let repoDir: string;
let repo: Repository;
let secret: string;
const audit: { action: string; details: AuditDetails }[] = [];

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
  dir = await makeTempDir('erase-service');
  dataDir = path.join(dir, 'app-data');
  await fs.mkdir(dataDir);
  ({ repo, repoDir } = await initLocalRepo(dir));
  const src = path.join(dir, 'src');
  await fs.mkdir(src);
  secret = path.join(src, 'secret.txt');
  await fs.writeFile(secret, 'TOP SECRET');
  await fs.writeFile(path.join(src, 'keep.txt'), 'keep');
  await backup(repo, { paths: [src] });
});

afterAll(async () => {
  await repo.close().catch(() => undefined);
  await removeDir(dir);
});

it('erases a path: previewed first, then audited with its receipt, tombstone and receipt listed', async () => {
  const repoPath = secret.split(path.sep).join('/');
  const preview = await previewErasure(repo, dataDir, repoPath);
  expect(preview.recoveryPoints).toHaveLength(1);
  expect(listTombstones(dataDir)).toEqual([]);

  const deps = { dataDir, records: recordsInto(audit) };
  const r = await eraseFromRecoveryPoints(repo, deps, repoPath);
  expect(r.rewritten).toHaveLength(1);
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({
    action: 'erase.path',
    details: { repositoryId: repo.config.id, requestId: r.requestId, pathHash: r.pathHash, receiptFile: r.receiptFile },
  });
  expect(JSON.stringify(audit)).not.toContain('TOP SECRET');
  expect(JSON.stringify(audit)).not.toContain('secret.txt');
  expect(listTombstones(dataDir, repo.config.id)).toMatchObject([
    { repositoryId: repo.config.id, pathHash: r.pathHash },
  ]);
  expect(JSON.stringify(listTombstones(dataDir))).not.toContain('secret.txt');
  // Still on disk, and no app catalog here to exclude it in.
  expect(r.onDisk).toMatchObject({ stillOnDisk: true, catalogReachable: false, excludedFrom: [] });
  expect(listTombstones(dataDir, 'another')).toEqual([]);
  expect(listReceipts(dataDir).map((x) => x.request)).toEqual([r.requestId]);
});

it('erasing everything refuses a bad request before anything changes, then erases', async () => {
  await repo.close();
  let stopped = 0;
  const beforeErase = async () => {
    stopped++;
  };
  const repositories = [{ location: repoDir, id: repo.config.id }];
  await expect(
    eraseEverythingFor({ dataDir, receiptFile: path.join(dataDir, 'r.json'), repositories, beforeErase }),
  ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/erased too/) });
  await expect(
    eraseEverythingFor({
      dataDir,
      receiptFile: path.join(dir, 'r.json'),
      repositories: [],
      location: path.join(dir, 'none'),
      beforeErase,
    }),
  ).rejects.toMatchObject({ code: 'no-repository' });
  expect(stopped).toBe(0);
  await fs.access(path.join(repoDir, 'config'));

  const receipt = path.join(dir, 'receipt.json');
  const r = await eraseEverythingFor({ dataDir, receiptFile: receipt, repositories, location: repoDir, beforeErase });
  expect(stopped).toBe(1);
  expect(r).toMatchObject({ completed: true, keychainRepositoryIds: [repo.config.id] });
  expect(r.repositories).toHaveLength(1); // the location named twice is erased once
  await expect(fs.access(repoDir)).rejects.toThrow();
  expect(JSON.parse(await fs.readFile(receipt, 'utf8')).request).toBe(r.request);
});
