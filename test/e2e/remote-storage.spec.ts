/**
 * Remote storage in the "Add a repository" flow, in Chromium against a real `cairn serve`: the
 * four kinds of storage, "Test connection" on a folder, on an SFTP port where nothing listens
 * (the refusal in plain words) and, with a real OpenSSH server on 127.0.0.1, a server never seen
 * before: its key's fingerprint is shown, "Trust this server" accepts it, and the repository is
 * created there and recorded as an SFTP repository that remembers the trusted key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

const PASSWORD = 'granite meadow lantern 42';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({ name: 'remote-storage' });
});

test.afterAll(async () => {
  await served?.stop();
});

async function openAddRepository(page: Page): Promise<void> {
  await page.goto(served.server.url);
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
}

test('offers four kinds of storage and tests a folder', async ({ page }) => {
  await openAddRepository(page);
  const where = page.getByRole('group', { name: 'Where is it?' });
  for (const kind of ['A folder on this computer', 'An external drive', 'An SFTP server', 'An S3-compatible bucket']) {
    await expect(where.getByRole('radio', { name: kind })).toBeVisible();
  }
  await page.getByLabel('Storage folder').fill(join(served.dir, 'new-repo'));
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText('The place is ready for a new repository.')).toBeVisible();

  // S3: the fields it needs, and a session-only note in the browser version.
  await where.getByRole('radio', { name: 'An S3-compatible bucket' }).check();
  await expect(page.getByLabel('Endpoint')).toBeVisible();
  await expect(page.getByLabel('Bucket', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Secret access key')).toBeVisible();
  await expect(page.getByText(/held by Cairn for this session only/)).toBeVisible();
  await page.getByRole('radio', { name: /^From the environment/ }).check();
  await expect(page.getByLabel('Secret access key')).toHaveCount(0);
});

test('an SFTP port where nothing listens is refused, in plain words', async ({ page }) => {
  await openAddRepository(page);
  await page.getByRole('radio', { name: 'An SFTP server' }).check();
  await page.getByLabel('Server name or address').fill('127.0.0.1');
  await page.getByLabel('Port').fill('1');
  await page.getByLabel('User name on the server').fill('backup');
  await page.getByLabel('Folder on the server').fill('/srv/cairn');
  await page.getByRole('radio', { name: 'A password' }).check();
  await page.getByLabel('Password for the server').fill('not sent anywhere but the test');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    '127.0.0.1:1 refused the connection on port 1. Check the port number and that the SSH service is running there.',
  );
  // A server is not on this device: the region must be chosen before going on.
  await page.getByLabel('Name', { exact: true }).fill('Home server');
  await expect(page.getByText(/Choose the region where the server or bucket is/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
});

test.describe('with an SSH server', () => {
  let sshd: TestSshd | undefined;
  let emptyKnownHosts: string;
  let cleanup: (() => Promise<void>) | undefined;
  let scratch: string;

  test.beforeAll(async () => {
    sshd = await startSshd();
    scratch = await mkdtemp(join(tmpdir(), 'cairn-e2e-known-hosts-'));
    // A known-hosts file that does not know the server yet.
    emptyKnownHosts = join(scratch, 'known_hosts');
    await writeFile(emptyKnownHosts, '');
  });

  test.afterAll(async () => {
    await sshd?.stop({ remove: true });
    await cleanup?.();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('a new host key is shown and trusted, and the repository is created there', async ({ page }) => {
    const server = sshd as TestSshd;
    const remote = await makeRemoteRepoPath();
    cleanup = remote.cleanup;
    await openAddRepository(page);
    await page.getByRole('radio', { name: 'An SFTP server' }).check();
    await page.getByLabel('Server name or address').fill(server.host);
    await page.getByLabel('Port').fill(String(server.port));
    await page.getByLabel('User name on the server').fill(server.user);
    await page.getByLabel('Folder on the server').fill(remote.path);
    await page.getByRole('radio', { name: 'A key file' }).check();
    await page.getByRole('textbox', { name: 'Key file' }).fill(server.identityFile);
    await page.getByLabel('Known-hosts file (optional)').fill(emptyKnownHosts);
    await page.getByRole('button', { name: 'Test connection' }).click();

    await expect(page.getByText(`Cairn has not connected to ${server.host} before.`, { exact: false })).toBeVisible();
    await expect(page.getByText(server.hostKeyFingerprint, { exact: true })).toBeVisible();
    await expect(page.getByText('ssh-ed25519', { exact: true })).toBeVisible();
    await page.screenshot({ path: '/tmp/cairn-host-key.png', fullPage: true });
    await page.getByRole('button', { name: 'Trust this server' }).click();
    await expect(page.getByText('The place is ready for a new repository.')).toBeVisible();
    await expect(page.getByText(`Trusted server key: ${server.hostKeyFingerprint}`)).toBeVisible();

    // Name left empty: the hint says which name it gets, and it gets it.
    await expect(page.getByText('Optional: left empty, it is called “Home server”.')).toBeVisible();
    await page.getByLabel('Region where the data is stored').selectOption('EU');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create repository' }).click();
    await expect(page.getByRole('heading', { name: 'Recovery kit', exact: true })).toBeVisible();

    const repos = await callApi<Array<{ id: string; kind: string; location: string; label: string }>>(
      served.server,
      'repo.list',
      {},
    );
    const created = repos.find((r) => r.kind === 'sftp');
    expect(created?.label).toBe('Home server');
    expect(created?.location).toBe(`sftp://${server.user}@${server.host}:${server.port}${remote.path}`);
    const storage = await callApi<{ settings: { sftp?: { acceptHostKey?: string } } }>(
      served.server,
      'repo.storageSettings',
      { repositoryId: created?.id },
    );
    expect(storage.settings.sftp?.acceptHostKey).toBe(server.hostKeyFingerprint);

    // Settings → Storage: the transfer limits of the new repository.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
    const section = page.getByRole('region', { name: 'Storage' });
    await expect(section.getByText('An SFTP server', { exact: true })).toBeVisible();
    await expect(section.getByText(`Trusted server key: ${server.hostKeyFingerprint}`)).toBeVisible();
    await section.getByLabel('Upload limit (KiB/s)').fill('512');
    await section.getByLabel('Connections at once').fill('2');
    await page.screenshot({ path: '/tmp/cairn-settings-storage.png', fullPage: true });
    await section.getByRole('button', { name: 'Save storage settings' }).click();
    await expect(section.getByRole('status')).toContainText('Saved.');
    const saved = await callApi<{ settings: { transfer?: unknown } }>(served.server, 'repo.storageSettings', {
      repositoryId: created?.id,
    });
    expect(saved.settings.transfer).toEqual({ uploadKiBps: 512, connections: 2 });
  });
});
