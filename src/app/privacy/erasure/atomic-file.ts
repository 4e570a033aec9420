/**
 * Small JSON files of the app data folder written atomically (temporary file in the same folder,
 * fsync, rename, fsync of the folder; mode 0600), and read back with a clear error when damaged.
 * Used by the erasure records (tombstones, receipts) and the restriction (frozen) list.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError, describeError } from '../../../engine/errors.js';

/** Writes `value` as indented JSON to `file`, atomically; creates the folder (0700) if needed. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    syncDir(dir);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new CairnError('io', `cannot write ${file}: ${describeError(err)}`, { cause: err });
  }
}

/** The parsed JSON of `file`, or `fallback` when it does not exist. A damaged file is an error, never ignored. */
export function readJson<T>(file: string, fallback: T): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new CairnError('io', `cannot read ${file}: ${describeError(err)}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new CairnError('integrity', `${file} is damaged (not valid JSON); repair or remove it`, { cause });
  }
}

function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // some filesystems cannot fsync a folder; the rename is still atomic
  }
}
