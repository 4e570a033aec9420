/**
 * Entries a backup cannot or must not read: a self-referencing symlink (stored as a link, never
 * followed), a FIFO (recorded as an entry, never read), a root path that does not exist (a clear error), and a
 * file whose read fails (`/proc/self/mem`: a regular file to lstat whose read fails with EIO, even
 * for root), which must make the recovery point partial with a warning naming the file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { findNode, walk } from '../../src/engine/browse/walk.js';
import { CairnError } from '../../src/engine/errors.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { initLocalRepo, makeTempDir, removeDir, restoredPath } from './helpers.js';

describe('entries that cannot be read', () => {
  let dir: string;
  let src: string;
  let repo: Repository;

  beforeAll(async () => {
    dir = await makeTempDir('unreadable');
    src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'normal.txt'), 'normal\n');
    ({ repo } = await initLocalRepo(dir));
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('stores a symlink loop (a -> a) as a symlink and restores it', async () => {
    const loopDir = path.join(src, 'loop');
    await fs.mkdir(loopDir);
    await fs.symlink('a', path.join(loopDir, 'a'));
    await fs.symlink('c', path.join(loopDir, 'b'));
    await fs.symlink('b', path.join(loopDir, 'c'));
    const { snapshot, warnings } = await backup(repo, { paths: [loopDir] });
    expect(warnings).toEqual([]);
    expect(snapshot.partial).toBe(false);
    expect(await findNode(repo, snapshot.tree, path.join(loopDir, 'a'))).toMatchObject({
      type: 'symlink',
      target: 'a',
    });
    const target = path.join(dir, 'restore-loop');
    const result = await restore(repo, snapshot, { target });
    expect(result.errors).toEqual([]);
    expect(result.symlinksRestored).toBe(3);
    expect(await fs.readlink(path.join(restoredPath(target, loopDir), 'a'))).toBe('a');
    expect(await fs.readlink(path.join(restoredPath(target, loopDir), 'b'))).toBe('c');
  });

  it('records a FIFO as an entry without a warning (and without blocking on it)', async () => {
    const fifoDir = path.join(src, 'fifo');
    await fs.mkdir(fifoDir);
    const made = spawnSync('mkfifo', [path.join(fifoDir, 'pipe')]);
    expect(made.status).toBe(0);
    await fs.writeFile(path.join(fifoDir, 'beside.txt'), 'beside\n');
    const { snapshot, warnings } = await backup(repo, { paths: [fifoDir] });
    expect(warnings).toEqual([]);
    expect(snapshot.partial).toBe(false);
    const names: string[] = [];
    for await (const e of walk(repo, snapshot.tree, fifoDir)) names.push(`${e.node.name}:${e.node.type}`);
    expect(names).toEqual(['beside.txt:file', 'pipe:fifo']);
  });

  it('fails with a clear CairnError when a named path does not exist', async () => {
    const missing = path.join(dir, 'no-such-folder');
    const before = (await repo.listIds('snapshots')).length;
    const attempt = backup(repo, { paths: [src, missing] });
    await expect(attempt).rejects.toBeInstanceOf(CairnError);
    await expect(attempt).rejects.toMatchObject({ code: 'not-found' });
    await expect(attempt).rejects.toThrow(`cannot back up ${missing}: `);
    expect(await repo.listIds('snapshots')).toHaveLength(before);
  });

  it('refuses a backup of no paths at all', async () => {
    await expect(backup(repo, { paths: [] })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('keeps a file whose name is not valid UTF-8 by its bytes, shown with U+FFFD, and restores those bytes', async () => {
    const badDir = path.join(src, 'bad-name');
    await fs.mkdir(badDir);
    // "bad\xff.txt": 0xff never occurs in UTF-8.
    const badName = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff]), Buffer.from('.txt')]);
    await fs.writeFile(Buffer.concat([Buffer.from(`${badDir}/`), badName]), 'x');
    await fs.writeFile(path.join(badDir, 'good.txt'), 'good\n');
    const { snapshot, warnings } = await backup(repo, { paths: [badDir] });
    expect(warnings).toEqual([]);
    expect(snapshot.partial).toBe(false);
    const names: string[] = [];
    for await (const e of walk(repo, snapshot.tree, badDir)) names.push(`${e.node.name}|${e.node.nameBytes ?? ''}`);
    expect(names).toEqual([`bad\uFFFD.txt|${badName.toString('base64')}`, 'good.txt|']);
    const target = path.join(dir, 'bad-name-restore');
    const result = await restore(repo, snapshot, { target });
    expect(result.errors).toEqual([]);
    const restored = await fs.readdir(restoredPath(target, badDir), { encoding: 'buffer' });
    expect(restored.map((b) => b.toString('hex')).sort()).toEqual([
      badName.toString('hex'),
      Buffer.from('good.txt').toString('hex'),
    ]);
  });

  it('skips a folder whose name is not valid UTF-8 with a warning and marks the recovery point partial', async () => {
    const badDir = path.join(src, 'bad-folder');
    await fs.mkdir(badDir);
    await fs.mkdir(Buffer.concat([Buffer.from(`${badDir}/caf`), Buffer.from([0xe9])]));
    const { snapshot, warnings } = await backup(repo, { paths: [badDir] });
    expect(snapshot.partial).toBe(true);
    expect(warnings).toEqual([
      `${badDir}/caf\uFFFD: a folder whose name is not valid UTF-8; Cairn cannot back it up yet`,
    ]);
  });

  it('backs up a file whose (valid UTF-8) name contains U+FFFD instead of skipping it as invalid', async () => {
    const dir2 = path.join(src, 'replacement-char');
    await fs.mkdir(dir2);
    await fs.writeFile(path.join(dir2, 'odd\uFFFDname.txt'), 'a real file\n');
    const { snapshot, warnings } = await backup(repo, { paths: [dir2] });
    expect(warnings).toEqual([]);
    expect(snapshot.partial).toBe(false);
    expect(await findNode(repo, snapshot.tree, path.join(dir2, 'odd\uFFFDname.txt'))).toMatchObject({
      type: 'file',
      size: 12,
    });
  });

  it('marks the recovery point partial, with a warning, when a file fails to read (/proc/self/mem, EIO)', async () => {
    const seen: string[] = [];
    const normal = path.join(src, 'normal.txt');
    const { snapshot, warnings } = await backup(repo, {
      paths: [normal, '/proc/self/mem'],
      onWarning: (w) => seen.push(w),
    });
    expect(snapshot.partial).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe('/proc/self/mem: input/output error while reading');
    expect(snapshot.warnings).toEqual(warnings);
    expect(seen).toEqual(warnings);
    // The readable part is complete; the unreadable file is absent.
    expect(await findNode(repo, snapshot.tree, normal)).toMatchObject({ type: 'file', size: 7 });
    expect(await findNode(repo, snapshot.tree, '/proc/self/mem')).toBeUndefined();
    expect(snapshot.paths).toEqual([normal, '/proc/self/mem'].sort());
    // The partial recovery point is stored and listed like any other.
    expect((await repo.listSnapshots()).map((s) => s.id)).toContain(snapshot.id);
  });
});
