/**
 * The alert webhook's wire format and delivery against a real HTTP server on 127.0.0.1: the
 * healthchecks conventions (ping, /fail, /start, before the query), ntfy's POST with Title,
 * Priority and Tags headers, credentials in the address sent as Basic authorization and never in
 * the request line, retries on no answer and on 5xx but not on 404, and the one-line reason with
 * paths, names and addresses removed. Also how the address is checked and shown back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendWebhook } from '../../src/app/host/webhook-http.js';
import { composeAlert, oneLineReason, webhookRequest } from '../../src/app/host/webhook-message.js';
import { nextWebhook, parseWebhookUrl, redactWebhookUrl } from '../../src/app/services/webhook-settings.js';
import { AlertReceiver } from '../support/alert-receiver.js';

const FAST = { timeoutMs: 200, retryDelaysMs: [0, 0], userAgent: 'Cairn/test' };
let receiver: AlertReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const succeeded = {
  error: null,
  result: { filesNew: 3, filesChanged: 1, filesUnchanged: 40, dataAddedStored: 2_500_000, partial: false, warnings: 0 },
};

describe('healthchecks pings', () => {
  it('pings the URL on success, URL/fail on failure and URL/start at start, keeping the query last', async () => {
    receiver = await AlertReceiver.start();
    const url = new URL(receiver.url('/ping/3f1a9b2c-uuid?rid=7'));
    for (const [event, task] of [
      ['backup.started', null],
      ['backup.succeeded', succeeded],
      ['backup.failed', { error: 'needs your password: the repository is locked', result: null }],
      ['check.damage', { error: 'x', result: { problems: 2 } }],
    ] as const) {
      const outcome = await sendWebhook(webhookRequest('healthchecks', url, composeAlert(event, 'NAS', task)), FAST);
      expect(outcome).toMatchObject({ ok: true, status: 200, attempts: 1 });
      expect(outcome.message).toBe(`127.0.0.1:${receiver.port} answered 200 OK`);
    }
    const got = await receiver.waitFor(4);
    expect(got.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /ping/3f1a9b2c-uuid/start?rid=7',
      'POST /ping/3f1a9b2c-uuid?rid=7',
      'POST /ping/3f1a9b2c-uuid/fail?rid=7',
      'POST /ping/3f1a9b2c-uuid/fail?rid=7',
    ]);
    expect(got[1]?.body).toBe(
      'Cairn: backup succeeded\nBackup of "NAS" succeeded: 3 new, 1 changed, 40 unchanged files; 2.5 MB added.',
    );
    expect(got[2]?.body).toContain('Backup of "NAS" failed: needs your password: the repository is locked.');
    expect(got[3]?.body).toContain('The check of "NAS" found 2 problem(s).');
    expect(got[0]?.headers['user-agent']).toBe('Cairn/test');
  });
});

describe('ntfy messages', () => {
  it('POSTs plain text to the topic with a title, a priority and tags; a failure is high, damage urgent', async () => {
    receiver = await AlertReceiver.start();
    const url = new URL(receiver.url('/cairn-nas-x7q2'));
    const failed = { error: 'storage unreachable since 03:10: connect ECONNREFUSED', result: null };
    await sendWebhook(webhookRequest('ntfy', url, composeAlert('backup.failed', 'NAS', failed)), FAST);
    await sendWebhook(webhookRequest('ntfy', url, composeAlert('backup.succeeded', 'NAS', succeeded)), FAST);
    await sendWebhook(
      webhookRequest('ntfy', url, composeAlert('check.damage', 'NAS', { error: null, result: { problems: 1 } })),
      FAST,
    );
    const [fail, ok, damage] = await receiver.waitFor(3);
    expect(fail?.method).toBe('POST');
    expect(fail?.path).toBe('/cairn-nas-x7q2');
    expect(fail?.headers).toMatchObject({
      title: 'Cairn: backup failed',
      priority: 'high',
      tags: 'warning',
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(fail?.body).toBe('Backup of "NAS" failed: storage unreachable since 03:10: connect ECONNREFUSED.');
    expect(ok?.headers).toMatchObject({ title: 'Cairn: backup succeeded', priority: 'low' });
    expect(damage?.headers).toMatchObject({ title: 'Cairn: check found damage', priority: 'urgent' });
  });

  it('sends a user and password in the address as Basic authorization, not in the request line', async () => {
    receiver = await AlertReceiver.start();
    const url = new URL(`http://alice:s3cr%40t@127.0.0.1:${receiver.port}/alerts`);
    const outcome = await sendWebhook(webhookRequest('ntfy', url, composeAlert('test', null, null)), FAST);
    expect(outcome.ok).toBe(true);
    const [got] = await receiver.waitFor(1);
    expect(got?.path).toBe('/alerts');
    expect(got?.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`);
    expect(outcome.message).not.toContain('s3cr');
  });
});

describe('delivery', () => {
  it('gives up after three attempts at an address that never answers, saying so', async () => {
    receiver = await AlertReceiver.start(() => 'hang');
    const url = new URL(receiver.url('/ping/abc'));
    const outcome = await sendWebhook(webhookRequest('healthchecks', url, composeAlert('test', null, null)), FAST);
    expect(outcome).toMatchObject({ ok: false, status: null, attempts: 3 });
    expect(outcome.message).toBe(`127.0.0.1:${receiver.port} did not answer within 0.2 s (tried 3 times)`);
    expect(receiver.received).toHaveLength(3);
  });

  it('retries a 503 and succeeds on the next attempt; a 404 is final at once', async () => {
    receiver = await AlertReceiver.start((r, i) => (r.path.startsWith('/missing') ? 404 : i === 0 ? 503 : 200));
    const retried = await sendWebhook(
      webhookRequest('healthchecks', new URL(receiver.url('/ping/abc')), composeAlert('test', null, null)),
      FAST,
    );
    expect(retried).toMatchObject({ ok: true, status: 200, attempts: 2 });
    const missing = await sendWebhook(
      webhookRequest('healthchecks', new URL(receiver.url('/missing/abc')), composeAlert('test', null, null)),
      FAST,
    );
    expect(missing).toMatchObject({ ok: false, status: 404, attempts: 1 });
    expect(missing.message).toBe(`127.0.0.1:${receiver.port} does not know this address (404 Not Found)`);
    expect(receiver.received).toHaveLength(3);
  });

  it('says plainly when nothing listens at the address', async () => {
    receiver = await AlertReceiver.start();
    const port = receiver.port;
    await receiver.close();
    receiver = undefined;
    const outcome = await sendWebhook(
      webhookRequest('ntfy', new URL(`http://127.0.0.1:${port}/topic`), composeAlert('test', null, null)),
      { ...FAST, retryDelaysMs: [] },
    );
    expect(outcome).toMatchObject({ ok: false, status: null, attempts: 1 });
    expect(outcome.message).toBe(`127.0.0.1:${port} refused the connection (nothing listens there)`);
  });
});

describe('what an alert may say', () => {
  it('removes paths, file names, quoted names, addresses and accounts from the reason', () => {
    const cases: [string, string][] = [
      ['cannot back up /home/ann/Private Photos: it does not exist', 'cannot back up [path]: it does not exist'],
      ["EACCES: permission denied, open '/srv/ann/tax 2024.pdf'", 'EACCES: permission denied, open [name]'],
      ['could not read C:\\Users\\Ann\\Documents\\diary.docx', 'could not read [path]'],
      ['cannot read photos/2024/beach.jpg (skipped)', 'cannot read [path] (skipped)'],
      ['lost: report-final.xlsx was damaged', 'lost: [name] was damaged'],
      ['sftp://ann:pw@nas.local/backups refused: auth failed', '[address] refused: auth failed'],
      ['ann@nas.local: permission denied (publickey)', '[account]: permission denied (publickey)'],
      ['the check found 3 problem(s) in "Ann\'s NAS"', 'the check found 3 problem(s) in [name]'],
    ];
    for (const [error, said] of cases) expect(oneLineReason(error), error).toBe(said);
    expect(oneLineReason('first line\n/second/line/with/path')).toBe('first line');
    expect(oneLineReason('')).toBe('no reason was given');
    expect(oneLineReason('x'.repeat(500))).toHaveLength(200);
  });
});

describe('the address', () => {
  it('accepts only http(s) addresses that suit the kind, without repeating a refused one', () => {
    const refused = (text: string, kind: 'healthchecks' | 'ntfy') => {
      try {
        parseWebhookUrl(text, kind);
      } catch (err) {
        return (err as Error).message;
      }
      return null;
    };
    expect(refused('ftp://user:hunter2@example.org/x', 'healthchecks')).toBe(
      'alerts can only be sent to http:// or https:// addresses, not ftp://',
    );
    expect(refused('not an address hunter2', 'ntfy')).toMatch(/^that is not a web address/);
    expect(refused('https://ntfy.sh/', 'ntfy')).toMatch(/^an ntfy address names its topic/);
    expect(refused('https://hc-ping.com', 'healthchecks')).toMatch(/^a healthchecks address is the check's ping URL/);
    expect(refused('https://hc-ping.com/abc/fail', 'healthchecks')).toMatch(/without \/fail/);
    expect(refused('  ', 'ntfy')).toBe('enter the web address alerts are sent to');
    expect(refused('https://hc-ping.com/3f1a9b2c', 'healthchecks')).toBeNull();
    for (const text of ['ftp://user:hunter2@example.org/x', 'not an address hunter2']) {
      expect(refused(text, 'healthchecks')).not.toContain('hunter2');
    }
  });

  it('is shown back without its secret parts', () => {
    expect(redactWebhookUrl('https://alice:s3cret@ntfy.example.org/cairn-nas-x7q2?auth=tk_abcdef')).toBe(
      'https://•••@ntfy.example.org/cair…?auth=•••',
    );
    expect(redactWebhookUrl('https://hc-ping.com/3f1a9b2c-5d6e-4f70-8a9b-0c1d2e3f4a5b')).toBe(
      'https://hc-ping.com/3f1a…',
    );
  });

  it('keeps the stored address when a change gives none, and asks for one when none is stored', () => {
    const stored = nextWebhook(null, { kind: 'healthchecks', url: 'https://hc-ping.com/abcd1234', pingStart: true });
    expect(stored).toEqual({
      kind: 'healthchecks',
      url: 'https://hc-ping.com/abcd1234',
      pingStart: true,
      region: null,
    });
    expect(nextWebhook(stored, { kind: 'healthchecks', region: 'EU' })).toEqual({ ...stored, region: 'EU' });
    // ping at start is healthchecks' own: an ntfy topic never gets it.
    expect(nextWebhook(stored, { kind: 'ntfy' })?.pingStart).toBe(false);
    expect(() => nextWebhook(null, { kind: 'ntfy' })).toThrow('enter the web address alerts are sent to');
    expect(nextWebhook(stored, null)).toBeNull();
  });
});
