/**
 * What a long-lived session believes, against what other processes do to the same repository
 * (each other process is a second Repository opened on the same folder, as another program or
 * computer would): index files added or superseded elsewhere are seen after a refresh, a backup
 * never dedupes against data pruned elsewhere, a recovery point is never saved pointing at data
 * that is gone, and a damaged index file or recovery point does not stop the rest. Also the
 * session's identity checks (repository erased or password removed elsewhere).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { prune } from '../../src/engine/prune/prune.js';
import { withLock } from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  craftedSnapshot,
  expectSameTree,
  flipByte,
  initLocalRepo,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  seededBytes,
} from './helpers.js';

const KiB = 1024;

let dir: string;
let src: string;
let repoDir: string;
/** The long-lived session (the app). */
let app: Repository;
/** Sessions of "other processes", closed after each test. */
const others: Repository[] = [];

async function other(): Promise<Repository> {
  const r = await Repository.open(new LocalBackend(repoDir), PASSWORD);
  others.push(r);
  return r;
}

async function writeTree(files: Record<string, Buffer>): Promise<void> {
  await fs.rm(src, { recursive: true, force: true });
  await fs.mkdir(src, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await fs.writeFile(path.join(src, name), bytes);
}

/** Restores `id` with `repo` and compares it with the tree copied at `copy`. */
async function expectRestores(repo: Repository, id: string, copy: string): Promise<void> {
  const target = await fs.mkdtemp(path.join(dir, 'restore-'));
  const snapshot = await repo.findSnapshot(id);
  const r = await withLock(repo, 'restore', false, () => restore(repo, snapshot, { target }));
  expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  await expectSameTree(copy, restoredPath(target, src));
}

async function copyOf(label: string): Promise<string> {
  const copy = path.join(dir, 'copies', label);
  await fs.cp(src, copy, { recursive: true, preserveTimestamps: true });
  return copy;
}

beforeEach(async () => {
  dir = await makeTempDir('freshness');
  src = path.join(dir, 'src');
  const made = await initLocalRepo(dir);
  repoDir = made.repoDir;
  app = made.repo;
});

afterEach(async () => {
  await app.close();
  for (const r of others.splice(0)) await r.close();
  await removeDir(dir);
});

describe('the session index follows other processes', () => {
  it('sees index files another backup added, and drops what a prune elsewhere removed', async () => {
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB) });
    const first = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    const ids = [...app.index.ids('data')];
    expect(ids).toHaveLength(1);

    // Another process backs up new content: the app's next refresh only adds.
    const b = await other();
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB), 'b.bin': seededBytes('b', 300 * KiB) });
    await withLock(b, 'backup', false, () => backup(b, { paths: [src] }));
    expect(await app.refreshIndex()).toBe('added');
    expect([...app.index.ids('data')]).toHaveLength(2);
    expect(await app.refreshIndex()).toBe('unchanged');

    // Another process forgets everything but its own point and prunes: a.bin's data stays (the
    // second point holds it); then it forgets that too and the data goes.
    await withLock(b, 'forget', true, () => b.removeSnapshot(first.snapshot.id));
    await prune(b, undefined, { repackThreshold: 1 });
    expect(await app.refreshIndex()).toBe('rebuilt');
    expect(app.hasBlob(ids[0] as string)).toBe(true);
  });

  it('a backup after a prune elsewhere stores pruned data again instead of pointing at it', async () => {
    const old = seededBytes('only in the first point', 300 * KiB);
    await writeTree({ 'keep.bin': seededBytes('keep', 200 * KiB), 'old.bin': old });
    const first = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    await writeTree({ 'keep.bin': seededBytes('keep', 200 * KiB) });
    const second = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));

    // From "the terminal": forget the first point and prune its data.
    const cli = await other();
    await withLock(cli, 'forget', true, () => cli.removeSnapshot(first.snapshot.id));
    const pruned = await prune(cli);
    expect(pruned.blobsRemoved).toBeGreaterThan(0);

    // The app backs up old.bin again: it must store it, not dedupe against the pruned blob.
    await writeTree({ 'keep.bin': seededBytes('keep', 200 * KiB), 'old.bin': old });
    const copy = await copyOf('third');
    const third = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    expect(third.snapshot.summary.dataAdded).toBeGreaterThanOrEqual(old.length);

    const fresh = await other();
    const result = await withLock(fresh, 'check', false, () => check(fresh, { readData: { kind: 'all' } }));
    expect(result.errors).toEqual([]);
    await expectRestores(fresh, third.snapshot.id, copy);
    expect(second.snapshot.id).not.toBe(third.snapshot.id);
  });

  it('check and restore in the app work after a prune elsewhere repacked every pack', async () => {
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB), 'b.bin': seededBytes('b', 300 * KiB) });
    const copy = await copyOf('kept');
    const kept = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    await writeTree({ 'c.bin': seededBytes('c', 300 * KiB) });
    const gone = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    // The app has read every tree (the tree cache and the tree pack cache hold them).
    await withLock(app, 'check', false, () => check(app));

    const cli = await other();
    await withLock(cli, 'forget', true, () => cli.removeSnapshot(gone.snapshot.id));
    const result = await prune(cli, undefined, { repackThreshold: 1 });
    expect(result.packsRepacked + result.packsDeleted).toBeGreaterThan(0);

    const checked = await withLock(app, 'check', false, () => check(app, { readData: { kind: 'all' } }));
    expect(checked.errors).toEqual([]);
    await expectRestores(app, kept.snapshot.id, copy);
  });

  it('refuses to save a recovery point whose data was removed by a process that ignored the lock', async () => {
    await writeTree({ 'x.bin': seededBytes('x', 300 * KiB) });
    const first = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    const tree = first.snapshot.tree;
    await app.loadIndex();

    // Behind the app's back (no lock taken): the only point is forgotten and its data pruned.
    const rogue = await other();
    await rogue.removeSnapshot(first.snapshot.id);
    await prune(rogue);

    // The app, still believing the tree is stored, would save a point referencing it.
    await expect(app.saveSnapshot(craftedSnapshot(tree))).rejects.toThrow(
      /another process removed data this backup relied on.*was not saved/,
    );
    expect(await app.listIds('snapshots')).toEqual([]);
  });

  it('a read in the same session while an operation writes trees keeps what that operation queued', async () => {
    await withLock(app, 'erase', true, async () => {
      const tree = await app.saveTree({ nodes: [] });
      await app.loadIndex(); // the app browsing meanwhile
      await app.saveSnapshot(craftedSnapshot(tree));
    });
    const fresh = await other();
    const result = await withLock(fresh, 'check', false, () => check(fresh));
    expect(result.errors).toEqual([]);
    expect(result.snapshots).toBe(1);
  });

  it('drops claims of a failed session: a blob claimed and never stored is stored by the next backup', async () => {
    await writeTree({ 'x.bin': seededBytes('claimed', 100 * KiB) });
    const id = (await import('../../src/engine/crypto/ids.js')).blobId(
      app.keys.idKey,
      seededBytes('claimed', 100 * KiB),
    );
    await app.loadIndex();
    // A backup that claimed the blob, then failed before storing it.
    app.beginWrite();
    expect(app.claimBlob(id)).toBe(true);
    app.endWrite();
    const copy = await copyOf('x');
    const r = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    expect(r.snapshot.summary.dataAdded).toBe(100 * KiB);
    await expectRestores(app, r.snapshot.id, copy);
  });
});

describe('damage does not stop everything', () => {
  it('a damaged index file: the repository opens, says so once, and backups and restores of intact data work', async () => {
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB) });
    await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    const [firstIndex] = await app.listIds('index');
    await writeTree({ 'b.bin': seededBytes('b', 300 * KiB) });
    const copy = await copyOf('b');
    const second = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    expect(await app.listIds('index')).toHaveLength(2);
    // Damage the first backup's index file: the second point's data is listed in the other one.
    await flipByte(path.join(repoDir, 'index', firstIndex as string), 40);

    const session = await other();
    const messages: string[] = [];
    session.onDamage = (m) => messages.push(m);
    await session.loadIndex();
    await session.loadIndex();
    expect(session.indexProblems.size).toBe(1);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/index file .* cannot be read .*cairn repair index/);
    // A backup still works (storing again whatever only the damaged file listed), and both
    // the new point and the intact one restore.
    const third = await withLock(session, 'backup', false, () => backup(session, { paths: [src] }));
    await expectRestores(session, third.snapshot.id, copy);
    await expectRestores(session, second.snapshot.id, copy);
  });

  it('a damaged recovery point is listed as damaged; the others list, restore and serve as parents', async () => {
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB) });
    const copy = await copyOf('a');
    const first = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    const second = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    await flipByte(path.join(repoDir, 'snapshots', second.snapshot.id), 30);

    const messages: string[] = [];
    app.onDamage = (m) => messages.push(m);
    const listed = await app.listSnapshotsChecked();
    expect(listed.snapshots.map((s) => s.id)).toEqual([first.snapshot.id]);
    expect(listed.damaged).toHaveLength(1);
    expect(listed.damaged[0]?.id).toBe(second.snapshot.id);
    expect(messages[0]).toContain(`cairn forget ${second.snapshot.id.slice(0, 8)}`);
    // The next backup takes the intact point as its parent (nothing is read again).
    const third = await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    expect(third.snapshot.parent).toBe(first.snapshot.id);
    expect(third.snapshot.summary.filesUnchanged).toBe(1);
    await expectRestores(app, first.snapshot.id, copy);
    // And it can be removed.
    await withLock(app, 'forget', true, () => app.removeSnapshot(second.snapshot.id));
    expect((await app.listSnapshotsChecked()).damaged).toEqual([]);
  });

  it('a missing pack: the next backup stores the lost data again (healing) and the new point restores', async () => {
    await writeTree({ 'a.bin': seededBytes('a', 300 * KiB), 'b.bin': seededBytes('b', 300 * KiB) });
    const copy = await copyOf('ab');
    await withLock(app, 'backup', false, () => backup(app, { paths: [src] }));
    const loc = app.index.get([...app.index.ids('data')][0] as string);
    await fs.rm(path.join(repoDir, 'data', loc?.pack.slice(0, 2) as string, loc?.pack as string));

    const warnings: string[] = [];
    const healed = await withLock(app, 'backup', false, () =>
      backup(app, { paths: [src], onWarning: (w) => warnings.push(w) }),
    );
    expect(warnings.some((w) => /pack\(s\) of stored data are missing/.test(w))).toBe(true);
    expect(healed.snapshot.partial).toBe(false);
    expect(healed.snapshot.summary.dataAdded).toBeGreaterThan(0);
    await expectRestores(await other(), healed.snapshot.id, copy);
  });
});

describe('the session itself', () => {
  it('ends when the password that unlocked it is removed elsewhere, and when the repository is erased', async () => {
    const cli = await other();
    await withLock(cli, 'key passwd', true, () => cli.changePassword('another password'));
    await expect(withLock(app, 'backup', false, async () => 'ran')).rejects.toThrow(
      /password that unlocked .* was changed or removed .*unlock it again/,
    );
    expect(app.invalid?.code).toBe('locked');
    // It stays ended, also for calls that take no lock.
    await expect(app.loadIndex()).rejects.toThrow(/unlock it again/);

    const again = await Repository.open(new LocalBackend(repoDir), 'another password');
    others.push(again);
    await fs.rm(path.join(repoDir, 'config'));
    await expect(withLock(again, 'check', false, async () => 'ran')).rejects.toMatchObject({
      code: 'no-repository',
    });
  });
});
