/**
 * Opening repository files so that only regular files are ever read. Opening a FIFO for reading
 * blocks until a writer comes (forever, in a repository), a device can stream endless bytes, and
 * a symlink may lead anywhere. So a file is opened with O_NOFOLLOW (a symlink fails at once
 * instead of being followed) and O_NONBLOCK (a FIFO opens at once instead of waiting), and the
 * open descriptor is then checked with fstat: there is no window between the check and the
 * read for the file to be swapped. O_NONBLOCK changes nothing for a regular file's reads.
 * Windows has neither flag nor FIFOs in folders; fstat still refuses everything else there.
 */
import type { Stats } from 'node:fs';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import fs from 'node:fs/promises';
import { BackendError } from './types.js';

/** Read-only, never through a symlink, never waiting for a FIFO's writer. */
export const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** The same for read-write (shred overwrites in place). */
export const WRITE_FLAGS = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What a non-regular directory entry is, in words: "a FIFO", "a symbolic link", ... */
export function describeFileType(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a folder';
  return 'not a file';
}

/** The error for a repository entry that is not a regular file; `what` names it ("snapshots object 3fa2…"). */
export function notRegularFileError(what: string, type: string): BackendError {
  return new BackendError(
    'invalid-object',
    `${what} is not a regular file (${type}): Cairn reads only regular files from a repository; remove it`,
  );
}

/**
 * O_NOFOLLOW reports a symlink as ELOOP (Linux, macOS) or EMLINK (FreeBSD); some systems refuse
 * to open a socket with ENXIO or EOPNOTSUPP. These become the not-a-regular-file error.
 */
const NOT_OPENABLE = new Set(['ELOOP', 'EMLINK', 'ENXIO', 'EOPNOTSUPP']);

function refusal(err: unknown, file: string, what: string): BackendError | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code || !NOT_OPENABLE.has(code)) return undefined;
  let type = 'it cannot be opened as a file';
  try {
    const stats = lstatSync(file);
    if (stats.isFile()) return undefined; // an errno unrelated to the entry's type
    type = describeFileType(stats);
  } catch {
    // Gone meanwhile: the generic words stay.
  }
  return notRegularFileError(what, type);
}

/**
 * Opens `file` for reading (or read-write with WRITE_FLAGS) when it is a regular file; returns
 * the handle and the file's size. Other errors (ENOENT, EACCES...) are thrown unchanged for the
 * caller to map.
 */
export async function openRegularFile(
  file: string,
  what: string,
  flags = READ_FLAGS,
): Promise<{ handle: fs.FileHandle; size: number }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, flags);
  } catch (err) {
    throw refusal(err, file, what) ?? err;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegularFileError(what, describeFileType(stats));
    return { handle, size: stats.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The synchronous form of `openRegularFile` (worker threads, start-up code); returns a descriptor. */
export function openRegularFileSync(file: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (err) {
    throw refusal(err, file, what) ?? err;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegularFileError(what, describeFileType(stats));
    return { fd, size: stats.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * The whole of a regular file of at most `maxBytes` bytes, read synchronously (for code that runs
 * before anything asynchronous may, like the CLI's early unlock); refuses anything else.
 */
export function readRegularFileSync(file: string, what: string, maxBytes: number): Buffer {
  const { fd, size } = openRegularFileSync(file, what);
  try {
    if (size > maxBytes) {
      throw new BackendError('invalid-object', `${what} is ${size} bytes, more than the ${maxBytes} it can be`);
    }
    return readFullySync(fd, Buffer.allocUnsafe(size), size);
  } finally {
    closeSync(fd);
  }
}

/** Reads up to `length` bytes from the start of `fd` into `buffer`; returns the part filled. */
export function readFullySync(fd: number, buffer: Buffer, length: number): Buffer {
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
