// Migration 5: the sources' "only when idle" and "not on a metered connection" conditions, on a
// real catalog file upgraded from the version before.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_FILE, Catalog } from './catalog.js';
import { catalogVersion, MIGRATIONS, migrate } from './migrations.js';

const CONDITIONS_VERSION = 5;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-migration-conditions-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('catalog migration 5: source conditions', () => {
  it('is the migration that adds the two condition columns', () => {
    expect(MIGRATIONS.find((m) => m.version === CONDITIONS_VERSION)?.description).toMatch(/idle.*unmetered/);
  });

  it('keeps the sources of the version before, with both conditions off, and stores them from then on', () => {
    const file = path.join(dir, CATALOG_FILE);
    const raw = new Database(file);
    migrate(raw, CONDITIONS_VERSION - 1);
    raw
      .prepare(
        "INSERT INTO repositories VALUES ('r1', '/backups/one', 'One', 'local', '2026-01-01T00:00:00.000Z', NULL, NULL)",
      )
      .run();
    raw
      .prepare(
        `INSERT INTO sources (repository_id, path, schedule, created_at)
         VALUES ('r1', '/home/me', '{"schedule":{"kind":"interval","minutes":60},"requireAcPower":true}', '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    raw.close();

    const catalog = Catalog.open(dir);
    try {
      const [source] = catalog.listSources('r1');
      expect(source).toMatchObject({ path: '/home/me', onlyWhenIdle: false, avoidMeteredNetwork: false });
      expect(source?.schedule).toEqual({ schedule: { kind: 'interval', minutes: 60 }, requireAcPower: true });
      const id = source?.id ?? -1;
      expect(catalog.updateSource(id, { onlyWhenIdle: true })).toMatchObject({
        onlyWhenIdle: true,
        avoidMeteredNetwork: false,
      });
      // An update that names neither condition keeps both.
      catalog.updateSource(id, { avoidMeteredNetwork: true });
      catalog.updateSource(id, { excludes: ['*.tmp'] });
      expect(catalog.getSource(id)).toMatchObject({
        onlyWhenIdle: true,
        avoidMeteredNetwork: true,
        excludes: ['*.tmp'],
      });
      const added = catalog.addSource({ repositoryId: 'r1', path: '/srv/data', avoidMeteredNetwork: true });
      expect(added).toMatchObject({ onlyWhenIdle: false, avoidMeteredNetwork: true });
    } finally {
      catalog.close();
    }
    const check = new Database(file, { readonly: true });
    expect(catalogVersion(check)).toBeGreaterThanOrEqual(CONDITIONS_VERSION);
    check.close();
  });

  it('refuses a condition that is neither on nor off', () => {
    const db = new Database(':memory:');
    migrate(db, CONDITIONS_VERSION);
    db.prepare(
      "INSERT INTO repositories VALUES ('r1', '/b', 'B', 'local', '2026-01-01T00:00:00.000Z', NULL, NULL)",
    ).run();
    const insert = (column: string) =>
      db
        .prepare(`INSERT INTO sources (repository_id, path, created_at, ${column}) VALUES ('r1', ?, 'x', 2)`)
        .run(`/p-${column}`);
    expect(() => insert('only_when_idle')).toThrow(/CHECK/);
    expect(() => insert('avoid_metered_network')).toThrow(/CHECK/);
    db.close();
  });
});
