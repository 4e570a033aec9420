/**
 * Sending usage statistics through the engine host, to a real HTTP receiver on 127.0.0.1, with the
 * host's clock fixed: nothing is counted or sent without consent; with consent and an address set
 * through the contract, a finished week's report is sent once its random delay has passed — the
 * payload alone (exact keys, buckets, no host name, path or repository id; no cookie or
 * identifying header) — and never again, across a restart; the delay is kept across a restart; a
 * failed send is quiet and retried; withdrawal deletes what was not sent.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let server: http.Server;
let received: Received[];
let answer: number;
let endpoint: string;
let now: number;

const clock = () => now;
const options = { clock, usageReporting: { tickMs: 3_600_000 } };

beforeEach(async () => {
  now = Date.parse('2026-12-02T10:00:00.000Z'); // Wednesday of 2026-W49
  fixture = await TestHost.open('usage', options);
  ({ tmp, host } = fixture);
  received = [];
  answer = 204;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/usage`;
});
afterEach(async () => {
  await fixture?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

async function backupOnce(): Promise<string> {
  const src = path.join(tmp, 'src-of-a-private-name');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'client-file.txt'), 'x'.repeat(5000));
  const { repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src });
  await backUp(host, repositoryId);
  return repositoryId;
}

type Preview = { enabled: boolean; pending: number; nextSendAt: string | null; payload: Record<string, unknown> };
const preview = async () => (await host.handle('usage.preview', {})) as Preview;

/** Ends the week and queues its report; returns when it may be sent. */
async function endTheWeek(): Promise<number> {
  now = Date.parse('2026-12-07T00:10:00.000Z');
  expect(await host.usageReporting.tick()).toBe(0);
  const next = (await preview()).nextSendAt;
  if (!next) throw new Error('no report queued');
  return Date.parse(next);
}

/** Request headers Node's fetch sends by itself, plus the one Cairn sets; nothing else may appear. */
const ALLOWED_HEADERS = [
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'content-length',
  'content-type',
  'host',
  'sec-fetch-mode',
  'user-agent',
];

describe('usage statistics reporting', () => {
  it('sends nothing without consent, even with an address and a finished week', async () => {
    await host.handle('usage.setEndpoint', { endpoint });
    await backupOnce();
    now = Date.parse('2026-12-12T00:00:00.000Z');
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toEqual([]);
    const p = await preview();
    expect(p.enabled).toBe(false);
    expect(p.pending).toBe(0);
    expect(p.payload).toMatchObject({ backups: '0', restores: '0', largestBackup: 'none' });
  });

  it('with consent, sends the randomised report once after its delay, with nothing identifying', async () => {
    await host.handle('consent.set', { purpose: 'usage-statistics', given: true });
    const repositoryId = await backupOnce();
    expect((await preview()).payload).toMatchObject({ week: '2026-W49', backups: '1-5', largestBackup: '<1MiB' });
    await host.handle('usage.setEndpoint', { endpoint });
    const sendAfter = await endTheWeek();
    const weekEnd = Date.parse('2026-12-07T00:00:00.000Z');
    expect(sendAfter).toBeGreaterThanOrEqual(now);
    expect(sendAfter).toBeLessThanOrEqual(now + 72 * 3_600_000);
    expect(sendAfter).toBeGreaterThan(weekEnd);

    now = sendAfter - 1;
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toEqual([]);
    now = sendAfter;
    expect(await host.usageReporting.tick()).toBe(1);
    expect(received).toHaveLength(1);
    const { headers, body } = received[0] as Received;
    const sent = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(sent).sort()).toEqual([
      'appVersion',
      'backups',
      'largestBackup',
      'osFamily',
      'restores',
      'schema',
      'week',
    ]);
    expect(sent).toMatchObject({ schema: 2, week: '2026-W49', appVersion: expect.stringMatching(/^\d+\.\d+$/) });
    for (const secret of [os.hostname(), tmp, 'src-of-a-private-name', 'client-file', repositoryId])
      expect(body).not.toContain(secret);
    expect(Object.keys(headers).filter((h) => !ALLOWED_HEADERS.includes(h))).toEqual([]);
    expect(headers.cookie).toBeUndefined();
    expect(headers['user-agent'] ?? '').not.toContain(os.hostname());
    expect((await preview()).pending).toBe(0);

    // A restart and more ticks never send that week again.
    now += 3_600_000;
    host = await fixture.reopen(options);
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('keeps the drawn send time across a restart, and a failed send is quiet and retried', async () => {
    await host.handle('consent.set', { purpose: 'usage-statistics', given: true });
    await host.handle('usage.setEndpoint', { endpoint });
    await backupOnce();
    const sendAfter = await endTheWeek();
    host = await fixture.reopen(options);
    expect((await preview()).nextSendAt).toBe(new Date(sendAfter).toISOString());

    now = sendAfter;
    answer = 503;
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toHaveLength(1);
    expect((await preview()).pending).toBe(1);
    answer = 204;
    now += 3_600_000;
    expect(await host.usageReporting.tick()).toBe(1);
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toBe(received[0]?.body); // the same randomised report, not a new draw
  });

  it('refuses an address that is not https, except on 127.0.0.1 or localhost', async () => {
    await expect(host.handle('usage.setEndpoint', { endpoint: 'file:///etc/passwd' })).rejects.toThrow(/http/);
    await expect(host.handle('usage.setEndpoint', { endpoint: 'http://stats.example.com/' })).rejects.toThrow(/https/);
    await host.handle('usage.setEndpoint', { endpoint: 'https://stats.example.com/v2' });
    expect(((await host.handle('usage.preview', {})) as { endpoint: string }).endpoint).toBe(
      'https://stats.example.com/v2',
    );
  });

  it('withdrawing consent deletes what was not sent and stops sending', async () => {
    await host.handle('consent.set', { purpose: 'usage-statistics', given: true });
    await host.handle('usage.setEndpoint', { endpoint });
    await backupOnce();
    const sendAfter = await endTheWeek();
    await host.handle('consent.set', { purpose: 'usage-statistics', given: false });
    now = sendAfter + 3_600_000;
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toEqual([]);
    expect((await preview()).pending).toBe(0);
  });
});
