/**
 * Erasure records written before erased paths were hashed are converted the first time their
 * repository is opened (src/app/privacy/erasure/migrate.ts), on real files: a legacy tombstone, a
 * receipt and an `erase.path` audit entry naming the path, and a journal row naming it. After
 * `reapplyErasures` (what opening runs) none of the app data folder's files holds the name; the
 * tombstone and receipt carry the keyed hash, the audit entry too and the chain still verifies,
 * with an `audit.redacted` entry saying which entries changed; and the converted tombstone, applied
 * by its hashes, still erases the path from a recovery point that holds it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import { reapplyErasures } from '../../src/app/services/open-repository.js';
import type { RepositoryRecords } from '../../src/app/services/repository-records.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { erasurePathKey } from '../../src/engine/crypto/subkeys.js';
import { erasurePathHashes } from '../../src/engine/erase/path-match.js';
import { nodeAt } from '../../src/engine/erase/rewrite-snapshot.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../engine/helpers.js';
import { findInFiles } from '../support/name-sweep.js';

const NAME = 'Zorblax-Quantel-medical';
const REQUEST = 'erase-20260101T120000Z-0a1b2c3d';
let dir: string;
let dataDir: string;
let repo: Repository;
let erased: string;
let privacy: PrivacyRecords;

beforeAll(async () => {
  dir = await makeTempDir('erasure-migration');
  dataDir = path.join(dir, 'appdata');
  const home = path.join(dir, 'home');
  erased = path.join(home, NAME);
  await fs.mkdir(erased, { recursive: true });
  await fs.writeFile(path.join(erased, 'scan.pdf'), 'scan');
  await fs.writeFile(path.join(home, 'keep.txt'), 'keep');
  ({ repo } = await initLocalRepo(dir));
  // An older copy of the repository, put back: it still holds the path.
  await backup(repo, { paths: [home], time: new Date(Date.UTC(2025, 11, 1)) });
  await fs.rm(erased, { recursive: true });

  // What Cairn kept before erased paths were hashed.
  const id = repo.config.id;
  await fs.mkdir(path.join(dataDir, 'privacy', 'receipts'), { recursive: true });
  const tombstone = {
    path: erased,
    request: REQUEST,
    erasedAt: '2026-01-01T12:00:00.000Z',
    completedAt: '2026-01-01T12:00:05.000Z',
  };
  await fs.writeFile(
    path.join(dataDir, 'privacy', 'tombstones.json'),
    JSON.stringify({ version: 1, repositories: { [id]: [tombstone] } }),
  );
  const scope = { repositoryId: id, repositoryLocation: repo.location, path: erased };
  const receipt = { version: 1, request: REQUEST, kind: 'erase-path', scope, requestedAt: tombstone.erasedAt };
  await fs.writeFile(path.join(dataDir, 'privacy', 'receipts', `${REQUEST}.json`), JSON.stringify(receipt));
  privacy = openPrivacyRecords(dataDir, 'cli');
  privacy.audit.append('backup.completed', { repositoryId: id, paths: [home] });
  privacy.audit.append('erase.path', { repositoryId: id, requestId: REQUEST, path: erased, bytesFreed: 10 });
  privacy.audit.append('keys.added', { repositoryId: id, keySlot: 'x' });
  const journal = JournalStore.open(dataDir);
  journal.recordChanges(home, [{ path: path.join(erased, 'scan.pdf'), kind: 'entry' }]);
  journal.close();
}, 60_000);

afterAll(async () => {
  await repo?.close();
  await removeDir(dir);
});

it('converts the old records on opening, then applies the tombstone by its hashes', async () => {
  expect((await findInFiles(dataDir, NAME)).length).toBeGreaterThan(0);
  const records: RepositoryRecords = {
    privacy: () => privacy,
    warn: (message) => {
      throw new Error(message);
    },
  };
  const outcomes = await reapplyErasures(repo, { dataDir, records });
  expect(outcomes).toHaveLength(1);
  expect(outcomes[0]?.reapplies).toBe(REQUEST);
  expect(outcomes[0]?.rewritten).toHaveLength(1);
  for (const s of await repo.listSnapshots()) expect(await nodeAt(repo, s.tree, erased)).toBeUndefined();

  expect(await findInFiles(dataDir, NAME)).toEqual([]);
  const hashes = erasurePathHashes(erasurePathKey(repo.keys), erased);
  const tombstones = JSON.parse(await fs.readFile(path.join(dataDir, 'privacy', 'tombstones.json'), 'utf8'));
  expect(tombstones.version).toBe(2);
  expect(tombstones.repositories[repo.config.id]).toEqual([
    {
      pathHash: hashes.at(-1),
      folderHashes: hashes.slice(0, -1),
      request: REQUEST,
      erasedAt: '2026-01-01T12:00:00.000Z',
      completedAt: '2026-01-01T12:00:05.000Z',
      host: os.hostname(),
    },
  ]);
  const receipt = JSON.parse(await fs.readFile(path.join(dataDir, 'privacy', 'receipts', `${REQUEST}.json`), 'utf8'));
  expect(receipt.scope).toEqual({
    repositoryId: repo.config.id,
    repositoryLocation: repo.location,
    pathHash: hashes.at(-1),
  });

  expect(privacy.audit.verify().ok).toBe(true);
  const entries = privacy.audit.entries();
  const migrated = entries.find((e) => e.action === 'erase.path');
  expect(migrated?.details).toEqual({
    repositoryId: repo.config.id,
    requestId: REQUEST,
    bytesFreed: 10,
    pathHash: hashes.at(-1),
  });
  const redaction = entries.find((e) => e.action === 'audit.redacted');
  expect(redaction?.details).toMatchObject({ entries: [migrated?.seq] });
  expect(entries.map((e) => e.action)).toEqual([
    'backup.completed',
    'erase.path',
    'keys.added',
    'audit.redacted',
    'erase.reapplied',
  ]);

  // Opening again finds nothing left to convert or apply.
  expect(await reapplyErasures(repo, { dataDir, records })).toEqual([]);
  expect(privacy.audit.entries()).toHaveLength(5);
});
