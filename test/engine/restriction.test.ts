/**
 * The restriction guard in the storage core (src/engine/repo/restriction.ts) over a real local
 * repository, with a plain predicate as the guard: a restricted point is refused by id, prefix
 * and "latest" with code 'restricted' and the guard's words; a reader that starts from the
 * listing and walks its root tree (what a new method might do) is refused too, while a root
 * shared with an open point stays readable; the named bypass lets a check, a backup and the
 * bypassed caller read it, and only the calls made inside it; lifting the restriction works at
 * once; a repository opened without a guard restricts nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { walk } from '../../src/engine/browse/walk.js';
import { check } from '../../src/engine/check/checker.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { bypassRestriction } from '../../src/engine/repo/restriction.js';
import { craftedSnapshot, initLocalRepo, makeTempDir, removeDir } from './helpers.js';

let dir: string;
let src: string;
let repo: Repository;
let first: SnapshotRecord;
let second: SnapshotRecord;
/** Restricted snapshot ids of this repository → the refusal the guard gives. */
const restricted = new Map<string, string>();

async function backUp(): Promise<SnapshotRecord> {
  return (await backup(repo, { paths: [src] })).snapshot;
}

async function paths(tree: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walk(repo, tree, '/', { recursive: true })) out.push(e.path);
  return out;
}

const refusal = (id: string) => ({ code: 'restricted', message: `point ${id.slice(0, 8)} is held` });

beforeEach(async () => {
  dir = await makeTempDir('restriction');
  src = path.join(dir, 'src');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'first version');
  ({ repo } = await initLocalRepo(dir));
  first = await backUp();
  await fs.writeFile(path.join(src, 'report.txt'), 'second version, longer');
  second = await backUp();
  restricted.clear();
  repo.restriction.guard = (repositoryId, snapshotId) =>
    repositoryId === repo.config.id ? (restricted.get(snapshotId) ?? null) : null;
});
afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

function restrict(s: SnapshotRecord): void {
  restricted.set(s.id, refusal(s.id).message);
}

it('refuses a restricted point by id, prefix and "latest", with the guard\'s words', async () => {
  restrict(second);
  await expect(repo.findSnapshot(second.id)).rejects.toMatchObject(refusal(second.id));
  await expect(repo.findSnapshot(second.id.slice(0, 8))).rejects.toMatchObject(refusal(second.id));
  await expect(repo.findSnapshot('latest')).rejects.toMatchObject(refusal(second.id));
  expect((await repo.findSnapshot(first.id)).id).toBe(first.id);
  // Listing is not reading: the point is still listed, with its metadata.
  expect((await repo.listSnapshots()).map((s) => s.id)).toEqual([first.id, second.id]);
  expect(repo.restriction.restricts(second.id)).toBe(true);
  expect(repo.restriction.restricts(first.id)).toBe(false);
});

it('refuses the root tree of a restricted point to a reader that starts from the listing', async () => {
  restrict(first);
  const listed = await repo.listSnapshots();
  const frozen = listed.find((s) => s.id === first.id) as SnapshotRecord;
  await expect(paths(frozen.tree)).rejects.toMatchObject(refusal(first.id));
  // Read before: the session's tree cache does not let it through either.
  restricted.clear();
  expect(await paths(frozen.tree)).toContain(path.join(src, 'report.txt'));
  restrict(first);
  await expect(paths(frozen.tree)).rejects.toMatchObject(refusal(first.id));
  expect(await paths(second.tree)).toContain(path.join(src, 'report.txt'));
});

it('keeps a root shared with an open point readable, and the restricted point refused by id', async () => {
  const twinId = await repo.saveSnapshot(craftedSnapshot(second.tree));
  const twin = await repo.loadSnapshot(twinId);
  restrict(second);
  expect(await paths(second.tree)).toContain(path.join(src, 'report.txt'));
  await expect(repo.findSnapshot(second.id)).rejects.toMatchObject(refusal(second.id));
  restrict(twin);
  await expect(paths(second.tree)).rejects.toMatchObject({ code: 'restricted' });
  // Removing the open twin leaves the root to the restricted point alone.
  restricted.delete(twin.id);
  await repo.removeSnapshot(twin.id);
  await expect(paths(second.tree)).rejects.toMatchObject(refusal(second.id));
});

it('lets the bypassed calls read it, and only those', async () => {
  restrict(first);
  const [inside, outside] = await Promise.allSettled([
    bypassRestriction('erasure', async () => paths((await repo.findSnapshot(first.id)).tree)),
    paths(first.tree),
  ]);
  expect(inside).toMatchObject({ status: 'fulfilled', value: expect.arrayContaining([path.join(src, 'report.txt')]) });
  expect(outside).toMatchObject({ status: 'rejected', reason: refusal(first.id) });
  await expect(paths(first.tree)).rejects.toMatchObject({ code: 'restricted' });
});

it('checks every point and backs up against a restricted parent', async () => {
  restrict(first);
  restrict(second);
  const checked = await check(repo, { readData: { kind: 'all' } });
  expect(checked.errors).toEqual([]);
  expect(checked.snapshots).toBe(2);
  const third = await backUp();
  expect(third.summary.filesUnchanged).toBe(1);
  expect(await paths(third.tree)).toContain(path.join(src, 'report.txt'));
});

it('lifts at once, and restricts nothing without a guard', async () => {
  restrict(first);
  await expect(repo.findSnapshot(first.id)).rejects.toMatchObject({ code: 'restricted' });
  restricted.clear();
  expect((await repo.findSnapshot(first.id)).id).toBe(first.id);
  restrict(first);
  repo.restriction.guard = undefined;
  expect(await paths((await repo.findSnapshot(first.id)).tree)).toContain(path.join(src, 'report.txt'));
});
