/**
 * Paths inside recovery points are absolute and POSIX-style on every system: `/home/me/docs`;
 * on Windows `C:\Users\me` becomes `/C/Users/me`. These helpers convert between the two.
 */
import path from 'node:path';

/** `//`, a `.` or `..` segment, or a trailing `/` after something: what resolve would change. */
const NOT_NORMAL_POSIX = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/** Absolute, normalized, POSIX form of a local path. */
export function toRepoPath(localPath: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const abs = path.win32.resolve(localPath);
    const m = /^([A-Za-z]):\\?(.*)$/.exec(abs);
    if (m)
      return `/${m[1]?.toUpperCase()}/${(m[2] ?? '').split('\\').filter(Boolean).join('/')}`.replace(/\/$/, '') || '/';
    return `/${abs.split('\\').filter(Boolean).join('/')}`;
  }
  // The walk's paths are already absolute and normal: skip resolve (it allocates per segment).
  if (localPath[0] === '/' && !NOT_NORMAL_POSIX.test(localPath)) return localPath;
  return path.posix.resolve(localPath);
}

/** Components of a repository path: `/home/me` → ['home', 'me']; `/` → []. */
export function repoPathComponents(repoPath: string): string[] {
  return repoPath.split('/').filter((c) => c.length > 0);
}

export function joinRepoPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Normalizes a user-given path inside a recovery point (`docs/a.txt`, `/docs/a.txt/`) to `/docs/a.txt`. */
export function normalizeRepoPath(p: string): string {
  const parts = p
    .replace(/\\/g, '/')
    .split('/')
    .filter((c) => c.length > 0 && c !== '.');
  return `/${parts.join('/')}`;
}

/** The local path of a repository path (inverse of `toRepoPath`): `/C/Users` → `C:\Users` on Windows. */
export function localPathOf(repoPath: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const [drive, ...rest] = repoPathComponents(repoPath);
    return `${drive}:\\${rest.join('\\')}`;
  }
  return repoPath;
}

/** Whether the local path `p` is `root` or lies below it. */
export function isWithin(root: string, p: string): boolean {
  if (root === p) return true;
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
