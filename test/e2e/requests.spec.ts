/**
 * The requests register and the records of processing on the Privacy screen, in Chromium against
 * a real `cairn serve` with a repository made by the `cairn` CLI and connected: a request received
 * long ago is recorded and shown overdue in the register and the summary, one received today is
 * due in a month; marking the old one done clears the overdue summary; the controller's details
 * are refused without a contact, then saved and shown in the printable records; and a repository
 * outside the chosen region gets the instruction to store there from Settings → Region (asked as a
 * question), which the audit trail keeps.
 */
import { expect, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { nav, openPrivacy } from './privacy-pages.js';
import { callApi } from './serve.js';

const PASSWORD = 'cobalt lantern orchard 58';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'requests',
    password: PASSWORD,
    connect: { label: 'Office NAS', region: 'US' },
  });
});

test.afterAll(async () => {
  await served?.stop();
});

test('a request received long ago shows overdue; one received today is due in a month', async ({ page }) => {
  await openPrivacy(page, served.server.url, 'Requests and incidents');
  const form = page.getByRole('form', { name: 'Record a request' });
  await form.getByLabel('Kind').selectOption('erasure');
  await form.getByLabel('Requester (a short reference)').fill('customer 1042');
  await form.getByLabel('Received on').fill('2020-01-31');
  await form.getByRole('button', { name: 'Record request' }).click();
  await expect(form.getByRole('status')).toHaveText('Request recorded: answer by 2020-02-29.');

  const section = page.locator('#privacy-requests');
  const old = section.getByRole('row', { name: /customer 1042/ });
  await expect(old).toContainText('2020-02-29');
  await expect(old).toContainText(/Overdue by \d+ days/);
  await expect(section.getByRole('status', { name: 'Requests summary' })).toHaveText(
    '1 open request, 1 overdue; next deadline 2020-02-29.',
  );

  // The Dashboard's verdict says so, and its action leads back to the register.
  await nav(page, 'Dashboard').click();
  const status = page.getByRole('region', { name: 'Protection status' });
  await expect(status.getByText('A request from a person is past its deadline.')).toBeVisible();
  await status.getByRole('button', { name: 'Open the requests register' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Privacy sections' }).getByRole('button', { name: 'Requests and incidents' }),
  ).toHaveAttribute('aria-current', 'page');

  await form.getByLabel('Kind').selectOption('access');
  await form.getByLabel('Requester (a short reference)').fill('customer 2077');
  await form.getByRole('button', { name: 'Record request' }).click();
  await expect(section.getByRole('row', { name: /customer 2077/ })).toContainText(/\d+ days left/);
  await expect(section.getByRole('status', { name: 'Requests summary' })).toContainText('2 open requests, 1 overdue');

  await old.getByText(/^Handle request/).click();
  await old.getByLabel('Action').selectOption('done');
  await old.getByLabel('Note (optional)').fill('erased and confirmed by letter');
  await old.getByRole('button', { name: 'Apply' }).click();
  await expect(section.getByRole('row', { name: /customer 1042/ })).toContainText(
    'Done: erased and confirmed by letter',
  );
  await expect(section.getByRole('status', { name: 'Requests summary' })).toContainText('1 open request, 0 overdue');

  const audit = await callApi<{ action: string; details: Record<string, unknown> }[]>(served.server, 'audit.list', {
    limit: 100,
  });
  expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['request.recorded', 'request.done']));
  expect(JSON.stringify(audit)).not.toContain('customer 1042');
});

test('the controller details are required, then shown in the records of processing', async ({ page }) => {
  await openPrivacy(page, served.server.url, 'Records');
  const form = page.getByRole('form', { name: 'Controller details' });
  await form.getByLabel("Controller's name").fill('Muster GmbH');
  await form.getByRole('button', { name: 'Save controller details' }).click();
  await expect(form.getByRole('alert')).toContainText("controller's name and a contact");
  await form.getByLabel('Contact (address or email)').fill('privacy@muster.example');
  await form.getByLabel("Data protection officer's contact (optional)").fill('dpo@muster.example');
  await form.getByRole('button', { name: 'Save controller details' }).click();
  await expect(form.getByRole('status')).toHaveText('Controller details saved.');
  const printable = page.frameLocator('iframe[title="Records of processing (printable)"]');
  await expect(printable.getByRole('cell', { name: 'dpo@muster.example' })).toBeVisible();
  await expect(printable.getByRole('cell', { name: 'this computer / your drive' })).toBeVisible();
});

test('Settings → Region asks before storing outside the chosen region, and the instruction is audited', async ({
  page,
}) => {
  await callApi(served.server, 'privacy.region.set', { region: 'EU' });
  await page.goto(served.server.url);
  await nav(page, 'Settings').click();
  const region = page.getByRole('region', { name: 'Region' });
  await expect(region).toContainText('No instruction to store backups outside your chosen region');
  await region.getByRole('button', { name: 'Give an instruction…' }).click();
  const dialog = region.getByRole('alertdialog');
  await expect(dialog).toContainText(
    'This location is in United States, outside your chosen region European Union. Store backups there anyway?',
  );
  await dialog.getByLabel(/^Why/).fill('offsite copy at our US office');
  await dialog.getByRole('button', { name: 'Store backups there' }).click();
  await expect(region).toContainText('Your instruction: “offsite copy at our US office”');
  await region.getByRole('button', { name: 'Revoke the instruction' }).click();
  await expect(region).toContainText(/No instruction .* \(revoked/);

  const audit = await callApi<{ action: string; details: Record<string, unknown> }[]>(served.server, 'audit.list', {
    limit: 100,
  });
  expect(audit.map((e) => e.action)).toEqual(
    expect.arrayContaining(['region.instruction', 'region.instruction.revoked']),
  );
});
