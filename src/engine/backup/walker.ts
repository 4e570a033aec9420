/**
 * The backup's walk: from `/` down to each named path, then through it, building one tree per
 * folder (saved to the tree packs) and returning the root tree's id.
 *
 * Every entry is `lstat`ed (symlinks are stored as links, never followed) and up to
 * `ENTRY_CONCURRENCY` entries of a folder are handled at once; excludes, `.cairnignore` files and
 * cache folders (`CACHEDIR.TAG`) are applied on the way. Files whose size, mtime, ctime and inode
 * equal the parent recovery point's are not read again (FileArchiver reads the others), and a
 * folder in which nothing changed keeps the parent's tree id without encoding it again. With a
 * change plan from the watcher journal, folders that nothing changed in are not even listed:
 * their subtree is taken over from the parent recovery point. Unreadable entries are skipped with
 * a warning (the recovery point is then partial). In a format-version-3 repository each node
 * recorded also gets its nanosecond times, owner, hard-link group and extended attributes
 * (entry-meta.ts); FIFOs and devices are recorded; a file of several names is read once
 * (archiveLinked); and a listing with a name that is not valid UTF-8 is read again as bytes,
 * which such entries are then recorded and read by (archiveByteName).
 *
 * This is the hot loop of a backup: it allocates nothing per entry beyond its stat, its path and
 * its node, and an unchanged file is settled without a promise of its own.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError, describeError, IntegrityError } from '../errors.js';
import { FIDELITY_VERSION } from '../format/config.js';
import { compareNames, type NodeType, type Tree, type TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { joinRepoPath, localPathOf, repoPathComponents, toRepoPath } from '../util/paths.js';
import type { ChangePlan } from './backup-options.js';
import { EntryMeta, hardlinkKey } from './entry-meta.js';
import { type ExcludeRules, rulesInside } from './excludes.js';
import { type FileArchiver, fileNode } from './file-archiver.js';
import type { BackupTally } from './tally.js';

/**
 * Entries of one folder in progress at once. Folders nest, so the walk holds up to this to the
 * power of the depth: each waiting entry keeps its frames and stat alive, which the collector
 * must copy and promote. Four leaves room for small files while READ_CONCURRENCY large files
 * are with the workers (file-archiver.ts); 16 measured no faster on the 1 GiB benchmark and
 * ~50 MiB larger.
 */
const ENTRY_CONCURRENCY = 4;

/** A node of the synthetic tree that leads from `/` to the backed-up paths. */
export interface RootStep {
  children: Map<string, RootStep>;
  /** Set when this path itself was named by the user. */
  localPath?: string;
}

/** The synthetic tree from `/` to each backed-up path (`localPaths[i]` is stored as `repoPaths[i]`). */
export function rootSteps(localPaths: readonly string[], repoPaths: readonly string[]): RootStep {
  const root: RootStep = { children: new Map() };
  for (const [i, repoPath] of repoPaths.entries()) {
    let step = root;
    for (const part of repoPathComponents(repoPath)) {
      let next = step.children.get(part);
      if (!next) {
        next = { children: new Map() };
        step.children.set(part, next);
      }
      step = next;
    }
    step.localPath = localPaths[i];
  }
  return root;
}

export interface WalkOptions {
  /** Read every file even when its metadata is unchanged. */
  force?: boolean;
  signal?: AbortSignal;
  /** What the watcher journal vouches for; undefined for a full rescan. */
  changes?: ChangePlan;
  /** Stay on one file system: an entry on another device than its folder (a mount point) is skipped and told. */
  oneFileSystem?: { onSkipped(localPath: string): void };
}

export class Walker {
  /** The version-3 fields of each node recorded (entry-meta.ts); off in older repositories. */
  private readonly meta: EntryMeta;
  /** Files with several names met so far, by hard-link group: the node of the first name read. */
  private readonly linked = new Map<string, Promise<TreeNode | undefined>>();

  constructor(
    private readonly repo: Repository,
    private readonly files: FileArchiver,
    private readonly tally: BackupTally,
    private readonly options: WalkOptions,
  ) {
    this.meta = new EntryMeta(repo.config.version >= FIDELITY_VERSION, (message) => tally.warn(message));
  }

  /**
   * Builds the synthetic directories from `/` down to each backed-up path. `parentNode` is the
   * same folder in the parent recovery point (the root is a folder node whose subtree is the
   * parent's root tree).
   */
  async archiveRootStep(
    step: RootStep,
    repoPath: string,
    parentNode: TreeNode | undefined,
    rules: ExcludeRules,
  ): Promise<string> {
    if (step.localPath) {
      // Only `/` itself reaches here with a local path: its folder is the recovery point's root tree.
      const tree = await this.archiveDir(step.localPath, parentNode, rules, true);
      if (tree === undefined) throw new CairnError('io', `cannot read ${step.localPath}`);
      return tree;
    }
    const parentTree = await this.parentTreeOf(parentNode);
    const nodes: TreeNode[] = [];
    for (const name of [...step.children.keys()].sort(compareNames)) {
      const child = step.children.get(name) as RootStep;
      const childRepoPath = joinRepoPath(repoPath, name);
      const childParent = parentTree?.nodes.find((n) => n.name === name);
      if (child.localPath) {
        const node = await this.archiveEntry(child.localPath, name, childParent, rules, true);
        if (node) nodes.push(node);
        continue;
      }
      const local = localPathOf(childRepoPath);
      const stat = await fs.stat(local);
      const subtree = await this.archiveRootStep(child, childRepoPath, childParent, rules);
      nodes.push(
        this.meta.fill({ name, type: 'dir', mode: stat.mode & 0o7777, mtime: stat.mtimeMs, subtree }, local, stat),
      );
    }
    return this.repo.saveTree({ nodes });
  }

  /**
   * The parent recovery point's folder for `node`, when it is stored and readable. A folder the
   * parent lost (its tree's pack is missing or damaged) is no parent: everything in it is read.
   */
  private async parentTreeOf(node: TreeNode | undefined): Promise<Tree | undefined> {
    if (node?.type !== 'dir' || !node.subtree || !this.repo.hasBlob(node.subtree)) return undefined;
    try {
      return await this.repo.loadTree(node.subtree);
    } catch (err) {
      if (err instanceof IntegrityError) return undefined;
      throw err;
    }
  }

  /** Archives one entry; returns undefined when it is excluded, unsupported or unreadable. */
  private async archiveEntry(
    localPath: string,
    name: string,
    parentNode: TreeNode | undefined,
    rules: ExcludeRules,
    isRoot = false,
  ): Promise<TreeNode | undefined> {
    const stat = this.statEntry(localPath, name, rules, isRoot);
    if (!stat) return undefined;
    return (
      this.unchangedFile(localPath, name, stat, parentNode) ??
      this.archiveStatted(localPath, name, stat, parentNode, rules, isRoot)
    );
  }

  /** The entry's lstat, or undefined when it cannot be read (a warning) or is excluded. */
  private statEntry(localPath: string, name: string, rules: ExcludeRules, isRoot: boolean): Stats | undefined {
    this.options.signal?.throwIfAborted();
    let stat: Stats;
    try {
      // Synchronous on purpose: a warm lstat takes microseconds, far less than a thread-pool round trip.
      stat = lstatSync(localPath);
    } catch (err) {
      const undecodable = name.includes('\uFFFD') && (err as NodeJS.ErrnoException).code === 'ENOENT';
      this.tally.warn(
        `${localPath}: ${undecodable ? 'the name is not valid UTF-8; Cairn cannot back it up yet' : describeError(err)}`,
      );
      return undefined;
    }
    if (!isRoot && rules.isExcluded(toRepoPath(localPath), stat.isDirectory())) return undefined;
    return stat;
  }

  /** Archives an entry already stat-ed by `statEntry` that `unchangedFile` did not settle. */
  private async archiveStatted(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
    rules: ExcludeRules,
    isRoot: boolean,
  ): Promise<TreeNode | undefined> {
    // Nodes are written as whole literals, never spread from a common part: V8 builds an object
    // spread with more properties after it ~20x slower, and this runs for every entry. The key
    // order is the order the tree's JSON has (name, mode, mtime, type, ...), so tree ids stay equal.
    const mode = stat.mode & 0o7777;
    if (stat.isDirectory()) {
      // Before the listing, which may move the folder's access time.
      const exact = this.meta.exactStat(localPath);
      const subtree = await this.archiveDir(localPath, parentNode, rules, isRoot);
      if (subtree === undefined) return undefined;
      // Unchanged: the parent's own node, so the folder above can take over the parent's tree.
      if (
        parentNode?.type === 'dir' &&
        parentNode.subtree === subtree &&
        sameMeta(parentNode, mode, stat) &&
        this.meta.sameAsParent(parentNode, stat)
      )
        return parentNode;
      return this.meta.fill({ name, mode, mtime: stat.mtimeMs, type: 'dir', subtree }, localPath, stat, exact);
    }
    if (stat.isSymbolicLink()) {
      try {
        const target = await fs.readlink(localPath);
        return this.meta.fill({ name, mode, mtime: stat.mtimeMs, type: 'symlink', target }, localPath, stat);
      } catch (err) {
        this.tally.warn(`${localPath}: ${describeError(err)}`);
        return undefined;
      }
    }
    if (stat.isFile()) {
      if (this.meta.enabled && stat.nlink > 1) return this.archiveLinked(localPath, name, stat, parentNode);
      return this.recordFile(localPath, name, stat, parentNode);
    }
    const special = specialType(stat);
    // Sockets are not backed up (a program makes them anew), nor special files before version 3.
    if (!special || !this.meta.enabled) return undefined;
    const node: TreeNode = { name, mode, mtime: stat.mtimeMs, type: special };
    if (special !== 'fifo') node.rdev = stat.rdev;
    return this.meta.fill(node, localPath, stat);
  }

  /** Reads and stores a new or changed file, with its version-3 fields. */
  private async recordFile(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
  ): Promise<TreeNode | undefined> {
    const exact = this.meta.exactStat(localPath);
    const node = await this.files.archiveFile(localPath, name, stat, parentNode);
    return node && this.meta.fill(node, localPath, stat, exact);
  }

  /**
   * A file with several names: the first name met is read; the others take its content, so the
   * data is read once (they share the inode, so it is the same data), and all carry the same
   * hard-link group, by which restore links them again.
   */
  private async archiveLinked(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
  ): Promise<TreeNode | undefined> {
    const key = hardlinkKey(stat);
    const first = this.linked.get(key);
    if (!first) {
      const reading = this.recordFile(localPath, name, stat, parentNode);
      this.linked.set(key, reading);
      return reading;
    }
    const done = await first;
    if (!done?.content || done.size !== stat.size) return this.recordFile(localPath, name, stat, parentNode);
    const node = fileNode(name, stat.mode & 0o7777, stat);
    node.content = done.content;
    this.tally.progress(localPath, stat.size);
    this.tally.readFile(localPath, stat.size, parentNode !== undefined);
    return this.meta.fill(node, localPath, stat);
  }

  private async archiveDir(
    localPath: string,
    parentNode: TreeNode | undefined,
    inherited: ExcludeRules,
    isRoot: boolean,
  ): Promise<string | undefined> {
    const reused = this.reusableSubtree(localPath, parentNode);
    if (reused) return this.tally.reuseSubtree(reused, localPath);
    let names: string[];
    let rules: ExcludeRules;
    let device: number | undefined;
    /** Names that are not valid UTF-8: the name shown (with U+FFFD) → its bytes. */
    let byteNames: Map<string, Buffer> | undefined;
    try {
      names = readdirSync(localPath);
      // Only a listing with an undecodable name is read again as bytes: the common path stays as fast.
      if (this.meta.enabled && names.some((n) => n.includes('\uFFFD'))) ({ names, byteNames } = listBytes(localPath));
      // With one file system only: the folder's device, which every entry kept must share.
      device = this.options.oneFileSystem ? lstatSync(localPath).dev : undefined;
      const inside = await rulesInside(localPath, names, inherited, isRoot);
      if (!inside) return undefined; // a cache folder
      rules = inside;
    } catch (err) {
      this.tally.warn(`${localPath}: ${describeError(err)}`);
      return undefined;
    }
    names.sort(compareNames);
    this.tally.counters.dirs++;
    const parentTree = await this.parentTreeOf(parentNode);
    const parentByName = new Map(parentTree?.nodes.map((n) => [n.name, n]));
    // Up to ENTRY_CONCURRENCY entries at once, in name order. An unchanged file (most of them,
    // after the first backup) is settled right here, without a promise of its own.
    const nodes = new Array<TreeNode | undefined>(names.length);
    const files = this.files;
    let next = 0;
    const lane = async () => {
      while (next < names.length) {
        const i = next++;
        const name = names[i] as string;
        const entryPath = path.join(localPath, name);
        const bytes = byteNames?.get(name);
        if (bytes) {
          nodes[i] = await this.archiveByteName(localPath, name, bytes, parentByName.get(name), rules);
          continue;
        }
        const stat = this.statEntry(entryPath, name, rules, false);
        if (!stat) continue;
        if (device !== undefined && stat.dev !== device) {
          this.options.oneFileSystem?.onSkipped(entryPath);
          continue;
        }
        const parent = parentByName.get(name);
        nodes[i] =
          this.unchangedFile(entryPath, name, stat, parent) ??
          (await this.archiveStatted(entryPath, name, stat, parent, rules, false));
        if (files.yieldDue()) await files.yieldNow();
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENTRY_CONCURRENCY, names.length) }, lane));
    const kept = nodes.filter((n): n is TreeNode => n !== undefined);
    // Every entry is the parent's own node (nothing in this folder changed): the folder is the
    // parent's tree, already stored (it was just loaded), and needs no encoding and naming again.
    const id =
      parentTree && parentNode?.subtree && isSameNodeList(kept, parentTree.nodes)
        ? parentNode.subtree
        : await this.repo.saveTree({ nodes: kept });
    this.tally.recordStats(id, kept);
    return id;
  }

  /**
   * An entry whose name is not valid UTF-8 (format version 3): read through its path as bytes and
   * recorded with them (`nameBytes`); `name` shows them with U+FFFD. Files, symlinks and special
   * files are kept; a folder of such a name is not yet (a warning says so).
   */
  private async archiveByteName(
    dir: string,
    name: string,
    bytes: Buffer,
    parentNode: TreeNode | undefined,
    rules: ExcludeRules,
  ): Promise<TreeNode | undefined> {
    const shown = path.join(dir, name);
    const fsPath = Buffer.concat([Buffer.from(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`), bytes]);
    let stat: Stats;
    try {
      stat = lstatSync(fsPath);
    } catch (err) {
      this.tally.warn(`${shown}: ${describeError(err)}`);
      return undefined;
    }
    if (rules.isExcluded(toRepoPath(shown), stat.isDirectory())) return undefined;
    const nameBytes = bytes.toString('base64');
    const parent = parentNode?.nameBytes === nameBytes ? parentNode : undefined;
    const mode = stat.mode & 0o7777;
    let node: TreeNode | undefined;
    if (stat.isFile()) {
      node = this.unchangedFile(shown, name, stat, parent);
      if (node) return node;
      const exact = this.meta.exactStat(fsPath);
      node = await this.files.archiveFile(shown, name, stat, parent, fsPath);
      if (node) this.meta.fill(node, fsPath, stat, exact);
    } else if (stat.isSymbolicLink()) {
      try {
        const target = await fs.readlink(fsPath, 'utf8');
        node = this.meta.fill({ name, mode, mtime: stat.mtimeMs, type: 'symlink', target }, fsPath, stat);
      } catch (err) {
        this.tally.warn(`${shown}: ${describeError(err)}`);
      }
    } else if (stat.isDirectory()) {
      this.tally.warn(`${shown}: a folder whose name is not valid UTF-8; Cairn cannot back it up yet`);
    } else {
      const special = specialType(stat);
      if (special) {
        node = { name, mode, mtime: stat.mtimeMs, type: special };
        if (special !== 'fifo') node.rdev = stat.rdev;
        this.meta.fill(node, fsPath, stat);
      }
    }
    if (node) node.nameBytes = nameBytes;
    return node;
  }

  /** The parent's subtree for `localPath` when the journal says nothing below it changed. */
  private reusableSubtree(localPath: string, parentNode: TreeNode | undefined): string | undefined {
    const changes = this.options.changes;
    if (!changes || parentNode?.type !== 'dir' || !parentNode.subtree) return undefined;
    if (!changes.canReuse(localPath) || !this.repo.hasBlob(parentNode.subtree)) return undefined;
    return parentNode.subtree;
  }

  /**
   * The node of a file that has not changed since the parent recovery point (same size, mtime,
   * ctime and inode, every blob still stored), counted as unchanged; undefined for any other
   * entry, which must be read.
   */
  private unchangedFile(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
  ): TreeNode | undefined {
    if (
      this.options.force ||
      !stat.isFile() ||
      !parentNode ||
      !isUnchanged(parentNode, stat) ||
      !this.meta.sameAsParent(parentNode, stat) ||
      !parentNode.content?.every((id) => this.repo.hasBlob(id))
    )
      return undefined;
    // The other names of this inode take this node's content rather than read it (archiveLinked).
    if (this.meta.enabled && stat.nlink > 1 && !this.linked.has(hardlinkKey(stat)))
      this.linked.set(hardlinkKey(stat), Promise.resolve(parentNode));
    this.tally.unchangedFile(localPath, stat.size);
    const mode = stat.mode & 0o7777;
    // The parent's own node when even the mode is the same, so the folder can take over the
    // parent's tree (see archiveDir).
    if (sameMeta(parentNode, mode, stat)) return parentNode;
    const changedMode = fileNode(name, mode, stat);
    changedMode.content = parentNode.content;
    return this.meta.fill(changedMode, localPath, stat);
  }
}

/**
 * A folder's names read as bytes: each name as shown (bytes that are not UTF-8 become U+FFFD,
 * numbered when two would show the same), and the bytes of those that are not valid UTF-8.
 */
function listBytes(dir: string): { names: string[]; byteNames: Map<string, Buffer> } {
  const names: string[] = [];
  const byteNames = new Map<string, Buffer>();
  const raw = readdirSync(dir, { encoding: 'buffer' });
  const plain = new Set<string>();
  for (const bytes of raw) {
    const text = bytes.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(bytes)) plain.add(text);
  }
  for (const bytes of raw) {
    let shown = bytes.toString('utf8');
    if (plain.has(shown) && Buffer.from(shown, 'utf8').equals(bytes)) {
      names.push(shown);
      continue;
    }
    for (let n = 2; plain.has(shown) || byteNames.has(shown); n++) shown = `${bytes.toString('utf8')} (${n})`;
    byteNames.set(shown, bytes);
    names.push(shown);
  }
  return { names, byteNames };
}

/** The node type of a FIFO or device; undefined for anything else (sockets). */
function specialType(stat: Stats): NodeType | undefined {
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'chardev';
  if (stat.isBlockDevice()) return 'blockdev';
  return undefined;
}

function isUnchanged(prev: TreeNode, stat: Stats): boolean {
  return (
    prev.type === 'file' &&
    prev.size === stat.size &&
    prev.mtime === stat.mtimeMs &&
    prev.ctime === stat.ctimeMs &&
    prev.inode === stat.ino
  );
}

/** A parent node's mode and mtime are those of the entry now (the rest is compared by the caller). */
function sameMeta(prev: TreeNode, mode: number, stat: Stats): boolean {
  return prev.mode === mode && prev.mtime === stat.mtimeMs;
}

/** The same node objects in the same order (nodes taken over from the parent, see unchangedFile). */
function isSameNodeList(nodes: readonly TreeNode[], parentNodes: readonly TreeNode[]): boolean {
  if (nodes.length !== parentNodes.length) return false;
  for (let i = 0; i < nodes.length; i++) if (nodes[i] !== parentNodes[i]) return false;
  return true;
}
