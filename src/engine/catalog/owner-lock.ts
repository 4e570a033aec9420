/**
 * One process owns an app data folder at a time (the desktop app or `cairn serve`): opening the
 * catalog marks tasks left running by a previous owner as interrupted, which must never happen to
 * a live process's tasks. The owner writes `owner.lock` (pid, hostname, time) with O_EXCL; a lock
 * whose process is gone (same host, pid not alive) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../errors.js';

export const OWNER_LOCK_FILE = 'owner.lock';

interface OwnerRecord {
  pid: number;
  hostname: string;
  since: string;
}

export class OwnerLock {
  private released = false;

  private constructor(readonly file: string) {}

  static acquire(dataDir: string): OwnerLock {
    const file = path.join(dataDir, OWNER_LOCK_FILE);
    const record: OwnerRecord = { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${JSON.stringify(record)}\n`, { flag: 'wx', mode: 0o600 });
        return new OwnerLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new CairnError('io', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
        }
      }
      const holder = readRecord(file);
      if (holder && isAlive(holder)) {
        throw new CairnError(
          'locked',
          `Cairn is already running with the app data folder ${dataDir} (process ${holder.pid} on ${holder.hostname} since ${holder.since}); close it first, or use another --data-dir`,
        );
      }
      fs.rmSync(file, { force: true }); // left by a process that has ended
    }
    throw new CairnError('locked', `another Cairn process took the app data folder ${dataDir} at the same moment`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const holder = readRecord(this.file);
    if (holder?.pid === process.pid && holder.hostname === os.hostname()) fs.rmSync(this.file, { force: true });
  }
}

function readRecord(file: string): OwnerRecord | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
    return Number.isInteger(parsed.pid) && typeof parsed.hostname === 'string' ? parsed : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as ended
  }
}

/** A record from another host cannot be checked: it counts as alive (a shared folder). */
function isAlive(record: OwnerRecord): boolean {
  if (record.hostname !== os.hostname()) return true;
  if (record.pid === process.pid) return true;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
