/**
 * Managing what is protected after the first run: a folder's excludes replaced
 * (`sources.setExcludes`, used by the next backup and audited), and a repository removed from the
 * app (`repo.remove`): refused while a task uses it, its data left where it is, its catalog rows
 * gone, and a re-connect bringing it back with its recovery points.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { backUp, TestHost, repositoryWithSource as withSource } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;

beforeEach(async () => {
  fixture = await TestHost.open('manage');
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

async function repositoryWithSource(): Promise<{ repositoryId: string; sourceId: number; src: string }> {
  const src = path.join(tmp, 'src');
  await fs.mkdir(path.join(src, 'node_modules'), { recursive: true });
  await fs.writeFile(path.join(src, 'a.txt'), 'kept');
  await fs.writeFile(path.join(src, 'node_modules', 'dep.js'), 'excluded');
  const ids = await withSource(host, { location: path.join(tmp, 'repo'), source: src });
  return { ...ids, src };
}

async function auditActions(): Promise<{ action: string; details: Record<string, unknown> }[]> {
  return host.call('audit.list', { limit: 100 });
}

describe('sources.setExcludes', () => {
  it('replaces the excludes, which the next backup follows, and audits the change', async () => {
    const { repositoryId, sourceId, src } = await repositoryWithSource();
    const updated = await host.call('sources.setExcludes', {
      id: sourceId,
      excludes: ['node_modules', ' ', 'node_modules', '*.tmp'],
    });
    expect(updated.excludes).toEqual(['node_modules', '*.tmp']);
    expect((await host.call('sources.list', { repositoryId }))[0]?.excludes).toEqual(['node_modules', '*.tmp']);
    const snapshotId = await backUp(host, repositoryId);
    const names = (await host.call('snapshots.browse', { repositoryId, snapshotId, path: src })).map((e) => e.name);
    expect(names).toContain('a.txt');
    expect(names).not.toContain('node_modules');
    const entry = (await auditActions()).find((e) => e.action === 'source.excludes-changed');
    expect(entry?.details).toMatchObject({ sourceId, path: src, added: ['node_modules', '*.tmp'], removed: [] });

    await host.call('sources.setExcludes', { id: sourceId, excludes: [] });
    expect((await host.call('sources.list', { repositoryId }))[0]?.excludes).toEqual([]);
  });

  it('refuses an unknown folder', async () => {
    await expect(host.call('sources.setExcludes', { id: 999, excludes: [] })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});

describe('repo.remove', () => {
  it('is refused while a task uses the repository', async () => {
    const { repositoryId, src } = await repositoryWithSource();
    await fs.writeFile(path.join(src, 'big.bin'), randomBytes(64 * 1024 * 1024));
    const { taskId } = await host.call('backup.start', { repositoryId });
    await expect(host.call('repo.remove', { repositoryId })).rejects.toMatchObject({ code: 'locked' });
    await host.call('tasks.cancel', { id: taskId }).catch(() => undefined);
    await host.tasks.settled(taskId);
    expect((await host.call('repo.list', {})).map((r) => r.id)).toContain(repositoryId);
  });

  it('forgets the repository, leaves its data, and a re-connect brings it back', async () => {
    const { repositoryId, src } = await repositoryWithSource();
    const snapshotId = await backUp(host, repositoryId);
    await host.call('retention.set', { repositoryId, policy: { last: 3 }, prune: false });
    const location = path.join(tmp, 'repo');
    const before = await fs.readdir(location);

    await host.call('repo.remove', { repositoryId });
    expect(await host.call('repo.list', {})).toEqual([]);
    expect(await host.call('sources.list', {})).toEqual([]);
    expect((await host.call('app.status', {})).repositories).toEqual([]);
    await expect(host.call('snapshots.list', { repositoryId })).rejects.toMatchObject({ code: 'not-found' });
    expect(await fs.readdir(location)).toEqual(before);
    expect((await fs.readdir(path.join(location, 'snapshots'))).length).toBeGreaterThan(0);
    const removed = (await auditActions()).find((e) => e.action === 'repository.removed');
    expect(removed?.details).toMatchObject({ repositoryId, location, sources: 1 });
    // History stays in the records.
    expect((await auditActions()).some((e) => e.action === 'source.added')).toBe(true);
    await expect(host.call('repo.remove', { repositoryId })).rejects.toMatchObject({ code: 'not-found' });

    const back = await host.call('repo.connect', { location, password: 'pw', label: 'Again', region: 'this-device' });
    expect(back.id).toBe(repositoryId);
    expect((await host.call('snapshots.list', { repositoryId })).map((s) => s.id)).toContain(snapshotId);
    expect(await host.call('sources.list', { repositoryId })).toEqual([]);
    expect(await host.call('retention.get', { repositoryId })).toBeNull();
    expect(src).toBeTruthy();
  });
});
