/**
 * Where objects live on the server: the same layout as LocalBackend (local.ts), so a repository
 * copied between a local disk and an SFTP server (or reached both ways) reads the same:
 * `<root>/config`, `<root>/data/<first two hex chars>/<id>`, `<root>/<kind>/<id>` for the other
 * kinds. Unfinished writes are `.tmp-<hex>` files in the folder they will be renamed within.
 * Paths are POSIX paths on the server whatever this computer's system is.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { assertValidKind, assertValidRef } from '../refs.js';
import type { ObjectKind, ObjectRef } from '../types.js';

export const TMP_PREFIX = '.tmp-';
/** The kinds kept in a folder of their own (config is a file in the root). */
export const FOLDER_KINDS = ['keys', 'data', 'index', 'snapshots', 'locks'] as const;
export const SHARDS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const SHARD_NAME = /^[0-9a-f]{2}$/;
/** Files desktop systems drop into any folder; they do not make a folder "non-empty" for create(). */
export const OS_CLUTTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.directory']);

/** A repository root as given (`/srv/backup/`), without trailing slashes; never the server's `/`. */
export function normalizeRoot(root: string): string {
  const normalized = path.posix.normalize(root).replace(/\/+$/, '');
  return normalized === '' || normalized === '.' ? '/' : normalized;
}

/** The path of an object; the ref is validated first so that a crafted id never leaves the root. */
export function objectPath(root: string, ref: ObjectRef): string {
  assertValidRef(ref);
  if (ref.kind === 'config') return `${root}/config`;
  if (ref.kind === 'data') return `${root}/data/${ref.id.slice(0, 2)}/${ref.id}`;
  return `${root}/${ref.kind}/${ref.id}`;
}

/** The folder a staged object of `kind` is written in before it is named. */
export function stagingFolder(root: string, kind: ObjectKind): string {
  assertValidKind(kind);
  return kind === 'config' ? root : `${root}/${kind}`;
}

/** A fresh temporary name in `folder`. */
export function temporaryPath(folder: string): string {
  return `${folder}/${TMP_PREFIX}${randomBytes(8).toString('hex')}`;
}

// File types in an SFTP `mode` (the POSIX S_IFMT bits, as OpenSSH sends them).
const S_IFMT = 0o170000;
const TYPES: Record<number, string> = {
  16807: 'a regular file',
  9604: 'a folder',
  21609: 'a symbolic link',
  2401: 'a FIFO',
  26411: 'a socket',
  4802: 'a character device',
  14406: 'a block device',
};

export function isRegularFile(mode: number): boolean {
  return (mode & S_IFMT) === 0o100000;
}

export function isFolder(mode: number): boolean {
  return (mode & S_IFMT) === 0o040000;
}

/** What a non-regular entry is, in words ("a FIFO", "a symbolic link"), for refusals. */
export function describeMode(mode: number): string {
  return TYPES[mode & S_IFMT] ?? 'not a file';
}
