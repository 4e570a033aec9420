/**
 * `cairn serve --password-file FILE` and `--password-command CMD` over an existing app data
 * folder: the repositories the password opens are unlocked at start and back up without anyone
 * typing; one it does not open stays locked and is named; a password command that fails stops
 * serve before it starts, with the reason.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ServedCli, serveCli } from '../support/served-cli.js';

const PASSWORD = 'service password 7';

async function waitForTask(s: ServedCli, id: string): Promise<{ status: string; error?: unknown }> {
  for (;;) {
    const task = await s.call<{ status: string; error?: unknown }>('tasks.get', { id });
    if (!['queued', 'running'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cairn serve unlocks at start', () => {
  let dir: string;
  let dataDir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-serve-unlock-'));
    dataDir = path.join(dir, 'data');
    await fs.mkdir(path.join(dir, 'src'));
    await fs.writeFile(path.join(dir, 'src', 'notes.txt'), 'kept safe by a service\n');
    // The app data folder as the app leaves it: two repositories, one with another password.
    const first = await serveCli(dataDir);
    const home = await first.call<{ id: string }>('repo.create', {
      location: path.join(dir, 'repo-home'),
      password: PASSWORD,
      label: 'Home',
      region: 'this-device',
    });
    await first.call('sources.add', { repositoryId: home.id, path: path.join(dir, 'src') });
    await first.call('repo.create', {
      location: path.join(dir, 'repo-other'),
      password: 'another password entirely',
      label: 'Other',
      region: 'this-device',
    });
    expect(await first.stop()).toBe(0);
  }, 120_000);

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('with --password-file: unlocks what the password opens and backs up without anyone typing', async () => {
    const file = path.join(dir, 'password');
    await fs.writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
    const s = await serveCli(dataDir, ['--password-file', file]);
    try {
      const repos = await s.call<{ id: string; label: string; unlocked: boolean }[]>('repo.list', {});
      expect(repos.map((r) => [r.label, r.unlocked]).sort()).toEqual([
        ['Home', true],
        ['Other', false],
      ]);
      expect(s.stderr()).toContain('unlocked at start: Home');
      expect(s.stderr()).toMatch(/"Other" stays locked: /);
      expect(s.stderr()).not.toContain(PASSWORD);
      const home = repos.find((r) => r.label === 'Home') as { id: string };
      const { taskId } = await s.call<{ taskId: string }>('backup.start', { repositoryId: home.id });
      expect((await waitForTask(s, taskId)).status).toBe('succeeded');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 120_000);

  it('with --password-command: the first line the command prints', async () => {
    const s = await serveCli(dataDir, ['--password-command', `printf '%s\\n' '${PASSWORD}'`]);
    try {
      const repos = await s.call<{ label: string; unlocked: boolean }[]>('repo.list', {});
      expect(repos.find((r) => r.label === 'Home')?.unlocked).toBe(true);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('stops before starting when the password command fails, with its reason', async () => {
    const failed = await serveCli(dataDir, ['--password-command', 'echo "vault sealed" >&2; exit 3']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/the password command failed \(exit 3\): vault sealed/);
  }, 60_000);
});
