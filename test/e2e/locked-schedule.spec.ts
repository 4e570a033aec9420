/**
 * A scheduled backup of a locked repository is not silent: it ends as a failed backup task in the
 * Dashboard's Activity with the reason ("needs your password"), and once the repository is
 * unlocked from the Dashboard the same folder is backed up ("Back up now").
 */
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

const PASSWORD = 'correct horse battery staple';

let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'locked-schedule',
    password: PASSWORD,
    files: { 'notes.txt': 'scheduled while locked' },
    connect: { label: 'Office disk', region: 'EU' },
    addSource: true,
  });
});

test.afterAll(async () => {
  await served?.stop();
});

test("a locked repository's scheduled run shows as failed with its reason; unlocked, the folder backs up", async ({
  page,
}) => {
  await callApi(served.server, 'repo.lock', { repositoryId: served.repositoryId });
  // The folder has never been backed up: a schedule makes it due at once.
  await callApi(served.server, 'sources.setSchedule', {
    id: served.sourceId,
    schedule: { kind: 'interval', minutes: 60 },
  });

  await page.goto(served.server.url);
  const activity = page.getByRole('region', { name: 'Activity' });
  const failed = activity.locator('li.task-failed').filter({ hasText: 'Backup of Office disk' });
  await expect(failed).toBeVisible({ timeout: 30_000 });
  await expect(failed).toContainText(/needs your password/i);

  const card = page.locator('li.repo', { has: page.getByRole('heading', { name: 'Office disk', exact: true }) });
  await card
    .getByLabel(/password/i)
    .first()
    .fill(PASSWORD);
  await card.getByRole('button', { name: /^Unlock/ }).click();
  await expect(card.getByText('Unlocked')).toBeVisible();

  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(activity.locator('li.task-succeeded').filter({ hasText: 'Backup of Office disk' })).toBeVisible({
    timeout: 30_000,
  });
  const points = await callApi<{ paths: string[] }[]>(served.server, 'snapshots.list', {
    repositoryId: served.repositoryId,
  });
  expect(points.at(-1)?.paths).toEqual([served.source]);
});
