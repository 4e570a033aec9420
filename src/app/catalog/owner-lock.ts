/**
 * One process owns an app data folder at a time (the desktop app or `cairn serve`): opening the
 * catalog marks tasks left running by a previous owner as interrupted, which must never happen to
 * a live process's tasks. The owner writes `owner.lock` (pid, hostname, time); a lock whose
 * process is gone (same host, pid not alive) is taken over. Several processes starting at once
 * get exactly one owner: the lock file appears with its record in one step, and only one process
 * at a time may remove a stale one (src/app/util/lock-file.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { CairnError, describeError } from '../../engine/errors.js';
import {
  processAlive,
  readLockFile,
  removeOwnLockFile,
  removeStaleLockFile,
  sleepSync,
  tryCreateLockFile,
} from '../util/lock-file.js';

export const OWNER_LOCK_FILE = 'owner.lock';

/** How long a starting process waits while another one takes over a stale lock. */
const TAKEOVER_WAIT_MS = 3000;
/**
 * A lock file that does not parse is stale only once it is this old: on a file system without
 * hard links a lock file is empty for an instant after its creation.
 */
const UNREADABLE_STALE_MS = 10_000;

interface OwnerRecord {
  pid: number;
  hostname: string;
  since: string;
}

export class OwnerLock {
  private released = false;

  private constructor(
    readonly file: string,
    private readonly content: string,
  ) {}

  static acquire(dataDir: string): OwnerLock {
    const file = path.join(dataDir, OWNER_LOCK_FILE);
    const record: OwnerRecord = { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
    const content = `${JSON.stringify(record)}\n`;
    const deadline = Date.now() + TAKEOVER_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        if (tryCreateLockFile(file, content)) return new OwnerLock(file, content);
        const text = readLockFile(file);
        const holder = text === undefined ? undefined : parseRecord(text);
        if (holder && isAlive(holder)) throw alreadyRunning(dataDir, holder);
        if (removeStaleLockFile(file, isStale)) continue; // gone: try to create it again
      } catch (err) {
        if (err instanceof CairnError) throw err;
        throw new CairnError('io', `cannot take the app data folder ${dataDir} (${file}): ${describeError(err)}`, {
          cause: err,
        });
      }
      // Another process is taking the stale lock over, or the lock is too new to judge: its
      // owner will show up in the file within milliseconds.
      if (Date.now() > deadline) {
        throw new CairnError('locked', `another Cairn process took the app data folder ${dataDir} at the same moment`);
      }
      sleepSync(Math.min(50, 2 + attempt * 2));
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    removeOwnLockFile(this.file, this.content);
  }
}

function alreadyRunning(dataDir: string, holder: OwnerRecord): CairnError {
  return new CairnError(
    'locked',
    `Cairn is already running with the app data folder ${dataDir} (process ${holder.pid} on ${holder.hostname} since ${holder.since}); close it first, or use another --data-dir`,
  );
}

function parseRecord(text: string): OwnerRecord | undefined {
  try {
    const parsed = JSON.parse(text) as OwnerRecord;
    return Number.isInteger(parsed.pid) && typeof parsed.hostname === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A record whose process has ended; one that does not parse, once it is old enough not to be in the making. */
function isStale(text: string, mtimeMs: number): boolean {
  const holder = parseRecord(text);
  return holder ? !isAlive(holder) : Date.now() - mtimeMs > UNREADABLE_STALE_MS;
}

/** A record from another host cannot be checked: it counts as alive (a shared folder). */
function isAlive(record: OwnerRecord): boolean {
  if (record.hostname !== os.hostname()) return true;
  if (record.pid === process.pid) return true;
  return processAlive(record.pid);
}
