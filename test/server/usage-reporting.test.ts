/**
 * Sending usage statistics: nothing is counted or sent without consent; with consent and an
 * address set through the contract, the payload the Privacy screen previews is what a local
 * HTTP receiver gets (no paths, host names or repository ids), and withdrawing consent stops
 * it and deletes what was not sent.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let server: http.Server;
let received: string[];
let endpoint: string;

beforeEach(async () => {
  fixture = await TestHost.open('usage', { usageReporting: { periodMs: 0, tickMs: 3_600_000 } });
  ({ tmp, host } = fixture);
  received = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push(body);
      res.writeHead(204).end();
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

describe('usage statistics reporting', () => {
  it('sends nothing without consent, even with an address', async () => {
    await host.handle('usage.setEndpoint', { endpoint });
    await backupOnce();
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toEqual([]);
    const preview = (await host.handle('usage.preview', {})) as { enabled: boolean; payload: unknown };
    expect(preview.enabled).toBe(false);
    expect(preview.payload).toBeNull();
  });

  it('with consent, sends exactly the previewed payload, without anything identifying', async () => {
    await host.handle('consent.set', { purpose: 'usage-statistics', given: true });
    const repositoryId = await backupOnce();
    const preview = (await host.handle('usage.preview', {})) as { payload: Record<string, unknown> };
    expect(preview.payload).toMatchObject({ schema: 1, backups: 1 });
    // Without an address the payload waits in the outbox.
    expect(await host.usageReporting.tick()).toBe(0);
    expect(((await host.handle('usage.preview', {})) as { pending: number }).pending).toBe(1);

    await host.handle('usage.setEndpoint', { endpoint });
    expect(await host.usageReporting.tick()).toBe(1);
    expect(received).toHaveLength(1);
    const sent = JSON.parse(received[0] as string) as Record<string, unknown>;
    expect({ ...sent, period: undefined }).toEqual({ ...preview.payload, period: undefined });
    for (const secret of [os.hostname(), tmp, 'src-of-a-private-name', 'client-file', repositoryId])
      expect(received[0]).not.toContain(secret);
    expect(((await host.handle('usage.preview', {})) as { pending: number }).pending).toBe(0);
    const audit = (await host.handle('audit.list', { limit: 100 })) as { action: string }[];
    expect(audit.map((e) => e.action)).toContain('settings.changed');
  });

  it('refuses an address that is not http(s)', async () => {
    await expect(host.handle('usage.setEndpoint', { endpoint: 'file:///etc/passwd' })).rejects.toThrow(/http/);
  });

  it('withdrawing consent deletes what was not sent and stops sending', async () => {
    await host.handle('consent.set', { purpose: 'usage-statistics', given: true });
    await backupOnce();
    await host.handle('consent.set', { purpose: 'usage-statistics', given: false });
    await host.handle('usage.setEndpoint', { endpoint });
    expect(await host.usageReporting.tick()).toBe(0);
    expect(received).toEqual([]);
    expect(((await host.handle('usage.preview', {})) as { pending: number; payload: unknown }).pending).toBe(0);
  });
});
