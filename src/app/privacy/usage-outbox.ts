/**
 * The usage reports waiting to be sent, one file per ISO week in `usage-outbox/` (`2026-W49.json`:
 * the week, the randomised payload and the time it may be sent after), and the weeks already sent
 * (`usage-sent.json`). The payload is randomised once, when the week is queued, and kept: a retry
 * sends the same report, never a fresh draw (several draws of one week would together tell more
 * than ε allows). The send time is drawn once too and kept, so a restart neither resends nor
 * moves it sooner. A week that was sent is never queued or sent again. The caller holds the lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from './files.js';
import { isWeek, type UsagePayload } from './usage-payload.js';

export const OUTBOX_DIR = 'usage-outbox';
export const SENT_FILE = 'usage-sent.json';
/** How many sent weeks are remembered: two years, far more than a report could wait. */
const SENT_KEPT = 104;

export interface OutboxEntry {
  week: string;
  /** ISO time after which the report may be sent (the end of its week plus a random delay). */
  sendAfter: string;
  payload: UsagePayload;
}

export class UsageOutbox {
  readonly dir: string;
  readonly sentFile: string;

  constructor(privacyDir: string) {
    this.dir = path.join(privacyDir, OUTBOX_DIR);
    this.sentFile = path.join(privacyDir, SENT_FILE);
  }

  private fileOf(week: string): string {
    return path.join(this.dir, `${week}.json`);
  }

  /** The reports waiting, oldest week first. */
  entries(): OutboxEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: OutboxEntry[] = [];
    for (const name of names.sort()) {
      const week = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !isWeek(week)) continue;
      const entry = readJsonFile<OutboxEntry | null>(this.fileOf(week), null);
      if (entry && entry.week === week && typeof entry.sendAfter === 'string' && entry.payload) out.push(entry);
    }
    return out;
  }

  /** The weeks whose report was sent, oldest first. */
  sentWeeks(): string[] {
    const stored = readJsonFile<{ weeks?: unknown }>(this.sentFile, {});
    return Array.isArray(stored.weeks) ? stored.weeks.filter(isWeek) : [];
  }

  /** Queues a week's report unless that week is already queued or was sent; true when queued. */
  add(entry: OutboxEntry): boolean {
    if (fs.existsSync(this.fileOf(entry.week)) || this.sentWeeks().includes(entry.week)) return false;
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.fileOf(entry.week), `${JSON.stringify(entry, null, 2)}\n`);
    return true;
  }

  /** Records `week` as sent (before its file goes, so a crash in between cannot send it twice). */
  markSent(week: string): void {
    const weeks = [...new Set([...this.sentWeeks(), week])].sort().slice(-SENT_KEPT);
    writeFileAtomic(this.sentFile, `${JSON.stringify({ weeks }, null, 2)}\n`);
    fs.rmSync(this.fileOf(week), { force: true });
  }

  /**
   * Deletes whatever in the outbox is not a report of this format — payloads queued by earlier
   * versions, which carried exact counts and timestamps, are never sent.
   */
  removeForeign(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!(name.endsWith('.json') && isWeek(name.replace(/\.json$/, '')))) {
        fs.rmSync(path.join(this.dir, name), { force: true, recursive: true });
      }
    }
  }

  /** Deletes every report not yet sent (the record of sent weeks stays: it is what was disclosed). */
  clear(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
