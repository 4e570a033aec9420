/**
 * The Retention and schedule screen against a real engine: a repository with four recovery
 * points made by the `cairn` CLI. "Keep the last 2" previews the two oldest points going and the
 * bytes freed; a bad duration is refused inline; Save stores the policy and Apply now (after a
 * confirmation) removes the points; a folder's schedule is validated, saved and its next run
 * shown; the battery condition holds it back on battery; a folder can be paused. With the
 * repository locked the screen says why it cannot preview or apply; with no repository it says
 * what to do first. Screenshots go to docs/screenshots.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { formatBytes } from '../../src/contract/units.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi, ROOT, startServe } from './serve.js';

const PASSWORD = 'correct horse battery staple';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let dir: string;
let source: string;
let repositoryId: string;

interface Point {
  id: string;
  time: string;
}

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'retention',
    password: PASSWORD,
    sourceName: 'Pictures',
    // Each point replaces the previous one's unique data, so removing a point frees its bytes.
    backups: Array.from({ length: 4 }, () => ({ 'changing.bin': randomBytes(200_000) })),
    connect: { label: 'Test disk', region: 'EU' },
    addSource: true,
  });
  ({ dir, source, repositoryId } = served);
});

test.afterAll(async () => {
  await served?.stop();
});

async function openScreen(page: Page): Promise<void> {
  await page.goto(served.server.url);
  await page.getByRole('button', { name: 'Retention and schedule' }).click();
  await expect(page.getByRole('heading', { name: 'Retention and schedule', level: 1 })).toBeVisible();
}

test('keep-last 2 previews the two oldest points going and the bytes freed; bad input is refused inline', async ({
  page,
}) => {
  const points = await callApi<Point[]>(served.server, 'snapshots.list', { repositoryId });
  expect(points).toHaveLength(4);
  const oldestTwo = points.slice(2).map((p) => p.id.slice(0, 8)); // the list is newest first
  await openScreen(page);
  await expect(page.getByText('Test disk has no policy yet: every recovery point is kept.')).toBeVisible();
  await expect(page.getByText('The newest recovery point is never removed by a policy.')).toBeVisible();

  await page.getByLabel('Keep the last').fill('2');
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(
    preview.getByText(/^2 of 4 recovery points would be removed, freeing about [\d.]+ KiB\.$/),
  ).toBeVisible();
  const removed = preview.getByRole('list', { name: 'Recovery points that would be removed' }).getByRole('listitem');
  await expect(removed).toHaveCount(2);
  for (const [i, id] of oldestTwo.entries()) await expect(removed.nth(i)).toContainText(id);
  const kept = preview.getByRole('list', { name: 'Recovery points that are kept' }).getByRole('listitem');
  await expect(kept).toHaveCount(2);
  await expect(kept.first()).toContainText('last snapshot');
  // The bytes shown are the engine's own estimate.
  const expected = await callApi<{ reclaimBytes: number }>(served.server, 'retention.preview', {
    repositoryId,
    policy: { last: 2 },
  });
  expect(expected.reclaimBytes).toBeGreaterThan(390_000);
  await expect(preview).toContainText(`freeing about ${formatBytes(expected.reclaimBytes)}`);

  // Inline validation: the field says what is wrong and nothing is saved.
  const within = page.getByLabel('Keep everything within');
  await within.fill('3 weeks');
  await expect(within).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Use a duration such as 30d, 6m or 1y2m (y, m, w, d, h).')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save policy' })).toBeDisabled();
  await within.fill('');
  await page.getByLabel('Keep the last').fill('0');
  await expect(page.getByText('Set at least one rule: a policy keeps what its rules name.')).toBeVisible();
  await page.getByLabel('Keep the last').fill('2');
  await expect(removed).toHaveCount(2);

  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/retention.png'), fullPage: true });
});

test('Save stores the policy; Apply now asks first, then removes the points', async ({ page }) => {
  await openScreen(page);
  await page.getByLabel('Keep the last').fill('2');
  await expect(page.getByRole('button', { name: 'Apply now' })).toBeDisabled();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText(/^The policy is saved\./)).toBeVisible();
  expect(await callApi(served.server, 'retention.get', { repositoryId })).toEqual({ policy: { last: 2 }, prune: true });

  await page.getByRole('button', { name: 'Apply now' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(
    /^Remove 2 recovery points of Test disk now, freeing about [\d.]+ KiB\? This cannot be undone\./,
  );
  // The confirmation takes the keyboard focus, on the safe choice.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm).toHaveCount(0);
  expect(await callApi<Point[]>(served.server, 'snapshots.list', { repositoryId })).toHaveLength(4);

  await page.getByRole('button', { name: 'Apply now' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove recovery points' }).click();
  await expect(page.getByText(/^Clean-up finished: removed 2 recovery point/)).toBeVisible();
  expect(await callApi<Point[]>(served.server, 'snapshots.list', { repositoryId })).toHaveLength(2);
  await expect(
    page
      .getByRole('region', { name: 'Preview' })
      .getByText('Nothing would be removed: all 2 recovery points are kept.'),
  ).toBeVisible();
});

test('a schedule is validated, saved and its next run shown; battery and pause conditions hold it back', async ({
  page,
}) => {
  await openScreen(page);
  const folder = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: source }) });
  await expect(folder.getByText('Not scheduled: backed up only with "Back up now".')).toBeVisible();

  await folder.getByLabel('Back up').selectOption('daily');
  await folder.getByLabel('Times of day').fill('02:30, 25:00');
  await folder.getByRole('button', { name: 'Save schedule' }).click();
  await expect(folder.getByRole('alert')).toContainText('"25:00" is not a time of day');
  await expect(folder.getByLabel('Times of day')).toHaveAttribute('aria-invalid', 'true');

  await folder.getByLabel('Times of day').fill('02:30');
  await folder.getByRole('button', { name: 'Save schedule' }).click();
  await expect(folder.getByText('Schedule saved.')).toBeVisible();
  // The folder never ran on a schedule, so it catches up at once; then its next run is 02:30.
  await expect(folder.getByText(/^Next run in \d+ (minute|hour)s?, .*02:30/)).toBeVisible();
  const [saved] = await callApi<{ schedule: unknown; requireAcPower: boolean }[]>(served.server, 'sources.list', {
    repositoryId,
  });
  expect(saved?.schedule).toEqual({ kind: 'daily', times: ['02:30'] });

  // Not on battery: on battery power the run waits for the plug.
  await folder.getByLabel('Not on battery: wait until the computer is plugged in').check();
  await folder.getByRole('button', { name: 'Save schedule' }).click();
  await expect(folder.getByText('Schedule saved.')).toBeVisible();
  await callApi(served.server, 'app.setPower', { onBattery: true, suspended: false });
  await page.reload();
  await page.getByRole('button', { name: 'Retention and schedule' }).click();
  await expect(folder.getByText('Waiting for the computer to be plugged in.')).toBeVisible();
  await callApi(served.server, 'app.setPower', { onBattery: false, suspended: false });

  // Pause until a chosen time, then resume.
  await folder.getByLabel('Pause until').fill('2099-01-01T10:00');
  await folder.getByRole('button', { name: 'Pause this folder' }).click();
  await expect(folder.getByRole('alert')).toContainText('a pause can last at most 366 days');
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T09:15`;
  await folder.getByLabel('Pause until').fill(local);
  await folder.getByRole('button', { name: 'Pause this folder' }).click();
  await expect(folder.getByText(/^Paused until .*09:15/)).toBeVisible();
  const [paused] = await callApi<{ pausedUntil: string | null }[]>(served.server, 'sources.list', { repositoryId });
  expect(paused?.pausedUntil).toBe(new Date(local).toISOString());
  await folder.getByRole('button', { name: 'Resume scheduled backups' }).click();
  await expect(folder.getByText(/^Next run in /)).toBeVisible();

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/retention-dark.png'), fullPage: true });
});

test('a locked repository keeps its policy but cannot preview or apply until unlocked', async ({ page }) => {
  await served.restart();
  await openScreen(page);
  await expect(page.getByText(/^Test disk is locked\./)).toBeVisible();
  await expect(page.getByLabel('Keep the last')).toHaveValue('2');
  await expect(
    page.getByRole('region', { name: 'Preview' }).getByText('Unlock Test disk on the Dashboard to preview'),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply now' })).toBeDisabled();
  await expect(page.getByText('Unlock Test disk on the Dashboard first.')).toBeVisible();
  // The engine refuses the same way.
  await expect(callApi(served.server, 'retention.preview', { repositoryId, policy: { last: 1 } })).rejects.toThrow(
    /locked/,
  );
});

test('with no repository the screen says what to do first', async ({ page }) => {
  const empty = await startServe(join(dir, 'empty-data'));
  try {
    await page.goto(empty.url);
    await page.getByRole('button', { name: 'Retention and schedule' }).click();
    await expect(page.getByRole('heading', { name: 'No repository yet' })).toBeVisible();
    await expect(page.getByText('Connect a repository on the Dashboard')).toBeVisible();
  } finally {
    await empty.stop();
  }
});
