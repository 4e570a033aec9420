/**
 * `cairn serve --webhook URL [--webhook-kind healthchecks|ntfy]` on a headless machine: the flag
 * sets the alert webhook in the app's settings (kept for later starts; `--webhook off` removes
 * it), a backup then reaches a real HTTP receiver on 127.0.0.1, the address is never printed in
 * full, and a bad address or kind stops serve before it starts, with the reason.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertReceiver } from '../support/alert-receiver.js';
import { cairn } from '../support/cli.js';
import { serveCli } from '../support/served-cli.js';

interface Settings {
  webhook: { kind: string; address: string; host: string } | null;
}

describe('cairn serve --webhook', () => {
  let dir: string;
  let receiver: AlertReceiver;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-serve-webhook-'));
    receiver = await AlertReceiver.start();
  });

  afterEach(async () => {
    await receiver.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sets the webhook for this and later starts, alerts after a backup, and removes it with off', async () => {
    const dataDir = path.join(dir, 'data');
    const topic = '/cairn-nas-secret-topic';
    const first = await serveCli(dataDir, ['--webhook', receiver.url(topic), '--webhook-kind', 'ntfy']);
    try {
      expect(first.stderr()).toContain(`alerts go to 127.0.0.1:${receiver.port} (ntfy)`);
      expect(first.stderr()).not.toContain('secret-topic');
      const settings = await first.call<Settings>('settings.get', {});
      expect(settings.webhook).toMatchObject({ kind: 'ntfy', host: `127.0.0.1:${receiver.port}` });
      expect(settings.webhook?.address).not.toContain('secret-topic');
      await fs.mkdir(path.join(dir, 'src'));
      await fs.writeFile(path.join(dir, 'src', 'notes.txt'), 'kept safe by a service\n');
      const repo = await first.call<{ id: string }>('repo.create', {
        location: path.join(dir, 'repo'),
        password: 'service password',
        label: 'Home',
        region: 'this-device',
      });
      await first.call('sources.add', { repositoryId: repo.id, path: path.join(dir, 'src') });
      await first.call('backup.start', { repositoryId: repo.id });
      const [got] = await receiver.waitFor(1);
      expect(got?.path).toBe(topic);
      expect(got?.headers.title).toBe('Cairn: backup succeeded');
      expect(got?.body).toMatch(/^Backup of "Home" succeeded: 1 new, /);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const again = await serveCli(dataDir);
    try {
      expect((await again.call<Settings>('settings.get', {})).webhook?.kind).toBe('ntfy');
    } finally {
      expect(await again.stop()).toBe(0);
    }

    const off = await serveCli(dataDir, ['--webhook', 'off']);
    try {
      expect(off.stderr()).toContain('alerts by web address are off');
      expect((await off.call<Settings>('settings.get', {})).webhook).toBeNull();
    } finally {
      expect(await off.stop()).toBe(0);
    }
  }, 120_000);

  it('refuses a bad address or kind before starting, without repeating the address', () => {
    const dataDir = path.join(dir, 'data');
    const bad = cairn(['serve', '--port', '0', '--data-dir', dataDir, '--webhook', 'ftp://me:hunter2@example.org/x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--webhook: alerts can only be sent to http:// or https:// addresses, not ftp://');
    expect(bad.stderr).not.toContain('hunter2');
    expect(bad.stdout).toBe('');
    const kind = cairn([
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--webhook',
      receiver.url('/x'),
      '--webhook-kind',
      'pager',
    ]);
    expect(kind.status).toBe(2);
    expect(kind.stderr).toContain('--webhook-kind must be healthchecks or ntfy, not "pager"');
    const alone = cairn(['serve', '--port', '0', '--data-dir', dataDir, '--webhook-kind', 'ntfy']);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--webhook-kind goes with --webhook URL');
  });
});
