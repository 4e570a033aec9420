/**
 * Erasure end to end on real folders and a real local repository: a file and a folder are erased
 * from every recovery point; everything else restores byte-identical; check (reading all data)
 * is clean; the blobs only the erased path used are gone from the index AND from every pack file
 * (each pack header is decrypted and searched); content shared with another file stays. Also:
 * an erasure interrupted after rewriting or after removing the originals checks clean and a
 * re-run finishes it; an older copy of the repository put back is erased again when its
 * tombstones are applied (by their keyed hashes), and so is a later recovery point another
 * computer wrote, but a later backup of the computer that erased it is left alone; frozen points
 * follow their rewritten copies; a dry run changes nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErasureRecords } from '../../src/app/privacy/erasure/records.js';
import { erasePathWithRecords, reapplyTombstones } from '../../src/app/privacy/erasure/service.js';
import { FrozenPoints } from '../../src/app/privacy/restriction/frozen.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { erasurePathKey } from '../../src/engine/crypto/subkeys.js';
import { erasePath } from '../../src/engine/erase/erase-path.js';
import { erasurePathHashes } from '../../src/engine/erase/path-match.js';
import { blobsBelow, erasurePath, nodeAt } from '../../src/engine/erase/rewrite-snapshot.js';
import { decodePackHeader } from '../../src/engine/format/pack.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir, scanTree, seededBytes } from './helpers.js';

const KiB = 1024;

interface Fixture {
  dir: string;
  src: string;
  repoDir: string;
  dataDir: string;
  /** Snapshot id → copy of the source as it was backed up. */
  copies: Map<string, string>;
  snapshots: SnapshotRecord[];
}

/** Two backups of a tree with secret.txt, a docs/ folder, a copy of docs/a.txt elsewhere, and more. */
async function twoBackups(label: string): Promise<Fixture> {
  const dir = await makeTempDir(label);
  const src = path.join(dir, 'src');
  await fs.mkdir(path.join(src, 'docs', 'deep'), { recursive: true });
  await fs.mkdir(path.join(src, 'other'), { recursive: true });
  await fs.writeFile(path.join(src, 'secret.txt'), `the secret: ${seededBytes('secret', 64).toString('hex')}\n`);
  await fs.writeFile(path.join(src, 'docs', 'a.txt'), seededBytes('doc a', 20 * KiB));
  await fs.writeFile(path.join(src, 'docs', 'deep', 'b.bin'), seededBytes('doc b', 90 * KiB));
  await fs.writeFile(path.join(src, 'other', 'copy-of-a.txt'), seededBytes('doc a', 20 * KiB));
  await fs.writeFile(path.join(src, 'other', 'big.bin'), seededBytes('big', 700 * KiB));
  await fs.symlink('other/big.bin', path.join(src, 'link'));
  const made = await initLocalRepo(dir);
  const copies = new Map<string, string>();
  const snapshots: SnapshotRecord[] = [];
  for (let i = 1; i <= 2; i++) {
    await fs.writeFile(path.join(src, 'changing.txt'), `version ${i}\n`);
    await fs.utimes(path.join(src, 'changing.txt'), new Date(Date.UTC(2026, 0, i)), new Date(Date.UTC(2026, 0, i)));
    const { snapshot } = await backup(made.repo, { paths: [src], time: new Date(Date.UTC(2026, 0, i, 12)) });
    const copy = path.join(dir, 'copies', String(i));
    await fs.cp(src, copy, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    copies.set(snapshot.id, copy);
    snapshots.push(snapshot);
  }
  await made.repo.close();
  return { dir, src, repoDir: made.repoDir, dataDir: path.join(dir, 'appdata'), copies, snapshots };
}

async function open(f: Fixture): Promise<Repository> {
  return Repository.open(new LocalBackend(f.repoDir), PASSWORD);
}

/** Every blob id named in the header of every pack file on disk (headers decrypted). */
async function blobsInPackFiles(repo: Repository, repoDir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const rel of await fs.readdir(path.join(repoDir, 'data'), { recursive: true })) {
    const file = path.join(repoDir, 'data', rel.toString());
    if (!(await fs.stat(file)).isFile()) continue;
    for (const e of decodePackHeader(repo.keys.dataKey, await fs.readFile(file), rel.toString())) ids.add(e.id);
  }
  return ids;
}

/** Files (content) and symlinks of a tree, by relative path; folders by name only. */
async function contentOf(root: string, without: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await scanTree(root)) {
    if (without.some((w) => e.rel === w || e.rel.startsWith(`${w}/`))) continue;
    out[e.rel] =
      e.type === 'file'
        ? `file ${e.sha256} ${e.mode.toString(8)} ${Math.round(e.mtimeMs)}`
        : e.type === 'symlink'
          ? `link ${e.target}`
          : e.type;
  }
  return out;
}

/** Restores every recovery point and compares it with its copy minus the erased entries. */
async function expectRestoresWithout(f: Fixture, repo: Repository, erased: string[]): Promise<void> {
  const snapshots = await repo.listSnapshots();
  expect(snapshots).toHaveLength(f.snapshots.length);
  for (const [i, s] of snapshots.entries()) {
    const original = f.snapshots[i] as SnapshotRecord;
    expect(s.time).toBe(original.time);
    const target = path.join(f.dir, 'restored', s.id);
    const r = await restore(repo, s, { target });
    expect(r.errors).toEqual([]);
    const restoredSrc = path.join(target, f.src);
    for (const e of erased) await expect(fs.lstat(path.join(restoredSrc, e))).rejects.toThrow();
    expect(await contentOf(restoredSrc)).toEqual(await contentOf(f.copies.get(original.id) as string, erased));
  }
}

async function expectCleanCheck(repo: Repository): Promise<void> {
  const r = await check(repo, { readData: { kind: 'all' } });
  expect(r.errors).toEqual([]);
  expect(r.ok).toBe(true);
}

describe('erasure of a path from every recovery point', () => {
  let f: Fixture;

  beforeAll(async () => {
    f = await twoBackups('erasure');
  });

  afterAll(async () => {
    await removeDir(f?.dir);
  });

  it('takes absolute paths only, and never "/"', () => {
    expect(erasurePath('/a/b/')).toBe('/a/b');
    expect(erasurePath('C:\\Users\\me\\x.txt')).toBe('/C/Users/me/x.txt');
    expect(() => erasurePath('docs/a.txt')).toThrow(/not an absolute path/);
    expect(() => erasurePath('/')).toThrow(/--all/);
  });

  it('refuses a path no recovery point contains, changing nothing', async () => {
    const repo = await open(f);
    try {
      const before = await repo.listIds('snapshots');
      await expect(erasePathWithRecords(repo, f.dataDir, path.join(f.src, 'nope.txt'))).rejects.toThrow(
        /no recovery point contains/,
      );
      expect((await repo.listIds('snapshots')).sort()).toEqual(before.sort());
      expect(new ErasureRecords(f.dataDir).tombstones(repo.config.id)).toEqual([]);
    } finally {
      await repo.close();
    }
  });

  it('a dry run names the recovery points and what would be freed, and changes nothing', async () => {
    const repo = await open(f);
    try {
      const before = await repo.listIds('snapshots');
      const r = await erasePathWithRecords(repo, f.dataDir, path.join(f.src, 'docs'), { dryRun: true });
      expect(r.recoveryPoints.map((p) => p.id).sort()).toEqual(f.snapshots.map((s) => s.id).sort());
      expect(r.files).toBe(2);
      expect(r.bytesToFree).toBeGreaterThan(90 * KiB);
      expect(r.blobsSharedWithOtherFiles).toBe(1); // docs/a.txt has the content of other/copy-of-a.txt
      expect(r.receiptFile).toBeNull();
      expect((await repo.listIds('snapshots')).sort()).toEqual(before.sort());
    } finally {
      await repo.close();
    }
  });

  it('erases a file: no recovery point holds it, its blobs are gone from index and packs, the rest restores', async () => {
    const secret = path.join(f.src, 'secret.txt');
    let repo = await open(f);
    await repo.loadIndex();
    const node = await nodeAt(repo, (f.snapshots[0] as SnapshotRecord).tree, secret);
    expect(node?.type).toBe('file');
    const secretBlobs = [...(node?.content ?? [])];
    // The folder tree that names secret.txt, in both recovery points.
    const namingTrees = new Set<string>();
    for (const s of f.snapshots) {
      const parent = await nodeAt(repo, s.tree, f.src);
      namingTrees.add(parent?.subtree as string);
    }
    expect(secretBlobs).toHaveLength(1);
    for (const id of [...secretBlobs, ...namingTrees]) expect(await blobsInPackFiles(repo, f.repoDir)).toContain(id);
    const frozen = new FrozenPoints(f.dataDir);
    frozen.freeze(repo.config.id, (f.snapshots[0] as SnapshotRecord).id, 'under dispute');

    const r = await erasePathWithRecords(repo, f.dataDir, `${secret}/`);
    expect(r.path).toBe(secret);
    expect(r.rewritten.map((w) => w.original).sort()).toEqual(f.snapshots.map((s) => s.id).sort());
    expect(r.blobsErased).toBeGreaterThanOrEqual(1 + namingTrees.size);
    expect(r.removedFromUseAt).not.toBeNull();
    expect(r.physicallyDeletedAt).not.toBeNull();
    await repo.close();

    repo = await open(f);
    try {
      await repo.loadIndex();
      const snapshots = await repo.listSnapshots();
      for (const s of snapshots) {
        expect(await nodeAt(repo, s.tree, secret)).toBeUndefined();
        expect(s.erasures?.at(-1)?.request).toBe(r.requestId);
        expect(f.snapshots.map((o) => o.id)).toContain(s.erasures?.at(-1)?.original);
        expect(s.summary.totalFiles).toBe((f.snapshots[0] as SnapshotRecord).summary.totalFiles - 1);
      }
      const inPacks = await blobsInPackFiles(repo, f.repoDir);
      for (const id of [...secretBlobs, ...namingTrees]) {
        expect(repo.index.has(id), `blob ${id} indexed`).toBe(false);
        expect(inPacks.has(id), `blob ${id} in a pack file`).toBe(false);
      }
      await expectCleanCheck(repo);
      await expectRestoresWithout(f, repo, ['secret.txt']);

      // Tombstone and receipt in the app data folder.
      const [tombstone] = new ErasureRecords(f.dataDir).tombstones(repo.config.id);
      const hashes = erasurePathHashes(erasurePathKey(repo.keys), secret);
      expect(tombstone).toMatchObject({
        pathHash: hashes.at(-1),
        folderHashes: hashes.slice(0, -1),
        request: r.requestId,
      });
      expect(r.pathHash).toBe(hashes.at(-1));
      expect(tombstone?.completedAt).toBe(r.physicallyDeletedAt);
      const receipt = JSON.parse(await fs.readFile(r.receiptFile as string, 'utf8'));
      expect(receipt).toMatchObject({
        request: r.requestId,
        kind: 'erase-path',
        scope: { repositoryId: repo.config.id, pathHash: hashes.at(-1) },
        removedFromUseAt: r.removedFromUseAt,
        physicallyDeletedAt: r.physicallyDeletedAt,
      });
      expect(receipt.recoveryPointsRewritten).toHaveLength(2);
      // The freeze moved to the rewritten copy of the frozen point.
      const moved = r.rewritten.find((w) => w.original === (f.snapshots[0] as SnapshotRecord).id)?.rewritten;
      expect(frozen.list(repo.config.id).map((p) => p.snapshotId)).toEqual([moved]);
      frozen.unfreeze(repo.config.id, moved as string);
      f.snapshots = snapshots;
      for (const [i, s] of snapshots.entries()) {
        const copy = [...f.copies.values()][i] as string;
        f.copies.set(s.id, copy);
      }
    } finally {
      await repo.close();
    }
  });

  it('erases a folder; content it shares with another file stays as part of that file', async () => {
    const docs = path.join(f.src, 'docs');
    let repo = await open(f);
    await repo.loadIndex();
    const docsNode = await nodeAt(repo, (f.snapshots[0] as SnapshotRecord).tree, docs);
    const docsBlobs = await blobsBelow(repo, docsNode as never);
    const shared = (
      await nodeAt(repo, (f.snapshots[0] as SnapshotRecord).tree, path.join(f.src, 'other', 'copy-of-a.txt'))
    )?.content?.[0] as string;
    expect(docsBlobs.has(shared)).toBe(true);
    const r = await erasePathWithRecords(repo, f.dataDir, docs);
    expect(r.rewritten).toHaveLength(2);
    expect(r.files).toBe(2);
    expect(r.blobsSharedWithOtherFiles).toBe(1);
    await repo.close();

    repo = await open(f);
    try {
      await repo.loadIndex();
      for (const s of await repo.listSnapshots()) {
        expect(await nodeAt(repo, s.tree, docs)).toBeUndefined();
        expect(s.erasures).toHaveLength(2);
      }
      const inPacks = await blobsInPackFiles(repo, f.repoDir);
      for (const id of docsBlobs) {
        const stays = id === shared;
        expect(repo.index.has(id), `blob ${id}`).toBe(stays);
        expect(inPacks.has(id), `blob ${id} in packs`).toBe(stays);
      }
      await expectCleanCheck(repo);
      await expectRestoresWithout(f, repo, ['secret.txt', 'docs']);
    } finally {
      await repo.close();
    }
  });
});

describe('interrupted erasure', () => {
  for (const step of ['rewrite', 'remove'] as const) {
    it(`stopped after "${step}": checks clean, and a re-run finishes the same request`, async () => {
      const f = await twoBackups(`erasure-${step}`);
      const secret = path.join(f.src, 'secret.txt');
      try {
        let repo = await open(f);
        await repo.loadIndex();
        const secretBlob = (await nodeAt(repo, (f.snapshots[0] as SnapshotRecord).tree, secret))
          ?.content?.[0] as string;
        await expect(erasePathWithRecords(repo, f.dataDir, secret, { __testFailAfter: step })).rejects.toThrow(
          /interrupted/,
        );
        await repo.close();
        const pending = new ErasureRecords(f.dataDir).tombstones((await open(f)).config.id);
        expect(pending).toHaveLength(1);
        expect(pending[0]?.completedAt).toBeNull();

        repo = await open(f);
        await expectCleanCheck(repo);
        const ids = await repo.listIds('snapshots');
        expect(ids).toHaveLength(step === 'rewrite' ? 4 : 2);
        // Re-run: the same request is finished (no duplicate rewritten copies).
        const r = await erasePathWithRecords(repo, f.dataDir, secret);
        expect(r.requestId).toBe(pending[0]?.request);
        expect(r.reapplies).toBe(pending[0]?.request);
        await repo.close();

        repo = await open(f);
        try {
          await repo.loadIndex();
          const snapshots = await repo.listSnapshots();
          expect(snapshots).toHaveLength(2);
          for (const s of snapshots) expect(await nodeAt(repo, s.tree, secret)).toBeUndefined();
          expect(repo.index.has(secretBlob)).toBe(false);
          expect(await blobsInPackFiles(repo, f.repoDir)).not.toContain(secretBlob);
          await expectCleanCheck(repo);
          await expectRestoresWithout(f, repo, ['secret.txt']);
          expect(new ErasureRecords(f.dataDir).tombstones(repo.config.id)[0]?.completedAt).not.toBeNull();
        } finally {
          await repo.close();
        }
      } finally {
        await removeDir(f.dir);
      }
    });
  }

  it('an interrupted erasure is finished when the tombstones are applied on opening', async () => {
    const f = await twoBackups('erasure-resume-open');
    const secret = path.join(f.src, 'secret.txt');
    try {
      let repo = await open(f);
      await expect(erasePathWithRecords(repo, f.dataDir, secret, { __testFailAfter: 'remove' })).rejects.toThrow();
      await repo.close();
      repo = await open(f);
      const outcomes = await reapplyTombstones(repo, f.dataDir);
      expect(outcomes).toHaveLength(1);
      expect(await reapplyTombstones(repo, f.dataDir)).toEqual([]);
      await expectCleanCheck(repo);
      await repo.close();
    } finally {
      await removeDir(f.dir);
    }
  });
});

describe('tombstones', () => {
  it('an older copy put back is erased again on opening, as is a later point of another computer; a later backup of this one is not', async () => {
    const f = await twoBackups('erasure-tombstone');
    const secret = path.join(f.src, 'secret.txt');
    const olderCopy = path.join(f.dir, 'older-copy');
    try {
      await fs.cp(f.repoDir, olderCopy, { recursive: true });
      let repo = await open(f);
      await erasePathWithRecords(repo, f.dataDir, secret);
      expect(await reapplyTombstones(repo, f.dataDir)).toEqual([]); // nothing left to do
      await repo.close();

      // Put the older copy back: it still holds secret.txt in both recovery points.
      await fs.rm(f.repoDir, { recursive: true });
      await fs.rename(olderCopy, f.repoDir);
      repo = await open(f);
      await repo.loadIndex();
      const secretBlob = (await nodeAt(repo, (f.snapshots[0] as SnapshotRecord).tree, secret))?.content?.[0] as string;
      expect(repo.index.has(secretBlob)).toBe(true);
      const outcomes = await reapplyTombstones(repo, f.dataDir);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]?.rewritten).toHaveLength(2);
      expect(outcomes[0]?.reapplies).toBe(new ErasureRecords(f.dataDir).tombstones(repo.config.id)[0]?.request);
      const receipt = JSON.parse(await fs.readFile(outcomes[0]?.receiptFile as string, 'utf8'));
      expect(receipt.kind).toBe('reapply-tombstone');
      await repo.close();

      repo = await open(f);
      await repo.loadIndex();
      for (const s of await repo.listSnapshots()) expect(await nodeAt(repo, s.tree, secret)).toBeUndefined();
      expect(repo.index.has(secretBlob)).toBe(false);
      expect(await blobsInPackFiles(repo, f.repoDir)).not.toContain(secretBlob);
      await expectCleanCheck(repo);

      // A backup this computer made after the erasure that holds secret.txt again is the user's new data.
      const later = new Date(Date.now() + 60_000);
      const { snapshot } = await backup(repo, { paths: [f.src], time: later });
      expect(await nodeAt(repo, snapshot.tree, secret)).toBeDefined();
      expect(await reapplyTombstones(repo, f.dataDir)).toEqual([]);

      // Another computer's later recovery point holding it is erased again, found by hash alone.
      const other = await backup(repo, { paths: [f.src], time: later, hostname: 'other-laptop' });
      const [again] = await reapplyTombstones(repo, f.dataDir);
      expect(again?.rewritten.map((w) => w.original)).toEqual([other.snapshot.id]);
      expect(again?.path).toBe(secret);
      const rewritten = (await repo.listSnapshots()).find((s) => s.id === again?.rewritten[0]?.rewritten);
      expect(rewritten?.hostname).toBe('other-laptop');
      expect(await nodeAt(repo, rewritten?.tree as string, secret)).toBeUndefined();
      expect(await nodeAt(repo, snapshot.tree, secret)).toBeDefined();
      await repo.close();
    } finally {
      await removeDir(f.dir);
    }
  });

  it('erasePath on its own (no records) refuses a path in no recovery point it applies to', async () => {
    const f = await twoBackups('erasure-upto');
    try {
      const repo = await open(f);
      await expect(
        erasePath(repo, path.join(f.src, 'secret.txt'), {
          requestId: 'erase-x',
          applies: (s) => s.time <= '2025-01-01T00:00:00.000Z',
        }),
      ).rejects.toThrow(/no recovery point the erasure applies to contains/);
      await repo.close();
    } finally {
      await removeDir(f.dir);
    }
  });
});
