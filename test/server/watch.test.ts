/**
 * Continuous protection in the app: with watching on, the engine host watches every source
 * folder, and a backup after a change reads only what the watcher saw change (the task says so);
 * the recovery point still equals a full rescan's.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { createRepository, runTask, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let dataDir: string;

beforeEach(async () => {
  fixture = await TestHost.open('app-watch', { watch: true });
  ({ tmp, dataDir, host } = fixture);
});
afterEach(() => fixture?.close());

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
    const repo = await createRepository(host, { location: path.join(tmp, 'repo') });
    await host.handle('sources.add', { repositoryId: repo.id, path: src });
    await watcherReady(src);

    const first = await runTask(host, 'backup.start', { repositoryId: repo.id });
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
    const second = await runTask(host, 'backup.start', { repositoryId: repo.id });
    expect(second.status).toBe('succeeded');
    expect(second.result?.usedJournal).toBe(true);
    expect(second.result?.filesChanged).toBe(1);
    expect(second.result?.totalFiles).toBe(25);
    expect(second.messages.join('\n')).toMatch(/only what the watcher saw change was read/);
  }, 120_000);
});
