// Migration 4: a source paused until someone resumes it, kept as its own flag, on a real catalog
// file upgraded from the version before.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_FILE, Catalog } from './catalog.js';
import { MIGRATIONS, migrate } from './migrations.js';

const PAUSE_VERSION = 4;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-migration-pause-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('catalog migration 4: paused until resumed', () => {
  it('is the migration that adds the flag', () => {
    expect(MIGRATIONS.find((m) => m.version === PAUSE_VERSION)?.description).toMatch(/until someone resumes it/);
  });

  it('keeps the sources and their timed pauses, none paused until resumed, and stores the flag from then on', () => {
    const file = path.join(dir, CATALOG_FILE);
    const raw = new Database(file);
    migrate(raw, PAUSE_VERSION - 1);
    raw
      .prepare(
        "INSERT INTO repositories VALUES ('r1', '/backups/one', 'One', 'EU', '2026-01-01T00:00:00.000Z', NULL, NULL)",
      )
      .run();
    raw
      .prepare(
        `INSERT INTO sources (repository_id, path, paused_until, created_at)
         VALUES ('r1', '/home/me', '2026-12-01T08:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                ('r1', '/srv', NULL, '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    raw.close();

    const catalog = Catalog.open(dir);
    try {
      const [home, srv] = catalog.listSources('r1');
      expect(home).toMatchObject({ pausedUntil: '2026-12-01T08:00:00.000Z', pausedUntilResumed: false });
      expect(srv).toMatchObject({ pausedUntil: null, pausedUntilResumed: false });
      catalog.updateSource(srv?.id ?? 0, { pausedUntilResumed: true });
      expect(catalog.getSource(srv?.id ?? 0)).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });
      const added = catalog.addSource({ repositoryId: 'r1', path: '/opt', pausedUntilResumed: true });
      expect(catalog.getSource(added.id)?.pausedUntilResumed).toBe(true);
    } finally {
      catalog.close();
    }
    // Only 0 and 1 are kept.
    const check = new Database(file);
    expect(() => check.prepare("UPDATE sources SET paused_until_resumed = 2 WHERE path = '/srv'").run()).toThrow(
      /CHECK/,
    );
    check.close();
  });
});
