/**
 * A rewritten recovery point carries no trace of the erased path in its other fields
 * (docs/repository-format.md §11), on a real local repository: a backed-up path equal to or below
 * the erased one is dropped and one above it stays; every warning and tag that mentions the path
 * or anything below it is dropped, while one naming a sibling whose name merely starts the same
 * stays; `partial` stays only while a warning says why; a point whose every backed-up path goes
 * is forgotten. The same holds when an older copy of the repository is put back and the
 * tombstone, which knows the path only by its hashes, is applied again.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasePathWithRecords, reapplyTombstones } from '../../src/app/privacy/erasure/service.js';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { check } from '../../src/engine/check/checker.js';
import { nodeAt } from '../../src/engine/erase/rewrite-snapshot.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir } from './helpers.js';

const NAME = 'Zorblax-Quantel-medical';

let dir: string;
let home: string;
let erased: string;
let sibling: string;
let repoDir: string;
let olderCopy: string;
/** The three recovery points as backed up: whole home, the erased folder alone, a mix. */
let points: { home: SnapshotRecord; alone: SnapshotRecord; mix: SnapshotRecord };

/**
 * A sub-folder whose name is not valid UTF-8 in `folder`: the backup leaves it out with a warning
 * naming the folder (files of such names are kept since format version 3; folders not yet).
 */
async function badName(folder: string): Promise<void> {
  const sub = Buffer.concat([Buffer.from(`${folder}/`), Buffer.from([0xff, 0x42]), Buffer.from('-dir')]);
  await fs.mkdir(sub);
  await fs.writeFile(Buffer.concat([sub, Buffer.from('/inside.txt')]), 'x');
}

async function open(): Promise<Repository> {
  return Repository.open(new LocalBackend(repoDir), PASSWORD);
}

beforeAll(async () => {
  dir = await makeTempDir('erasure-fields');
  home = path.join(dir, 'home');
  erased = path.join(home, NAME);
  sibling = path.join(home, `${NAME}-archive`);
  await fs.mkdir(path.join(erased, 'scans'), { recursive: true });
  await fs.mkdir(sibling, { recursive: true });
  await fs.mkdir(path.join(home, 'docs'));
  await fs.writeFile(path.join(erased, 'scans', 'a.pdf'), 'scan a');
  await fs.writeFile(path.join(erased, 'b.txt'), 'note b');
  await fs.writeFile(path.join(sibling, 'c.txt'), 'archive c');
  await fs.writeFile(path.join(home, 'docs', 'd.txt'), 'doc d');
  await badName(erased);
  await badName(sibling);
  const made = await initLocalRepo(dir);
  repoDir = made.repoDir;
  const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12));
  points = {
    home: (await backup(made.repo, { paths: [home], tags: ['weekly', `before ${erased}/scans moved`], time: at(1) }))
      .snapshot,
    alone: (await backup(made.repo, { paths: [erased], time: at(2) })).snapshot,
    mix: (
      await backup(made.repo, {
        paths: [path.join(home, 'docs'), path.join(erased, 'scans'), sibling],
        time: at(3),
      })
    ).snapshot,
  };
  await made.repo.close();
  olderCopy = path.join(dir, 'older-copy');
  await fs.cp(repoDir, olderCopy, { recursive: true });
}, 120_000);

afterAll(async () => {
  await removeDir(dir);
});

/** Checks the recovery points of the repository after `erased` went (whichever way it went). */
async function expectNoTrace(repo: Repository): Promise<void> {
  await repo.loadIndex();
  const after = await repo.listSnapshots();
  expect(after.map((s) => s.time)).toEqual([points.home.time, points.mix.time]);
  const [wasHome, wasMix] = after as [SnapshotRecord, SnapshotRecord];

  expect(points.home.warnings.some((w) => w.includes(`${erased}/`))).toBe(true);
  expect(wasHome.paths).toEqual([home]);
  expect(wasHome.tags).toEqual(['weekly']);
  expect(wasHome.warnings).toHaveLength(1);
  expect(wasHome.warnings[0]).toContain(`${sibling}/`);
  expect(wasHome.partial).toBe(true);
  expect(await nodeAt(repo, wasHome.tree, erased)).toBeUndefined();
  expect(await nodeAt(repo, wasHome.tree, sibling)).toBeDefined();

  expect(wasMix.paths).toEqual([path.join(home, 'docs'), sibling].sort());
  expect(wasMix.warnings.every((w) => !w.includes(`${erased}/`))).toBe(true);
  expect(await nodeAt(repo, wasMix.tree, path.join(erased, 'scans'))).toBeUndefined();
  expect(await nodeAt(repo, wasMix.tree, path.join(home, 'docs', 'd.txt'))).toBeDefined();

  for (const s of after) expect(JSON.stringify({ ...s, erasures: [] })).not.toContain(`${erased}/`);
  for (const s of after) expect(JSON.stringify(s.paths)).not.toContain(`"${erased}"`);
  const checked = await check(repo, { readData: { kind: 'all' } });
  expect(checked.errors).toEqual([]);
}

describe('the fields of a rewritten recovery point', () => {
  it('drop the erased path from paths, warnings and tags; a point with nothing else left is forgotten', async () => {
    const repo = await open();
    try {
      const r = await erasePathWithRecords(repo, path.join(dir, 'appdata'), erased);
      expect(r.rewritten.map((w) => w.original).sort()).toEqual([points.home.id, points.mix.id].sort());
      expect(r.forgotten.map((f) => f.original)).toEqual([points.alone.id]);
      await expectNoTrace(repo);
    } finally {
      await repo.close();
    }
  });

  it('the same when the tombstone is applied, by its hashes, to an older copy put back', async () => {
    await fs.rm(repoDir, { recursive: true });
    await fs.rename(olderCopy, repoDir);
    const repo = await open();
    try {
      const [again] = await reapplyTombstones(repo, path.join(dir, 'appdata'));
      expect(again?.path).toBe(erased);
      expect(again?.rewritten).toHaveLength(2);
      expect(again?.forgotten).toHaveLength(1);
      await expectNoTrace(repo);
      expect(await reapplyTombstones(repo, path.join(dir, 'appdata'))).toEqual([]);
    } finally {
      await repo.close();
    }
  });
});
