/**
 * The app data folder opened by several real processes at the same instant: the catalog's owner
 * lock lets exactly one of them own the folder (also when a stale lock from an ended process is
 * there to take over), the catalog's migrations make its schema once even when several
 * connections migrate the same file together, and the privacy records' lock keeps the audit
 * trail one unbroken chain when several processes find a stale lock at once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_FILE, Catalog } from '../../src/app/catalog/catalog.js';
import { LATEST_CATALOG_VERSION } from '../../src/app/catalog/migrations.js';
import { OWNER_LOCK_FILE } from '../../src/app/catalog/owner-lock.js';
import { AuditTrail } from '../../src/app/privacy/audit-trail.js';
import { makeTempDir, removeDir } from './helpers.js';
import { ROOT, runTogether, SRC_URL, writeScript } from './together.js';

const PROCESSES = 8;
/**
 * Races per test (each on its own folder), run by the same processes one after another. The races
 * fixed here are microseconds wide: on the code before the fix, ten rounds of eight processes lost
 * at least one of them in most runs.
 */
const ROUNDS = 10;

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('catalog-open');
});
afterEach(async () => {
  await removeDir(dir);
});

/** The pid of a process that has ended (a stale lock names it). */
function deadPid(): number {
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(ended.stdout);
}

interface OpenReport {
  owner: boolean;
  code?: string;
  message?: string;
}

/**
 * Each process tries Catalog.open on each data folder (one per round, every process starting the
 * round at the same instant) and reports; the one that got it keeps it until every process has
 * reported for that round, so that none can legitimately take over from an owner that has left.
 * Returns the reports by round.
 */
async function openCatalogTogether(dataDirs: string[]): Promise<OpenReport[][]> {
  const script = writeScript(
    dir,
    'open-catalog.mjs',
    `import fs from 'node:fs';
import path from 'node:path';
import { Catalog } from '${SRC_URL}/app/catalog/catalog.ts';
const [count, ...dataDirs] = process.argv.slice(2);
const rounds = [];
const sleep = new Int32Array(new SharedArrayBuffer(4));
for (const [r, dataDir] of dataDirs.entries()) {
  const reports = dataDir + '.reports';
  fs.mkdirSync(reports, { recursive: true });
  startRound(r);
  let catalog;
  try {
    catalog = Catalog.open(dataDir);
    catalog.setSetting('owner', process.pid);
    rounds.push({ owner: true });
  } catch (err) {
    rounds.push({ owner: false, code: err.code, message: err.message });
  }
  fs.writeFileSync(path.join(reports, String(process.pid)), '');
  while (catalog && fs.readdirSync(reports).length < Number(count)) Atomics.wait(sleep, 0, 0, 2);
  catalog?.close();
}
process.stdout.write(JSON.stringify(rounds));
`,
  );
  const results = await runTogether(dir, PROCESSES, () => [script, String(PROCESSES), ...dataDirs], {
    warmUp: `import('${SRC_URL}/app/catalog/catalog.ts')`,
  });
  const byProcess = results.map((r) => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as OpenReport[];
  });
  return dataDirs.map((_, round) => byProcess.map((rounds) => rounds[round] as OpenReport));
}

function expectOneOwner(reports: OpenReport[], dataDir: string): void {
  expect(reports.filter((r) => r.owner)).toHaveLength(1);
  for (const r of reports.filter((x) => !x.owner)) {
    expect(r.code, r.message).toBe('locked');
    expect(r.message).toMatch(/already running with the app data folder|at the same moment/);
  }
  // The owner closed: its lock is gone, and the takeover left no files behind.
  expect(fs.readdirSync(dataDir).filter((n) => !n.startsWith(CATALOG_FILE))).toEqual([]);
  const catalog = Catalog.open(dataDir);
  try {
    expect(typeof catalog.getSetting('owner', null)).toBe('number');
  } finally {
    catalog.close();
  }
}

function dataDirs(): string[] {
  return Array.from({ length: ROUNDS }, (_, r) => {
    const dataDir = path.join(dir, `data-${r}`);
    fs.mkdirSync(dataDir);
    return dataDir;
  });
}

describe('the app data folder opened by several processes at once', () => {
  it('has exactly one owner when no lock exists yet', async () => {
    const dirs = dataDirs();
    const rounds = await openCatalogTogether(dirs);
    for (const [r, dataDir] of dirs.entries()) expectOneOwner(rounds[r] ?? [], dataDir);
  }, 120_000);

  it('has exactly one owner when they all find a lock left by an ended process', async () => {
    const dirs = dataDirs();
    const pid = deadPid();
    for (const dataDir of dirs) {
      fs.writeFileSync(
        path.join(dataDir, OWNER_LOCK_FILE),
        JSON.stringify({ pid, hostname: os.hostname(), since: '2026-01-01T00:00:00.000Z' }),
      );
    }
    const rounds = await openCatalogTogether(dirs);
    for (const [r, dataDir] of dirs.entries()) expectOneOwner(rounds[r] ?? [], dataDir);
  }, 120_000);

  it('migrates a catalog file once when several connections migrate it together', async () => {
    // Below the owner lock: each process migrates the same file through its own connection.
    const files = dataDirs().map((d) => path.join(d, CATALOG_FILE));
    const script = writeScript(
      dir,
      'migrate-catalog.mjs',
      `import { createRequire } from 'node:module';
import { migrate } from '${SRC_URL}/app/catalog/migrations.ts';
const Database = createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))})('better-sqlite3');
const rounds = [];
for (const [r, file] of process.argv.slice(2).entries()) {
  const db = new Database(file, { timeout: 10000 });
  startRound(r);
  rounds.push(migrate(db));
  db.close();
}
process.stdout.write(JSON.stringify(rounds));
`,
    );
    for (const file of files) {
      // WAL mode first, as every catalog has after its first open.
      const init = new Database(file);
      init.pragma('journal_mode = WAL');
      init.close();
    }
    const results = await runTogether(dir, PROCESSES, () => [script, ...files], {
      warmUp: `import('${SRC_URL}/app/catalog/migrations.ts')`,
    });
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      for (const migrated of JSON.parse(r.stdout)) expect(migrated).toMatchObject({ to: LATEST_CATALOG_VERSION });
    }
    for (const file of files) {
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(LATEST_CATALOG_VERSION);
        const columns = (db.pragma('table_info(repositories)') as { name: string }[]).map((c) => c.name);
        expect(columns).toEqual(['id', 'location', 'label', 'region', 'added_at', 'last_backup_at', 'last_check_at']);
      } finally {
        db.close();
      }
    }
  }, 120_000);

  it('keeps the audit trail one chain when several processes find a stale lock on it', async () => {
    const pid = deadPid();
    const folders = dataDirs().map((d) => {
      // A lock left by an ended process: each process's first append finds it stale.
      fs.writeFileSync(
        path.join(d, 'audit.lock'),
        JSON.stringify({ pid, host: os.hostname(), at: '2026-01-01T00:00:00.000Z' }),
      );
      return d;
    });
    const script = writeScript(
      dir,
      'append-audit.mjs',
      `import { AuditTrail } from '${SRC_URL}/app/privacy/audit-trail.ts';
const [worker, ...folders] = process.argv.slice(2);
for (const [r, folder] of folders.entries()) {
  const trail = new AuditTrail(folder, 'app');
  startRound(r);
  for (let i = 0; i < 10; i++) trail.append('settings.changed', { worker, i });
}
`,
    );
    const results = await runTogether(dir, PROCESSES, (i) => [script, `w${i}`, ...folders], {
      warmUp: `import('${SRC_URL}/app/privacy/audit-trail.ts')`,
    });
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    for (const folder of folders) {
      const trail = new AuditTrail(folder, 'cli');
      expect(trail.verify()).toEqual({ ok: true, entries: PROCESSES * 10, lastSeq: PROCESSES * 10, problem: null });
      expect(fs.readdirSync(folder).filter((n) => n.includes('.lock'))).toEqual([]);
    }
  }, 120_000);
});
