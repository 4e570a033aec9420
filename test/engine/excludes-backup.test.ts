/**
 * Excludes applied by a real backup: `--exclude` patterns, a `.cairnignore` in a subfolder and
 * CACHEDIR.TAG cache folders; excluded entries must be absent from the recovery point.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { CACHEDIR_TAG_SIGNATURE } from '../../src/engine/backup/excludes.js';
import { walk } from '../../src/engine/browse/walk.js';
import { CairnError } from '../../src/engine/errors.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from './helpers.js';

async function put(root: string, rel: string, data = `${rel}\n`): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

/** Paths in the recovery point, relative to `src`. */
async function listed(repo: Repository, tree: string, src: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walk(repo, tree, src)) out.push(path.relative(src, e.path));
  return out.sort();
}

describe('excludes in a backup', () => {
  let dir: string;
  let src: string;
  let repo: Repository;
  let paths: string[];

  beforeAll(async () => {
    dir = await makeTempDir('excludes');
    src = path.join(dir, 'src');
    for (const rel of [
      'keep.txt',
      'drop.tmp',
      'node_modules/pkg/index.js',
      'deep/x/node_modules/y.js',
      'deep/x/kept.js',
      'build/out/artifact.o',
      'build/keep.txt',
      'abs-skip/file.txt',
      'other/abs-skip/file.txt',
      'sub/secret.txt',
      'sub/nested/secret.txt',
      'sub/a.log',
      'sub/keep.log',
      'sub/anchored/f.txt',
      'sub/nested/anchored/f.txt',
      'sub/cache-like/f.txt',
      'sub/nested/cache-like',
      'sub/visible.txt',
      'outside-sub/secret.txt',
      'outside-sub/b.log',
      'cache/blob.bin',
      'cache/inner/more.bin',
      'fakecache/blob.bin',
    ]) {
      await put(src, rel);
    }
    await put(src, 'sub/.cairnignore', '# comment line\nsecret.txt\n*.log\n!keep.log\n/anchored\ncache-like/\n\n');
    await put(src, 'cache/CACHEDIR.TAG', `${CACHEDIR_TAG_SIGNATURE}\n# This file is a cache directory tag.\n`);
    await put(src, 'fakecache/CACHEDIR.TAG', 'not the signature\n');
    ({ repo } = await initLocalRepo(dir));
    const { snapshot } = await backup(repo, {
      paths: [src],
      excludes: ['*.tmp', 'node_modules', 'build/out', path.join(src, 'abs-skip')],
    });
    expect(snapshot.partial).toBe(false);
    paths = await listed(repo, snapshot.tree, src);
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('drops entries matched by --exclude patterns (at any depth, or anchored when absolute)', () => {
    expect(paths).toContain('keep.txt');
    expect(paths).not.toContain('drop.tmp');
    expect(paths.filter((p) => p.includes('node_modules'))).toEqual([]);
    expect(paths).toContain('deep/x/kept.js');
    expect(paths).not.toContain('build/out');
    expect(paths).not.toContain('build/out/artifact.o');
    expect(paths).toContain('build/keep.txt');
    expect(paths).not.toContain('abs-skip');
    expect(paths).not.toContain('abs-skip/file.txt');
    expect(paths).toContain('other/abs-skip/file.txt');
  });

  it('applies a .cairnignore only below its folder, with negation, anchoring and folder-only rules', () => {
    expect(paths).toContain('sub/.cairnignore');
    expect(paths).toContain('sub/visible.txt');
    expect(paths).not.toContain('sub/secret.txt');
    expect(paths).not.toContain('sub/nested/secret.txt');
    expect(paths).not.toContain('sub/a.log');
    expect(paths).toContain('sub/keep.log');
    expect(paths).not.toContain('sub/anchored');
    expect(paths).toContain('sub/nested/anchored/f.txt');
    expect(paths).not.toContain('sub/cache-like');
    expect(paths).toContain('sub/nested/cache-like'); // a file, and the rule is for folders only
    expect(paths).toContain('outside-sub/secret.txt');
    expect(paths).toContain('outside-sub/b.log');
  });

  it('skips a folder tagged with a valid CACHEDIR.TAG entirely, and keeps one with a wrong tag', () => {
    expect(paths.filter((p) => p === 'cache' || p.startsWith('cache/'))).toEqual([]);
    expect(paths).toContain('fakecache/blob.bin');
    expect(paths).toContain('fakecache/CACHEDIR.TAG');
  });

  it('never excludes a path named directly as a backup root', async () => {
    const named = path.join(src, 'drop.tmp');
    const { snapshot } = await backup(repo, { paths: [named], excludes: ['*.tmp'] });
    const entries: string[] = [];
    for await (const e of walk(repo, snapshot.tree, named)) entries.push(e.path);
    expect(entries).toEqual([named]);
  });

  it('refuses an invalid --exclude pattern with a clear message', async () => {
    const attempt = backup(repo, { paths: [src], excludes: ['[abc'] });
    await expect(attempt).rejects.toBeInstanceOf(CairnError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(attempt).rejects.toThrow(/invalid exclude pattern "\[abc"/);
  });
});
