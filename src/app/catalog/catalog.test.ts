import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { CATALOG_FILE, Catalog, INTERRUPTED_TASK_ERROR } from './catalog.js';
import { LATEST_CATALOG_VERSION } from './migrations.js';

let dir: string;
let catalog: Catalog | undefined;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-catalog-'));
});
afterEach(async () => {
  catalog?.close();
  catalog = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

function open(): Catalog {
  catalog = Catalog.open(dir);
  return catalog;
}

function reopen(): Catalog {
  catalog?.close();
  return open();
}

function thrown(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return err as CairnError;
  }
  throw new Error('expected a CairnError, nothing was thrown');
}

const repo = { id: 'repo-1', location: '/backups/one', label: 'Home backups', region: 'local' };
const home = path.resolve('/home/me');
const docs = path.resolve('/home/me/docs');

describe('Catalog.open', () => {
  it('creates the data folder and a WAL catalog at the latest schema version', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    catalog = Catalog.open(dataDir);
    const file = path.join(dataDir, CATALOG_FILE);
    expect(catalog.file).toBe(file);
    if (process.platform !== 'win32') {
      expect((await fs.stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    }
    const raw = new Database(file, { readonly: true, fileMustExist: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_CATALOG_VERSION);
    raw.close();
  });

  it('reopens an existing catalog without losing or duplicating anything', () => {
    open().addRepository(repo);
    catalog?.setSetting('theme', 'dark');
    const again = reopen();
    expect(again.listRepositories()).toHaveLength(1);
    expect(again.getSetting('theme', 'light')).toBe('dark');
    const third = reopen();
    expect(third.listRepositories().map((r) => r.id)).toEqual(['repo-1']);
  });

  it('enforces foreign keys on its connection', () => {
    const c = open();
    const err = thrown(() => c.addSource({ repositoryId: 'missing', path: home }));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/repository missing is not in the catalog/);
  });

  it('gives a clear error, and keeps the file, when catalog.sqlite is not a database', async () => {
    const file = path.join(dir, CATALOG_FILE);
    const garbage = Buffer.from('this is not a SQLite database at all\n'.repeat(200));
    await fs.writeFile(file, garbage);
    const err = thrown(() => Catalog.open(dir));
    expect(err.code).toBe('integrity');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a Cairn catalog/);
    expect(err.message).toMatch(/backups live in the repositories/);
    expect(err.message).toMatch(/delete or move/);
    expect(await fs.readFile(file)).toEqual(garbage);
  });

  it('reports a SQLite database that is not a Cairn catalog the same way', async () => {
    const file = path.join(dir, CATALOG_FILE);
    const other = new Database(file);
    other.exec('CREATE TABLE settings (name TEXT)');
    other.close();
    const err = thrown(() => Catalog.open(dir));
    expect(err.code).toBe('integrity');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/can be|delete or move/);
  });

  it('refuses an empty data folder name', () => {
    expect(thrown(() => Catalog.open('')).code).toBe('invalid-argument');
  });
});

describe('settings', () => {
  it('round-trip JSON values and fall back to the default', () => {
    const c = open();
    expect(c.getSetting('missing', 7)).toBe(7);
    const value = { theme: 'dark', nested: { list: [1, 2.5, 'three', null, true] } };
    c.setSetting('ui', value);
    expect(c.getSetting('ui', {})).toEqual(value);
    c.setSetting('ui', false);
    expect(c.getSetting('ui', true)).toBe(false);
    c.setSetting('nothing', null);
    expect(c.getSetting<string | null>('nothing', 'default')).toBeNull();
    expect(reopen().getSetting('ui', true)).toBe(false);
    expect(catalog?.deleteSetting('ui')).toBe(true);
    expect(catalog?.deleteSetting('ui')).toBe(false);
    expect(catalog?.getSetting('ui', 'gone')).toBe('gone');
  });

  it('refuse values JSON cannot round-trip and empty names', () => {
    const c = open();
    expect(thrown(() => c.setSetting('', 1)).code).toBe('invalid-argument');
    expect(thrown(() => c.setSetting('n', Number.NaN)).code).toBe('invalid-argument');
    expect(thrown(() => c.setSetting('d', new Date() as unknown as string)).code).toBe('invalid-argument');
    expect(thrown(() => c.setSetting('u', undefined as unknown as null)).code).toBe('invalid-argument');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(thrown(() => c.setSetting('loop', loop as never)).message).toMatch(/refers to itself/);
  });

  it('report a damaged stored value clearly', () => {
    const c = open();
    c.close();
    const raw = new Database(path.join(dir, CATALOG_FILE));
    raw.prepare("INSERT INTO settings VALUES ('bad', '{not json')").run();
    raw.close();
    const err = thrown(() => reopen().getSetting('bad', 0));
    expect(err.code).toBe('integrity');
    expect(err.message).toMatch(/setting "bad" is not valid JSON/);
  });
});

describe('repositories', () => {
  it('add, get, list, update and remove', () => {
    const c = open();
    const added = c.addRepository(repo);
    expect(added).toMatchObject({ ...repo, lastBackupAt: null, lastCheckAt: null });
    expect(Date.parse(added.addedAt)).not.toBeNaN();
    c.addRepository({ id: 'repo-2', location: 's3://bucket/cairn', label: 'Cloud', region: 'eu-west-1' });
    expect(c.getRepository('repo-1')).toEqual(added);
    expect(c.getRepository('nope')).toBeUndefined();
    expect(c.findRepositoryByLocation('s3://bucket/cairn')?.id).toBe('repo-2');
    expect(c.listRepositories().map((r) => r.id)).toEqual(['repo-1', 'repo-2']);

    const updated = c.updateRepository('repo-1', {
      label: 'Renamed',
      lastBackupAt: '2026-03-01T08:00:00+01:00',
      lastCheckAt: '2026-03-02T00:00:00Z',
    });
    expect(updated).toMatchObject({
      label: 'Renamed',
      region: 'local',
      lastBackupAt: '2026-03-01T07:00:00.000Z',
      lastCheckAt: '2026-03-02T00:00:00.000Z',
    });
    expect(c.updateRepository('repo-1', { region: 'nas', lastCheckAt: null })).toMatchObject({
      label: 'Renamed',
      region: 'nas',
      lastBackupAt: '2026-03-01T07:00:00.000Z',
      lastCheckAt: null,
    });
    expect(reopen().getRepository('repo-1')?.region).toBe('nas');

    catalog?.removeRepository('repo-1');
    expect(catalog?.listRepositories().map((r) => r.id)).toEqual(['repo-2']);
    expect(thrown(() => catalog?.removeRepository('repo-1')).code).toBe('not-found');
    expect(thrown(() => catalog?.updateRepository('repo-1', { label: 'x' })).code).toBe('not-found');
  });

  it('turn duplicate ids and locations into clear errors', () => {
    const c = open();
    c.addRepository(repo);
    const sameLocation = thrown(() => c.addRepository({ ...repo, id: 'repo-9' }));
    expect(sameLocation.code).toBe('invalid-argument');
    expect(sameLocation.message).toBe('the repository at /backups/one is already in the catalog (as "Home backups")');
    const sameId = thrown(() => c.addRepository({ ...repo, location: '/elsewhere' }));
    expect(sameId.code).toBe('invalid-argument');
    expect(sameId.message).toBe('a repository with id repo-1 is already in the catalog');
    expect(c.listRepositories()).toHaveLength(1);
  });

  it('validate what SQL would accept', () => {
    const c = open();
    expect(thrown(() => c.addRepository({ ...repo, id: '' })).message).toMatch(/repository id must not be empty/);
    expect(thrown(() => c.addRepository({ ...repo, location: '  ' })).code).toBe('invalid-argument');
    expect(thrown(() => c.addRepository({ ...repo, label: '' })).code).toBe('invalid-argument');
    c.addRepository(repo);
    expect(thrown(() => c.updateRepository('repo-1', { lastBackupAt: 'yesterday' })).message).toMatch(/ISO-8601/);
    expect(thrown(() => c.updateRepository('repo-1', { label: '' })).code).toBe('invalid-argument');
    expect(c.getRepository('repo-1')?.label).toBe('Home backups');
  });
});

describe('sources', () => {
  it('add, get, list, update and remove with JSON fields', () => {
    const c = open();
    c.addRepository(repo);
    c.addRepository({ id: 'repo-2', location: '/backups/two', label: 'Two', region: 'local' });
    const schedule = { every: 'day', at: '02:00', days: [1, 2, 3] };
    const retention = { keepDaily: 7, keepWeekly: 4 };
    const a = c.addSource({
      repositoryId: 'repo-1',
      path: home,
      excludes: ['*.tmp', 'node_modules'],
      schedule,
      retention,
    });
    expect(a).toMatchObject({
      repositoryId: 'repo-1',
      path: home,
      excludes: ['*.tmp', 'node_modules'],
      schedule,
      retention,
      pausedUntil: null,
    });
    expect(Number.isInteger(a.id)).toBe(true);
    const b = c.addSource({ repositoryId: 'repo-2', path: docs });
    expect(b).toMatchObject({ excludes: [], schedule: null, retention: null });

    expect(c.getSource(a.id)).toEqual(a);
    expect(c.getSource(9999)).toBeUndefined();
    expect(c.listSources().map((s) => s.id)).toEqual([a.id, b.id]);
    expect(c.listSources('repo-2').map((s) => s.id)).toEqual([b.id]);
    expect(c.listSources('none')).toEqual([]);

    const updated = c.updateSource(a.id, { excludes: [], schedule: null, pausedUntil: '2026-05-01T00:00:00Z' });
    expect(updated).toMatchObject({
      path: home,
      excludes: [],
      schedule: null,
      retention,
      pausedUntil: '2026-05-01T00:00:00.000Z',
    });
    expect(reopen().getSource(a.id)).toEqual(updated);

    catalog?.removeSource(a.id);
    expect(catalog?.getSource(a.id)).toBeUndefined();
    expect(thrown(() => catalog?.removeSource(a.id)).code).toBe('not-found');
    expect(thrown(() => catalog?.updateSource(a.id, { excludes: [] })).code).toBe('not-found');
  });

  it('are removed with their repository (cascade)', () => {
    const c = open();
    c.addRepository(repo);
    c.addRepository({ id: 'repo-2', location: '/backups/two', label: 'Two', region: 'local' });
    c.addSource({ repositoryId: 'repo-1', path: home });
    c.addSource({ repositoryId: 'repo-1', path: docs });
    const kept = c.addSource({ repositoryId: 'repo-2', path: home });
    c.removeRepository('repo-1');
    expect(c.listSources()).toEqual([kept]);
  });

  it('turn a duplicate folder for the same repository into a clear error', () => {
    const c = open();
    c.addRepository(repo);
    c.addRepository({ id: 'repo-2', location: '/backups/two', label: 'Two', region: 'local' });
    const first = c.addSource({ repositoryId: 'repo-1', path: home });
    const err = thrown(() => c.addSource({ repositoryId: 'repo-1', path: home }));
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toBe(`${home} is already a source of this repository`);
    c.addSource({ repositoryId: 'repo-2', path: home });
    const second = c.addSource({ repositoryId: 'repo-1', path: docs });
    expect(thrown(() => c.updateSource(second.id, { path: home })).message).toMatch(/already a source/);
    expect(c.getSource(second.id)?.path).toBe(docs);
    expect(c.getSource(first.id)?.path).toBe(home);
  });

  it('validate paths, excludes, schedules and times', () => {
    const c = open();
    c.addRepository(repo);
    const base = { repositoryId: 'repo-1' };
    expect(thrown(() => c.addSource({ ...base, path: '' })).message).toMatch(/source folder must not be empty/);
    expect(thrown(() => c.addSource({ ...base, path: 'relative/dir' })).message).toMatch(/absolute path/);
    expect(thrown(() => c.addSource({ ...base, path: home, excludes: [''] })).code).toBe('invalid-argument');
    expect(thrown(() => c.addSource({ ...base, path: home, excludes: 'x' as never })).code).toBe('invalid-argument');
    expect(thrown(() => c.addSource({ ...base, path: home, schedule: [] as never })).message).toMatch(/object or null/);
    expect(thrown(() => c.addSource({ ...base, path: home, pausedUntil: 'soon' })).code).toBe('invalid-argument');
    expect(c.listSources()).toEqual([]);
  });
});

describe('tasks', () => {
  it('go through a lifecycle with progress, appended messages and a result', () => {
    const c = open();
    const t = c.createTask({ kind: 'backup', repositoryId: 'repo-1' });
    expect(t).toMatchObject({
      kind: 'backup',
      status: 'queued',
      repositoryId: 'repo-1',
      startedAt: null,
      finishedAt: null,
      messages: [],
      progress: null,
    });
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);

    const running = c.updateTask(t.id, { status: 'running', progress: { files: 1, bytes: 100 } });
    expect(running.status).toBe('running');
    expect(running.startedAt).not.toBeNull();
    expect(running.progress).toEqual({ files: 1, bytes: 100 });

    const m1 = { at: '2026-01-01T00:00:00Z', level: 'warning' as const, text: 'skipped /x: permission denied' };
    const m2 = { at: '2026-01-01T00:00:01Z', level: 'info' as const, text: 'second' };
    c.updateTask(t.id, { messages: [m1] });
    const withMessages = c.updateTask(t.id, { messages: [m2], progress: { files: 2, bytes: 300 } });
    expect(withMessages.messages).toEqual([
      { ...m1, at: '2026-01-01T00:00:00.000Z' },
      { ...m2, at: '2026-01-01T00:00:01.000Z' },
    ]);

    const done = c.updateTask(t.id, { status: 'succeeded', result: { snapshot: 'abc' } });
    expect(done.status).toBe('succeeded');
    expect(done.finishedAt).not.toBeNull();
    expect(done.startedAt).toBe(running.startedAt);
    expect(c.getTask(t.id)).toEqual(done);

    const err = thrown(() => c.updateTask(t.id, { status: 'running' }));
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toMatch(/already finished/);
    expect(thrown(() => c.updateTask('nope', { status: 'running' })).code).toBe('not-found');
  });

  it('record failures and explicit times', () => {
    const c = open();
    const t = c.createTask({ id: 'task-1', kind: 'check', status: 'running' });
    expect(t.startedAt).not.toBeNull();
    const failed = c.updateTask(t.id, {
      status: 'failed',
      error: 'repository is locked',
      finishedAt: '2026-06-01T12:00:00Z',
    });
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'repository is locked',
      finishedAt: '2026-06-01T12:00:00.000Z',
    });
  });

  it('refuse invalid input', () => {
    const c = open();
    expect(thrown(() => c.createTask({ kind: '' })).code).toBe('invalid-argument');
    expect(thrown(() => c.createTask({ kind: 'backup', status: 'succeeded' as never })).code).toBe('invalid-argument');
    c.createTask({ id: 'dup', kind: 'backup' });
    expect(thrown(() => c.createTask({ id: 'dup', kind: 'backup' })).message).toBe('a task with id dup already exists');
    expect(thrown(() => c.updateTask('dup', { status: 'paused' as never })).message).toMatch(
      /task status must be one of/,
    );
    expect(thrown(() => c.updateTask('dup', { messages: [{ at: 'x', level: 'info', text: 'hi' }] })).code).toBe(
      'invalid-argument',
    );
    expect(
      thrown(() =>
        c.updateTask('dup', { messages: [{ at: '2026-01-01T00:00:00Z', level: 'loud' as never, text: 'hi' }] }),
      ).code,
    ).toBe('invalid-argument');
    expect(thrown(() => c.listTasks({ limit: 0 })).code).toBe('invalid-argument');
    expect(c.getTask('dup')?.messages).toEqual([]);
  });

  it('list newest first, filtered by kind and status, limited', () => {
    const c = open();
    const ids = ['a', 'b', 'c', 'd', 'e'].map(
      (id, i) => c.createTask({ id, kind: i % 2 === 0 ? 'backup' : 'check' }).id,
    );
    c.updateTask('b', { status: 'running' });
    c.updateTask('b', { status: 'succeeded' });
    c.updateTask('c', { status: 'cancelled' });
    expect(c.listTasks().map((t) => t.id)).toEqual([...ids].reverse());
    expect(c.listTasks({ limit: 2 }).map((t) => t.id)).toEqual(['e', 'd']);
    expect(c.listTasks({ kind: 'backup' }).map((t) => t.id)).toEqual(['e', 'c', 'a']);
    expect(c.listTasks({ status: 'queued' }).map((t) => t.id)).toEqual(['e', 'd', 'a']);
    expect(c.listTasks({ kind: 'backup', status: 'cancelled' }).map((t) => t.id)).toEqual(['c']);
  });

  it('left unfinished by a previous process become failed on reopen', () => {
    const c = open();
    c.createTask({ id: 'queued', kind: 'backup' });
    c.createTask({ id: 'running', kind: 'backup', status: 'running' });
    c.createTask({ id: 'cancelling', kind: 'backup', status: 'running' });
    c.updateTask('cancelling', { status: 'cancelling' });
    c.createTask({ id: 'done', kind: 'backup', status: 'running' });
    c.updateTask('done', { status: 'succeeded' });
    c.createTask({ id: 'cancelled', kind: 'backup' });
    c.updateTask('cancelled', { status: 'cancelled' });

    const again = reopen();
    for (const id of ['queued', 'running', 'cancelling']) {
      const t = again.getTask(id);
      expect(t?.status).toBe('failed');
      expect(t?.error).toBe(INTERRUPTED_TASK_ERROR);
      expect(t?.finishedAt).not.toBeNull();
    }
    expect(again.getTask('done')).toMatchObject({ status: 'succeeded', error: null });
    expect(again.getTask('cancelled')).toMatchObject({ status: 'cancelled', error: null });
    expect(again.markInterruptedTasks()).toBe(0);
  });
});
