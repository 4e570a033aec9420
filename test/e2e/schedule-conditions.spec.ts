/**
 * A folder's "only when the computer is idle" and "not on a metered connection" in the browser
 * version against a real `cairn serve`: with nothing reporting the machine (as in the browser
 * version) the boxes cannot be used and say why; once the machine's state is reported over the
 * contract (`app.setConditions`, as the desktop app does), a schedule saved with "Not on a metered
 * connection" waits while the connection is metered (the Schedule panel and the Dashboard say
 * "Waiting: metered connection") and its backup runs once it is not.
 */
import { expect, type Page, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;

const IDLE_BOX = 'Only when the computer is idle (no input for 5 minutes, or locked)';
const METERED_BOX = 'Not on a metered connection';
const reading = (state: 'yes' | 'no') => ({ state, detail: null });

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'schedule-conditions',
    password: 'correct horse battery staple',
    files: { 'notes.txt': 'backed up when the connection allows' },
    connect: { label: 'Test disk', region: 'EU' },
    addSource: true,
  });
});

test.afterAll(async () => {
  await served?.stop();
});

async function openSchedule(page: Page) {
  await page.goto(served.server.url);
  await page.getByRole('button', { name: 'Retention and schedule' }).click();
  await expect(page.getByRole('heading', { name: 'Retention and schedule', level: 1 })).toBeVisible();
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: served.source }) });
}

test('with nothing reporting the machine, the idle and metered boxes cannot be used and say why', async ({ page }) => {
  const folder = await openSchedule(page);
  await expect(folder.getByLabel(IDLE_BOX)).toBeDisabled();
  await expect(folder.getByLabel(METERED_BOX)).toBeDisabled();
  await expect(folder.getByLabel('Not on battery: wait until the computer is plugged in')).toBeEnabled();
  await expect(
    folder.getByText(
      'Not available in the browser version (cairn serve): it cannot tell whether the computer is in use, so backups are not held back. The desktop app applies this.',
    ),
  ).toBeVisible();
  await expect(folder.getByText(/it cannot tell whether the connection is metered/)).toBeVisible();
});

test('a due backup waits on a metered connection, says so, and runs once the connection is not metered', async ({
  page,
}) => {
  await callApi(served.server, 'app.setConditions', { idle: reading('no'), metered: reading('yes') });
  const folder = await openSchedule(page);
  await expect(folder.getByText('The connection is metered now.')).toBeVisible();
  await expect(folder.getByText('The computer is in use now.')).toBeVisible();

  await folder.getByLabel(METERED_BOX).check();
  await folder.getByLabel('Back up').selectOption('interval');
  await folder.getByRole('button', { name: 'Save schedule' }).click();
  await expect(folder.getByText('Schedule saved.')).toBeVisible();
  // Never backed up on a schedule, so it is due at once, and held.
  await expect(folder.getByText('Waiting: metered connection.')).toBeVisible();
  const [saved] = await callApi<{ avoidMeteredNetwork: boolean; onlyWhenIdle: boolean }[]>(
    served.server,
    'sources.list',
    { repositoryId: served.repositoryId },
  );
  expect(saved).toMatchObject({ avoidMeteredNetwork: true, onlyWhenIdle: false });
  expect(await callApi<unknown[]>(served.server, 'snapshots.list', { repositoryId: served.repositoryId })).toEqual([]);

  await page.getByRole('button', { name: 'Dashboard' }).click();
  await expect(page.getByText(`Waiting: metered connection (${served.source}).`)).toBeVisible();

  await callApi(served.server, 'app.setConditions', { idle: reading('no'), metered: reading('no') });
  await expect
    .poll(
      async () =>
        (await callApi<unknown[]>(served.server, 'snapshots.list', { repositoryId: served.repositoryId })).length,
    )
    .toBe(1);
  await expect(page.getByText(`Waiting: metered connection (${served.source}).`)).toBeHidden();
});
