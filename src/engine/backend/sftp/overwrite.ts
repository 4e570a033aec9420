/**
 * Shredding a file on the server (`SftpBackend.shred`): lstat it; when it is a regular file,
 * open it for writing without truncating ('r+'), write random bytes of its length over it from
 * the start (pipelined), fsync it (when the server offers `fsync@openssh.com`) and close it; then
 * unlink it. Anything else under the name is only unlinked, never opened.
 *
 * SFTP v3 has no open that refuses a symlink, so the lstat is what keeps a symlink from being
 * written through; the handle's own size must still be the one lstat saw, or nothing is written.
 * A file swapped in during the one round trip between them could still be written: that needs
 * write access to the repository folder on the server. Best effort below the server's file
 * system, as for a local folder: SSDs, copy-on-write file systems and snapshots keep old blocks.
 */
import { randomBytes } from 'node:crypto';
import { SFTP_STATUS } from './errors.js';
import { isRegularFile } from './layout.js';
import { finishFile } from './placement.js';
import { isStatus, lstatIfPresent, removeFile } from './remote-tree.js';
import type { SftpSession } from './session.js';
import { PipelinedWriter } from './transfer.js';

/** Random bytes made at a time: a large object is overwritten without holding all of it in memory. */
const PIECE = 1024 * 1024;

/** Overwrites `file` in place when it is a regular file, then removes it; a missing file is fine. */
export async function shredFile(session: SftpSession, file: string): Promise<void> {
  const info = await lstatIfPresent(session, file);
  if (info && isRegularFile(info.mode) && info.size > 0) await overwrite(session, file, info.size);
  await removeFile(session, file);
}

async function overwrite(session: SftpSession, file: string, size: number): Promise<void> {
  let handle: Buffer;
  try {
    handle = await session.open(file, 'r+');
  } catch (err) {
    if (isStatus(err, SFTP_STATUS.NO_SUCH_FILE)) return; // removed meanwhile
    throw err;
  }
  // Closed exactly once: the server reuses handle values, so a second close could hit another file.
  let handleOpen = true;
  try {
    const opened = await session.fstat(handle);
    if (isRegularFile(opened.mode) && opened.size === size) {
      const writer = new PipelinedWriter(session, handle);
      for (let at = 0; at < size; at += PIECE) await writer.write([randomBytes(Math.min(PIECE, size - at))]);
      await writer.flush();
    }
    handleOpen = false;
    await finishFile(session, handle);
  } finally {
    if (handleOpen) session.closeQuietly(handle);
  }
}
