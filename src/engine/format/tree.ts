/**
 * Trees: one per directory, stored as a blob of type tree (JSON, UTF-8). Entries are sorted by
 * name (UTF-16 code unit order, as JavaScript sorts), so equal directories give equal tree ids and
 * unchanged subtrees deduplicate for free. Decoding checks every field a reader uses has the
 * declared type, so a tree from a faulty writer fails with a message rather than a TypeError later.
 */
import { isId } from '../crypto/ids.js';
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

/** Whether `value` is a number of the kind JSON can hold (never NaN or infinite). */
function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isOptional<T>(value: unknown, check: (v: unknown) => v is T): boolean {
  return value === undefined || check(value);
}

function isIdString(value: unknown): value is string {
  return typeof value === 'string' && isId(value);
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isIdString);
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * What is wrong with a node, or undefined when it has the shape every reader relies on: a name
 * (a string; whether it is safe to recreate is restore's decision), a known type, permission
 * bits, a finite mtime, and per type the fields of that type, each of the right kind.
 */
function nodeProblem(node: TreeNode): string | undefined {
  if (typeof node.name !== 'string') return 'an entry without a name';
  if (node.type !== 'file' && node.type !== 'dir' && node.type !== 'symlink') return 'an entry of unknown type';
  if (!Number.isInteger(node.mode) || node.mode < 0 || node.mode > 0o7777) return 'an entry with invalid permissions';
  if (!isFiniteNumber(node.mtime) || !isOptional(node.ctime, isFiniteNumber) || !isOptional(node.inode, isFiniteNumber))
    return 'an entry with an invalid time or inode';
  if (!isOptional(node.size, isSize) || !isOptional(node.content, isIdList)) return 'a file entry with invalid content';
  if (!isOptional(node.subtree, isIdString)) return 'a folder entry with an invalid subtree';
  if (!isOptional(node.target, (v): v is string => typeof v === 'string'))
    return 'a symlink entry with an invalid target';
  return undefined;
}

export function decodeTree(plain: Uint8Array, what: string): Tree {
  let tree: Tree;
  try {
    tree = JSON.parse(Buffer.from(plain.buffer, plain.byteOffset, plain.length).toString('utf8')) as Tree;
  } catch (cause) {
    // Not JSON, or more text than one string can hold.
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
  if (!tree || !Array.isArray(tree.nodes)) throw new IntegrityError(`${what} is not a tree`);
  for (const node of tree.nodes) {
    if (node === null || typeof node !== 'object' || Array.isArray(node))
      throw new IntegrityError(`${what} has a malformed entry`);
    const problem = nodeProblem(node);
    if (problem) throw new IntegrityError(`${what} has ${problem}`);
  }
  return tree;
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
