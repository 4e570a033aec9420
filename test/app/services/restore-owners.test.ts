/**
 * Owners through the restore service: a file recorded with another owner (format version 3) gets
 * it back by default when the restore runs as root, and keeps the restoring user's when the
 * request says `owners: false`; the CLI's `--owners` asks for it as `owners: true`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareBackup, runBackup } from '../../../src/app/services/backup.js';
import { planRestore, runRestore } from '../../../src/app/services/restore.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../../engine/helpers.js';

const asRoot = process.getuid?.() === 0;
let dir: string;
let src: string;
let repo: Repository;

beforeEach(async () => {
  dir = await makeTempDir('services-owners');
  src = path.join(dir, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'shared.txt'), 'owned by someone else');
  if (asRoot) await fs.chown(path.join(src, 'shared.txt'), 1234, 5678);
  ({ repo } = await initLocalRepo(dir));
  await runBackup(repo, prepareBackup({ paths: [src] }, undefined));
});
afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

async function restoredOwner(owners: boolean | undefined): Promise<{ uid: number; gid: number }> {
  const target = path.join(dir, `restored-${String(owners)}`);
  await fs.mkdir(target);
  const request = { snapshot: 'latest', target, include: [], overwrite: 'never' as const, keepBoth: false };
  const plan = await planRestore(repo, owners === undefined ? request : { ...request, owners });
  const result = await runRestore(repo, plan, {});
  expect(result.errors).toEqual([]);
  return fs.stat(path.join(target, src, 'shared.txt'));
}

describe.runIf(asRoot)('restore owners (as root)', () => {
  it('gives the recorded owner back by default and when asked', async () => {
    expect(await restoredOwner(undefined)).toMatchObject({ uid: 1234, gid: 5678 });
    expect(await restoredOwner(true)).toMatchObject({ uid: 1234, gid: 5678 });
  });

  it("leaves the restoring user's owner when the request says owners: false", async () => {
    expect(await restoredOwner(false)).toMatchObject({ uid: 0, gid: 0 });
  });
});
