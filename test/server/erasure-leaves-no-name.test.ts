/**
 * Erasure leaves no name behind, checked as the issue checks it, through the contract with a real
 * EngineHost, catalog, journal and local repository. A folder with a distinctive name is backed up
 * twice (with a file inside it whose name is not valid UTF-8, so every recovery point also carries
 * a warning naming it, and the backup tasks list that warning); the watcher journal records a
 * change below it. It is then deleted from disk and erased. Afterwards neither the repository (every
 * file as stored, and decrypted: config, snapshots, index files, every tree and data blob) nor the
 * app data folder (catalog, journal, audit trail, tombstones, receipts, …) holds the name, in UTF-8
 * or UTF-16. A recovery point "another computer" writes later holding it again is erased the next
 * time the repository is unlocked, by the tombstone's hashes alone. When the folder is still on
 * disk, it is excluded from the source (default) or left alone when the user declines; then the
 * only place holding the name is the catalog's exclude list, the user's own setting.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { backUp, repositoryWithSource, succeeded, TestHost } from '../support/host.js';
import { findInFiles, findInRepository } from '../support/name-sweep.js';

const NAME = 'Zorblax-Quantel-medical';

let fixture: TestHost;
let tmp: string;
let dataDir: string;
let host: EngineHost;
let home: string;
let erased: string;
let repoDir: string;

/** The erased folder as a user would have it: a scan, notes, and a folder whose name is not UTF-8. */
async function makeFolder(withBadName: boolean): Promise<void> {
  await fs.mkdir(path.join(erased, 'notes'), { recursive: true });
  await fs.writeFile(path.join(erased, 'scan-1.pdf'), `%PDF ${NAME} patient record\n`);
  await fs.writeFile(path.join(erased, 'notes', 'visit.txt'), 'blood pressure 120/80\n');
  if (withBadName) {
    // Linux file names are bytes: 0xff is not UTF-8. A folder of such a name is not backed up yet
    // (a file is, since format version 3), and the backup warns, naming it.
    const sub = Buffer.concat([Buffer.from(`${erased}/`), Buffer.from([0xff, 0x41]), Buffer.from('-dir')]);
    await fs.mkdir(sub);
    await fs.writeFile(Buffer.concat([sub, Buffer.from('/inside.txt')]), 'x');
  }
}

beforeEach(async () => {
  fixture = await TestHost.open('erasure-no-name');
  ({ tmp, dataDir, host } = fixture);
  home = path.join(tmp, 'home');
  erased = path.join(home, NAME);
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(home);
  await fs.writeFile(path.join(home, 'keep.txt'), 'keep me');
  await makeFolder(true);
});
afterEach(() => fixture?.close());

async function twoBackups(): Promise<string> {
  const { repositoryId } = await repositoryWithSource(host, { location: repoDir, source: home });
  for (let i = 0; i < 2; i++) {
    await fs.writeFile(path.join(home, 'round.txt'), `round ${i}`);
    await backUp(host, repositoryId);
  }
  return repositoryId;
}

/** Everywhere the name still is: repository (stored and decrypted) and app data folder. */
async function whereIsTheName(): Promise<string[]> {
  return [...(await findInRepository(repoDir, 'pw', NAME)), ...(await findInFiles(dataDir, NAME))];
}

describe('erasure leaves no name behind', () => {
  it('nothing in the repository or the app data folder names the erased folder, even after another computer backs it up', async () => {
    const repositoryId = await twoBackups();
    const journal = JournalStore.open(dataDir);
    journal.startSession(erased, process.pid, os.hostname());
    journal.recordChanges(home, [{ path: path.join(erased, 'notes', 'visit.txt'), kind: 'entry' }]);
    journal.close();
    const before = await whereIsTheName();
    // The check can see the name where it is: in the recovery points' trees, data and warnings,
    // in the backup tasks' warnings (catalog) and in the journal.
    expect(before.some((w) => w.includes('decrypted snapshot'))).toBe(true);
    expect(before.some((w) => w.includes('decrypted tree blob'))).toBe(true);
    expect(before.some((w) => w.includes('catalog.sqlite'))).toBe(true);
    expect(before.some((w) => w.includes('journal.sqlite'))).toBe(true);

    await fs.rm(erased, { recursive: true });
    expect((await host.call('privacy.erasePreview', { repositoryId, path: erased })).recoveryPoints).toHaveLength(2);
    const task = await succeeded(host, (await host.call('privacy.erasePath', { repositoryId, path: erased })).taskId);
    expect(task.result?.recoveryPointsRewritten).toBe(2);
    expect(task.result?.onDisk).toMatchObject({ stillOnDisk: false, excludedFrom: [] });
    expect(await whereIsTheName()).toEqual([]);

    // The warnings went with it, and with them the reason the points were partial.
    const reader = await Repository.open(new LocalBackend(repoDir), 'pw');
    for (const s of await reader.listSnapshots()) {
      expect(s.paths).toEqual([home]);
      expect(s.warnings).toEqual([]);
      expect(s.partial).toBe(false);
    }

    // Another computer, which still has the folder, backs it up later.
    await makeFolder(false);
    const other = await backup(reader, {
      paths: [home],
      hostname: 'other-laptop',
      time: new Date(Date.now() + 60_000),
    });
    await reader.close();
    await fs.rm(erased, { recursive: true });
    expect((await whereIsTheName()).length).toBeGreaterThan(0);

    await host.call('repo.lock', { repositoryId });
    await host.call('repo.unlock', { repositoryId, password: 'pw' });
    const reapplied = (await host.call('tasks.list', { limit: 10 })).find(
      (t) => t.kind === 'erase' && t.id !== task.id,
    );
    expect(reapplied?.status).toBe('succeeded');
    const points = await host.call('snapshots.list', { repositoryId });
    expect(points).toHaveLength(3);
    expect(points.map((p) => p.id)).not.toContain(other.snapshot.id);
    expect(await whereIsTheName()).toEqual([]);
    expect((await host.call('audit.verify', {})).ok).toBe(true);
  });

  it('a folder still on disk is excluded from the source by default: then only that exclude names it', async () => {
    const repositoryId = await twoBackups();
    const task = await succeeded(host, (await host.call('privacy.erasePath', { repositoryId, path: erased })).taskId);
    const [source] = await host.call('sources.list', { repositoryId });
    expect(task.result?.onDisk).toMatchObject({ stillOnDisk: true, excludedFrom: [{ id: source?.id, path: home }] });
    expect(source?.excludes).toEqual([erased]);

    const snapshotId = await backUp(host, repositoryId);
    const names = (await host.call('snapshots.browse', { repositoryId, snapshotId, path: home })).map((e) => e.name);
    expect(names).toEqual(['keep.txt', 'round.txt']);
    expect(await findInRepository(repoDir, 'pw', NAME)).toEqual([]);
    const inData = await findInFiles(dataDir, NAME);
    expect(inData.length).toBeGreaterThan(0);
    expect(inData.map((f) => path.basename(f).replace(/-(wal|shm)$/, ''))).toEqual(inData.map(() => 'catalog.sqlite'));
  });

  it('declining the exclusion leaves the source alone and says the next backup stores it again', async () => {
    const repositoryId = await twoBackups();
    const { taskId } = await host.call('privacy.erasePath', { repositoryId, path: erased, excludeFromBackups: false });
    const task = await succeeded(host, taskId);
    expect(task.result?.onDisk).toMatchObject({
      stillOnDisk: true,
      excludedFrom: [],
      notExcludedFrom: [{ path: home }],
    });
    expect(task.messages.join('\n')).toMatch(
      /still exists on this computer: the next backup that includes it stores it again/,
    );
    expect((await host.call('sources.list', { repositoryId }))[0]?.excludes).toEqual([]);
    expect(await findInFiles(dataDir, NAME)).toEqual([]);
  });
});
