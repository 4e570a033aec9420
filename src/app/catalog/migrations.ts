/**
 * Catalog schema migrations: an ordered list of plain-SQL steps keyed by `PRAGMA user_version`,
 * and `migrate()`, which brings a catalog database up to the newest version this code knows.
 * Each step runs in its own transaction together with the user_version bump, so a crash leaves
 * the catalog at a whole version. A catalog newer than this code is refused, never downgraded.
 */
import type Database from 'better-sqlite3';
import { CairnError } from '../../engine/errors.js';
import { inSchemaTransaction, userVersion } from '../util/sqlite.js';

export interface Migration {
  version: number;
  description: string;
  up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'settings, repositories, sources and task history',
    up: (db) => {
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        CREATE TABLE repositories (
          id TEXT PRIMARY KEY,
          location TEXT NOT NULL UNIQUE,
          label TEXT NOT NULL,
          region TEXT NOT NULL,
          added_at TEXT NOT NULL
        );
        CREATE TABLE sources (
          id INTEGER PRIMARY KEY,
          repository_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
          path TEXT NOT NULL,
          excludes TEXT NOT NULL DEFAULT '[]',
          schedule TEXT,
          retention TEXT,
          paused_until TEXT,
          created_at TEXT NOT NULL,
          UNIQUE (repository_id, path)
        );
        CREATE TABLE tasks (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('queued','running','cancelling','cancelled','succeeded','failed')),
          repository_id TEXT,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          progress TEXT,
          messages TEXT NOT NULL DEFAULT '[]',
          error TEXT,
          result TEXT
        );
        CREATE INDEX tasks_created_at ON tasks (created_at);
      `);
    },
  },
  {
    version: 2,
    description: 'repositories remember when they were last backed up to and last checked',
    up: (db) => {
      db.exec(`
        ALTER TABLE repositories ADD COLUMN last_backup_at TEXT;
        ALTER TABLE repositories ADD COLUMN last_check_at TEXT;
      `);
    },
  },
  {
    version: 3,
    description: 'the storage settings of remote repositories (never their secrets)',
    up: (db) => {
      // A table of its own rather than columns: only remote repositories have a row, and it goes
      // with its repository (ON DELETE CASCADE).
      db.exec(`
        CREATE TABLE repository_storage (
          repository_id TEXT PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE,
          settings TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 4,
    description: 'a source can be paused until someone resumes it, kept as such rather than as a far date',
    up: (db) => {
      // Its own flag beside paused_until: "until resumed" has no end time, and a made-up date
      // would show to people and lapse one day.
      db.exec(`
        ALTER TABLE sources ADD COLUMN paused_until_resumed INTEGER NOT NULL DEFAULT 0
          CHECK (paused_until_resumed IN (0, 1));
      `);
    },
  },
  {
    version: 5,
    description: 'a source can wait for the computer to be idle and for an unmetered connection',
    up: (db) => {
      // Columns of their own rather than fields of the schedule JSON: they are the source's
      // settings whatever its schedule, and both start off for every existing source.
      db.exec(`
        ALTER TABLE sources ADD COLUMN only_when_idle INTEGER NOT NULL DEFAULT 0
          CHECK (only_when_idle IN (0, 1));
        ALTER TABLE sources ADD COLUMN avoid_metered_network INTEGER NOT NULL DEFAULT 0
          CHECK (avoid_metered_network IN (0, 1));
      `);
    },
  },
];

/** The schema version a fully migrated catalog has. */
export const LATEST_CATALOG_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

export function catalogVersion(db: Database.Database): number {
  return userVersion(db);
}

/**
 * Applies every migration newer than the catalog's user_version, up to `toVersion` (default: the
 * latest), each in its own transaction. Returns the versions before and after. Each step takes the
 * write lock before it reads the version (BEGIN IMMEDIATE), so when two processes open the same
 * catalog at once, the second sees the first one's steps as done instead of repeating them.
 */
export function migrate(
  db: Database.Database,
  toVersion: number = LATEST_CATALOG_VERSION,
): { from: number; to: number } {
  if (!Number.isInteger(toVersion) || toVersion < 0 || toVersion > LATEST_CATALOG_VERSION) {
    throw new CairnError(
      'invalid-argument',
      `catalog version ${toVersion} does not exist (this Cairn knows versions 1 to ${LATEST_CATALOG_VERSION})`,
    );
  }
  const from = catalogVersion(db);
  refuseNewer(from);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > toVersion) continue;
    inSchemaTransaction(db, (version) => {
      refuseNewer(version);
      if (version >= migration.version) return; // made by another process since the first look
      migration.up(db);
      // user_version takes an integer literal only; versions come from the constant list above.
      db.pragma(`user_version = ${migration.version}`);
    });
  }
  return { from, to: Math.max(from, toVersion) };
}

function refuseNewer(version: number): void {
  if (version > LATEST_CATALOG_VERSION) {
    throw new CairnError(
      'unsupported-format',
      `this catalog was written by a newer Cairn (catalog version ${version}; this Cairn understands up to version ${LATEST_CATALOG_VERSION}). Update Cairn to use it.`,
    );
  }
}
