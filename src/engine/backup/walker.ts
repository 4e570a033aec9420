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
 * a warning (the recovery point is then partial).
 *
 * This is the hot loop of a backup: it allocates nothing per entry beyond its stat, its path and
 * its node, and an unchanged file is settled without a promise of its own.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError, describeError, IntegrityError } from '../errors.js';
import { compareNames, type Tree, type TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { joinRepoPath, localPathOf, repoPathComponents, toRepoPath } from '../util/paths.js';
import type { ChangePlan } from './backup-options.js';
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
}

export class Walker {
  constructor(
    private readonly repo: Repository,
    private readonly files: FileArchiver,
    private readonly tally: BackupTally,
    private readonly options: WalkOptions,
  ) {}

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
      const stat = await fs.stat(localPathOf(childRepoPath));
      const subtree = await this.archiveRootStep(child, childRepoPath, childParent, rules);
      nodes.push({ name, type: 'dir', mode: stat.mode & 0o7777, mtime: stat.mtimeMs, subtree });
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
      const subtree = await this.archiveDir(localPath, parentNode, rules, isRoot);
      if (subtree === undefined) return undefined;
      // Unchanged: the parent's own node, so the folder above can take over the parent's tree.
      if (parentNode?.type === 'dir' && parentNode.subtree === subtree && sameMeta(parentNode, mode, stat))
        return parentNode;
      return { name, mode, mtime: stat.mtimeMs, type: 'dir', subtree };
    }
    if (stat.isSymbolicLink()) {
      try {
        return { name, mode, mtime: stat.mtimeMs, type: 'symlink', target: await fs.readlink(localPath) };
      } catch (err) {
        this.tally.warn(`${localPath}: ${describeError(err)}`);
        return undefined;
      }
    }
    if (stat.isFile()) return this.files.archiveFile(localPath, name, stat, parentNode);
    return undefined; // sockets, FIFOs and devices are not backed up
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
    try {
      names = readdirSync(localPath);
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
        const stat = this.statEntry(entryPath, name, rules, false);
        if (!stat) continue;
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
      !parentNode.content?.every((id) => this.repo.hasBlob(id))
    )
      return undefined;
    this.tally.unchangedFile(localPath, stat.size);
    const mode = stat.mode & 0o7777;
    // The parent's own node when even the mode is the same, so the folder can take over the
    // parent's tree (see archiveDir).
    if (sameMeta(parentNode, mode, stat)) return parentNode;
    const changedMode = fileNode(name, mode, stat);
    changedMode.content = parentNode.content;
    return changedMode;
  }
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
