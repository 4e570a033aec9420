/**
 * Sending the app somewhere from outside its screens, against a real `cairn serve` in Chromium,
 * with two repositories made by `cairn init`: the address form of the desktop's destinations
 * (`?screen=unlock&repo=<id>`, what the tray's "Unlock “…”…" sends in the desktop app) opens the
 * Dashboard with that repository's unlock form focused and leaves the address; a folder's
 * "Schedule…" on the Dashboard opens Retention and schedule on that folder's repository, not on
 * the first one. The desktop's own channel (window.cairn.onShow) needs Electron: test/main and
 * src/renderer/destination.test.ts cover it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi, initRepository } from './serve.js';

const PASSWORD = 'correct horse battery staple';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let secondId: string;
let secondSource: string;

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'deep-link',
    password: PASSWORD,
    connect: { label: 'First disk', region: 'EU' },
    addSource: true,
  });
  const secondRepo = join(served.dir, 'second-repo');
  secondSource = join(served.dir, 'Pictures');
  await mkdir(secondSource, { recursive: true });
  initRepository(secondRepo, PASSWORD);
  const second = await callApi<{ id: string }>(served.server, 'repo.connect', {
    location: secondRepo,
    password: PASSWORD,
    label: 'Second disk',
    region: 'EU',
  });
  secondId = second.id;
  await callApi(served.server, 'sources.add', { repositoryId: secondId, path: secondSource });
});

test.afterAll(async () => {
  await served?.stop();
});

test('?screen=unlock&repo=<id> opens the Dashboard with that repository’s password field focused', async ({ page }) => {
  // A restart: both repositories come back locked, each with its unlock form.
  await served.restart();
  const address = served.server.url.replace('#', `?screen=unlock&repo=${encodeURIComponent(secondId)}#`);
  await page.goto(address);

  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  const second = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Second disk' }) });
  await expect(second.getByLabel('Password for Second disk')).toBeFocused();
  await expect(page.getByLabel('Password for First disk')).not.toBeFocused();
  // Taken out of the address (with the token): a reload does not send the cursor there again.
  expect(page.url()).not.toContain('screen=');
  expect(page.url()).not.toContain('token=');

  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(second.getByText('Unlocked')).toBeVisible();
});

test('an address naming no repository or no known screen opens the app as usual', async ({ page }) => {
  await page.goto(served.server.url.replace('#', '?screen=unlock&repo=no-such-repository#'));
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Password for First disk')).not.toBeFocused();
  expect(page.url()).not.toContain('screen=');

  await page.goto(served.server.url.replace('#', '?screen=nowhere#'));
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  expect(page.url()).not.toContain('screen=');
});

test('a folder’s "Schedule…" opens Retention and schedule on that folder’s repository', async ({ page }) => {
  await page.goto(served.server.url);
  await page.getByRole('button', { name: `Change schedule of ${secondSource}` }).click();

  await expect(page.getByRole('heading', { name: 'Retention and schedule', level: 1 })).toBeVisible();
  const picker = page.getByLabel('Repository', { exact: true });
  await expect(picker).toHaveValue(secondId);
  await expect(picker.locator('option:checked')).toHaveText('Second disk');
  await expect(page.getByRole('heading', { name: secondSource })).toBeVisible();
  await expect(page.getByRole('heading', { name: served.source })).toHaveCount(0);

  // Opened from the navigation, the screen starts on the first repository as before.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Retention and schedule' }).click();
  await expect(picker.locator('option:checked')).toHaveText('First disk');
});
