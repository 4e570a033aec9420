/** Reads a file that fits in one chunk, for the small-file path of file-archiver.ts. */
import { closeSync, readSync } from 'node:fs';
import { openForBackup } from '../util/open-noatime.js';

/**
 * Reads a file that fits in one chunk with synchronous calls: on this kind of workload a thread
 * pool round trip per open/read/close costs several times the read itself. Returns undefined
 * when the file grew beyond the size lstat gave (the caller then chunks it as a large file);
 * otherwise a view into `buffer` (at least expectedSize + 1 bytes), valid until the next call.
 */
export function readSmallFile(localPath: string | Buffer, expectedSize: number, buffer: Buffer): Buffer | undefined {
  const fd = openForBackup(localPath);
  try {
    const buf = buffer.subarray(0, expectedSize + 1);
    let filled = 0;
    while (filled < buf.length) {
      const n = readSync(fd, buf, filled, buf.length - filled, filled);
      filled += n;
      // A read that asked for more than the expected size and stopped exactly there met the end
      // of the file: no second read (of zero bytes) is needed to know it.
      if (n === 0 || filled === expectedSize) break;
    }
    if (filled > expectedSize) return undefined;
    return buf.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
