/**
 * `cairn forget` end to end, without a build: runs `node --import tsx src/cli/index.ts` against a
 * repository with five recovery points (made through the engine, with a cheap key derivation).
 * Checks the exact JSON of `forget --dry-run --json`, then `forget --prune` and `check --read-data`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir, seededBytes } from '../engine/helpers.js';
import { type Run, cairn as runCairn } from '../support/cli.js';

let dataDir = '';

function cairn(args: string[]): Run {
  // Audit entries and other privacy records go to dataDir.
  return runCairn(args, { password: PASSWORD, dataDir });
}

describe('cairn forget', () => {
  let dir: string;
  let repoDir: string;
  const ids: { id: string; time: string }[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('cli-forget');
    dataDir = path.join(dir, 'app-data');
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'stable.bin'), seededBytes('stable', 120 * 1024));
    const made = await initLocalRepo(dir);
    repoDir = made.repoDir;
    for (let i = 1; i <= 5; i++) {
      await fs.writeFile(path.join(src, 'changing.bin'), seededBytes(`changing ${i}`, 90 * 1024));
      const { snapshot } = await backup(made.repo, { paths: [src], time: new Date(Date.UTC(2026, 1, i, 12)) });
      ids.push({ id: snapshot.id, time: snapshot.time });
    }
    await made.repo.close();
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('--keep-last 2 --dry-run --json lists the three oldest to remove and what a prune would free', async () => {
    const r = cairn(['forget', '--repo', repoDir, '--keep-last', '2', '--dry-run', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      keep: { id: string; time: string; reasons: string[] }[];
      remove: { id: string; time: string }[];
      reclaimBytes: number;
    };
    expect(Object.keys(out)).toEqual(['keep', 'remove', 'reclaimBytes']);
    expect(out.keep.map((k) => ({ id: k.id, time: k.time }))).toEqual([ids[4], ids[3]]);
    for (const k of out.keep) {
      expect(Object.keys(k)).toEqual(['id', 'time', 'reasons']);
      expect(k.reasons.length).toBeGreaterThan(0);
    }
    expect(out.remove).toEqual([ids[2], ids[1], ids[0]]);
    expect(out.reclaimBytes).toBeGreaterThan(0);
    // Nothing was removed.
    expect(await fs.readdir(path.join(repoDir, 'snapshots'))).toHaveLength(5);
  });

  it('refuses a policy together with ids, and a non-numeric count, as usage errors', () => {
    expect(cairn(['forget', '--repo', repoDir, '--keep-last', '2', (ids[0] as { id: string }).id]).status).toBe(2);
    expect(cairn(['forget', '--repo', repoDir, '--keep-last', 'two']).status).toBe(2);
    expect(cairn(['forget', '--repo', repoDir]).status).toBe(2);
  });

  it('--keep-last 2 --prune leaves two recovery points and a repository that checks clean', async () => {
    const before = (await fs.readdir(path.join(repoDir, 'data'), { recursive: true })).length;
    const r = cairn(['forget', '--repo', repoDir, '--keep-last', '2', '--prune', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { removed: string[]; prune: { bytesFreed: number; blobsRemoved: number } };
    expect(out.removed.sort()).toEqual(
      ids
        .slice(0, 3)
        .map((s) => s.id)
        .sort(),
    );
    expect(out.prune.bytesFreed).toBeGreaterThan(0);
    expect(out.prune.blobsRemoved).toBeGreaterThanOrEqual(3); // the three old versions of changing.bin
    expect((await fs.readdir(path.join(repoDir, 'snapshots'))).sort()).toEqual(
      ids
        .slice(3)
        .map((s) => s.id)
        .sort(),
    );
    expect((await fs.readdir(path.join(repoDir, 'data'), { recursive: true })).length).toBeLessThan(before);

    const list = cairn(['snapshots', '--repo', repoDir, '--json']);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(2);
    const checked = cairn(['check', '--repo', repoDir, '--read-data', '--json']);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, errors: [], notes: [], snapshots: 2 });

    const again = cairn(['prune', '--repo', repoDir, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ bytesFreed: 0, packsDeleted: 0, packsRepacked: 0, blobsRemoved: 0 });
  });
});
