/**
 * The file-system helpers of restore (restorer.ts): paths of entries, which may be bytes when a
 * name is not valid UTF-8 (format version 3, `nameBytes`), temporary names beside them, the
 * keep-both name, metadata given to an entry, and the one ranged read of a pack.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Backend, BackendError } from '../backend/types.js';
import { CairnError, describeError } from '../errors.js';
import type { SnapshotRecord } from '../format/snapshot.js';
import type { TreeNode } from '../format/tree.js';
import { utimesSeconds } from './exact-times.js';
import type { PackWrite } from './restore-pool.js';

/** A local path: a string, or bytes when the entry's name is not valid UTF-8. */
export type LocalPath = string | Buffer;

/** Where `node` goes inside `localDir`: by its name, or by its exact bytes when it has them. */
export function localChild(localDir: string, node: TreeNode): LocalPath {
  if (node.nameBytes === undefined || node.type === 'dir') return path.join(localDir, node.name);
  const dir = localDir.endsWith(path.sep) ? localDir : `${localDir}${path.sep}`;
  return Buffer.concat([Buffer.from(dir), Buffer.from(node.nameBytes, 'base64')]);
}

/** Whether a name recorded as bytes is one path component: not empty, `.` or `..`, without `/` or NUL. */
export function isSafeNameBytes(base64: string): boolean {
  const bytes = Buffer.from(base64, 'base64');
  const text = bytes.toString('latin1');
  return bytes.length > 0 && text !== '.' && text !== '..' && !bytes.includes(0x2f) && !bytes.includes(0);
}

/** A path as text, for messages and plans (bytes that are not UTF-8 show as U+FFFD). */
export function shownPath(local: LocalPath): string {
  return typeof local === 'string' ? local : local.toString('utf8');
}

/** A fresh random temporary name in the folder of `local`. */
export function tempBeside(local: LocalPath): string {
  return path.join(path.dirname(shownPath(local)), `.cairn-restore-${randomBytes(6).toString('hex')}`);
}

/**
 * Permission bits restored: set-user-ID and set-group-ID are dropped, since owners are not
 * restored and a restore run as root would otherwise create set-ID programs owned by root.
 */
export const SAFE_MODE_BITS = 0o1777;

export async function applyMetadata(local: string, node: TreeNode): Promise<void> {
  await fs.chmod(local, node.mode & SAFE_MODE_BITS);
  await fs.utimes(local, ...utimesOf(node));
}

/** The access and modification times utimes takes for a node, to the microsecond. */
export function utimesOf(node: TreeNode): [number, number] {
  return [utimesSeconds(node.atimeNs ?? node.mtimeNs, node.mtime), utimesSeconds(node.mtimeNs, node.mtime)];
}

export function lstatOrUndefined(p: LocalPath): Stats | undefined {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch (err) {
    throw new CairnError('io', `${shownPath(p)}: ${describeError(err)}`, { cause: err });
  }
}

/** `report.pdf` → `report (restored 2026-11-26 ab12cd34).pdf`, numbered if that exists too. */
export async function keepBothName(local: LocalPath, snapshot: SnapshotRecord): Promise<LocalPath> {
  const label = `restored ${snapshot.time.slice(0, 10)} ${snapshot.id.slice(0, 8)}`;
  if (typeof local !== 'string') {
    // A name of bytes keeps them all, with the label after (its extension cannot be told apart).
    for (let n = 1; ; n++) {
      const candidate = Buffer.concat([local, Buffer.from(` (${label}${n > 1 ? ` ${n}` : ''})`)]);
      if (!lstatOrUndefined(candidate)) return candidate;
    }
  }
  const ext = path.extname(local);
  const stem = local.slice(0, local.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${label}${n > 1 ? ` ${n}` : ''})${ext}`;
    if (!lstatOrUndefined(candidate)) return candidate;
  }
}

/**
 * The bytes of a pack up to the end of the last blob to write: one ranged load, so restoring a
 * few files of a large pack reads (or downloads) only what they need. A pack shorter than the
 * index says (damaged) is read whole instead: the blobs before the damage are still written, and
 * the ones past it fail their checks one by one.
 */
export async function loadPackPrefix(backend: Backend, packId: string, writes: readonly PackWrite[]): Promise<Buffer> {
  const ref = { kind: 'data', id: packId } as const;
  let end = 0;
  for (const w of writes) end = Math.max(end, w.offset + w.length);
  try {
    return await backend.load(ref, { offset: 0, length: end });
  } catch (err) {
    if (err instanceof BackendError && err.code === 'range') return backend.load(ref);
    throw err;
  }
}
