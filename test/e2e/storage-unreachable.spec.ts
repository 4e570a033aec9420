/**
 * "Storage unreachable" on the Dashboard, in Chromium against a real `cairn serve` and a real
 * OpenSSH server on 127.0.0.1: a repository on the server backs up; then the server goes away
 * and "Back up now" is pressed: while Cairn retries, the repository's card says "Storage
 * unreachable since <time> — <the reason>. Cairn keeps retrying." (a status message, so screen
 * readers announce it) and the protection status turns to a warning; once the server is back the
 * backup completes and the line goes. startSshd fails, naming the package, where OpenSSH's
 * server is missing.
 */
import { expect, test } from '@playwright/test';
import { makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { callApi } from './serve.js';

test.describe.configure({ mode: 'serial' });

let served: ServedRepository | undefined;
let sshd: TestSshd | undefined;
let remote: Awaited<ReturnType<typeof makeRemoteRepoPath>> | undefined;

test.beforeAll(async () => {
  sshd = await startSshd();
  remote = await makeRemoteRepoPath();
  served = await servedRepository({ name: 'storage-unreachable', files: { 'notes.txt': 'remote copy\n' } });
});

test.afterAll(async () => {
  await served?.stop();
  await sshd?.stop({ remove: true });
  await remote?.cleanup();
});

interface Task {
  status: string;
  error: string | null;
}

test('the Dashboard says since when the storage is unreachable, and why, while Cairn retries', async ({ page }) => {
  // A retry may pause up to 30 s before it finds the server back.
  test.setTimeout(150_000);
  const server = sshd as TestSshd;
  const app = served as ServedRepository;
  const location = `sftp://${server.user}@${server.host}:${server.port}${remote?.path}`;
  const storage = { sftp: { identityFile: server.identityFile, knownHostsFile: server.knownHostsFile } };
  const repo = await callApi<{ id: string }>(app.server, 'repo.create', {
    location,
    password: 'granite meadow lantern 42',
    label: 'Home server',
    region: 'EU',
    storage,
  });
  await callApi(app.server, 'sources.add', { repositoryId: repo.id, path: app.source });
  const first = await callApi<{ taskId: string }>(app.server, 'backup.start', { repositoryId: repo.id });
  await expect
    .poll(async () => (await callApi<Task>(app.server, 'tasks.get', { id: first.taskId })).status)
    .toBe('succeeded');

  await page.goto(app.server.url);
  const card = page.getByRole('listitem', { name: 'Home server' });
  await expect(card).toBeVisible();
  await expect(card.getByText(/Storage unreachable/)).toHaveCount(0);

  await server.stop();
  await page.getByRole('button', { name: 'Back up now' }).click();
  // The engine marks it at the backup's first retry (a few hundred milliseconds) …
  await expect
    .poll(async () => {
      const status = await callApi<{ repositories: { storage: { reachable: boolean } }[] }>(
        app.server,
        'app.status',
        {},
      );
      return status.repositories[0]?.storage.reachable;
    })
    .toBe(false);
  // … and the Dashboard shows it from the `app.status` event.
  const line = card.getByRole('status');
  await expect(line).toHaveText(
    new RegExp(
      `^Storage unreachable since .+ — (could not reach|lost the connection to) sftp server ${server.user}@127\\.0\\.0\\.1:${server.port} .+\\. Cairn keeps retrying\\.$`,
    ),
  );
  await expect(page.getByRole('region', { name: 'Protection status' })).toHaveClass(/summary-warn/);

  // The server is back: the backup that kept retrying completes, and the line goes.
  await server.restart();
  await expect(card.getByText(/Storage unreachable/)).toHaveCount(0, { timeout: 60_000 });
  await expect
    .poll(async () => (await callApi<Task[]>(app.server, 'tasks.list', {})).map((t) => t.status), { timeout: 60_000 })
    .toEqual(['succeeded', 'succeeded']);
  // Let the Dashboard's last requests finish before the server stops: a call still running on a
  // session `cairn serve` closes reconnects to the server and keeps the process from exiting.
  await page.close();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
});
