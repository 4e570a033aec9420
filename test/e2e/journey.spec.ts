/**
 * The whole journey in Chromium against a real `cairn serve`, a fresh data folder and temp
 * folders: First run (create a repository, region, password with confirmation, recovery kit,
 * a source folder picked in the engine-served directory browser, an exclusion preset, a
 * schedule) → Back up now → the recovery point is listed and browsed → a second backup after a
 * change → diff of the two points and a file-name search with its versions → the restore wizard
 * restores one file to another folder after its conflict preview → the file is byte-identical.
 * Then Settings: a password is added and the current one changed, and the contract unlocks with
 * the new passwords and refuses the old one. Screenshots of each screen go to docs/screenshots/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { ROOT } from './serve.js';

const PASSWORD = 'granite meadow lantern 42';
const SHOTS = resolve(ROOT, 'docs/screenshots');

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let dir: string;
let source: string;

test.beforeAll(async () => {
  // No repository (no password): the journey starts at First run and makes one.
  served = await servedRepository({
    name: 'journey',
    sourceName: 'documents',
    files: {
      'letters/letter.txt': 'Dear reader, this is the first draft.\n',
      'photo.bin': Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)),
      'node_modules/left-pad/index.js': 'module.exports = 1;\n',
    },
  });
  ({ dir, source } = served);
  await mkdir(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await served?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
}

async function api(page: Page, method: string, data: unknown) {
  const token = served.server.url.replace(/^.*#token=/, '');
  return page.request.post(`${served.server.origin}api/${method}`, {
    data,
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function backUpNow(page: Page, finished: number): Promise<void> {
  await nav(page, 'Dashboard').click();
  await page.getByRole('button', { name: 'Back up now', exact: true }).click();
  const activity = page.getByRole('region', { name: 'Activity' });
  await expect(activity.getByText('Finished', { exact: true })).toHaveCount(finished);
}

test('first run, backup, recovery points, restore and settings', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(served.server.url);

  // ---- First run: storage
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
  const repoPath = join(dir, 'backup-disk');
  await page.getByLabel('Storage folder').fill(repoPath);
  await page.getByLabel('Name', { exact: true }).fill('Backup disk');
  await page.getByLabel('Region where the data is stored').selectOption('EU');
  await shot(page, 'first-run');
  await page.getByRole('button', { name: 'Continue' }).click();

  // ---- Password with strength and confirmation
  await expect(page.getByRole('heading', { name: 'Password' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('abc');
  await expect(page.getByText('Strength: Very weak')).toBeVisible();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
  await expect(page.getByText(/Strength: (Strong|Very strong)/)).toBeVisible();
  await page.getByLabel('Confirm password').fill(`${PASSWORD}x`);
  await expect(page.getByRole('button', { name: 'Create repository' })).toBeDisabled();
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create repository' }).click();

  // ---- Recovery kit
  await expect(page.getByRole('heading', { name: 'Recovery kit', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Make the recovery kit' }).click();
  const key = page.getByTestId('recovery-key');
  await expect(key).toHaveText(/^([0-9A-Z]{5}-){5}[0-9A-Z]{5}$/);
  const recoveryKey = (await key.textContent()) ?? '';
  await expect(page.getByRole('button', { name: 'Print the recovery kit' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await page.getByLabel('I printed or wrote down the recovery key').check();
  await shot(page, 'recovery-kit');
  await page.getByRole('button', { name: 'Continue' }).click();

  // ---- Folders, picked in the directory browser that the engine serves
  await expect(page.getByRole('heading', { name: 'Folders' })).toBeVisible();
  await page.getByLabel('Folder to back up').fill(dir);
  await page.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('region', { name: 'Choose a folder' });
  await browser.getByRole('button', { name: /documents$/ }).click();
  await expect(browser.getByText(source, { exact: true })).toBeVisible();
  await expect(browser.getByRole('button', { name: /letters$/ })).toBeVisible();
  await shot(page, 'first-run-folders');
  await browser.getByRole('button', { name: 'Choose this folder' }).click();
  await expect(page.getByLabel('Folder to back up')).toHaveValue(source);
  await page.getByRole('button', { name: 'Add folder' }).click();
  await expect(page.getByRole('list', { name: 'Folders to back up' }).getByText(source)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();

  // ---- Exclusions and schedule
  await page.getByRole('checkbox', { name: /node_modules/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('radio', { name: 'Every day at' }).check();
  await page.getByLabel('Time of the daily backup').fill('21:30');
  await page.getByRole('button', { name: 'Continue' }).click();

  // ---- Privacy notice: the optional choice starts unticked and stays off
  await expect(page.getByRole('heading', { name: 'Privacy', exact: true })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Anonymous usage statistics' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Product news' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByText('Cairn is set up.')).toBeVisible();
  await expect(page.getByText(/every day at 21:30/)).toBeVisible();
  await page.getByRole('button', { name: 'Go to the Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  const status = await (await api(page, 'app.status', {})).json();
  const repositoryId: string = status.repositories[0].id;
  expect(status.repositories[0].region).toBe('EU');
  const sources = await (await api(page, 'sources.list', { repositoryId })).json();
  expect(sources).toEqual([expect.objectContaining({ path: source, schedule: { kind: 'daily', times: ['21:30'] } })]);
  expect(sources[0].excludes).toContain('node_modules/');

  // ---- First backup
  await backUpNow(page, 1);
  await shot(page, 'dashboard');

  // ---- Recovery points: listed, browsed
  await nav(page, 'Recovery points').click();
  await expect(page.getByRole('heading', { name: 'Recovery points', exact: true })).toBeVisible();
  await expect(page.getByText('1 recovery point, newest first')).toBeVisible();
  await page.getByRole('button', { name: /^Browse / }).click();
  const files = page.getByRole('table', { name: `Contents of ${source}` });
  await expect(files.getByText('photo.bin')).toBeVisible();
  await expect(files.getByText('node_modules')).toHaveCount(0);
  await files.getByRole('button', { name: /letters/ }).click();
  await expect(
    page.getByRole('table', { name: `Contents of ${join(source, 'letters')}` }).getByText('letter.txt'),
  ).toBeVisible();
  await shot(page, 'recovery-points-browse');

  // ---- A change and a second backup
  await writeFile(join(source, 'letters', 'letter.txt'), 'Dear reader, this is the second draft, improved.\n');
  await writeFile(join(source, 'letters', 'reply.txt'), 'Thank you for your letter.\n');
  await backUpNow(page, 2);

  // ---- Diff of the two points and the search with versions
  await nav(page, 'Recovery points').click();
  await expect(page.getByText('2 recovery points, newest first')).toBeVisible();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const changes = page.getByRole('table', { name: 'Changes' });
  await expect(changes.getByRole('row').filter({ hasText: join(source, 'letters', 'letter.txt') })).toContainText(
    'Modified',
  );
  await expect(changes.getByRole('row').filter({ hasText: join(source, 'letters', 'reply.txt') })).toContainText(
    'Added',
  );
  await page.getByLabel('File name').fill('LETTER');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const versions = page.getByRole('table', { name: `Versions of ${join(source, 'letters', 'letter.txt')}` });
  await expect(versions.getByRole('row')).toHaveCount(3); // header + two versions
  await shot(page, 'recovery-points');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'recovery-points-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // ---- Restore wizard: one file to another folder, with its conflict preview first
  const target = join(dir, 'restored');
  const restoredFile = join(target, source, 'letters', 'letter.txt');
  await mkdir(join(target, source, 'letters'), { recursive: true });
  await writeFile(restoredFile, 'an older local copy that will be replaced');
  await nav(page, 'Restore').click();
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { name: 'Restore', exact: true })).toBeVisible();
  await main.getByRole('radio', { name: /The latest version/ }).check();
  await main.getByRole('button', { name: 'Continue' }).click();
  await main.getByRole('radio', { name: 'Only the files and folders I select' }).check();
  await expect(main.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await main.getByRole('button', { name: 'Open letters' }).click();
  await main.getByRole('checkbox', { name: 'Select letter.txt' }).check();
  await expect(main.getByRole('list', { name: 'Selected files and folders' })).toContainText(
    join(source, 'letters', 'letter.txt'),
  );
  await main.getByRole('button', { name: 'Continue' }).click();
  await main.getByRole('radio', { name: 'Another folder' }).check();
  await main.getByLabel('Folder to restore into').fill(target);
  await main.getByRole('radio', { name: 'Replace the existing file' }).check();
  await main.getByRole('button', { name: 'Continue' }).click();
  const preview = main.getByRole('table', { name: 'What happens to each file' });
  await expect(preview.getByRole('row')).toHaveCount(2);
  await expect(preview).toContainText('Overwritten');
  await expect(preview).toContainText(restoredFile);
  // The preview wrote nothing.
  expect(await readFile(restoredFile, 'utf8')).toBe('an older local copy that will be replaced');
  await shot(page, 'restore-preview');
  await main.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(main.getByRole('heading', { name: 'Restore finished' })).toBeVisible();
  await expect(main.getByText('Files restored')).toBeVisible();
  await shot(page, 'restore-summary');
  expect(await readFile(restoredFile)).toEqual(await readFile(join(source, 'letters', 'letter.txt')));

  // ---- Settings: add a password, change the current one, unlock with them through the contract
  await nav(page, 'Settings').click();
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  const slots = page.getByRole('table', { name: 'Key slots' });
  await expect(slots.getByRole('row')).toHaveCount(3); // header, password, recovery key
  await expect(slots).toContainText('Recovery key');
  const add = page.getByRole('form', { name: 'Add a password' });
  await add.getByLabel('Name of the password').fill('Laptop');
  await add.getByLabel('New password', { exact: true }).fill('laptop password 77');
  await add.getByLabel('Confirm new password').fill('laptop password 77');
  await add.getByRole('button', { name: 'Add password' }).click();
  await expect(slots.getByRole('row')).toHaveCount(4);
  const change = page.getByRole('form', { name: 'Change password' });
  await change.getByLabel('New password', { exact: true }).fill('a brand new passphrase 9');
  await change.getByLabel('Confirm new password').fill('a brand new passphrase 9');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The password was changed.')).toBeVisible();
  await page.getByRole('checkbox', { name: /Notifications/ }).uncheck();
  await expect(page.getByRole('checkbox', { name: /Notifications/ })).not.toBeChecked();
  expect(await (await api(page, 'settings.get', {})).json()).toEqual({
    launchAtLogin: true,
    notifications: false,
    webhook: null,
  });
  await shot(page, 'settings');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'settings-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  expect((await api(page, 'repo.lock', { repositoryId })).ok()).toBe(true);
  expect((await api(page, 'repo.unlock', { repositoryId, password: PASSWORD })).status()).toBe(403);
  expect((await api(page, 'repo.unlock', { repositoryId, password: 'a brand new passphrase 9' })).ok()).toBe(true);
  expect((await api(page, 'repo.lock', { repositoryId })).ok()).toBe(true);
  expect((await api(page, 'repo.unlock', { repositoryId, password: 'laptop password 77' })).ok()).toBe(true);
  expect((await api(page, 'repo.lock', { repositoryId })).ok()).toBe(true);
  expect((await api(page, 'repo.unlock', { repositoryId, password: recoveryKey.toLowerCase() })).ok()).toBe(true);
});

test('screens show their empty and error states', async ({ page }) => {
  // A second, empty repository: Recovery points and Restore say there is nothing yet.
  const emptyRepo = join(dir, 'empty-disk');
  const created = await api(page, 'repo.create', {
    location: emptyRepo,
    password: PASSWORD,
    label: 'Empty disk',
    region: 'this-device',
  });
  expect(created.ok()).toBe(true);
  await page.goto(served.server.url);
  await nav(page, 'Recovery points').click();
  await page.getByLabel('Repository').selectOption({ label: 'Empty disk' });
  await expect(page.getByRole('heading', { name: 'No recovery points yet' })).toBeVisible();
  await nav(page, 'Restore').click();
  await page.getByLabel('Repository').selectOption({ label: 'Empty disk' });
  await expect(page.getByRole('heading', { name: 'Nothing to restore yet' })).toBeVisible();

  // A failing call shows its reason and a Retry.
  await page.route('**/api/settings.get', (route) => route.abort());
  await nav(page, 'Settings').click();
  await expect(page.getByRole('alert').filter({ hasText: 'could not load the settings' })).toBeVisible();
  await page.unroute('**/api/settings.get');
  await page.getByRole('button', { name: 'Retry' }).first().click();
  await expect(page.getByRole('checkbox', { name: /Launch at login/ })).toBeVisible();
});
