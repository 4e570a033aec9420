/**
 * A damaged repository in the app, as a user meets it: three recovery points made by the `cairn`
 * CLI, then the third point's file damaged and the second backup's data lost. The Dashboard says
 * what is wrong and that the rest stays usable; the unreadable point is removed with one button;
 * the index repair is previewed (nothing changes) and run; the recovery point that lost a file
 * gets a repaired copy, and its original is removed. Afterwards the app's full check is clean and
 * the audit trail records the repairs. A screenshot goes to docs/screenshots/repair.png.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi, ROOT } from './serve.js';

const PASSWORD = 'correct horse battery staple';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let repositoryId: string;

/** The data files of the repository, oldest first, with their sizes. */
async function packs(repoPath: string): Promise<{ file: string; size: number; mtime: number }[]> {
  const out: { file: string; size: number; mtime: number }[] = [];
  for (const shard of await readdir(join(repoPath, 'data'))) {
    for (const name of await readdir(join(repoPath, 'data', shard))) {
      const file = join(repoPath, 'data', shard, name);
      const st = await stat(file);
      out.push({ file, size: st.size, mtime: st.mtimeMs });
    }
  }
  return out.sort((a, b) => a.mtime - b.mtime);
}

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'repair',
    password: PASSWORD,
    backups: [
      { 'thesis.pdf': randomBytes(300_000) },
      { 'photos.zip': randomBytes(250_000) },
      { 'notes.txt': randomBytes(200_000) },
    ],
    // The newest point's file is damaged, and the second backup's data (photos.zip) is lost.
    beforeServe: async ({ repoPath }) => {
      const snapshots = await readdir(join(repoPath, 'snapshots'));
      const times = await Promise.all(snapshots.map(async (s) => (await stat(join(repoPath, 'snapshots', s))).mtimeMs));
      const newest = snapshots[times.indexOf(Math.max(...times))] as string;
      await writeFile(join(repoPath, 'snapshots', newest), randomBytes(400));
      const dataPacks = (await packs(repoPath)).filter((p) => p.size > 150_000);
      expect(dataPacks).toHaveLength(3);
      await rm((dataPacks[1] as { file: string }).file);
    },
    connect: { label: 'Test disk', region: 'EU' },
  });
  ({ repositoryId } = served);
});

test.afterAll(async () => {
  await served?.stop();
});

test('the Dashboard shows the damage and repairs it step by step, each previewed first', async ({ page }) => {
  const server = served.server;
  await page.goto(server.url);
  const card = page.getByRole('region', { name: 'Damage found in “Test disk”' });
  await expect(card).toBeVisible();
  await expect(card.getByText('1 pack(s) of stored data are missing from the storage location.')).toBeVisible();
  await expect(card.getByRole('heading', { name: 'Recovery points that cannot be read' })).toBeVisible();
  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/repair.png'), fullPage: true });

  // The unreadable point goes with one button.
  await card.getByRole('button', { name: 'Remove it' }).click();
  await expect(card.getByText(/^Removed\./)).toBeVisible();

  // 1. The index: preview, then repair.
  const index = card.locator('.repair-step').filter({ hasText: '1. The index' });
  await index.getByRole('button', { name: 'Preview' }).click();
  await expect(index.getByText(/0 damaged index file\(s\) and 1 missing pack\(s\) found/)).toBeVisible();
  await expect(index.getByText(/entries would be added from the packs themselves; \d+ would be dropped/)).toBeVisible();
  await index.getByRole('button', { name: 'Repair the index' }).click();
  await expect(index.getByText(/entries were added from the packs themselves; \d+ were dropped/)).toBeVisible();

  // 2. The recovery point that lost photos.zip gets a repaired copy; 3. its original is removed.
  const points = card.locator('.repair-step').filter({ hasText: '2. Recovery points' });
  await points.getByRole('button', { name: 'Preview' }).click();
  await expect(points.getByText(/would get a copy without 1 lost file\(s\), e\.g\. .*photos\.zip/)).toBeVisible();
  await points.getByRole('button', { name: 'Write repaired copies' }).click();
  await expect(points.getByText(/got a copy without 1 lost file\(s\)/)).toBeVisible();
  const originals = card.locator('.repair-step').filter({ hasText: '3. The damaged originals' });
  await originals.getByRole('button', { name: 'Remove the damaged originals' }).click();
  await expect(originals.getByText(/^Removed\./)).toBeVisible();

  // The repository is whole again: a full check passes, and the repairs are in the audit trail.
  const { taskId } = await callApi<{ taskId: string }>(server, 'check.start', { repositoryId, readData: true });
  await expect
    .poll(async () => (await callApi<{ status: string }>(server, 'tasks.get', { id: taskId })).status)
    .toBe('succeeded');
  const list = await callApi<{ tags: string[] }[]>(server, 'snapshots.list', { repositoryId });
  expect(list).toHaveLength(2);
  expect(list.filter((s) => s.tags.includes('repaired'))).toHaveLength(1);
  const audit = await callApi<{ action: string }[]>(server, 'audit.list', { limit: 100 });
  expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['repair.index', 'repair.snapshots']));
});
