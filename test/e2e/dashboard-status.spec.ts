/**
 * The Dashboard's protection status against a real engine: a repository with four recovery
 * points made by the `cairn` CLI is connected; the status card says how old the last backup is,
 * that nothing is scheduled, and the verification coverage; "Space used" draws the growth chart
 * per recovery point (an image with a summary and a table behind it); Pause holds a scheduled
 * backup back (the engine's plan says so) and Resume lets it run, its outcome arriving live; "Until I
 * resume" holds it with no end, and a pause set or lifted elsewhere (the tray, `cairn pause`) shows
 * live; the theme can be switched by hand. Screenshots of the screen (light and dark) go to docs/screenshots.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { formatBytes } from '../../src/renderer/format.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi, ROOT } from './serve.js';

const PASSWORD = 'correct horse battery staple';
const SIZES = [300_000, 80_000, 500_000, 40_000];

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let repositoryId: string;
let sourceId: number;

interface SourceInfo {
  id: number;
  pausedUntil: string | null;
  pausedUntilResumed: boolean;
}
interface PlannedRun {
  sourceId: number;
  at: string;
  waitingFor: string | null;
}

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'status',
    password: PASSWORD,
    // Four recovery points, each adding a different amount of new (incompressible) data.
    backups: SIZES.map((size, i) => ({ [`part-${i}.bin`]: randomBytes(size) })),
    connect: { label: 'Test disk', region: 'EU' },
    addSource: true,
  });
  ({ repositoryId, sourceId } = served);
});

test.afterAll(async () => {
  await served?.stop();
});

async function open(page: Page): Promise<void> {
  await page.goto(served.server.url);
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
}

test('the status card shows the age of the last backup, the schedule and the verification coverage', async ({
  page,
}) => {
  await open(page);
  const status = page.getByRole('region', { name: 'Protection status' });
  // The points were made by the CLI, before the app knew the repository: they still count.
  // Folders with no schedule are backed up only by hand: the verdict says so, with the one action.
  await expect(status.getByRole('heading', { name: 'Needs attention' })).toBeVisible();
  await expect(
    status.getByText('The folders of Test disk have no schedule: they are backed up only when you ask.'),
  ).toBeVisible();
  await expect(status.locator('time').first()).toHaveText(/^(just now|\d+ minutes? ago)$/);
  await expect(status.getByText('No schedule is set.')).toBeVisible();
  // Nothing was verified by this app yet: 0 % of the stored data within the 30-day window.
  await expect(status.getByText('Test disk: Never checked · 0% verified in the last 30 days')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back up now', exact: true })).toBeEnabled();
});

test('"Space used" shows the stored size and a chart of growth per recovery point', async ({ page }) => {
  const usage = await callApi<{ storedBytes: number; snapshots: number }>(served.server, 'repo.usage', {
    repositoryId,
  });
  expect(usage.snapshots).toBe(4);
  await open(page);
  const space = page.getByRole('region', { name: 'Space used' });
  await expect(space.getByText(/used by 4 recovery points$/)).toBeVisible();
  await expect(space.getByText(formatBytes(usage.storedBytes), { exact: true })).toBeVisible();

  const chart = space.getByRole('img', { name: /^Growth of Test disk: 4 recovery points from / });
  await expect(chart).toBeVisible();
  // The largest addition is the 500 kB (488 KiB) file (stored encrypted: a little more).
  await expect(chart).toHaveAttribute('aria-label', /the largest addition was 48\d\.\d KiB on /);
  await expect(chart.locator('rect.bar')).toHaveCount(4);
  // A size axis with round values in binary units; each point its own label under the time axis
  // (the four were made within a minute: times of day that tell them apart) and its own tooltip.
  const sizes = await chart.locator('text.tick-size').allTextContents();
  expect(sizes[0]).toBe('0');
  expect(sizes.slice(1).every((t) => /^[\d.]+ (KiB|MiB)$/.test(t))).toBe(true);
  const labels = await chart.locator('text.tick-point').allTextContents();
  expect(new Set(labels).size).toBe(4);
  await expect(chart.locator('rect.hit title').first()).toContainText(/KiB added, .* stored in all$/);
  const table = space.getByRole('table', { name: 'Growth of Test disk per recovery point' });
  await expect(table.getByRole('row')).toHaveCount(5);
  await expect(page.getByText('Loading…')).toHaveCount(0);
  // Bars follow the sizes: the third point added the most, the fourth the least.
  const heights = await chart
    .locator('rect.bar')
    .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('height'))));
  expect(heights.indexOf(Math.max(...heights))).toBe(2);
  expect(heights.indexOf(Math.min(...heights))).toBe(3);

  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/dashboard.png'), fullPage: true });
});

test('Pause holds scheduled backups until the chosen time; Resume lets the due one run', async ({ page }) => {
  await open(page);
  const status = page.getByRole('region', { name: 'Protection status' });
  await status.getByRole('button', { name: 'Pause', exact: true }).click();
  await status.getByRole('radio', { name: 'For 4 hours' }).check();
  await status.getByRole('button', { name: 'Pause scheduled backups' }).click();
  await expect(status.getByText(/^Scheduled backups are paused until /)).toBeVisible();
  await expect(status.getByRole('button', { name: 'Resume' })).toBeVisible();

  const [paused] = await callApi<SourceInfo[]>(served.server, 'sources.list', { repositoryId });
  const hoursAhead = (Date.parse(paused?.pausedUntil ?? '') - Date.now()) / 3600_000;
  expect(hoursAhead).toBeGreaterThan(3.9);
  expect(hoursAhead).toBeLessThanOrEqual(4);

  // A schedule set while paused: the first run (due at once) waits for the end of the pause.
  await callApi(served.server, 'sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 60 } });
  const [planned] = await callApi<PlannedRun[]>(served.server, 'schedule.next', {});
  expect(planned?.at).toBe(paused?.pausedUntil);
  const before = await callApi<unknown[]>(served.server, 'tasks.list', {});
  expect(before).toEqual([]);

  await status.getByRole('button', { name: 'Resume' }).click();
  const activity = page.getByRole('region', { name: 'Activity' });
  await expect(activity.getByText('Backup of Test disk')).toBeVisible();
  await expect(activity.getByText('Finished')).toBeVisible();
  await expect(status.getByText(/^in (1 hour|5\d minutes), /)).toBeVisible();
  // Scheduled, resumed and backed up: nothing is left to fix.
  await expect(status.getByRole('heading', { name: 'Protected' })).toBeVisible();
  await expect(status.getByText('Every folder is backed up on schedule.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Space used' }).getByText(/used by 5 recovery points$/)).toBeVisible();
});

test('"Until I resume" holds scheduled backups with no end; a pause set elsewhere shows live', async ({ page }) => {
  await open(page);
  const status = page.getByRole('region', { name: 'Protection status' });
  await status.getByRole('button', { name: 'Pause', exact: true }).click();
  // The choices of the tray and `cairn pause`, and a time of one's own.
  await expect(status.getByRole('radio')).toHaveCount(6);
  await status.getByRole('radio', { name: 'Until I resume' }).check();
  await status.getByRole('button', { name: 'Pause scheduled backups' }).click();
  await expect(status.getByText('Scheduled backups are paused until you resume them.')).toBeVisible();
  const [source] = await callApi<SourceInfo[]>(served.server, 'sources.list', { repositoryId });
  expect(source).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });
  const [planned] = await callApi<PlannedRun[]>(served.server, 'schedule.next', {});
  expect(planned?.waitingFor).toBe('resume');

  // Lifted elsewhere (the tray, `cairn resume`): the page follows the engine's status.
  await callApi(served.server, 'sources.pause', { until: null });
  await expect(status.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  // Paused elsewhere for a week: shown too, and Resume here lifts it.
  await callApi(served.server, 'sources.pause', { until: new Date(Date.now() + 7 * 24 * 3600_000).toISOString() });
  await expect(status.getByText(/^Scheduled backups are paused until /)).toBeVisible();
  await status.getByRole('button', { name: 'Resume' }).click();
  await expect(status.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  const [after] = await callApi<SourceInfo[]>(served.server, 'sources.list', { repositoryId });
  expect(after).toMatchObject({ pausedUntil: null, pausedUntilResumed: false });
});

test('the theme follows the system and can be set by hand', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page);
  // A string: the tests are type-checked without the DOM library.
  const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  expect(await background()).toBe('rgb(15, 19, 23)');
  const space = page.getByRole('region', { name: 'Space used' });
  await expect(space.getByText(/used by 5 recovery points$/)).toBeVisible();
  await expect(space.getByRole('img', { name: /^Growth of Test disk: 5 recovery points/ })).toBeVisible();
  await expect(page.getByText('Loading…')).toHaveCount(0);
  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/dashboard-dark.png'), fullPage: true });

  const theme = page.getByLabel('Theme');
  await theme.selectOption('light');
  expect(await background()).toBe('rgb(246, 247, 249)');
  await page.reload();
  await expect(page.getByLabel('Theme')).toHaveValue('light');
  expect(await background()).toBe('rgb(246, 247, 249)');
  await page.getByLabel('Theme').selectOption('system');
  expect(await background()).toBe('rgb(15, 19, 23)');
});
