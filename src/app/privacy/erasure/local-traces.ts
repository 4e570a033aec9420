/**
 * What names an erased path on this computer besides the erasure records, cleared after each
 * erasure (and for each path older records named, when those are converted: ./migrate.ts):
 * - the watcher journal (src/app/journal): changed paths, backup marks and watcher sessions at or
 *   below the path;
 * - the app's task history in the catalog: a message that mentions the path or anything below it
 *   is dropped (a backup's warning about an unreadable file, say), an error or a text in a result
 *   that does is replaced by a note saying so.
 * Both rewrite their SQLite files so the old text survives in no free page or log frame.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErasedPath } from '../../../engine/erase/path-match.js';
import { localPathOf } from '../../../engine/util/paths.js';
import type { Catalog } from '../../catalog/catalog.js';
import { JOURNAL_FILE, JournalStore } from '../../journal/journal-store.js';

/** What replaces a task's error or a text of its result that named an erased path. */
export const REDACTED_TEXT = '(this text named a path that was erased since)';

export interface LocalTraces {
  /** Rows of the watcher journal deleted. */
  journalRows: number;
  /** Tasks whose history named the path. */
  tasks: number;
  /** What could not be cleared completely, in words for people (without the path). */
  problems: string[];
}

/** Clears `repoPath` (as erasure takes it) from the journal of `dataDir` and from `catalog`'s task history. */
export function clearLocalTraces(dataDir: string, repoPath: string, catalog?: Catalog): LocalTraces {
  const traces: LocalTraces = { journalRows: 0, tasks: 0, problems: [] };
  // Opening creates a journal: there is none to clear when no backup or watcher made one.
  if (fs.existsSync(path.join(dataDir, JOURNAL_FILE))) {
    const journal = JournalStore.open(dataDir);
    try {
      const purged = journal.purgePath(localPathOf(repoPath));
      traces.journalRows = purged.rows;
      if (!purged.logTruncated) {
        traces.problems.push(
          `the watcher journal's write-ahead log could not be truncated while another Cairn process read it; it is the next time the journal is cleaned up`,
        );
      }
    } finally {
      journal.close();
    }
  }
  if (catalog) {
    const erased = ErasedPath.named(repoPath);
    traces.tasks = catalog.redactTasks((row) => redactTaskRow(row, erased));
  }
  return traces;
}

interface StoredTaskText {
  messages: string;
  error: string | null;
  result: string | null;
}

/** The task's stored texts without the erased path, or undefined when none names it. */
export function redactTaskRow(row: StoredTaskText, erased: ErasedPath): StoredTaskText | undefined {
  const names = (text: string) => erased.mentionedIn(text) !== undefined;
  let changed = false;
  const messages = JSON.parse(row.messages) as { text?: unknown }[];
  const keptMessages = messages.filter((m) => typeof m.text !== 'string' || !names(m.text));
  if (keptMessages.length !== messages.length) changed = true;
  let error = row.error;
  if (error !== null && names(error)) {
    error = REDACTED_TEXT;
    changed = true;
  }
  let result = row.result;
  if (result !== null) {
    const before = JSON.parse(result) as unknown;
    const after = redactValue(before, names);
    if (after.changed) {
      result = JSON.stringify(after.value);
      changed = true;
    }
  }
  return changed ? { messages: JSON.stringify(keptMessages), error, result } : undefined;
}

/** `value` with every string that `names` accepts replaced (dropped from a list of strings). */
function redactValue(value: unknown, names: (text: string) => boolean): { value: unknown; changed: boolean } {
  if (typeof value === 'string')
    return names(value) ? { value: REDACTED_TEXT, changed: true } : { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of value) {
      if (typeof item === 'string' && names(item)) {
        changed = true;
        continue;
      }
      const r = redactValue(item, names);
      changed ||= r.changed;
      out.push(r.value);
    }
    return { value: out, changed };
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const r = redactValue(item, names);
      changed ||= r.changed;
      out[key] = r.value;
    }
    return { value: out, changed };
  }
  return { value, changed: false };
}
