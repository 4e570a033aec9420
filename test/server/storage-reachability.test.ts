/**
 * "Storage unreachable since …": the host's per-repository reachability tracker on its own (over
 * a memory backend), and through the contract with a real OpenSSH server that goes away. A
 * backup whose server stops half-way rides out the outage with retries, then fails as "storage
 * unreachable since HH:MM: <reason>" (the status says so, once, while it lasts) and leaves no
 * recovery point behind: the repository checks clean and the next backup completes. A scheduled
 * backup while the server is down is a failed task with that reason, and the scheduler retries
 * it with its backoff.
 */

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, EngineHost } from '../../src/app/host/engine-host.js';
import { clockTime, StorageReachability, unavailableError } from '../../src/app/host/storage-reachability.js';
import type { Result } from '../../src/contract/methods.js';
import { MemoryBackend } from '../../src/engine/backend/memory.js';
import { BackendError, type ObjectRef } from '../../src/engine/backend/types.js';
import { runTask, TestHost } from '../support/host.js';
import { makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';

const id = (n: number): string => n.toString(16).padStart(64, '0');
const refused = (): BackendError =>
  new BackendError(
    'unavailable',
    'could not reach sftp server u@127.0.0.1:1 while saving locks object 00: connection refused',
  );

describe('the reachability tracker', () => {
  let now: number;
  let changes: number;
  let monotonic: number;
  let tracker: StorageReachability;
  const retry = (error = refused()) => ({ operation: 'save', what: 'locks object', attempt: 1, delayMs: 10, error });

  beforeEach(() => {
    now = Date.parse('2026-12-07T14:02:00Z');
    changes = 0;
    monotonic = 0;
    tracker = new StorageReachability(
      () => now,
      () => changes++,
      () => monotonic,
    );
  });

  it('marks a repository unreachable at its first retry and keeps that time; tells of changes, a new reason at most every 30 s', () => {
    expect(tracker.of('r')).toEqual({ reachable: true, unreachableSince: null, reason: null });
    tracker.retrying('r', retry());
    expect(changes).toBe(1);
    now += 10_000;
    monotonic += 10_000;
    tracker.retrying('r', retry(new BackendError('unavailable', 'timed out')));
    expect(tracker.of('r')).toEqual({
      reachable: false,
      unreachableSince: '2026-12-07T14:02:00.000Z',
      reason: 'timed out',
    });
    expect(tracker.of('other').reachable).toBe(true);
    expect(changes).toBe(1);
    monotonic += 20_000;
    tracker.retrying('r', retry(new BackendError('unavailable', 'timed out')));
    expect(changes).toBe(1);
    tracker.retrying('r', retry());
    expect(changes).toBe(2);
    tracker.reachable('r');
    tracker.reachable('r');
    expect(tracker.of('r').reachable).toBe(true);
    expect(changes).toBe(3);
  });

  it('a failure counts only when the storage did not answer, found anywhere in its causes', () => {
    expect(tracker.failed('r', new BackendError('auth', 'refused the key'))).toBeUndefined();
    expect(tracker.failed('r', new Error('disk full'))).toBeUndefined();
    expect(tracker.of('r').reachable).toBe(true);
    const wrapped = new Error('the backup failed', { cause: refused() });
    expect(unavailableError(wrapped)?.code).toBe('unavailable');
    expect(tracker.failed('r', wrapped)).toMatchObject({
      reachable: false,
      unreachableSince: '2026-12-07T14:02:00.000Z',
    });
    expect(clockTime(Date.parse('2026-12-07T14:02:00Z'))).toMatch(/^\d\d:\d\d$/);
  });

  it('an operation that reached the storage and began after the last failure makes it reachable again', async () => {
    const backend = tracker.observe(() => 'r', new MemoryBackend());
    await backend.create();
    const data: ObjectRef = { kind: 'data', id: id(1) };
    await backend.save(data, Buffer.from('pack'));

    // An operation begun before the failure proves nothing, even when it ends after it.
    const begunBefore = backend.stat(data);
    tracker.retrying('r', retry());
    await begunBefore;
    expect(tracker.of('r').reachable).toBe(false);

    // Loads the local cache may answer (index, snapshots) prove nothing either.
    const index: ObjectRef = { kind: 'index', id: id(2) };
    await backend.save({ kind: 'snapshots', id: id(9) }, Buffer.from('s')).catch(() => undefined);
    tracker.retrying('r', retry());
    await backend.load({ kind: 'snapshots', id: id(9) });
    await backend.load(index).catch(() => undefined);
    expect(tracker.of('r').reachable).toBe(false);

    // A listing counts once it has completed; a pack's load, a save or a commit at once.
    const seen: string[] = [];
    for await (const entry of backend.list('data')) seen.push(entry.id);
    expect(seen).toEqual([id(1)]);
    expect(tracker.of('r').reachable).toBe(true);

    tracker.retrying('r', retry());
    const staged = await backend.stage('data');
    await staged.append(Buffer.from('more'));
    expect(tracker.of('r').reachable).toBe(false);
    await staged.commit(id(3));
    expect(tracker.of('r').reachable).toBe(true);
  });

  it('forgets a repository (locked): reachable again', async () => {
    tracker.retrying('r', retry());
    tracker.forget('r');
    expect(tracker.of('r').reachable).toBe(true);
  });
});

async function bytesBelow(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

type Status = Result<'app.status'>;

describe('a remote repository whose server goes away', () => {
  let sshd: TestSshd;
  let fixture: TestHost;
  let host: EngineHost;
  let remote: Awaited<ReturnType<typeof makeRemoteRepoPath>>;
  let now: number;
  let statuses: Status[];

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop({ remove: true });
  });

  beforeEach(async () => {
    now = Date.parse('2026-12-07T09:00:00Z');
    fixture = await TestHost.open('reachability', {
      clock: () => now,
      // Retries for 2 s instead of 5 minutes.
      storageRetry: { baseDelayMs: 50, maxDelayMs: 300, budgetMs: 2_000 },
    });
    host = fixture.host;
    remote = await makeRemoteRepoPath();
    statuses = [];
    host.subscribe((event: EngineEvent) => {
      if (event.name === 'app.status') statuses.push(event.payload);
    });
  });
  afterEach(async () => {
    // A test that failed half-way must not leave the server down for the next.
    await sshd.restart().catch(() => undefined);
    await fixture?.close();
    await remote?.cleanup();
  });

  const storage = () => ({
    sftp: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
    // Slowed to 2 MiB/s, a backup of 16 MiB is still sending when the server goes away.
    transfer: { uploadKiBps: 2048 },
  });

  async function remoteRepository(): Promise<{ repositoryId: string; sourceId: number; src: string }> {
    const src = path.join(fixture.tmp, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'first.txt'), 'the first recovery point\n');
    const repo = await host.call('repo.create', {
      location: `sftp://${sshd.user}@${sshd.host}:${sshd.port}${remote.path}`,
      password: 'pw',
      label: 'Home server',
      region: 'EU',
      storage: storage(),
    });
    expect(repo.storage).toEqual({ reachable: true, unreachableSince: null, reason: null });
    const added = await host.call('sources.add', { repositoryId: repo.id, path: src });
    return { repositoryId: repo.id, sourceId: added.id, src };
  }

  const storageOf = async (repositoryId: string) =>
    (await host.call('app.status', {})).repositories.find((r) => r.id === repositoryId)?.storage;

  it('a backup cut off half-way: "storage unreachable since …", no partial recovery point, and the next one completes', async () => {
    const { repositoryId, src } = await remoteRepository();
    const first = await runTask(host, 'backup.start', { repositoryId });
    expect(first.status, first.error ?? '').toBe('succeeded');
    const storedBefore = await bytesBelow(remote.path);
    await fs.writeFile(path.join(src, 'a.bin'), randomBytes(8 * 1024 * 1024));
    await fs.writeFile(path.join(src, 'b.bin'), randomBytes(8 * 1024 * 1024));

    now = Date.parse('2026-12-07T14:02:30Z');
    const { taskId } = await host.call('backup.start', { repositoryId });
    await vi.waitFor(() => expect(host.tasks.get(taskId).progress?.bytes ?? 0).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 50,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(host.tasks.get(taskId).status).toBe('running');
    statuses = [];
    await sshd.stop();
    const since = now;
    now += 5 * 60_000; // the failure is dated by the first failed attempt, not by the end

    const failed = await host.tasks.settled(taskId);
    expect(failed.status).toBe('failed');
    // It was cut off while sending: part of its data reached the server.
    expect((await bytesBelow(remote.path)) - storedBefore).toBeGreaterThan(1024 * 1024);
    expect(failed.error).toMatch(
      new RegExp(
        `^storage unreachable since ${clockTime(since)}: .*127\\.0\\.0\\.1:${sshd.port}.*gave up after \\d+ attempts`,
      ),
    );
    const down = await storageOf(repositoryId);
    expect(down).toMatchObject({ reachable: false, unreachableSince: new Date(since).toISOString() });
    expect(down?.reason).toContain(`127.0.0.1:${sshd.port}`);
    // Told once when it went away, not on every retry.
    const flips = statuses.map((s) => s.repositories[0]?.storage.reachable).filter((r, i, all) => r !== all[i - 1]);
    expect(flips).toEqual([false]);
    expect(statuses.at(-1)?.repositories[0]?.storage.unreachableSince).toBe(new Date(since).toISOString());

    await sshd.restart();
    // "Test connection" of its location reaches it: reachable again.
    const tested = await host.call('repo.testLocation', {
      location: `sftp://${sshd.user}@${sshd.host}:${sshd.port}${remote.path}`,
      storage: storage(),
    });
    expect(tested).toMatchObject({ reachable: true, repositoryExists: true });
    expect(await storageOf(repositoryId)).toEqual({ reachable: true, unreachableSince: null, reason: null });
    expect(statuses.at(-1)?.repositories[0]?.storage.reachable).toBe(true);

    // No partial recovery point: only the first one, and the repository checks clean.
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(1);
    const check = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(check.status, check.error ?? '').toBe('succeeded');
    expect(check.result).toMatchObject({ ok: true, snapshots: 1 });

    const again = await runTask(host, 'backup.start', { repositoryId });
    expect(again.status, again.error ?? '').toBe('succeeded');
    const points = await host.call('snapshots.list', { repositoryId });
    expect(points).toHaveLength(2);
    expect(points.every((p) => !p.partial)).toBe(true);
  }, 90_000);

  it('a scheduled backup while the server is down fails with the reason; the scheduler retries with backoff', async () => {
    const { repositoryId, sourceId } = await remoteRepository();
    await sshd.stop();
    now = Date.parse('2026-12-07T16:45:10Z');
    // Never run: due at once.
    await host.call('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 60 } });
    let task: Result<'tasks.list'>[number] | undefined;
    await vi.waitFor(
      async () => {
        task = (await host.call('tasks.list', {})).find((t) => t.kind === 'backup' && t.status === 'failed');
        expect(task).toBeDefined();
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(task?.error).toMatch(
      new RegExp(`^storage unreachable since ${clockTime(now)}: .*127\\.0\\.0\\.1:${sshd.port}`),
    );
    expect(await storageOf(repositoryId)).toMatchObject({
      reachable: false,
      unreachableSince: new Date(now).toISOString(),
    });
    // A failure for the scheduler: the next run is a retry after its first backoff (1 minute).
    await vi.waitFor(async () => {
      const [next] = await host.call('schedule.next', {});
      expect(next).toMatchObject({ sourceId, reason: 'retry' });
      const inSeconds = (Date.parse(next?.at ?? '') - Date.now()) / 1000;
      expect(inSeconds).toBeGreaterThan(45);
      expect(inSeconds).toBeLessThanOrEqual(60);
    });
    expect(await host.call('snapshots.list', { repositoryId }).catch(() => 'unreachable')).toBe('unreachable');

    // Back: the repository's next successful task shows it reachable.
    await sshd.restart();
    const check = await runTask(host, 'check.start', { repositoryId });
    expect(check.status, check.error ?? '').toBe('succeeded');
    expect((await storageOf(repositoryId))?.reachable).toBe(true);
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(0);
  }, 60_000);
});

describe('a backup cancelled while its storage is down', () => {
  let sshd: TestSshd;
  let fixture: TestHost;
  let remote: Awaited<ReturnType<typeof makeRemoteRepoPath>>;

  beforeAll(async () => {
    sshd = await startSshd();
    // The default retry budget (5 minutes): cancelling must not wait for it.
    fixture = await TestHost.open('reachability-cancel');
    remote = await makeRemoteRepoPath();
  });
  afterAll(async () => {
    await sshd?.restart().catch(() => undefined);
    await fixture?.close();
    await sshd?.stop({ remove: true });
    await remote?.cleanup();
  });

  it('stops at once instead of sitting out the retry pauses, and the repository checks clean afterwards', async () => {
    const host = fixture.host;
    const src = path.join(fixture.tmp, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'a.bin'), randomBytes(16 * 1024 * 1024));
    const repo = await host.call('repo.create', {
      location: `sftp://${sshd.user}@${sshd.host}:${sshd.port}${remote.path}`,
      password: 'pw',
      label: 'Home server',
      region: 'EU',
      storage: {
        sftp: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
        transfer: { uploadKiBps: 2048 },
      },
    });
    await host.call('sources.add', { repositoryId: repo.id, path: src });
    const { taskId } = await host.call('backup.start', { repositoryId: repo.id });
    await vi.waitFor(() => expect(host.tasks.get(taskId).progress?.bytes ?? 0).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 50,
    });
    await sshd.stop();
    await vi.waitFor(async () => expect((await storageOfHost(host, repo.id))?.reachable).toBe(false), {
      timeout: 20_000,
      interval: 100,
    });
    await host.call('tasks.cancel', { id: taskId });
    // Within the test's time limit, far below the 5-minute retry budget.
    const ended = await host.tasks.settled(taskId);
    expect(ended.status).toBe('cancelled');

    await sshd.restart();
    const check = await runTask(host, 'check.start', { repositoryId: repo.id });
    expect(check.status, check.error ?? '').toBe('succeeded');
    expect(await host.call('snapshots.list', { repositoryId: repo.id })).toHaveLength(0);
  }, 60_000);

  it('unlocking while the server is down fails at once with the reason, not after the retry budget', async () => {
    const host = fixture.host;
    const [repo] = await host.call('repo.list', {});
    if (!repo) throw new Error('the test before made the repository');
    await host.call('repo.lock', { repositoryId: repo.id });
    await sshd.stop();
    try {
      // Within the test's time limit, far below the 5-minute retry budget.
      await expect(host.call('repo.unlock', { repositoryId: repo.id, password: 'pw' })).rejects.toThrow(
        /could not reach sftp server/,
      );
      expect((await storageOfHost(host, repo.id))?.reachable).toBe(false);
    } finally {
      await sshd.restart();
    }
    // Back: the same unlock goes through, and the session retries as usual afterwards.
    await host.call('repo.unlock', { repositoryId: repo.id, password: 'pw' });
    expect((await storageOfHost(host, repo.id))?.reachable).toBe(true);
  }, 30_000);
});

async function storageOfHost(host: EngineHost, repositoryId: string) {
  return (await host.call('app.status', {})).repositories.find((r) => r.id === repositoryId)?.storage;
}
