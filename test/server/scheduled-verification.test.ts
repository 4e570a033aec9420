/**
 * Scheduled rolling verification: an unlocked repository gets a verification slice (a 'check'
 * task reading packs) when one is due, once per period — the time of the last one is kept in the
 * catalog across restarts — and locked repositories are left alone.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineHost } from '../../src/app/host/engine-host.js';
import { lastVerificationRunKey } from '../../src/app/host/scheduled-verification.js';
import { FAST_KDF } from '../engine/helpers.js';
import { createTestRepository } from './host-helpers.js';

let tmp: string;
let host: EngineHost | undefined;

function open(tickMs: number): EngineHost {
  host = EngineHost.open({
    dataDir: path.join(tmp, 'data'),
    validateResults: true,
    kdf: FAST_KDF,
    verification: { tickMs, everyMs: 60 * 60 * 1000 },
  });
  return host;
}

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-sched-verify-'));
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await fs.rm(tmp, { recursive: true, force: true });
});

interface TaskInfo {
  kind: string;
  status: string;
  result: Record<string, unknown> | null;
}

describe('scheduled verification', () => {
  it('verifies a slice of each unlocked repository once per period', async () => {
    const h = open(60_000);
    const src = path.join(tmp, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'a.txt'), 'verify me');
    const repo = { id: await createTestRepository(h, path.join(tmp, 'repo')) };
    await h.handle('sources.add', { repositoryId: repo.id, path: src });
    const { taskId } = (await h.handle('backup.start', { repositoryId: repo.id })) as { taskId: string };
    await h.tasks.settled(taskId);
    await h.close();

    // A new host ticking quickly: the slice starts on its own, once.
    const again = open(50);
    await again.handle('repo.unlock', { repositoryId: repo.id, password: 'pw' });
    const checks = async () => ((await again.handle('tasks.list', {})) as TaskInfo[]).filter((t) => t.kind === 'check');
    await vi.waitFor(
      async () => {
        const list = await checks();
        expect(list).toHaveLength(1);
        expect(list[0]?.status).toBe('succeeded');
        expect(list[0]?.result?.packsRead).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 50 },
    );
    await new Promise((r) => setTimeout(r, 400)); // several more ticks: nothing is due
    expect(await checks()).toHaveLength(1);
    expect(again.catalog.getSetting(lastVerificationRunKey(repo.id), null)).not.toBeNull();
    const coverage = (await again.handle('verify.coverage', { repositoryId: repo.id })) as { verifiedShare: number };
    expect(coverage.verifiedShare).toBeGreaterThan(0);
  }, 60_000);

  it('leaves locked repositories alone', async () => {
    const h = open(50);
    const repo = { id: await createTestRepository(h, path.join(tmp, 'repo')) };
    await h.handle('repo.lock', { repositoryId: repo.id });
    await new Promise((r) => setTimeout(r, 300));
    const tasks = (await h.handle('tasks.list', {})) as TaskInfo[];
    expect(tasks.filter((t) => t.kind === 'check')).toHaveLength(0);
  });
});
