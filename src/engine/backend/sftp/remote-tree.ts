/**
 * Folder-level chores on the server over one session: listing a folder that may be missing,
 * making folders (one level, or a whole path like `mkdir -p`), and removing a tree. OpenSSH
 * answers "already exists" with a bare FAILURE status, so an `mkdir` that fails is followed by an
 * `lstat` to tell an existing folder from a real failure; the happy path costs one request.
 */
import type { FileEntryWithStats } from 'ssh2';
import { mapLimit } from '../../util/concurrency.js';
import { SFTP_STATUS } from './errors.js';
import { isFolder } from './layout.js';
import type { SftpSession } from './session.js';

/** Requests kept in flight by the chores that touch many entries (create's 256 shard folders). */
export const TREE_CONCURRENCY = 32;

export function isStatus(err: unknown, code: number): boolean {
  return (err as { code?: unknown } | null)?.code === code;
}

/** The entries of `folder`, or none when it does not exist (or is not a folder). */
export async function readdirIfPresent(session: SftpSession, folder: string): Promise<FileEntryWithStats[]> {
  try {
    return await session.readdir(folder);
  } catch (err) {
    if (isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) return [];
    throw err;
  }
}

/** The entry's attributes, or undefined when nothing is there. */
export async function lstatIfPresent(session: SftpSession, file: string) {
  try {
    return await session.lstat(file);
  } catch (err) {
    if (isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) return undefined;
    throw err;
  }
}

/** Makes `folder` (its parent must exist); an existing folder is fine. Fails NO_SUCH_FILE when the parent is missing. */
export async function makeFolder(session: SftpSession, folder: string): Promise<void> {
  try {
    await session.mkdir(folder);
  } catch (err) {
    if (isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
    const existing = await lstatIfPresent(session, folder).catch(() => undefined);
    if (existing && isFolder(existing.mode)) return;
    throw err;
  }
}

/** `mkdir -p`: makes `folder` and any missing parents. */
export async function makeFolderPath(session: SftpSession, folder: string): Promise<void> {
  try {
    await makeFolder(session, folder);
  } catch (err) {
    const parent = folder.slice(0, folder.lastIndexOf('/'));
    if (!isStatus(err, SFTP_STATUS.NO_SUCH_FILE) || parent === '' || parent === folder) throw err;
    await makeFolderPath(session, parent);
    await makeFolder(session, folder);
  }
}

/** Removes a file; a missing one is fine. Resolves whether this call removed it. */
export async function removeFile(session: SftpSession, file: string): Promise<boolean> {
  try {
    await session.unlink(file);
    return true;
  } catch (err) {
    if (!isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
    return false;
  }
}

/**
 * Removes everything inside `folder`. Symlinks inside are removed, never followed (readdir
 * reports entries as lstat sees them). A missing folder is fine.
 */
export async function removeContents(session: SftpSession, folder: string): Promise<void> {
  const entries = await readdirIfPresent(session, folder);
  await mapLimit(entries, TREE_CONCURRENCY, async (entry) => {
    const child = `${folder}/${entry.filename}`;
    if (isFolder(entry.attrs.mode)) await removeTree(session, child);
    else await removeFile(session, child);
  });
}

/** Removes `folder` and everything below it (see removeContents). A missing folder is fine. */
export async function removeTree(session: SftpSession, folder: string): Promise<void> {
  await removeContents(session, folder);
  try {
    await session.rmdir(folder);
  } catch (err) {
    if (!isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
  }
}
