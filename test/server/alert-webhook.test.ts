/**
 * The alert webhook in a real EngineHost, with a real repository, temp folders and a real HTTP
 * receiver on 127.0.0.1: backups (with the ping at start) and their failures reach the address
 * by healthchecks' conventions, a check that finds damage pings /fail, ntfy gets its headers, no
 * alert carries a path or a file name, a receiver that never answers fails no backup (the task
 * and the settings say so), settings are checked and never show the address in full, the records
 * of processing list the receiver while it is set, and the audit trail records each change by
 * host name only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { ContractError } from '../../src/contract/errors.js';
import { AlertReceiver, type Answer } from '../support/alert-receiver.js';
import { backUp, repositoryWithSource, runTask, TestHost } from '../support/host.js';

const UUID = '3f1a9b2c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
let fixture: TestHost;
let host: EngineHost;
let src: string;
let repositoryId: string;
let receiver: AlertReceiver;

async function start(answer?: Answer): Promise<void> {
  receiver = await AlertReceiver.start(answer);
}

beforeEach(async () => {
  fixture = await TestHost.open('alert-webhook', { webhook: { timeoutMs: 300, retryDelaysMs: [0, 0] } });
  host = fixture.host;
  // Names an alert must never carry.
  src = path.join(fixture.tmp, 'Private Photos');
  await fs.mkdir(path.join(src, 'holiday'), { recursive: true });
  await fs.writeFile(path.join(src, 'holiday', 'beach-with-ann.jpg'), 'not really a photo');
  await fs.writeFile(path.join(src, 'tax return 2024.pdf'), 'numbers');
  ({ repositoryId } = await repositoryWithSource(host, {
    location: path.join(fixture.tmp, 'repo'),
    label: 'NAS',
    source: src,
  }));
});

afterEach(async () => {
  await fixture?.close();
  await receiver?.close();
});

function expectNoPrivateNames(text: string): void {
  for (const name of ['Private', 'Photos', 'holiday', 'beach', 'tax return', fixture.tmp, 'cairn-alert-webhook']) {
    expect(text, `"${name}" in an alert`).not.toContain(name);
  }
}

async function contractError(run: Promise<unknown>): Promise<ContractError> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContractError);
  return err as ContractError;
}

describe('healthchecks-style ping', () => {
  it('pings /start and the URL for a backup that succeeded, /fail for one that failed, without names', async () => {
    await start();
    await host.call('settings.set', {
      webhook: { kind: 'healthchecks', url: receiver.url(`/ping/${UUID}`), pingStart: true },
    });
    await backUp(host, repositoryId);
    const [started, done] = await receiver.waitFor(2);
    expect(started?.path).toBe(`/ping/${UUID}/start`);
    expect(done?.path).toBe(`/ping/${UUID}`);
    expect(done?.body).toMatch(
      /^Cairn: backup succeeded\nBackup of "NAS" succeeded: 2 new, 0 changed, 0 unchanged files; /,
    );

    // The folder is gone: the backup fails with its path in the error, which the alert leaves out.
    await fs.rm(src, { recursive: true });
    const failed = await runTask(host, 'backup.start', { repositoryId });
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(src);
    const all = await receiver.waitFor(4);
    expect(all[3]?.path).toBe(`/ping/${UUID}/fail`);
    expect(all[3]?.body).toBe(
      'Cairn: backup failed\nBackup of "NAS" failed: cannot back up [path]: it does not exist.',
    );
    for (const r of all) expectNoPrivateNames(`${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`);

    await host.alerts.idle();
    const settings = await host.call('settings.get', {});
    expect(settings.webhook?.lastDelivery).toMatchObject({ event: 'backup.failed', ok: true, status: 200 });
  });

  it('pings /fail when a check finds damage', async () => {
    await backUp(host, repositoryId);
    await start();
    await host.call('settings.set', { webhook: { kind: 'healthchecks', url: receiver.url(`/ping/${UUID}`) } });
    const data = path.join(fixture.tmp, 'repo', 'data');
    const packs: string[] = [];
    for (const dir of await fs.readdir(data)) {
      for (const name of await fs.readdir(path.join(data, dir))) packs.push(path.join(data, dir, name));
    }
    const pack = packs[0] as string;
    const bytes = await fs.readFile(pack);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0xff;
    await fs.writeFile(pack, bytes);
    const check = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(check.status).toBe('failed');
    const [got] = await receiver.waitFor(1);
    expect(got?.path).toBe(`/ping/${UUID}/fail`);
    expect(got?.body).toMatch(/^Cairn: check found damage\nThe check of "NAS" found [1-9]\d* problem\(s\)\./);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('ntfy topic', () => {
  it('posts the outcome with a title and a priority, and sends no start', async () => {
    await start();
    await host.call('settings.set', {
      webhook: { kind: 'ntfy', url: receiver.url('/cairn-nas-x7q2'), pingStart: true },
    });
    await backUp(host, repositoryId);
    const [got] = await receiver.waitFor(1);
    expect(got?.path).toBe('/cairn-nas-x7q2');
    expect(got?.headers).toMatchObject({ title: 'Cairn: backup succeeded', priority: 'low' });
    expect(got?.body).toMatch(/^Backup of "NAS" succeeded: 2 new/);
    expectNoPrivateNames(got?.body ?? '');
    expect((await host.call('settings.get', {})).webhook?.pingStart).toBe(false);
  });
});

describe('a receiver that does not answer', () => {
  it('fails no backup: the task notes it, and Settings shows the last delivery failed', async () => {
    await start(() => 'hang');
    await host.call('settings.set', { webhook: { kind: 'ntfy', url: receiver.url('/topic-abc') } });
    const noted = new Promise<string>((resolve) => {
      host.subscribe((e) => {
        if (e.name !== 'task.updated') return;
        const note = e.payload.messages.find((m) => m.includes('could not be sent'));
        if (note) resolve(note);
      });
    });
    const { taskId } = await host.call('backup.start', { repositoryId });
    expect(await noted).toBe(
      `warning: the alert to 127.0.0.1:${receiver.port} could not be sent: 127.0.0.1:${receiver.port} did not answer within 0.3 s (tried 3 times)`,
    );
    expect(receiver.received).toHaveLength(3);
    const task = await host.call('tasks.get', { id: taskId });
    expect(task.status).toBe('succeeded');
    const { webhook } = await host.call('settings.get', {});
    expect(webhook?.lastDelivery).toMatchObject({ event: 'backup.succeeded', ok: false, status: null });
  });
});

describe('settings', () => {
  it('refuses bad addresses plainly and changes nothing', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'healthchecks', url: 'ftp://me:hunter2@example.org/x' }, /http:\/\/ or https:\/\//],
      [{ kind: 'ntfy', url: 'https://ntfy.sh' }, /names its topic/],
      [{ kind: 'healthchecks', url: `https://hc-ping.com/${UUID}/fail` }, /without \/fail/],
      [{ kind: 'ntfy' }, /enter the web address/],
      [{ kind: 'pager', url: 'https://example.org/x' }, /webhook\.kind/],
    ];
    for (const [webhook, message] of bad) {
      const err = await contractError(host.handle('settings.set', { notifications: false, webhook }));
      expect(err.code, JSON.stringify(webhook)).toMatch(/invalid-(argument|request)/);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('hunter2');
    }
    expect(await host.call('settings.get', {})).toEqual({ launchAtLogin: true, notifications: true, webhook: null });
  });

  it('never shows the address in full, and keeps it when only the region changes', async () => {
    const url = `https://ann:s3cret@hc.example.org/ping/${UUID}?key=k3y`;
    const set = await host.call('settings.set', { webhook: { kind: 'healthchecks', url } });
    expect(set.webhook).toEqual({
      kind: 'healthchecks',
      address: 'https://•••@hc.example.org/ping/3f1a…?key=•••',
      host: 'hc.example.org',
      pingStart: false,
      region: null,
      lastDelivery: null,
    });
    const changed = await host.call('settings.set', { webhook: { kind: 'healthchecks', region: 'EU' } });
    expect(changed.webhook).toMatchObject({ host: 'hc.example.org', region: 'EU' });
    const shown = JSON.stringify(await host.call('settings.get', {}));
    for (const secret of ['s3cret', 'k3y', UUID]) expect(shown).not.toContain(secret);
  });

  it('sends a test and says how it went, to a typed address or the stored one', async () => {
    await start((r) => (r.path.includes('nobody') ? 404 : 200));
    const typed = await host.call('settings.testWebhook', { kind: 'ntfy', url: receiver.url('/topic-abc') });
    expect(typed).toMatchObject({
      event: 'test',
      ok: true,
      status: 200,
      message: `127.0.0.1:${receiver.port} answered 200 OK`,
    });
    await host.call('settings.set', { webhook: { kind: 'healthchecks', url: receiver.url('/nobody/here') } });
    const stored = await host.call('settings.testWebhook', {});
    expect(stored).toMatchObject({ ok: false, status: 404 });
    await host.alerts.idle();
    expect(stored.message).toBe(`127.0.0.1:${receiver.port} does not know this address (404 Not Found)`);
    expect((await host.call('settings.get', {})).webhook?.lastDelivery).toMatchObject({ event: 'test', ok: false });
    await host.call('settings.set', { webhook: null });
    const none = await contractError(host.call('settings.testWebhook', {}));
    expect(none.message).toBe('no alert address is set: enter one to send a test');
  });
});

describe('privacy records', () => {
  it('lists the receiver in the records of processing while it is set, and audits each change by host', async () => {
    const recipients = async () =>
      (
        (await host.call('privacy.record', {})).json.recipients as { name: string; role: string; region: string }[]
      ).filter((r) => r.role.startsWith('alert receiver'));
    expect(await recipients()).toEqual([]);
    await host.call('settings.set', { webhook: { kind: 'ntfy', url: 'https://ntfy.example.org/cairn-nas-x7q2' } });
    expect(await recipients()).toEqual([
      { name: 'ntfy.example.org', role: expect.stringMatching(/^alert receiver: /), region: 'unknown' },
    ]);
    await host.call('settings.set', { webhook: { kind: 'ntfy', region: 'EU' } });
    expect((await recipients())[0]?.region).toBe('EU');
    // Setting the same again is no change.
    await host.call('settings.set', { webhook: { kind: 'ntfy', region: 'EU' } });
    await host.call('settings.set', { webhook: null });
    expect(await recipients()).toEqual([]);

    const audit = await host.call('audit.list', {});
    // Newest first.
    const entries = audit.filter((e) => e.action.startsWith('alerts.')).reverse();
    expect(entries.map((e) => [e.action, e.details])).toEqual([
      ['alerts.webhook-set', { kind: 'ntfy', host: 'ntfy.example.org', region: 'unknown', pingStart: false }],
      [
        'alerts.webhook-changed',
        { kind: 'ntfy', host: 'ntfy.example.org', region: 'EU', pingStart: false, changed: ['region'] },
      ],
      ['alerts.webhook-removed', { kind: 'ntfy', host: 'ntfy.example.org', region: 'EU', pingStart: false }],
    ]);
    expect(JSON.stringify(audit)).not.toContain('x7q2');
  });
});
