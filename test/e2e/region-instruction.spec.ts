/**
 * Data never leaves the chosen region without the user's instruction, which the app can give:
 * with the chosen region set to the EU, declaring a new repository in the United States asks for
 * a reason; creating it without one is refused in plain words, and with one it is created and the
 * reason is in the audit trail.
 */
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

const PASSWORD = 'granite meadow lantern 42';

let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({ name: 'region-instruction' });
  await callApi(served.server, 'privacy.region.set', { region: 'EU' });
});

test.afterAll(async () => {
  await served?.stop();
});

async function declare(page: Page, region: string): Promise<void> {
  await page.goto(served.server.url);
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
  await page.getByLabel('Storage folder').fill(join(served.dir, `repo-${region}`));
  await page.getByLabel('Name', { exact: true }).fill(`Disk in ${region}`);
  await page.getByLabel('Region where the data is stored').selectOption(region);
}

async function createWithPassword(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create repository' }).click();
}

test('another region than the chosen one needs a reason, which the audit trail keeps', async ({ page }) => {
  await declare(page, 'EU');
  await expect(page.getByText(/outside your chosen region/)).toHaveCount(0);

  await declare(page, 'US');
  await expect(
    page.getByText(
      'This location is in United States, outside your chosen region European Union. Store backups there anyway?',
    ),
  ).toBeVisible();
  const reason = page.getByLabel(/If so, say why/);
  await expect(reason).toBeVisible();
  await createWithPassword(page);
  await expect(page.getByText(/declared in region US, but your chosen region is EU/)).toBeVisible();

  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByLabel(/If so, say why/).fill('offsite copy at our US office');
  await createWithPassword(page);
  await expect(page.getByRole('heading', { name: 'Recovery kit', exact: true })).toBeVisible();

  const audit = await callApi<Array<{ action: string; details: Record<string, unknown> }>>(
    served.server,
    'audit.list',
    { limit: 50 },
  );
  const instruction = audit.find((e) => e.action === 'region.instruction');
  expect(instruction?.details).toMatchObject({ from: 'EU', to: 'US', instruction: 'offsite copy at our US office' });
});
