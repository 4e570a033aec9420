/**
 * The watcher journal opened by several real processes at the same instant (every `cairn backup`
 * and `cairn watch` opens it): all of them succeed, the schema is made once and is complete, and
 * a journal of the previous schema version is upgraded once. A damaged journal (not a database,
 * truncated, damaged pages) never fails its opener: it is set aside and a new one started, by one
 * process even when several find it damaged at once; damaged pages found later make the backup plan
 * rescan and the tree counts a cache miss.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalBackup } from '../../src/app/journal/journal-backup.js';
import { JOURNAL_FILE, JournalStore } from '../../src/app/journal/journal-store.js';
import { makeTempDir, removeDir } from './helpers.js';
import { type ChildResult, runTogether, SRC_URL, writeScript } from './together.js';

const PROCESSES = 8;
/** Races per test (each on its own folder), run by the same processes one after another. */
const ROUNDS = 5;

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('journal-open');
});
afterEach(async () => {
  await removeDir(dir);
});

/**
 * A child that, for each data folder given (one per round, all processes starting each round at
 * the same instant), opens its journal, journals one change named after itself, stores one tree's
 * counts, and reports what it was warned about and how many changes it saw.
 */
function openerScript(): string {
  return writeScript(
    dir,
    'open-journal.mjs',
    `import { JournalStore } from '${SRC_URL}/app/journal/journal-store.ts';
const [id, ...dataDirs] = process.argv.slice(2);
const rounds = [];
for (const [r, dataDir] of dataDirs.entries()) {
  startRound(r);
  const warnings = [];
  const store = JournalStore.open(dataDir, { onWarning: (w) => warnings.push(w) });
  store.recordChanges('/watched', [{ path: '/watched/' + id, kind: 'entry' }]);
  store.putTreeStats([['tree-' + id, { files: 1, bytes: 2, dirs: 3 }]]);
  const changes = store.changesUnder('/watched', 0).length;
  store.close();
  rounds.push({ warnings, changes });
}
process.stdout.write(JSON.stringify(rounds));
`,
  );
}

interface Opened {
  warnings: string[];
  changes: number;
}

/** Opens the journals of `dataDirs` in PROCESSES processes at once, one round per folder; results by round. */
async function openTogether(dataDirs: string[]): Promise<Opened[][]> {
  const script = openerScript();
  const results = await runTogether(dir, PROCESSES, (i) => [script, `p${i}`, ...dataDirs], {
    warmUp: `import('${SRC_URL}/app/journal/journal-store.ts')`,
  });
  const byProcess = results.map((r) => parsed(r));
  return dataDirs.map((_, round) => byProcess.map((rounds) => rounds[round] as Opened));
}

function parsed(r: ChildResult): Opened[] {
  expect(r.code, `a process failed:\n${r.stderr}`).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Opened[];
}

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/** The journal's schema, and every process's change and tree counts, read back with a plain connection. */
function expectCompleteJournal(dataDir: string, processes: number): void {
  const db = new Database(path.join(dataDir, JOURNAL_FILE), { readonly: true });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual(['backups', 'changes', 'sessions', 'sqlite_sequence', 'tree_stats']);
    expect(columns(db, 'sessions')).toEqual([
      'root',
      'session_id',
      'pid',
      'hostname',
      'started_at',
      'ready_at',
      'heartbeat_at',
      'lost_at',
      'lost_reason',
      'ended_at',
      'caught_up_from',
      'flush_requested_at',
      'flushed_at',
    ]);
    const paths = (db.prepare('SELECT path FROM changes ORDER BY path').all() as { path: string }[]).map((r) => r.path);
    expect(paths).toEqual(Array.from({ length: processes }, (_, i) => `/watched/p${i}`).sort());
    expect(db.prepare('SELECT COUNT(*) AS n FROM tree_stats').get()).toEqual({ n: processes });
  } finally {
    db.close();
  }
}

describe('the watcher journal opened by several processes at once', () => {
  it('opens in every process when none exists yet, with the schema made once', async () => {
    // Each round is a new folder: a fresh race between the processes creating the journal.
    const dataDirs = Array.from({ length: ROUNDS }, (_, r) => path.join(dir, `data-${r}`));
    const rounds = await openTogether(dataDirs);
    for (const [r, dataDir] of dataDirs.entries()) {
      for (const opened of rounds[r] ?? []) {
        expect(opened.warnings).toEqual([]);
        expect(opened.changes).toBeGreaterThanOrEqual(1);
      }
      expectCompleteJournal(dataDir, PROCESSES);
      if (process.platform !== 'win32') {
        // Owner-only, as are its -wal and -shm files (they hold the paths of the user's files).
        for (const name of fs.readdirSync(dataDir).filter((n) => n.startsWith(JOURNAL_FILE))) {
          expect((fs.statSync(path.join(dataDir, name)).mode & 0o777).toString(8), name).toBe('600');
        }
      }
    }
  }, 120_000);

  it('upgrades a journal of the previous version once, keeping its rows', async () => {
    const dataDirs = Array.from({ length: ROUNDS }, (_, r) => path.join(dir, `data-${r}`));
    for (const dataDir of dataDirs) writeVersion1Journal(dataDir);
    const rounds = await openTogether(dataDirs);
    for (const [r, dataDir] of dataDirs.entries()) {
      for (const opened of rounds[r] ?? []) expect(opened.warnings).toEqual([]);
      expectCompleteJournal(dataDir, PROCESSES);
      const store = JournalStore.open(dataDir);
      try {
        expect(store.session('/w')).toMatchObject({ sessionId: 's1', startedAt: 5, heartbeatAt: 6, flushedAt: null });
      } finally {
        store.close();
      }
    }
  }, 120_000);
});

function writeVersion1Journal(dataDir: string): void {
  fs.mkdirSync(dataDir);
  const old = new Database(path.join(dataDir, JOURNAL_FILE));
  // Already in WAL mode, as Cairn left it: the openers go straight to the upgrade.
  old.pragma('journal_mode = WAL');
  // Version 1: sessions without the flush columns.
  old.exec(`
      CREATE TABLE sessions (root TEXT PRIMARY KEY, session_id TEXT NOT NULL, pid INTEGER NOT NULL,
        hostname TEXT NOT NULL, started_at INTEGER NOT NULL, ready_at INTEGER, heartbeat_at INTEGER NOT NULL,
        lost_at INTEGER, lost_reason TEXT, ended_at INTEGER, caught_up_from INTEGER);
      CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, root TEXT NOT NULL, path TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('entry', 'tree')), at INTEGER NOT NULL);
      CREATE INDEX changes_path ON changes (path);
      CREATE TABLE backups (path TEXT PRIMARY KEY, snapshot_id TEXT NOT NULL, session_id TEXT,
        seq_at_start INTEGER NOT NULL, started_at INTEGER NOT NULL, full_scan_at INTEGER, options_key TEXT NOT NULL);
      CREATE TABLE tree_stats (tree_id TEXT PRIMARY KEY, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
        dirs INTEGER NOT NULL);
      INSERT INTO sessions (root, session_id, pid, hostname, started_at, heartbeat_at) VALUES ('/w', 's1', 1, 'h', 5, 6);
      PRAGMA user_version = 1;
    `);
  old.close();
}

describe('a damaged watcher journal', () => {
  function seedJournal(dataDir: string): void {
    const store = JournalStore.open(dataDir);
    store.recordChanges(
      '/watched',
      Array.from({ length: 3000 }, (_, i) => ({
        path: `/watched/a/long/enough/path/number/${i}`,
        kind: 'entry' as const,
      })),
    );
    store.close();
  }

  it('that is not a database is set aside and a new journal started, with a warning', () => {
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    const file = path.join(dataDir, JOURNAL_FILE);
    const garbage = Buffer.from('this is not a SQLite database, it was overwritten by something else\n'.repeat(100));
    fs.writeFileSync(file, garbage);
    const warnings: string[] = [];
    const store = JournalStore.open(dataDir, { onWarning: (w) => warnings.push(w) });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`the watcher journal ${file} was damaged (file is not a database)`);
      expect(warnings[0]).toContain(`moved to ${file}.damaged`);
      expect(fs.readFileSync(`${file}.damaged`)).toEqual(garbage);
      store.recordChanges('/watched', [{ path: '/watched/x', kind: 'entry' }]);
      expect(store.lastSeq()).toBe(1);
    } finally {
      store.close();
    }
    // The new journal is healthy: the next open says nothing.
    const again: string[] = [];
    JournalStore.open(dataDir, { onWarning: (w) => again.push(w) }).close();
    expect(again).toEqual([]);
  });

  it('that is truncated is set aside and a new journal started, with a warning', () => {
    const dataDir = path.join(dir, 'data');
    seedJournal(dataDir);
    const file = path.join(dataDir, JOURNAL_FILE);
    expect(fs.existsSync(`${file}-wal`)).toBe(false); // checkpointed into the file on close
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4096);
    fs.truncateSync(file, Math.floor(size / 2));
    const warnings: string[] = [];
    const store = JournalStore.open(dataDir, { onWarning: (w) => warnings.push(w) });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/was damaged \(database disk image is malformed\)/);
      expect(store.lastSeq()).toBe(0);
      expect(fs.statSync(`${file}.damaged`).size).toBe(Math.floor(size / 2));
    } finally {
      store.close();
    }
  });

  it('found by several processes at once is set aside by one of them, and all open the new journal', async () => {
    const dataDirs = Array.from({ length: ROUNDS }, (_, r) => path.join(dir, `data-${r}`));
    for (const dataDir of dataDirs) {
      fs.mkdirSync(dataDir);
      fs.writeFileSync(path.join(dataDir, JOURNAL_FILE), Buffer.alloc(64 * 1024, 0x5a));
    }
    const rounds = await openTogether(dataDirs);
    for (const [r, dataDir] of dataDirs.entries()) {
      const warned = (rounds[r] ?? []).filter((opened) => opened.warnings.length > 0);
      // Round, warnings of every process and the folder's files: enough to tell what happened.
      const seen = JSON.stringify({
        round: r,
        warnings: rounds[r]?.map((o) => o.warnings),
        files: fs.readdirSync(dataDir),
      });
      expect(warned, seen).toHaveLength(1);
      expect(warned[0]?.warnings[0]).toMatch(/was damaged \(file is not a database\)/);
      expectCompleteJournal(dataDir, PROCESSES);
      expect(
        fs.readFileSync(path.join(dataDir, `${JOURNAL_FILE}.damaged`)).equals(Buffer.alloc(64 * 1024, 0x5a)),
        seen,
      ).toBe(true);
      // Nothing left behind by the repair and takeover locks.
      expect(fs.readdirSync(dataDir).filter((n) => /\.(repair|takeover|tmp)/.test(n))).toEqual([]);
    }
  }, 120_000);

  it('with damaged pages makes a backup plan rescan and the tree counts a cache miss', () => {
    const dataDir = path.join(dir, 'data');
    seedJournal(dataDir);
    const store = JournalStore.open(dataDir);
    store.putTreeStats([['t1', { files: 1, bytes: 2, dirs: 3 }]]);
    store.setBackupMark({
      path: '/watched',
      snapshotId: 'snap-1',
      sessionId: null,
      seqAtStart: 1,
      startedAt: 1,
      fullScanAt: 1,
      optionsKey: 'k',
    });
    store.close();
    const file = path.join(dataDir, JOURNAL_FILE);
    // Overwrite every page after the first (the schema): the header still opens, the tables do not read.
    const raw = fs.readFileSync(file);
    raw.fill(0xa5, 4096);
    fs.writeFileSync(file, raw);

    const damaged = JournalStore.open(dataDir);
    try {
      expect(() => damaged.lastSeq()).toThrow(/malformed|not a database/);
      expect(damaged.treeStats('t1')).toBeUndefined();
      const plan = new JournalBackup(damaged, ['/watched']);
      expect(plan.plan(undefined)).toBeUndefined();
      expect(plan.usedJournal).toBe(false);
      expect(plan.journalUnreadable).toBe(true);
      expect(plan.reason).toMatch(/^the watcher journal cannot be read \(database disk image is malformed\); delete /);
      // What the plan saw is unknown, so it records nothing (which would fail here anyway).
      expect(() => plan.commit({ id: 'snap-2', partial: false })).not.toThrow();
    } finally {
      damaged.close();
    }
  });
});
