/**
 * The Dashboard end to end: a real `cairn serve` with the built renderer in Chromium. Without the
 * token the page says it is not authorized; with it, a repository made by `cairn init` is
 * connected through the form and listed as unlocked; after a restart it is locked and unlocks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { ROOT } from './serve.js';

const PASSWORD = 'correct horse battery staple';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let dir: string;
let repoPath: string;

test.beforeAll(async () => {
  // A repository made with `cairn init`, for the test to connect through the form.
  served = await servedRepository({ name: 'dashboard', password: PASSWORD });
  ({ dir, repoPath } = served);
});

test.afterAll(async () => {
  await served?.stop();
});

test('without the token the page says it is not authorized', async ({ page }) => {
  const answer = await page.request.post(`${served.server.origin}api/app.status`, { data: {} });
  expect(answer.status()).toBe(401);

  await page.goto(served.server.origin);
  await expect(page.getByRole('heading', { name: 'Not authorized' })).toBeVisible();
  await expect(page.getByText('Open the link that')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toHaveCount(0);
});

test('connects a repository made with cairn init and lists it as unlocked', async ({ page }) => {
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      cspViolations.push(message.text());
    }
  });

  await page.goto(served.server.url);
  // With no repository the app opens on First run; the Dashboard is one click away.
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  // The token leaves the address bar once read.
  expect(page.url()).not.toContain('token=');

  // No repository: no status card and no Back up now, one way on — its own screen.
  await expect(page.getByRole('heading', { name: 'No storage location yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back up now', exact: true })).toHaveCount(0);
  await page.getByRole('main').getByRole('button', { name: 'Add a repository' }).click();
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
  await page.getByRole('radio', { name: 'Connect a repository that already exists' }).check();
  await page.getByLabel('Storage folder').fill(repoPath);
  await page.getByLabel('Name', { exact: true }).fill('Test disk');
  await page.getByLabel('Region where the data is stored').selectOption('EU');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('heading', { name: 'Folders' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dashboard', exact: true }).click();

  const repo = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Test disk' }) });
  await expect(repo).toBeVisible();
  await expect(repo.getByText('Unlocked')).toBeVisible();
  await expect(repo.getByText('European Union')).toBeVisible();
  await expect(repo.getByText('No backup yet')).toBeVisible();
  await expect(repo.getByText(repoPath)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No storage location yet' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Back up now', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Add another repository…' })).toBeVisible();

  // The token survives a reload of the same tab (kept in sessionStorage).
  await page.reload();
  await expect(repo.getByText('Unlocked')).toBeVisible();

  await page.screenshot({ path: resolve(ROOT, 'test-results/dashboard.png'), fullPage: true });
  expect(cspViolations).toEqual([]);
});

test('a wrong password is refused with a message, the right one unlocks', async ({ page }) => {
  // A restart forgets the keys: the connected repository comes back locked.
  await served.restart();

  await page.goto(served.server.url);
  const repo = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Test disk' }) });
  await expect(repo.getByText('Locked', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back up now', exact: true })).toBeDisabled();

  await repo.getByLabel('Password for Test disk').fill('not the password');
  await repo.getByRole('button', { name: 'Unlock' }).click();
  await expect(repo.getByRole('alert')).toBeVisible();

  await repo.getByLabel('Password for Test disk').fill(PASSWORD);
  await repo.getByRole('button', { name: 'Unlock' }).click();
  await expect(repo.getByText('Unlocked')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back up now', exact: true })).toBeEnabled();
});

test('a failed load shows the reason and Retry loads again', async ({ page }) => {
  let reachable = false;
  await page.route('**/api/app.status', (route) => (reachable ? route.continue() : route.abort()));
  await page.goto(served.server.url);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Cairn is not reachable');
  reachable = true;
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { name: 'Test disk' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('"Back up now" runs a backup whose progress and outcome arrive as live events', async ({ page }) => {
  const source = join(dir, 'documents');
  await mkdir(source, { recursive: true });
  await writeFile(join(source, 'letter.txt'), 'Dear reader, this file is backed up.\n');
  await writeFile(join(source, 'numbers.bin'), Buffer.alloc(256 * 1024, 7));

  const url = served.server.url;
  const token = url.replace(/^.*#token=/, '');
  const api = (method: string, data: unknown) =>
    page.request.post(`${served.server.origin}api/${method}`, { data, headers: { Authorization: `Bearer ${token}` } });
  const status = await (await api('app.status', {})).json();
  const repositoryId: string = status.repositories[0].id;
  expect((await api('sources.add', { repositoryId, path: source })).ok()).toBe(true);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(url);
  const repo = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Test disk' }) });
  await expect(repo.getByText('No backup yet')).toBeVisible();

  // Keyboard: the navigation is the first stop, then the button can be reached and pressed.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Dashboard', exact: true })).toBeFocused();
  const backUp = page.getByRole('button', { name: 'Back up now', exact: true });
  await backUp.focus();
  await page.keyboard.press('Enter');

  const activity = page.getByRole('region', { name: 'Activity' });
  await expect(activity.getByText('Backup of Test disk')).toBeVisible();
  await expect(activity.getByText('Finished')).toBeVisible();
  await expect(repo.getByText('just now')).toBeVisible();
  const card = page.getByRole('region', { name: 'Protection status' });
  await expect(card.getByRole('heading', { name: 'Needs attention' })).toBeVisible();
  await expect(card.locator('time').first()).toHaveText('just now');
  await page.screenshot({ path: resolve(ROOT, 'test-results/dashboard-dark.png'), fullPage: true });
  // The verdict's one action leads to where the schedule is set.
  await card.getByRole('button', { name: 'Set a schedule' }).click();
  await expect(page.getByRole('heading', { name: 'Retention and schedule', level: 1 })).toBeVisible();
});
