/**
 * Durable small-file primitives for the privacy records: an atomic whole-file write (temp file,
 * fsync, rename, fsync of the folder), a durable line append, canonical JSON for hashing, and a
 * cross-process lock (a lock file holding pid, host and time; taken over when its process is gone
 * or it is older than STALE_MS) so the app and CLI processes can append at the same time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { withLockFile } from '../util/lock-file.js';

const STALE_MS = 30_000;
const WAIT_MS = 20_000;

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms (Windows) cannot open or fsync a folder; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Replaces `file` with `data` atomically: readers see the old or the new content, never a mix. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/** Appends `text` to `file` in one write and fsyncs it. */
export function appendDurable(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, Buffer.from(text, 'utf8'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's text, or undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Parses a JSON file; a missing file gives `fallback`, an unreadable one a clear error. */
export function readJsonFile<T>(file: string, fallback: T): T {
  const text = readIfExists(file);
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CairnError('integrity', `${file} is not valid JSON: it was edited or damaged`);
  }
}

/**
 * Runs `fn` while holding `<dir>/<name>.lock`. Holders keep it for milliseconds (one append), so a
 * waiter polls; a lock whose process is gone (same host) or that is older than 30 s is taken over
 * (by one waiter only: src/app/util/lock-file.ts).
 */
export function withFileLock<T>(dir: string, name: string, fn: () => T): T {
  fs.mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, `${name}.lock`);
  return withLockFile(
    lockFile,
    {
      waitMs: WAIT_MS,
      staleMs: STALE_MS,
      busy: () =>
        new CairnError('locked', `the privacy records in ${dir} are locked by another Cairn process (${lockFile})`),
    },
    fn,
  );
}
