/**
 * Scheduled backups through the contract: a source given a schedule is backed up by the engine's
 * scheduler as an ordinary task (a source that never ran catches up at once), its next run is
 * listed, and a suspended computer runs nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { TestHost, repositoryWithSource as withSource } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;

beforeEach(async () => {
  fixture = await TestHost.open('schedule');
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

async function repositoryWithSource(): Promise<{ repositoryId: string; sourceId: number }> {
  const src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'a.txt'), 'scheduled');
  return withSource(host, { location: path.join(tmp, 'repo'), source: src });
}

describe('scheduled backups', () => {
  it('backs up a newly scheduled source at once, then lists its next run', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    const updated = (await host.handle('sources.setSchedule', {
      id: sourceId,
      schedule: { kind: 'interval', minutes: 60 },
    })) as { schedule: unknown; requireAcPower: boolean };
    expect(updated.schedule).toEqual({ kind: 'interval', minutes: 60 });
    expect(updated.requireAcPower).toBe(false);
    await vi.waitFor(
      async () => {
        const points = (await host.handle('snapshots.list', { repositoryId })) as unknown[];
        expect(points).toHaveLength(1);
      },
      { timeout: 20_000, interval: 100 },
    );
    await vi.waitFor(async () => {
      const tasks = (await host.handle('tasks.list', {})) as { kind: string; status: string }[];
      expect(tasks.filter((t) => t.kind === 'backup' && t.status === 'succeeded')).toHaveLength(1);
    });
    await vi.waitFor(async () => {
      const next = (await host.handle('schedule.next', {})) as { sourceId: number; at: string; reason: string }[];
      expect(next).toHaveLength(1);
      expect(next[0]?.sourceId).toBe(sourceId);
      const inMinutes = (Date.parse(next[0]?.at ?? '') - Date.now()) / 60_000;
      expect(inMinutes).toBeGreaterThan(58);
      expect(inMinutes).toBeLessThanOrEqual(60);
    });
  });

  it('runs nothing while suspended and refuses an invalid schedule', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    await host.handle('app.setPower', { onBattery: false, suspended: true });
    await host.handle('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 30 } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await host.handle('snapshots.list', { repositoryId })) as unknown[]).toHaveLength(0);
    await expect(
      host.handle('sources.setSchedule', { id: sourceId, schedule: { kind: 'daily', times: ['25:00'] } }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(
      host.handle('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 1 } }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
