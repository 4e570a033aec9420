/**
 * Trees: one per directory, stored as a blob of type tree (JSON, UTF-8). Entries are sorted by
 * name (UTF-16 code unit order, as JavaScript sorts), so equal directories give equal tree ids and
 * unchanged subtrees deduplicate for free. Decoding checks every field a reader uses has the
 * declared type, so a tree from a faulty writer fails with a message rather than a TypeError later.
 */
import { isId } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import type { XattrEntry } from '../util/xattrs.js';

/** `fifo`, `chardev` and `blockdev` appear only in format version 3. */
export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev';

const NODE_TYPES: ReadonlySet<string> = new Set(['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev']);

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
  /*
   * Format version 3 (docs/repository-format.md §10): what a faithful restore needs beyond the
   * above. Older Cairns ignore these fields; they never read a version-3 repository anyway.
   */
  /** Modification and access time, nanoseconds since the epoch as a decimal string (JSON numbers cannot hold them). */
  mtimeNs?: string;
  atimeNs?: string;
  /** Numeric owner and group. */
  uid?: number;
  gid?: number;
  /** Files with more than one name: `<st_dev>:<st_ino>`, equal on every name of the inode in one recovery point. */
  hardlink?: string;
  /** Extended attributes, sorted by name; values base64. */
  xattrs?: XattrEntry[];
  /** The exact bytes of a name that is not valid UTF-8 (base64); `name` then shows them with U+FFFD. */
  nameBytes?: string;
  /** Devices: the device number (`st_rdev`). */
  rdev?: number;
}

export type { XattrEntry };

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
  if (!NODE_TYPES.has(node.type)) return 'an entry of unknown type';
  if (!Number.isInteger(node.mode) || node.mode < 0 || node.mode > 0o7777) return 'an entry with invalid permissions';
  if (!isFiniteNumber(node.mtime) || !isOptional(node.ctime, isFiniteNumber) || !isOptional(node.inode, isFiniteNumber))
    return 'an entry with an invalid time or inode';
  if (!isOptional(node.size, isSize) || !isOptional(node.content, isIdList)) return 'a file entry with invalid content';
  if (!isOptional(node.subtree, isIdString)) return 'a folder entry with an invalid subtree';
  if (!isOptional(node.target, (v): v is string => typeof v === 'string'))
    return 'a symlink entry with an invalid target';
  return fidelityProblem(node);
}

const NS_PATTERN = /^-?\d{1,30}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

function isNsString(value: unknown): value is string {
  return typeof value === 'string' && NS_PATTERN.test(value);
}

function isBase64(value: unknown): value is string {
  return typeof value === 'string' && value.length % 4 === 0 && BASE64_PATTERN.test(value);
}

function isXattrList(value: unknown): value is XattrEntry[] {
  return (
    Array.isArray(value) &&
    value.every(
      (x) =>
        x !== null && typeof x === 'object' && typeof x.name === 'string' && x.name.length > 0 && isBase64(x.value),
    )
  );
}

/** The version-3 fields (§10), each of the right kind when present. */
function fidelityProblem(node: TreeNode): string | undefined {
  if (!isOptional(node.mtimeNs, isNsString) || !isOptional(node.atimeNs, isNsString))
    return 'an entry with an invalid nanosecond time';
  if (!isOptional(node.uid, isSize) || !isOptional(node.gid, isSize) || !isOptional(node.rdev, isSize))
    return 'an entry with an invalid owner or device number';
  if (!isOptional(node.hardlink, (v): v is string => typeof v === 'string' && v.length > 0))
    return 'an entry with an invalid hard-link group';
  if (!isOptional(node.xattrs, isXattrList)) return 'an entry with invalid extended attributes';
  if (!isOptional(node.nameBytes, isBase64)) return 'an entry with invalid name bytes';
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
