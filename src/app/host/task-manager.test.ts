import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../contract/errors.js';
import { Catalog } from '../catalog/catalog.js';
import { type Task, TaskFailure, TaskManager } from './task-manager.js';

describe('TaskManager', () => {
  let dir: string;
  let catalog: Catalog;
  let tasks: TaskManager;
  let seen: Task[];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-tasks-'));
    catalog = Catalog.open(dir);
    tasks = new TaskManager(catalog, 250);
    seen = [];
    tasks.subscribe((t) => seen.push(t));
  });

  afterEach(async () => {
    await tasks.close();
    catalog.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs a task queued → running → succeeded, persisting result and messages', async () => {
    const task = tasks.start({
      kind: 'check',
      repositoryId: 'r1',
      run: async (ctx) => {
        ctx.message('hello');
        ctx.message('careful', 'warning');
        ctx.progress({ files: 3, bytes: 30, totalBytes: 60, currentPath: '/a' });
        return { answer: 42 };
      },
    });
    expect(task.status).toBe('queued');
    const done = await tasks.settled(task.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      result: { answer: 42 },
      messages: ['hello', 'warning: careful'],
    });
    expect(done.progress).toMatchObject({ files: 3, bytes: 30, totalBytes: 60, currentPath: '/a', etaSeconds: null });
    expect(seen.map((t) => t.status)).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    expect(catalog.getTask(task.id)?.status).toBe('succeeded');
    expect(tasks.list(10).map((t) => t.id)).toEqual([task.id]);
  });

  it('reports speed (bytes per second since the start) and the estimated file count', async () => {
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      const task = tasks.start({
        kind: 'backup',
        repositoryId: 'r1',
        run: async (ctx) => {
          clock.mockReturnValue(start + 4000);
          ctx.progress({ files: 2, bytes: 8_000_000, totalBytes: 16_000_000, filesTotal: 5 });
          return {};
        },
      });
      const done = await tasks.settled(task.id);
      expect(done.progress).toMatchObject({ bytesPerSecond: 2_000_000, filesTotal: 5, files: 2 });
    } finally {
      clock.mockRestore();
    }
  });

  describe('time left', () => {
    const MB = 1024 * 1024;
    let now: number;
    let timed: TaskManager;
    let etas: Array<number | null>;

    beforeEach(() => {
      now = 1_000_000;
      // The manager's own clock, moved by the test: each report below is at least an interval
      // after the last, so each one is emitted at once.
      timed = new TaskManager(catalog, 250, () => now);
      etas = [];
      timed.subscribe((t) => {
        if (t.status === 'running' && t.progress) etas.push(t.progress.etaSeconds);
      });
    });

    afterEach(async () => {
      await timed.close();
    });

    /** Runs a task that reports `steps` in turn, one second apart; returns the estimates emitted. */
    async function estimates(steps: Array<{ bytes: number; totalBytes?: number | null; fraction?: number }>) {
      const task = timed.start({
        kind: 'backup',
        repositoryId: 'r1',
        run: async (ctx) => {
          for (const step of steps) {
            ctx.progress({ files: 0, ...step });
            now += 1000;
          }
          return {};
        },
      });
      const done = await timed.settled(task.id);
      expect(done.progress?.etaSeconds).toBeNull();
      expect(etas).toHaveLength(steps.length);
      return etas;
    }

    it('is the bytes still to read at the rate measured, after a few seconds and megabytes', async () => {
      // 10 MB a second of 200 MB: nothing for the first 3 seconds, then (200 - done) / 10.
      const steps = Array.from({ length: 8 }, (_, i) => ({ bytes: i * 10 * MB, totalBytes: 200 * MB }));
      expect(await estimates(steps)).toEqual([null, null, null, 17, 16, 15, 14, 13]);
    });

    it('waits for a few megabytes, or ten seconds of a slow task', async () => {
      // 100 KB a second of 3 MB: below the megabytes the estimate waits for, until 10 seconds.
      const steps = Array.from({ length: 12 }, (_, i) => ({ bytes: i * 100 * 1024, totalBytes: 3 * MB }));
      const seen = await estimates(steps);
      expect(seen.slice(0, 10)).toEqual(Array(10).fill(null));
      expect(seen.slice(10)).toEqual([21, 20]);
    });

    it('is null while the total is unknown, then given at once from the rate measured meanwhile', async () => {
      const steps = Array.from({ length: 7 }, (_, i) => ({
        bytes: i * 10 * MB,
        totalBytes: i < 5 ? null : 100 * MB,
      }));
      expect(await estimates(steps)).toEqual([null, null, null, null, null, 5, 4]);
    });

    it('is smoothed: a rate that swings every second moves the estimate by little', async () => {
      // 30 MB, then 5 MB, in turn: a raw estimate would swing between (left / 30 MB) and (left / 5 MB).
      let bytes = 0;
      const steps = Array.from({ length: 30 }, (_, i) => {
        if (i > 0) bytes += (i % 2 === 1 ? 30 : 5) * MB;
        return { bytes, totalBytes: 1000 * MB };
      });
      const seen = (await estimates(steps)).filter((eta): eta is number => eta !== null);
      expect(seen.length).toBeGreaterThan(20);
      for (let i = 1; i < seen.length; i++) {
        const ratio = (seen[i] as number) / (seen[i - 1] as number);
        expect(ratio).toBeGreaterThan(0.8);
        expect(ratio).toBeLessThan(1.25);
      }
    });

    it('follows the fraction done of a task that counts objects', async () => {
      const steps = Array.from({ length: 6 }, (_, i) => ({ bytes: 0, fraction: i * 0.05 }));
      expect(await estimates(steps)).toEqual([null, null, null, 17, 16, 15]);
    });
  });

  it('throttles progress to one update per interval and keeps the latest', async () => {
    const task = tasks.start({
      kind: 'backup',
      repositoryId: null,
      run: async (ctx) => {
        for (let i = 1; i <= 1000; i++) ctx.progress({ files: i, bytes: i });
        return {};
      },
    });
    const done = await tasks.settled(task.id);
    const progressUpdates = seen.filter((t) => t.status === 'running' && t.progress !== null);
    expect(progressUpdates.length).toBeLessThanOrEqual(2);
    expect(done.progress).toMatchObject({ files: 1000, bytes: 1000 });
  });

  it('cancels through the signal: cancelling, then cancelled', async () => {
    const task = tasks.start({
      kind: 'backup',
      repositoryId: 'r1',
      run: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          ctx.progress({ files: 0, bytes: 0 });
        }),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(tasks.cancel(task.id).status).toBe('cancelling');
    const done = await tasks.settled(task.id);
    expect(done.status).toBe('cancelled');
    expect(tasks.cancel(task.id).status).toBe('cancelled');
  });

  it('refuses a second task with the same exclusive key, and records failures', async () => {
    let release!: () => void;
    const first = tasks.start({
      kind: 'backup',
      repositoryId: 'r1',
      exclusiveKey: 'backup:r1',
      busyMessage: 'a backup is already running',
      run: () => new Promise((resolve) => (release = () => resolve({}))),
    });
    expect(() =>
      tasks.start({ kind: 'backup', repositoryId: 'r1', exclusiveKey: 'backup:r1', run: async () => ({}) }),
    ).toThrow(ContractError);
    await new Promise((r) => setTimeout(r, 20));
    release();
    await tasks.settled(first.id);
    const failed = tasks.start({
      kind: 'restore',
      repositoryId: 'r1',
      run: async () => {
        throw new TaskFailure('2 item(s) could not be restored', { errors: 2 });
      },
    });
    expect(await tasks.settled(failed.id)).toMatchObject({
      status: 'failed',
      error: '2 item(s) could not be restored',
      result: { errors: 2 },
    });
    expect(() => tasks.cancel(failed.id)).toThrow(/already finished/);
  });
});
