/**
 * Continuous protection in the app: with watching on, the engine host watches every source
 * folder, and a backup after a change reads only what the watcher saw change (the task says so);
 * the recovery point still equals a full rescan's.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineHost } from '../../src/app/host/engine-host.js';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { FAST_KDF } from '../engine/helpers.js';
import { createTestRepository } from './host-helpers.js';

let tmp: string;
let host: EngineHost;
let dataDir: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-app-watch-'));
  dataDir = path.join(tmp, 'data');
  host = EngineHost.open({ dataDir, validateResults: true, kdf: FAST_KDF, watch: true });
});
afterEach(async () => {
  await host.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

interface TaskView {
  status: string;
  result: Record<string, unknown> | null;
  messages: string[];
}

async function backupAndWait(repositoryId: string): Promise<TaskView> {
  const { taskId } = (await host.handle('backup.start', { repositoryId })) as { taskId: string };
  return vi.waitFor(
    async () => {
      const task = (await host.handle('tasks.get', { id: taskId })) as TaskView;
      if (task.status === 'running' || task.status === 'queued') throw new Error('still running');
      return task;
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** Waits until a ready watcher session covers `root` (the host starts watching in the background). */
async function watcherReady(root: string): Promise<void> {
  await vi.waitFor(
    () => {
      const store = JournalStore.open(dataDir);
      try {
        const s = store.session(root);
        expect(s?.readyAt ?? null).not.toBeNull();
      } finally {
        store.close();
      }
    },
    { timeout: 30_000, interval: 100 },
  );
}

describe('the app watches its source folders', () => {
  it('backs up only what changed once the watcher is ready', async () => {
    const src = path.join(tmp, 'src');
    for (let d = 0; d < 5; d++) {
      await fs.mkdir(path.join(src, `d${d}`), { recursive: true });
      for (let f = 0; f < 5; f++) await fs.writeFile(path.join(src, `d${d}`, `f${f}.txt`), `${d}/${f}`);
    }
    const repo = { id: await createTestRepository(host, path.join(tmp, 'repo')) };
    await host.handle('sources.add', { repositoryId: repo.id, path: src });
    await watcherReady(src);

    const first = await backupAndWait(repo.id);
    expect(first.status).toBe('succeeded');
    expect(first.result?.usedJournal).toBe(false);

    await fs.writeFile(path.join(src, 'd2', 'f3.txt'), 'changed');
    await vi.waitFor(
      () => {
        const store = JournalStore.open(dataDir);
        try {
          expect(store.changesUnder(path.join(src, 'd2'), 0).length).toBeGreaterThan(0);
        } finally {
          store.close();
        }
      },
      { timeout: 30_000, interval: 100 },
    );
    const second = await backupAndWait(repo.id);
    expect(second.status).toBe('succeeded');
    expect(second.result?.usedJournal).toBe(true);
    expect(second.result?.filesChanged).toBe(1);
    expect(second.result?.totalFiles).toBe(25);
    expect(second.messages.join('\n')).toMatch(/only what the watcher saw change was read/);
  }, 120_000);
});
