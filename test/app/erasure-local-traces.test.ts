/**
 * What names an erased path on this computer besides the erasure records, cleared after an
 * erasure (src/app/privacy/erasure/local-traces.ts), on real SQLite files:
 * - the watcher journal forgets the changes, backup marks and watcher sessions at or below the
 *   path (not a sibling whose name starts the same, not the folder above), and neither the
 *   journal file nor its write-ahead log holds the name afterwards (deleted rows overwritten, the
 *   log truncated); the journal still works;
 * - a task history entry keeps its other messages, loses the ones naming the path, and an error
 *   or a text of its result naming it is replaced.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/app/journal/journal-store.js';
import { clearLocalTraces, REDACTED_TEXT, redactTaskRow } from '../../src/app/privacy/erasure/local-traces.js';
import { ErasedPath } from '../../src/engine/erase/path-match.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { findInFiles } from '../support/name-sweep.js';

const NAME = 'Zorblax-Quantel-medical';
let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('local-traces');
});
afterEach(async () => {
  await removeDir(dir);
});

function mark(p: string) {
  return {
    path: p,
    snapshotId: 'a'.repeat(64),
    sessionId: null,
    seqAtStart: 0,
    startedAt: 1,
    fullScanAt: 1,
    optionsKey: 'k',
  };
}

describe('the watcher journal', () => {
  it('forgets the path and everything below it, and keeps the rest', async () => {
    const home = path.join(dir, 'home');
    const erased = path.join(home, 'secret');
    const journal = JournalStore.open(dir);
    journal.recordChanges(home, [
      { path: erased, kind: 'tree' },
      { path: path.join(erased, 'a.txt'), kind: 'entry' },
      { path: `${erased}2/b.txt`, kind: 'entry' },
      { path: path.join(home, 'keep.txt'), kind: 'entry' },
    ]);
    journal.setBackupMark(mark(home));
    journal.setBackupMark(mark(path.join(erased, 'sub')));
    journal.startSession(path.join(erased, 'sub'), process.pid, 'here');
    journal.startSession(home, process.pid, 'here');
    journal.close();

    expect(clearLocalTraces(dir, erased)).toEqual({ journalRows: 4, tasks: 0, problems: [] });
    const after = JournalStore.open(dir);
    try {
      expect(after.changesUnder(home, 0).map((c) => c.path)).toEqual([`${erased}2/b.txt`, path.join(home, 'keep.txt')]);
      expect(after.backupMark(home)).toBeDefined();
      expect(after.backupMark(path.join(erased, 'sub'))).toBeUndefined();
      expect(after.sessions().map((s) => s.root)).toEqual([home]);
      after.recordChanges(home, [{ path: path.join(home, 'new.txt'), kind: 'entry' }]);
      expect(after.changesUnder(home, 0)).toHaveLength(3);
    } finally {
      after.close();
    }
  });

  it('leaves the name in no page of the journal or its log', async () => {
    const erased = path.join(dir, 'home', NAME);
    const journal = JournalStore.open(dir);
    // Enough rows to fill pages of the table and its index, so whole pages are freed too.
    for (let i = 0; i < 50; i++) {
      journal.recordChanges(path.join(dir, 'home'), [
        ...Array.from({ length: 40 }, (_, j) => ({
          path: path.join(erased, `scan-${i}-${j}.pdf`),
          kind: 'entry' as const,
        })),
        { path: path.join(dir, 'home', `keep-${i}.txt`), kind: 'entry' as const },
      ]);
    }
    journal.startSession(erased, process.pid, 'here');
    journal.close();
    expect((await findInFiles(dir, NAME)).length).toBeGreaterThan(0);

    expect(clearLocalTraces(dir, erased).journalRows).toBe(50 * 40 + 1);
    expect(await findInFiles(dir, NAME)).toEqual([]);
  });

  it('is not created when there is none', async () => {
    expect(clearLocalTraces(dir, `/home/${NAME}`)).toEqual({ journalRows: 0, tasks: 0, problems: [] });
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('a task history entry', () => {
  const erased = ErasedPath.named(`/home/me/${NAME}`);

  it('loses the messages naming the path; an error or a result text naming it is replaced', () => {
    const row = {
      messages: JSON.stringify([
        { at: 't', level: 'info', text: 'backing up /home/me' },
        { at: 't', level: 'warning', text: `/home/me/${NAME}/\uFFFDA.txt: the name is not valid UTF-8` },
        { at: 't', level: 'warning', text: `/home/me/${NAME}-archive/x: gone` },
      ]),
      error: `cannot read '/home/me/${NAME}'`,
      result: JSON.stringify({
        files: 3,
        target: `/home/me/${NAME}/restored`,
        warnings: [`/home/me/${NAME}: x`, 'other'],
      }),
    };
    const redacted = redactTaskRow(row, erased);
    expect(JSON.parse(redacted?.messages as string).map((m: { text: string }) => m.text)).toEqual([
      'backing up /home/me',
      `/home/me/${NAME}-archive/x: gone`,
    ]);
    expect(redacted?.error).toBe(REDACTED_TEXT);
    expect(JSON.parse(redacted?.result as string)).toEqual({ files: 3, target: REDACTED_TEXT, warnings: ['other'] });
    expect(redactTaskRow({ messages: '[]', error: null, result: '{"files":1}' }, erased)).toBeUndefined();
  });
});
