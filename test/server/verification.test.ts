/**
 * Rolling verification through the contract: 'verify.slice' reads the next packs as a check task
 * and 'verify.coverage' reports the share read and found intact; repeated slices reach 100%, and a
 * damaged pack fails the slice that reads it and is named in the coverage's last failure.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { repositoryWithSource, runTask, TestHost } from '../support/host.js';

interface Coverage {
  windowDays: number;
  verifiedShare: number;
  packsTotal: number;
  packsVerified: number;
  oldestUnverifiedSince: string | null;
  neverVerified: number;
  lastFailure: { at: string; problems: { object: string; message: string }[] } | null;
}
interface TaskInfo {
  kind: string;
  status: string;
  error: string | null;
  result: Record<string, unknown> | null;
}

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let repositoryId: string;
const statusEvents: unknown[] = [];

async function coverage(windowDays?: number): Promise<Coverage> {
  return (await host.handle('verify.coverage', { repositoryId, windowDays })) as Coverage;
}

async function packFiles(): Promise<string[]> {
  const data = path.join(tmp, 'repo', 'data');
  const files: string[] = [];
  for (const dir of await fs.readdir(data))
    for (const name of await fs.readdir(path.join(data, dir))) files.push(path.join(data, dir, name));
  return files.sort();
}

beforeAll(async () => {
  fixture = await TestHost.open('verify', { dataFolder: 'app' });
  ({ tmp, host } = fixture);
  host.subscribe((e) => {
    if (e.name === 'app.status') statusEvents.push(e.payload);
  });
  const src = path.join(tmp, 'src');
  await fs.mkdir(src);
  for (let i = 0; i < 5; i++) await fs.writeFile(path.join(src, `file-${i}.bin`), randomBytes(8 * 1024 * 1024));
  ({ repositoryId } = await repositoryWithSource(host, { location: path.join(tmp, 'repo'), source: src }));
  const backup = await runTask(host, 'backup.start', { repositoryId });
  expect(backup.status).toBe('succeeded');
}, 120_000);

afterAll(() => fixture?.close());

describe('rolling verification', () => {
  it('reads one slice per call until every pack is verified, then fails on a damaged pack', async () => {
    const packs = await packFiles();
    expect(packs.length).toBeGreaterThanOrEqual(3);
    const before = await coverage();
    expect(before).toMatchObject({
      windowDays: 30,
      verifiedShare: 0,
      packsTotal: packs.length,
      packsVerified: 0,
      neverVerified: packs.length,
      oldestUnverifiedSince: null,
      lastFailure: null,
    });

    // With a 30-day window and fewer than 30 packs, each slice reads one pack.
    const eventsBefore = statusEvents.length;
    const first = await runTask(host, 'verify.slice', { repositoryId });
    expect(first.kind).toBe('check');
    expect(first.status).toBe('succeeded');
    expect(first.result).toMatchObject({ ok: true, packsPlanned: 1, packsRead: 1, packsVerified: 1 });
    expect(statusEvents.length).toBeGreaterThan(eventsBefore);
    const afterOne = await coverage();
    expect(afterOne.packsVerified).toBe(1);
    expect(afterOne.verifiedShare).toBeCloseTo(1 / packs.length);
    expect(afterOne.neverVerified).toBe(packs.length - 1);

    for (let i = 1; i < packs.length; i++) {
      const task = await runTask(host, 'verify.slice', { repositoryId });
      expect(task.status).toBe('succeeded');
    }
    const full = await coverage();
    expect(full).toMatchObject({ verifiedShare: 1, packsVerified: packs.length, neverVerified: 0, lastFailure: null });
    // The repository was checked: app.status shows it.
    const status = (await host.handle('app.status', {})) as { repositories: { lastCheckAt: string | null }[] };
    expect(status.repositories[0]?.lastCheckAt).not.toBeNull();

    // A one-day window still counts packs verified just now.
    expect((await coverage(1)).verifiedShare).toBe(1);

    // Damage one pack: the slice that reads it fails, and the failure names it.
    const damaged = packs[0] as string;
    const bytes = await fs.readFile(damaged);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0xff;
    await fs.writeFile(damaged, bytes);
    const damagedId = path.basename(damaged);

    let failed: TaskInfo | undefined;
    for (let i = 0; i < packs.length && !failed; i++) {
      const task = await runTask(host, 'verify.slice', { repositoryId });
      if (task.status === 'failed') failed = task;
      else expect(task.status).toBe('succeeded');
    }
    expect(failed).toBeDefined();
    expect(failed?.error).toContain(damagedId.slice(0, 12));
    expect(failed?.result).toMatchObject({ ok: false });
    const after = await coverage();
    expect(after.lastFailure).not.toBeNull();
    expect(after.lastFailure?.problems.some((p) => p.object === `pack ${damagedId.slice(0, 12)}`)).toBe(true);
    expect(after.packsVerified).toBe(packs.length - 1);
    expect(after.verifiedShare).toBeCloseTo((packs.length - 1) / packs.length);

    // The damaged pack stays first in line: the next slice reads it again and fails again.
    const again = await runTask(host, 'verify.slice', { repositoryId });
    expect(again.status).toBe('failed');

    // Coverage is available while the repository is locked (no key needed).
    await host.handle('repo.lock', { repositoryId });
    expect((await coverage()).packsTotal).toBe(packs.length);
  }, 180_000);

  it('counts a full check.start --read-data and refuses unknown repositories', async () => {
    await host.handle('repo.unlock', { repositoryId, password: 'pw' });
    const packs = await packFiles();
    const check = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(check.status).toBe('failed');
    const cov = await coverage();
    // Every pack but the damaged one was read just now and found intact.
    expect(cov.packsVerified).toBe(packs.length - 1);
    expect(cov.lastFailure?.problems.length).toBeGreaterThan(0);
    await expect(host.handle('verify.coverage', { repositoryId: 'nope' })).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(host.handle('verify.slice', { repositoryId, windowDays: 0 })).rejects.toMatchObject({
      code: 'invalid-request',
    });
  }, 120_000);
});
