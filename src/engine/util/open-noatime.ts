/**
 * Opening a file to read it for a backup without moving its access time (O_NOATIME, Linux): the
 * backup records access times (format version 3), and a backup that moved them would record a
 * different one next time and leave every file it read looking just used. The kernel allows
 * O_NOATIME only to the file's owner (or root): for any other file, the plain open.
 */
import { constants, openSync } from 'node:fs';

const NOATIME = constants.O_NOATIME ?? 0;

/** A read-only descriptor of `p`, opened without moving its access time where the system allows it. */
export function openForBackup(p: string | Buffer): number {
  if (NOATIME === 0) return openSync(p, constants.O_RDONLY);
  try {
    return openSync(p, constants.O_RDONLY | NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    return openSync(p, constants.O_RDONLY);
  }
}
