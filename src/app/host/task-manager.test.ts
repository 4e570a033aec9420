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
