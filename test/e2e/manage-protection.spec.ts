/**
 * Managing protection after the first run, on the Dashboard: a folder added to a repository is in
 * the next backup, and once removed it is not in the one after; a running backup (a few hundred MiB of random data, so it runs long enough) is
 * cancelled, shows as cancelled, and "Check now" then finds the repository clean; removing the
 * repository says its data stays where it is, takes it off the list and leaves its files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

const PASSWORD = 'correct horse battery staple';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'manage',
    password: PASSWORD,
    files: { 'letter.txt': 'dear all' },
    connect: { label: 'Test disk', region: 'EU' },
    addSource: true,
  });
});

test.afterAll(async () => {
  await served?.stop();
});

async function writeRandom(file: string, mib: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let i = 0; i < mib; i++) await handle.write(randomBytes(1024 * 1024));
  } finally {
    await handle.close();
  }
}

test('a folder added after the first run is backed up', async ({ page }) => {
  const photos = join(served.dir, 'Photos');
  await mkdir(photos);
  await writeFile(join(photos, 'beach.jpg'), randomBytes(20_000));
  await page.goto(served.server.url);
  const card = page.locator('li.repo', { has: page.getByRole('heading', { name: 'Test disk', exact: true }) });
  const folders = card.getByRole('list', { name: 'Folders backed up to Test disk' });
  await expect(folders.getByText(served.source, { exact: true })).toBeVisible();

  await card.getByRole('button', { name: 'Add a folder…' }).click();
  await card.getByLabel('Folder to add to Test disk').fill(photos);
  await card.getByRole('button', { name: 'Add folder', exact: true }).click();
  await expect(folders.getByText(photos, { exact: true })).toBeVisible();

  // Excludes with the presets.
  await card.getByRole('button', { name: `Edit excludes of ${photos}` }).click();
  await card.getByRole('checkbox', { name: /^Temporary files/ }).check();
  await card.getByRole('button', { name: 'Save excludes' }).click();
  await expect(folders.getByText(/6 exclude pattern\(s\)/)).toBeVisible();

  await page.getByRole('button', { name: 'Back up now' }).click();
  const activity = page.getByRole('region', { name: 'Activity' });
  await expect(activity.locator('li.task-succeeded').filter({ hasText: 'Backup of Test disk' })).toBeVisible({
    timeout: 30_000,
  });
  const points = await callApi<{ paths: string[] }[]>(served.server, 'snapshots.list', {
    repositoryId: served.repositoryId,
  });
  expect(points[0]?.paths).toEqual(expect.arrayContaining([photos, served.source]));

  // Removed again: off the list and out of the next backup; its recovery points stay.
  await card.getByRole('button', { name: `Remove ${photos} from the backups` }).click();
  await expect(folders.getByText(photos, { exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Back up now' }).click();
  const list = () =>
    callApi<{ paths: string[] }[]>(served.server, 'snapshots.list', { repositoryId: served.repositoryId });
  await expect.poll(async () => (await list()).length, { timeout: 30_000 }).toBe(points.length + 1);
  // Newest first.
  expect((await list())[0]?.paths).toEqual([served.source]);
});

test('a running backup is cancelled, and the repository then checks clean', async ({ page }) => {
  test.setTimeout(180_000);
  await writeRandom(join(served.source, 'big.bin'), 400);
  await page.goto(served.server.url);
  await page.getByRole('button', { name: 'Back up now' }).click();
  const activity = page.getByRole('region', { name: 'Activity' });
  const running = activity.locator('li.task-running').filter({ hasText: 'Backup of Test disk' });
  await expect(running).toBeVisible();
  await running.getByRole('button', { name: 'Cancel Backup of Test disk' }).click();
  await expect(activity.locator('li.task-cancelled').filter({ hasText: 'Backup of Test disk' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(activity.locator('li.task-cancelled').getByText('Cancelled')).toBeVisible();
  await rm(join(served.source, 'big.bin'));

  const card = page.locator('li.repo', { has: page.getByRole('heading', { name: 'Test disk', exact: true }) });
  await card.getByRole('button', { name: 'Check structure and read all data' }).click();
  await expect(card.getByText(/^No problems found/)).toBeVisible({ timeout: 60_000 });
});

test('removing a repository says its data stays, and takes it off the list', async ({ page }) => {
  const before = await readdir(served.repoPath);
  await page.goto(served.server.url);
  const card = page.locator('li.repo', { has: page.getByRole('heading', { name: 'Test disk', exact: true }) });
  await card.getByRole('button', { name: 'Remove from Cairn…' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove Test disk from Cairn?' });
  await expect(dialog.getByText('The backed-up data is not deleted')).toBeVisible();
  await expect(dialog.getByText(served.repoPath)).toBeVisible();
  await dialog.getByRole('button', { name: 'Remove from Cairn', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Test disk', exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No storage location yet' })).toBeVisible();
  expect(await readdir(served.repoPath)).toEqual(before);
  expect((await readdir(join(served.repoPath, 'snapshots'))).length).toBeGreaterThan(0);
});
