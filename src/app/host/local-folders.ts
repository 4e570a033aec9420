/**
 * The local folder browser behind 'fs.list': lists one folder of this computer (folders first,
 * then by name) for the folder picker of the browser version, where no system dialog exists.
 * Only absolute paths are accepted; an unreadable folder is reported as such, never guessed at.
 * It reads names and types only (no file contents).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContractError } from '../../contract/errors.js';
import type { Result } from '../../contract/methods.js';

type Listing = Result<'fs.list'>;
type Entry = Listing['entries'][number];

function typeOf(dirent: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }): Entry['type'] {
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isFile()) return 'file';
  if (dirent.isSymbolicLink()) return 'symlink';
  return 'other';
}

export async function listLocalFolder(requested: string, limit: number): Promise<Listing> {
  const home = os.homedir();
  const given = requested.trim() === '' ? home : requested.trim();
  if (!path.isAbsolute(given)) {
    throw new ContractError('invalid-argument', `the folder must be an absolute path (got "${given}")`);
  }
  const folder = path.resolve(given);
  let dirents: import('node:fs').Dirent[];
  try {
    dirents = await fs.readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ContractError('not-found', `${folder} does not exist`);
    if (code === 'ENOTDIR') throw new ContractError('invalid-argument', `${folder} is not a folder`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ContractError('io', `${folder} cannot be read: permission denied`);
    }
    throw new ContractError('io', `${folder} cannot be read: ${(err as Error).message}`);
  }
  const entries: Entry[] = dirents.map((d) => ({ name: d.name, path: path.join(folder, d.name), type: typeOf(d) }));
  entries.sort((a, b) => {
    const ad = a.type === 'dir' ? 0 : 1;
    const bd = b.type === 'dir' ? 0 : 1;
    return ad - bd || a.name.localeCompare(b.name);
  });
  const parent = path.dirname(folder);
  return {
    path: folder,
    parent: parent === folder ? null : parent,
    home,
    entries: entries.slice(0, limit),
    truncated: entries.length > limit,
  };
}
