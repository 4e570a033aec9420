import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { CATALOG_FILE, Catalog } from './catalog.js';
import { catalogVersion, LATEST_CATALOG_VERSION, MIGRATIONS, migrate } from './migrations.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-migrations-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

describe('catalog migrations', () => {
  it('are numbered 1, 2, … in order with descriptions', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_CATALOG_VERSION).toBe(5);
    for (const m of MIGRATIONS) expect(m.description.length).toBeGreaterThan(0);
  });

  it('bring an empty database to the latest version with the full schema', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: LATEST_CATALOG_VERSION });
    expect(catalogVersion(db)).toBe(LATEST_CATALOG_VERSION);
    expect(columns(db, 'settings')).toEqual(['key', 'value']);
    expect(columns(db, 'repositories')).toEqual([
      'id',
      'location',
      'label',
      'region',
      'added_at',
      'last_backup_at',
      'last_check_at',
    ]);
    expect(columns(db, 'sources')).toEqual([
      'id',
      'repository_id',
      'path',
      'excludes',
      'schedule',
      'retention',
      'paused_until',
      'created_at',
      'paused_until_resumed',
      'only_when_idle',
      'avoid_metered_network',
    ]);
    expect(columns(db, 'tasks')).toEqual([
      'id',
      'kind',
      'status',
      'repository_id',
      'created_at',
      'started_at',
      'finished_at',
      'progress',
      'messages',
      'error',
      'result',
    ]);
    expect(columns(db, 'repository_storage')).toEqual(['repository_id', 'settings', 'updated_at']);
    const indexes = (db.pragma('index_list(tasks)') as { name: string }[]).map((i) => i.name);
    expect(indexes).toContain('tasks_created_at');
    expect(() =>
      db.prepare("INSERT INTO tasks (id, kind, status, created_at) VALUES ('t', 'backup', 'bogus', 'x')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('are idempotent: migrating a current database changes nothing', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(migrate(db)).toEqual({ from: LATEST_CATALOG_VERSION, to: LATEST_CATALOG_VERSION });
    expect(catalogVersion(db)).toBe(LATEST_CATALOG_VERSION);
    db.close();
  });

  it('upgrade a version-1 catalog to the latest version keeping its rows', () => {
    const file = path.join(dir, CATALOG_FILE);
    const raw = new Database(file);
    const first = MIGRATIONS[0];
    if (!first) throw new Error('no migration 1');
    first.up(raw);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"')").run();
    raw
      .prepare("INSERT INTO repositories VALUES ('r1', '/backups/one', 'One', 'local', '2026-01-01T00:00:00.000Z')")
      .run();
    raw
      .prepare(
        "INSERT INTO sources (repository_id, path, excludes, created_at) VALUES ('r1', '/home/me', '[\"*.tmp\"]', '2026-01-01T00:00:00.000Z')",
      )
      .run();
    raw
      .prepare(
        "INSERT INTO tasks (id, kind, status, created_at, finished_at) VALUES ('t1', 'backup', 'succeeded', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z')",
      )
      .run();
    expect(columns(raw, 'repositories')).not.toContain('last_backup_at');
    raw.close();

    const catalog = Catalog.open(dir);
    try {
      expect(catalog.getSetting('theme', 'light')).toBe('dark');
      expect(catalog.getRepository('r1')).toEqual({
        id: 'r1',
        location: '/backups/one',
        label: 'One',
        region: 'local',
        addedAt: '2026-01-01T00:00:00.000Z',
        lastBackupAt: null,
        lastCheckAt: null,
      });
      expect(catalog.listSources('r1').map((s) => [s.path, s.excludes])).toEqual([['/home/me', ['*.tmp']]]);
      expect(catalog.getTask('t1')?.status).toBe('succeeded');
      const updated = catalog.updateRepository('r1', { lastBackupAt: '2026-02-01T10:00:00Z' });
      expect(updated.lastBackupAt).toBe('2026-02-01T10:00:00.000Z');
    } finally {
      catalog.close();
    }
    const check = new Database(file, { readonly: true });
    expect(catalogVersion(check)).toBe(LATEST_CATALOG_VERSION);
    check.close();
  });

  it('upgrade a version-2 catalog to version 3: repositories keep their rows and gain storage settings', () => {
    const file = path.join(dir, CATALOG_FILE);
    const raw = new Database(file);
    migrate(raw, 2);
    raw
      .prepare(
        "INSERT INTO repositories VALUES ('r1', 'sftp://me@nas/srv/cairn', 'NAS', 'EU', '2026-01-01T00:00:00.000Z', NULL, NULL)",
      )
      .run();
    raw.close();

    const catalog = Catalog.open(dir);
    try {
      expect(catalog.getRepository('r1')?.location).toBe('sftp://me@nas/srv/cairn');
      expect(catalog.getRepositoryStorage('r1')).toBeNull();
      const settings = { sftp: { knownHostsFile: '/home/me/.ssh/known_hosts' }, transfer: { uploadKiBps: 512 } };
      catalog.setRepositoryStorage('r1', settings);
      expect(catalog.getRepositoryStorage('r1')).toEqual(settings);
      catalog.setRepositoryStorage('r1', { transfer: { connections: 2 } });
      expect(catalog.getRepositoryStorage('r1')).toEqual({ transfer: { connections: 2 } });
      expect(() => catalog.setRepositoryStorage('nope', {})).toThrow(/not in the catalog/);
      // The settings go with their repository.
      catalog.removeRepository('r1');
      catalog.addRepository({ id: 'r1', location: '/elsewhere', label: 'Again', region: 'EU' });
      expect(catalog.getRepositoryStorage('r1')).toBeNull();
      catalog.setRepositoryStorage('r1', { s3: { region: 'eu-central-1' } });
      catalog.setRepositoryStorage('r1', null);
      expect(catalog.getRepositoryStorage('r1')).toBeNull();
    } finally {
      catalog.close();
    }
  });

  it('can stop at a given version', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 1)).toEqual({ from: 0, to: 1 });
    expect(columns(db, 'repositories')).not.toContain('last_check_at');
    expect(migrate(db)).toEqual({ from: 1, to: LATEST_CATALOG_VERSION });
    expect(columns(db, 'repositories')).toContain('last_check_at');
    expect(() => migrate(db, 99)).toThrow(CairnError);
    db.close();
  });

  it('roll back a failing migration as a whole, leaving the version unchanged', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    // A column of the same name makes migration 2's second ALTER fail after its first succeeded.
    db.exec('ALTER TABLE repositories ADD COLUMN last_check_at TEXT');
    expect(() => migrate(db)).toThrow(/duplicate column/);
    expect(catalogVersion(db)).toBe(1);
    expect(columns(db, 'repositories')).not.toContain('last_backup_at');
    db.close();
  });

  it('refuse a catalog written by a newer Cairn', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.pragma(`user_version = ${LATEST_CATALOG_VERSION + 1}`);
    let caught: unknown;
    try {
      migrate(db);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('unsupported-format');
    expect((caught as CairnError).message).toMatch(/written by a newer Cairn/);
    expect(catalogVersion(db)).toBe(LATEST_CATALOG_VERSION + 1);
    db.close();
  });

  it('make Catalog.open refuse a newer catalog file, naming it', () => {
    const file = path.join(dir, CATALOG_FILE);
    const raw = new Database(file);
    migrate(raw);
    raw.pragma('user_version = 42');
    raw.close();
    let caught: unknown;
    try {
      Catalog.open(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('unsupported-format');
    expect((caught as CairnError).message).toContain(file);
    expect((caught as CairnError).message).toMatch(/newer Cairn/);
  });
});
