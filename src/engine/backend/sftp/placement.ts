/**
 * Putting bytes under a name on the server: creating the temporary file (and the folder a sync
 * tool or a person removed), flushing and closing it, and naming it — without ever replacing an
 * object, or replacing one atomically when asked — plus telling a full disk from OpenSSH's bare
 * "Failure". Shared by `save` and staged objects' `commit`.
 */
import path from 'node:path';
import { describeRef } from '../refs.js';
import { BackendError, type ObjectRef } from '../types.js';
import { SFTP_STATUS } from './errors.js';
import { objectPath } from './layout.js';
import { isStatus, lstatIfPresent, makeFolder, removeFile } from './remote-tree.js';
import type { SftpSession } from './session.js';

/** Free space below which a write FAILURE from the server is reported as a full disk. */
const NEARLY_FULL = 1024 * 1024;

/** The repository a file belongs to: its root folder and its server (`user@host:port`, for messages). */
export interface RepositoryPlace {
  root: string;
  server: string;
}

/** Creates a new file (never opening an existing one); makes its folder when a sync tool or a person removed it. */
export async function createFile(
  session: SftpSession,
  repo: RepositoryPlace,
  file: string,
  folder: string,
): Promise<Buffer> {
  try {
    return await session.open(file, 'wx');
  } catch (err) {
    if (!isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
    await ensureFolder(session, repo, folder);
    return await session.open(file, 'wx');
  }
}

/** Makes a missing kind or shard folder; a missing repository root (an unmounted volume) stays an error. */
export async function ensureFolder(session: SftpSession, repo: RepositoryPlace, folder: string): Promise<void> {
  const parts = path.posix.relative(repo.root, folder).split('/').filter(Boolean);
  let current = repo.root;
  for (const part of parts) {
    current = `${current}/${part}`;
    try {
      await makeFolder(session, current);
    } catch (err) {
      if (!isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
      throw new BackendError(
        'not-found',
        `the repository folder ${repo.root} does not exist on sftp server ${repo.server}`,
        { cause: err },
      );
    }
  }
}

/**
 * fsync (when offered) and close, sent together: the server answers them in order, saving a
 * round trip. The close is sent even when the fsync fails.
 */
export async function finishFile(session: SftpSession, handle: Buffer): Promise<void> {
  const synced = session.supports('fsync@openssh.com') ? session.fsync(handle) : Promise.resolve();
  const [sync, close] = await Promise.allSettled([synced, session.close(handle)]);
  if (sync.status === 'rejected') throw sync.reason;
  if (close.status === 'rejected') throw close.reason;
}

/**
 * Names `file` as `ref` without ever replacing an object: plain SFTP rename, which fails when
 * the name is taken (OpenSSH links, then unlinks the old name, so of racing writers exactly one
 * wins). OpenSSH answers a taken name with a bare FAILURE, so a failure is followed by a look at
 * the target.
 */
export async function moveIntoPlace(
  session: SftpSession,
  repo: RepositoryPlace,
  file: string,
  ref: ObjectRef,
): Promise<void> {
  const target = objectPath(repo.root, ref);
  for (let attempt = 0; ; attempt++) {
    try {
      await session.rename(file, target);
      return;
    } catch (err) {
      if ((await lstatIfPresent(session, target)) !== undefined) {
        throw new BackendError('exists', `${describeRef(ref)} already exists`, { cause: err });
      }
      // A staged object moves from its kind's folder into a shard folder that may have gone.
      if (attempt > 0 || !isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) throw err;
      await ensureFolder(session, repo, path.posix.dirname(target));
    }
  }
}

/** Names `file` as `target`, replacing what is there, atomically where the server can (`posix-rename@openssh.com`). */
export async function replaceWith(session: SftpSession, file: string, target: string): Promise<void> {
  if (session.supports('posix-rename@openssh.com')) {
    await session.posixRename(file, target);
    return;
  }
  // SFTP v3 alone cannot replace: remove, then rename. A crash in between leaves the new bytes
  // under the temporary name, which the next save writes again.
  try {
    await session.rename(file, target);
  } catch (err) {
    if ((await lstatIfPresent(session, target)) === undefined) throw err;
    await removeFile(session, target);
    await session.rename(file, target);
  }
}

/**
 * OpenSSH reports a full disk as a bare FAILURE; when free space is nearly gone, say so
 * (`statvfs@openssh.com`) instead of passing on an unexplained "Failure". Other errors pass.
 */
export async function explainFailure(
  session: SftpSession,
  repo: RepositoryPlace,
  err: unknown,
  doing: string,
): Promise<unknown> {
  if (!isStatus(err, SFTP_STATUS.FAILURE) || !session.alive || !session.supports('statvfs@openssh.com')) return err;
  const space = await session.statvfs(repo.root).catch(() => undefined);
  if (space === undefined || space.bavail * space.frsize >= NEARLY_FULL) return err;
  return new BackendError('no-space', `the storage location is full (sftp server ${repo.server}, while ${doing})`, {
    cause: err,
  });
}
