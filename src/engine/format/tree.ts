/**
 * Trees: one per directory, stored as a blob of type tree (JSON, UTF-8). Entries are sorted by
 * name (UTF-16 code unit order, as JavaScript sorts), so equal directories give equal tree ids and
 * unchanged subtrees deduplicate for free.
 */
import { IntegrityError } from '../errors.js';

export type NodeType = 'file' | 'dir' | 'symlink';

export interface TreeNode {
  name: string;
  type: NodeType;
  /** Permission bits and set-id/sticky bits (mode & 0o7777). */
  mode: number;
  /** Modification time, milliseconds since the epoch (fractional: sub-millisecond precision kept). */
  mtime: number;
  /** Change time and inode: used only to decide whether a file can be skipped next time. */
  ctime?: number;
  inode?: number;
  /** Files: size in bytes and the ids of the data blobs that make up the content, in order. */
  size?: number;
  content?: string[];
  /** Directories: id of the subtree. */
  subtree?: string;
  /** Symlinks: the link target, as read. */
  target?: string;
}

export interface Tree {
  nodes: TreeNode[];
}

export function encodeTree(tree: Tree): Buffer {
  return Buffer.from(JSON.stringify(tree), 'utf8');
}

/** A name that can be recreated safely as one path component on any supported system. */
export function isSafeName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !name.includes('\0')
  );
}

export function decodeTree(plain: Uint8Array, what: string): Tree {
  let tree: Tree;
  try {
    tree = JSON.parse(Buffer.from(plain).toString('utf8')) as Tree;
  } catch (cause) {
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
  if (!tree || !Array.isArray(tree.nodes)) throw new IntegrityError(`${what} is not a tree`);
  for (const node of tree.nodes) {
    if (node === null || typeof node !== 'object') throw new IntegrityError(`${what} has a malformed entry`);
    if (node.type !== 'file' && node.type !== 'dir' && node.type !== 'symlink') {
      throw new IntegrityError(`${what} has an entry of unknown type`);
    }
  }
  return tree;
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
