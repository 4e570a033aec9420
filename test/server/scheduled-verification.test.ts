/**
 * Scheduled rolling verification: an unlocked repository gets a verification slice (a 'check'
 * task reading packs) when one is due, once per period — the time of the last one is kept in the
 * catalog across restarts — and locked repositories are left alone.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { lastVerificationRunKey } from '../../src/app/host/scheduled-verification.js';
import { createRepository, runTask, TestHost } from '../support/host.js';

let fixture: TestHost | undefined;
let tmp: string;

/** A host ticking every `tickMs`: the first in a new temp folder, the next a restart of it. */
async function open(tickMs: number): Promise<EngineHost> {
  const options = { verification: { tickMs, everyMs: 60 * 60 * 1000 } };
  if (fixture) return fixture.reopen(options);
  fixture = await TestHost.open('sched-verify', options);
  tmp = fixture.tmp;
  return fixture.host;
}

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

interface TaskInfo {
  kind: string;
  status: string;
  result: Record<string, unknown> | null;
}

describe('scheduled verification', () => {
  it('verifies a slice of each unlocked repository once per period', async () => {
    const h = await open(60_000);
    const src = path.join(tmp, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'a.txt'), 'verify me');
    const repo = await createRepository(h, { location: path.join(tmp, 'repo') });
    await h.handle('sources.add', { repositoryId: repo.id, path: src });
    await runTask(h, 'backup.start', { repositoryId: repo.id });

    // A new host ticking quickly: the slice starts on its own, once.
    const again = await open(50);
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
    const h = await open(50);
    const repo = await createRepository(h, { location: path.join(tmp, 'repo') });
    await h.handle('repo.lock', { repositoryId: repo.id });
    await new Promise((r) => setTimeout(r, 300));
    const tasks = (await h.handle('tasks.list', {})) as TaskInfo[];
    expect(tasks.filter((t) => t.kind === 'check')).toHaveLength(0);
  });
});
