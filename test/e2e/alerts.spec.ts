/**
 * Settings → Alerts by web address, as a user of a headless machine meets it in the browser
 * version: a real HTTP receiver on 127.0.0.1 stands in for an ntfy server. A wrong address is
 * refused with the reason; "Send a test" reaches the typed address and says so in words; saving
 * shows the address only in part; a backup then reaches the receiver; "Turn alerts off" removes
 * it. A screenshot goes to docs/screenshots/settings-alerts.png.
 */
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { AlertReceiver } from '../support/alert-receiver.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi, ROOT } from './serve.js';

let served: ServedRepository;
let receiver: AlertReceiver;

test.beforeAll(async () => {
  receiver = await AlertReceiver.start();
  served = await servedRepository({
    name: 'alerts',
    password: 'correct horse battery staple',
    files: { 'notes.txt': 'kept safe' },
    connect: { label: 'NAS', region: 'EU' },
    addSource: true,
  });
});

test.afterAll(async () => {
  await served?.stop();
  await receiver?.close();
});

test('alerts by web address: refused, tested, saved, used by a backup, turned off', async ({ page }) => {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Alerts by web address' });
  await expect(panel.getByText('Off', { exact: true })).toBeVisible();

  await panel.getByLabel('Kind', { exact: true }).selectOption('ntfy');
  await panel.getByLabel('Web address', { exact: true }).fill('ftp://example.org/topic');
  await panel.getByRole('button', { name: 'Save alert settings' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Alerts can only be sent to http:// or https:// addresses.');

  const topic = '/cairn-nas-secret-topic';
  await panel.getByLabel('Web address', { exact: true }).fill(receiver.url(topic));
  await panel.getByRole('button', { name: 'Send a test' }).click();
  await expect(panel.getByText(`Sent: 127.0.0.1:${receiver.port} answered 200 OK.`)).toBeVisible();
  expect((await receiver.waitFor(1))[0]?.headers.title).toBe('Cairn: test alert');

  await panel.getByLabel('Where the receiver is (for the records of processing)').selectOption('EU');
  await panel.getByRole('button', { name: 'Save alert settings' }).click();
  await expect(page.getByText('Saved. Alerts go to this address from now on.')).toBeVisible();
  await expect(panel.getByText(/^On: ntfy topic/)).toBeVisible();
  await expect(panel.getByText(`http://127.0.0.1:${receiver.port}/cair…`)).toBeVisible();
  await expect(panel).not.toContainText('secret-topic');
  await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/settings-alerts.png'), fullPage: true });

  await callApi(served.server, 'backup.start', { repositoryId: served.repositoryId });
  const [, backup] = await receiver.waitFor(2);
  expect(backup?.path).toBe(topic);
  expect(backup?.body).toMatch(/^Backup of "NAS" succeeded: 1 new, /);

  await panel.getByRole('button', { name: 'Turn alerts off' }).click();
  await expect(page.getByText('Removed. No alerts are sent by web address.')).toBeVisible();
  await expect(panel.getByText('Off', { exact: true })).toBeVisible();
});
