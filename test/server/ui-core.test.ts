/**
 * The contract methods behind the Recovery points, Restore and Settings screens, with a real
 * EngineHost, catalog, repository and temp folders: diff of two points, file-name search with
 * version history, restore preview (decisions match the real restore, nothing is written),
 * restore to the original place, key slots and the recovery key, app settings, and the local
 * folder browser.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { generateRecoveryKey, normalizeRecoveryKey } from '../../src/app/services/keys.js';
import { ContractError } from '../../src/contract/errors.js';
import { backUp, repositoryWithSource, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let src: string;
let repositoryId: string;

beforeEach(async () => {
  fixture = await TestHost.open('ui-core');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  await fs.mkdir(path.join(src, 'notes'), { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'first version of the report');
  await fs.writeFile(path.join(src, 'notes', 'todo.txt'), 'buy milk');
  await fs.writeFile(path.join(src, 'notes', 'old.txt'), 'to be deleted');
  ({ repositoryId } = await repositoryWithSource(host, {
    location: path.join(tmp, 'repo'),
    region: 'EU',
    source: src,
  }));
});
afterEach(() => fixture?.close());

/** Two points: the second changes report.txt, adds new.txt, removes notes/old.txt. */
async function twoPoints(): Promise<{ first: string; second: string }> {
  const first = await backUp(host, repositoryId);
  await fs.writeFile(path.join(src, 'report.txt'), 'second version of the report, longer');
  await fs.writeFile(path.join(src, 'new.txt'), 'a new file');
  await fs.rm(path.join(src, 'notes', 'old.txt'));
  const second = await backUp(host, repositoryId);
  return { first, second };
}

async function expectError(run: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContractError);
  expect((err as ContractError).code).toBe(code);
  if (message) expect((err as ContractError).message).toMatch(message);
}

describe('snapshots.diff', () => {
  it('lists what was added, removed and modified between two points', async () => {
    const { first, second } = await twoPoints();
    const diff = await host.call('snapshots.diff', { repositoryId, a: first, b: second });
    const byPath = new Map(diff.changes.map((c) => [c.path, c]));
    expect(byPath.get(path.join(src, 'report.txt'))?.change).toBe('modified');
    expect(byPath.get(path.join(src, 'report.txt'))?.sizeAfter).toBe(36);
    expect(byPath.get(path.join(src, 'new.txt'))?.change).toBe('added');
    expect(byPath.get(path.join(src, 'notes', 'old.txt'))?.change).toBe('removed');
    expect(byPath.has(path.join(src, 'notes', 'todo.txt'))).toBe(false);
    expect(diff.counts).toMatchObject({ added: 1, removed: 1, modified: 1 });
    expect(diff.truncated).toBe(false);

    const limited = await host.call('snapshots.diff', { repositoryId, a: first, b: second, limit: 1 });
    expect(limited.changes).toHaveLength(1);
    expect(limited.truncated).toBe(true);
    expect(limited.counts).toEqual(diff.counts);
  });

  it('refuses an unknown recovery point', async () => {
    await backUp(host, repositoryId);
    await expectError(host.call('snapshots.diff', { repositoryId, a: 'latest', b: 'abcdef12' }), 'not-found');
  });
});

describe('snapshots.search', () => {
  it('finds a file name across points, case-insensitively, with its versions newest first', async () => {
    const { first, second } = await twoPoints();
    const result = await host.call('snapshots.search', { repositoryId, query: 'REPORT' });
    expect(result.snapshotsSearched).toBe(2);
    expect(result.truncated).toBe(false);
    const hit = result.hits.find((h) => h.path === path.join(src, 'report.txt'));
    expect(hit?.versions.map((v) => v.snapshotId)).toEqual([second, first]);
    expect(hit?.versions.map((v) => v.size)).toEqual([36, 27]);
    expect(hit?.versions.map((v) => v.changed)).toEqual([true, true]);

    const todo = await host.call('snapshots.search', { repositoryId, query: 'todo' });
    expect(todo.hits).toHaveLength(1);
    // Unchanged between the points: the newer version is marked as the same content.
    expect(todo.hits[0]?.versions.map((v) => v.changed)).toEqual([false, true]);

    const old = await host.call('snapshots.search', { repositoryId, query: 'old.txt' });
    expect(old.hits[0]?.versions.map((v) => v.snapshotId)).toEqual([first]);
  });

  it('stops at its limits and says so', async () => {
    await twoPoints();
    const few = await host.call('snapshots.search', { repositoryId, query: '.txt', limit: 2 });
    expect(few.hits.length).toBeLessThanOrEqual(2);
    expect(few.truncated).toBe(true);
    const shallow = await host.call('snapshots.search', { repositoryId, query: 'todo', maxFolders: 1 });
    expect(shallow.truncated).toBe(true);
    expect(shallow.hits).toHaveLength(0);
  });
});

describe('restore.preview', () => {
  it('reports new, skipped, overwritten and kept-both files and writes nothing', async () => {
    const { second } = await twoPoints();
    const target = path.join(tmp, 'restore-here');
    const report = path.join(target, src, 'report.txt');
    await fs.mkdir(path.dirname(report), { recursive: true });
    await fs.writeFile(report, 'a local copy');
    const before = await listAll(target);

    const skip = await host.call('restore.preview', { repositoryId, snapshotId: second, target });
    const actions = new Map(skip.items.map((i) => [i.path, i.action]));
    expect(actions.get(path.join(src, 'report.txt'))).toBe('skip');
    expect(actions.get(path.join(src, 'new.txt'))).toBe('new');
    expect(actions.get(path.join(src, 'notes', 'todo.txt'))).toBe('new');
    expect(skip.counts).toEqual({ new: 2, overwrite: 0, skip: 1, keepBoth: 0 });
    expect(skip.items.find((i) => i.action === 'new')?.destination.startsWith(target)).toBe(true);

    const overwrite = await host.call('restore.preview', {
      repositoryId,
      snapshotId: second,
      target,
      overwrite: 'always',
    });
    expect(overwrite.counts.overwrite).toBe(1);
    const both = await host.call('restore.preview', { repositoryId, snapshotId: second, target, keepBoth: true });
    const kept = both.items.find((i) => i.action === 'keep-both');
    expect(kept?.destination).toMatch(/report \(restored \d{4}-\d\d-\d\d [0-9a-f]{8}\)\.txt$/);

    const one = await host.call('restore.preview', {
      repositoryId,
      snapshotId: second,
      target,
      include: [path.join(src, 'new.txt')],
    });
    expect(one.items.map((i) => i.path)).toEqual([path.join(src, 'new.txt')]);

    // Nothing was written by any preview.
    expect(await listAll(target)).toEqual(before);
    expect(await fs.readFile(report, 'utf8')).toBe('a local copy');

    // The real restore makes the same decisions.
    const { taskId } = await host.call('restore.start', { repositoryId, snapshotId: second, target, keepBoth: true });
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    expect(await fs.readFile(report, 'utf8')).toBe('a local copy');
    expect(await fs.readFile(kept?.destination ?? '', 'utf8')).toBe('second version of the report, longer');
    expect(await fs.readFile(path.join(target, src, 'new.txt'), 'utf8')).toBe('a new file');
  });

  it('restores to the original place ("/") only what was selected, after previewing it', async () => {
    const { first } = await twoPoints();
    await fs.writeFile(path.join(src, 'report.txt'), 'edited after the backups');
    const include = [path.join(src, 'report.txt'), path.join(src, 'notes', 'old.txt')];
    const preview = await host.call('restore.preview', {
      repositoryId,
      snapshotId: first,
      target: '/',
      include,
      overwrite: 'always',
    });
    expect(preview.target).toBe('/');
    expect(new Map(preview.items.map((i) => [i.destination, i.action]))).toEqual(
      new Map([
        [path.join(src, 'notes', 'old.txt'), 'new'],
        [path.join(src, 'report.txt'), 'overwrite'],
      ]),
    );
    const { taskId } = await host.call('restore.start', {
      repositoryId,
      snapshotId: first,
      target: '/',
      include,
      overwrite: 'always',
    });
    const task = await host.tasks.settled(taskId);
    expect(task.status, task.error ?? '').toBe('succeeded');
    expect(await fs.readFile(path.join(src, 'report.txt'), 'utf8')).toBe('first version of the report');
    expect(await fs.readFile(path.join(src, 'notes', 'old.txt'), 'utf8')).toBe('to be deleted');
    // new.txt is not in the first point and was not touched.
    expect(await fs.readFile(path.join(src, 'new.txt'), 'utf8')).toBe('a new file');
  });

  it('refuses a relative target', async () => {
    await backUp(host, repositoryId);
    await expectError(
      host.call('restore.preview', { repositoryId, snapshotId: 'latest', target: 'relative/dir' }),
      'invalid-argument',
      /absolute path/,
    );
  });
});

describe('keys', () => {
  it('adds a password, changes the current one, and removes slots', async () => {
    const initial = await host.call('keys.list', { repositoryId });
    expect(initial).toHaveLength(1);
    expect(initial[0]?.current).toBe(true);

    const laptop = await host.call('keys.add', { repositoryId, password: 'laptop pw', label: 'laptop' });
    expect(laptop.label).toBe('laptop');
    await host.call('keys.changePassword', { repositoryId, newPassword: 'new pw' });
    const slots = await host.call('keys.list', { repositoryId });
    expect(slots).toHaveLength(2);

    await host.call('repo.lock', { repositoryId });
    await expectError(host.call('repo.unlock', { repositoryId, password: 'pw' }), 'wrong-password');
    await host.call('repo.unlock', { repositoryId, password: 'new pw' });
    await host.call('repo.lock', { repositoryId });
    await host.call('repo.unlock', { repositoryId, password: 'laptop pw' });

    const current = (await host.call('keys.list', { repositoryId })).find((s) => s.current);
    await expectError(host.call('keys.remove', { repositoryId, slotId: current?.id ?? '' }), 'invalid-argument');
    const other = (await host.call('keys.list', { repositoryId })).find((s) => !s.current);
    await host.call('keys.remove', { repositoryId, slotId: other?.id ?? '' });
    expect(await host.call('keys.list', { repositoryId })).toHaveLength(1);
    await expectError(
      host.call('keys.add', { repositoryId, password: 'x', label: 'Recovery key' }),
      'invalid-argument',
    );
  });

  it('makes a recovery key that unlocks (also typed loosely) and replaces the previous one', async () => {
    const kit = await host.call('keys.createRecoveryKey', { repositoryId });
    expect(kit.recoveryKey).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){5}[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(kit.label).toBe('Disk');
    const slots = await host.call('keys.list', { repositoryId });
    expect(slots.filter((s) => s.recoveryKey).map((s) => s.id)).toEqual([kit.slotId]);

    await host.call('repo.lock', { repositoryId });
    const loose = kit.recoveryKey.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    await host.call('repo.unlock', { repositoryId, password: loose });

    // Unlocked with the recovery key: a new password gets its own slot, the key keeps working.
    await host.call('keys.changePassword', { repositoryId, newPassword: 'fresh pw' });
    const again = await host.call('keys.createRecoveryKey', { repositoryId });
    expect(again.recoveryKey).not.toBe(kit.recoveryKey);
    await host.call('repo.lock', { repositoryId });
    await host.call('repo.unlock', { repositoryId, password: 'fresh pw' });
    const third = await host.call('keys.createRecoveryKey', { repositoryId });
    const recovery = (await host.call('keys.list', { repositoryId })).filter((s) => s.recoveryKey);
    expect(recovery.map((s) => s.id)).toEqual([third.slotId]);
    await host.call('repo.lock', { repositoryId });
    await expectError(host.call('repo.unlock', { repositoryId, password: kit.recoveryKey }), 'wrong-password');
    await host.call('repo.unlock', { repositoryId, password: third.recoveryKey });
  });

  it('generates distinct, well-formed keys and normalizes what people type', () => {
    const a = generateRecoveryKey();
    expect(generateRecoveryKey()).not.toBe(a);
    expect(normalizeRecoveryKey(a.toLowerCase())).toBe(a);
    expect(normalizeRecoveryKey('too short')).toBeNull();
    expect(normalizeRecoveryKey('il0oo-11111-22222-33333-44444-55555')).toBe('11000-11111-22222-33333-44444-55555');
  });
});

describe('settings and local folders', () => {
  it('keeps settings and announces changes', async () => {
    expect(await host.call('settings.get', {})).toEqual({ launchAtLogin: true, notifications: true, webhook: null });
    const seen: unknown[] = [];
    host.subscribe((e) => {
      if (e.name === 'settings.updated') seen.push(e.payload);
    });
    expect(await host.call('settings.set', { notifications: false })).toEqual({
      launchAtLogin: true,
      notifications: false,
      webhook: null,
    });
    expect(seen).toEqual([{ launchAtLogin: true, notifications: false, webhook: null }]);
    await host.call('settings.set', { launchAtLogin: false });
    expect(await host.call('settings.get', {})).toEqual({ launchAtLogin: false, notifications: false, webhook: null });
  });

  it('lists a folder (folders first), refuses relative paths, explains missing ones', async () => {
    const listing = await host.call('fs.list', { path: src });
    expect(listing.entries.map((e) => [e.name, e.type])).toEqual([
      ['notes', 'dir'],
      ['report.txt', 'file'],
    ]);
    expect(listing.parent).toBe(tmp);
    expect(listing.home).toBe(os.homedir());
    expect((await host.call('fs.list', {})).path).toBe(os.homedir());
    await expectError(host.call('fs.list', { path: 'some/where' }), 'invalid-argument', /absolute/);
    await expectError(host.call('fs.list', { path: path.join(tmp, 'missing') }), 'not-found', /does not exist/);
    await expectError(host.call('fs.list', { path: path.join(src, 'report.txt') }), 'invalid-argument', /not a folder/);
    const limited = await host.call('fs.list', { path: src, limit: 1 });
    expect(limited.truncated).toBe(true);
  });
});

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(d: string): Promise<void> {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(p);
      if (e.isDirectory()) await visit(p);
    }
  }
  await visit(dir).catch(() => undefined);
  return out.sort();
}
