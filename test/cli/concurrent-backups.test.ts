/**
 * `cairn backup` run as several real processes at the same instant on one app data folder and one
 * repository: backups take the repository lock shared, so all of them complete, each with its own
 * recovery point, and none warns (the watcher journal each one opens used to be created by all of
 * them at once: "table sessions already exists"). And a damaged watcher journal (not a database,
 * truncated, damaged pages) never fails a backup: it rescans, says why, and the journal is
 * started anew so the next backup is quiet again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/app/journal/journal-store.js';
import { initLocalRepo, makeTempDir, PASSWORD, removeDir } from '../engine/helpers.js';
import { type ChildResult, runTogether, SRC_URL } from '../engine/together.js';
import { cairn, cliEnvironment } from '../support/cli.js';

const CLI = ['--import', 'tsx', 'src/cli/index.ts'];
const BACKUPS = 4;

let dir: string;
let repoDir: string;

beforeAll(async () => {
  dir = await makeTempDir('cli-concurrent');
  // A cheap key derivation, so that the processes race on the files and not on Argon2id.
  const { repo, repoDir: created } = await initLocalRepo(dir);
  await repo.close();
  repoDir = created;
  for (let i = 0; i < BACKUPS; i++) {
    const src = path.join(dir, `src-${i}`, 'docs');
    fs.mkdirSync(src, { recursive: true });
    for (let f = 0; f < 20; f++) fs.writeFileSync(path.join(src, `f${f}.txt`), `folder ${i} file ${f}\n`);
  }
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
});

function env(dataDir: string): NodeJS.ProcessEnv {
  return cliEnvironment({ password: PASSWORD, dataDir, repository: repoDir });
}

interface BackupOutput {
  id: string;
  summary: { totalFiles: number };
  journal: { used: boolean; reason: string | null };
}

/** The stderr lines of a `--json` run that are not progress lines (warnings, errors). */
function notices(r: ChildResult | { stderr: string }): Array<{ type: string; message?: string }> {
  return r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as { type: string; message?: string };
      } catch {
        return { type: 'text', message: l };
      }
    })
    .filter((n) => n.type !== 'progress');
}

/** Starts `cairn backup --json` of src-0 … src-(n-1) in n processes released at the same instant. */
async function backupsTogether(dataDir: string): Promise<BackupOutput[]> {
  const results = await runTogether(
    dir,
    BACKUPS,
    (i) => [...CLI.slice(2), 'backup', '--json', path.join(dir, `src-${i}`)],
    // The CLI's modules are loaded before the start signal, so the processes reach the journal together.
    { warmUp: `import('${SRC_URL}/cli/main.ts')`, env: env(dataDir) },
  );
  return results.map((r) => {
    expect(r.code, r.stderr).toBe(0);
    expect(notices(r)).toEqual([]);
    return JSON.parse(r.stdout) as BackupOutput;
  });
}

function backup(dataDir: string, src: string) {
  const r = cairn(['backup', '--json', src], { password: PASSWORD, dataDir, repository: repoDir });
  expect(r.status, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout) as BackupOutput, notices: notices(r) };
}

describe('several cairn backup processes at once', () => {
  it('all complete without a warning, on new app data folders and again once the journal exists', async () => {
    const ids = new Set<string>();
    // Each new data folder is a fresh race to create the journal (a few rounds: it is a race);
    // then once more on the last one, whose journal now exists and holds the backups' marks.
    const dataDirs = [0, 1, 2].map((r) => path.join(dir, `data-together-${r}`));
    for (const dataDir of [...dataDirs, dataDirs[2] as string]) {
      for (const out of await backupsTogether(dataDir)) {
        expect(out.id).toMatch(/^[0-9a-f]{64}$/);
        expect(out.summary.totalFiles).toBe(20);
        expect(out.journal.reason ?? '').not.toMatch(/cannot|not usable/);
        ids.add(out.id);
      }
    }
    expect(ids.size).toBe(4 * BACKUPS);
    const list = cairn(['snapshots', '--json'], {
      password: PASSWORD,
      dataDir: dataDirs[0] as string,
      repository: repoDir,
    });
    expect(list.status, list.stderr).toBe(0);
    const listed = new Set((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id));
    for (const id of ids) expect(listed.has(id)).toBe(true);
  }, 300_000);
});

describe('cairn backup with a damaged watcher journal', () => {
  it('rescans with a warning when the journal is not a database, and the next backup is quiet', () => {
    const dataDir = path.join(dir, 'data-garbage');
    fs.mkdirSync(dataDir);
    const journal = path.join(dataDir, JOURNAL_FILE);
    fs.writeFileSync(journal, 'overwritten by something that is not SQLite\n'.repeat(200));
    const src = path.join(dir, 'src-0');
    const first = backup(dataDir, src);
    expect(first.out.summary.totalFiles).toBe(20);
    expect(first.notices).toHaveLength(1);
    expect(first.notices[0]).toMatchObject({ type: 'warning' });
    expect(first.notices[0]?.message).toContain(`the watcher journal ${journal} was damaged (file is not a database)`);
    expect(fs.existsSync(`${journal}.damaged`)).toBe(true);
    const second = backup(dataDir, src);
    expect(second.notices).toEqual([]);
  }, 120_000);

  it('rescans with a warning when the journal is truncated', () => {
    const dataDir = path.join(dir, 'data-truncated');
    const src = path.join(dir, 'src-1');
    backup(dataDir, src);
    const journal = path.join(dataDir, JOURNAL_FILE);
    const size = fs.statSync(journal).size;
    expect(size).toBeGreaterThan(4096);
    fs.truncateSync(journal, 100);
    const r = backup(dataDir, src);
    expect(r.out.summary.totalFiles).toBe(20);
    expect(r.notices.map((n) => n.message)).toEqual([
      expect.stringMatching(
        /was damaged \(database disk image is malformed\).*each folder's next backup is a full rescan/,
      ),
    ]);
  }, 120_000);

  it('rescans, and says why, when the journal opens but its pages are damaged', () => {
    const dataDir = path.join(dir, 'data-pages');
    const src = path.join(dir, 'src-2');
    backup(dataDir, src);
    const journal = path.join(dataDir, JOURNAL_FILE);
    const raw = fs.readFileSync(journal);
    expect(raw.length).toBeGreaterThan(4096);
    raw.fill(0xa5, 4096); // every page but the first (the schema)
    fs.writeFileSync(journal, raw);
    const r = backup(dataDir, src);
    expect(r.out.summary.totalFiles).toBe(20);
    expect(r.out.journal.used).toBe(false);
    expect(r.out.journal.reason).toMatch(
      /^the watcher journal cannot be read \(.*\); delete .*journal\.sqlite to start/,
    );
    expect(r.notices).toEqual([
      { type: 'warning', message: `this backup rescanned everything: ${r.out.journal.reason}` },
    ]);
  }, 120_000);
});
