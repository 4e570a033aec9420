/**
 * Backup: walks the chosen paths, stores what changed, and writes a recovery point.
 *
 * Pipeline: the main thread walks directories (lstat, excludes), reads each changed small file
 * (one chunk) into one reusable buffer, names it by its keyed id and, when the repository lacks
 * it, copies it into a SealPool batch for a worker to encode (zstd + AES-256-GCM); while the
 * workers are busy the main thread encodes waiting batches itself. Large files go to a worker
 * whole, which reads, cuts (FastCDC), names and encodes them. Encoded blobs go into packs.
 * Memory stays bounded: at most `READ_CONCURRENCY` large files are read at once, at most
 * `ENCODE_BUDGET` bytes of small blobs wait for encoding and each worker's encoded output
 * waiting for a pack is capped, whatever the number or size of files.
 * Files whose size, mtime, ctime and inode equal the parent recovery point's are not read again,
 * and a folder in which nothing changed keeps the parent's tree id without encoding it again.
 * With a change set from the watcher journal, folders that nothing changed in are not even
 * listed: their subtree is taken over from the parent recovery point (a journal backup).
 * Unreadable entries are skipped with a warning and the recovery point is marked partial.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { blobId } from '../crypto/ids.js';
import { CairnError, describeError, IntegrityError } from '../errors.js';
import { encodeBlob } from '../format/blob-codec.js';
import type { Snapshot, SnapshotRecord, SnapshotSummary } from '../format/snapshot.js';
import { compareNames, type Tree, type TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { Budget } from '../util/concurrency.js';
import { joinRepoPath, localPathOf, repoPathComponents, toRepoPath } from '../util/paths.js';
import { PROGRAM } from '../version.js';
import { ExcludeRules, IGNORE_FILE_NAME, isCacheDir, readIgnoreFile } from './excludes.js';
import { readSmallFile } from './read-small-file.js';
import { SealPool } from './seal-pool.js';

export { PROGRAM };

const READ_CONCURRENCY = 2;
const CACHEDIR_TAG = 'CACHEDIR.TAG';
/**
 * Entries of one folder in progress at once. Folders nest, so the walk holds up to this to the
 * power of the depth: each waiting entry keeps its frames and stat alive, which the collector
 * must copy and promote. Four leaves room for small files while READ_CONCURRENCY large files
 * are with the workers; 16 measured no faster on the 1 GiB benchmark and ~50 MiB larger.
 */
const ENTRY_CONCURRENCY = 4;
const ENCODE_BUDGET = 16 * 1024 * 1024;
/** Small blobs encoded on the main thread before any worker is started (see storeSmallBlob). */
const INLINE_BLOBS = 64;
const INLINE_BLOB_BYTES = 256 * 1024;
/** The longest the walk runs before it lets the event loop take the workers' replies. */
const YIELD_MS = 2;

/**
 * What may have changed since the parent recovery point, as a watcher saw it (the app's journal
 * answers this): a folder it can vouch for is taken over whole from the parent.
 */
export interface ChangePlan {
  /** True when nothing below `localPath` changed since the parent was taken. */
  canReuse(localPath: string): boolean;
}

/** Counts of what a tree holds, kept per tree id so reused subtrees need not be read to count them. */
export interface TreeStats {
  files: number;
  bytes: number;
  dirs: number;
}

export interface BackupOptions {
  /** Local paths to back up (files or directories). */
  paths: string[];
  excludes?: string[];
  tags?: string[];
  hostname?: string;
  /** Parent recovery point id; default: the latest one of this host with the same paths. */
  parent?: string;
  /** Read every file even when its metadata is unchanged. */
  force?: boolean;
  time?: Date;
  /**
   * Called once the parent recovery point is known: returns what may have changed since it (a
   * journal backup), or undefined for a full rescan.
   */
  planChanges?: (parent: SnapshotRecord | undefined) => ChangePlan | undefined;
  /** A cache of file/byte/folder counts per tree, so reused subtrees need not be read to count them. */
  treeStats?: TreeStatsCache;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  onWarning?: (message: string) => void;
}

export interface BackupProgress {
  filesDone: number;
  bytesDone: number;
  /** Estimates from the parent recovery point, when there is one. */
  filesTotal?: number;
  bytesTotal?: number;
  currentPath?: string;
}

export interface BackupResult {
  snapshot: SnapshotRecord;
  warnings: string[];
  /** Whether the journal let the backup skip unchanged folders; false for a full rescan. */
  usedJournal: boolean;
  /** Folders taken over whole from the parent recovery point without listing them. */
  reusedFolders: number;
}

export interface TreeStatsCache {
  treeStats(treeId: string): TreeStats | undefined;
  putTreeStats(entries: Iterable<[string, TreeStats]>): void;
}

interface Counters extends SnapshotSummary {}

function emptyCounters(): Counters {
  return {
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 0,
    bytesNew: 0,
    bytesChanged: 0,
    bytesUnchanged: 0,
    dataAdded: 0,
    dataAddedStored: 0,
    totalFiles: 0,
    totalBytes: 0,
    durationMs: 0,
  };
}

/** A node of the synthetic tree that leads from `/` to the backed-up paths. */
interface RootStep {
  children: Map<string, RootStep>;
  /** Set when this path itself was named by the user. */
  localPath?: string;
}

export async function backup(repo: Repository, options: BackupOptions): Promise<BackupResult> {
  return new Archiver(repo, options).run();
}

class Archiver {
  private readonly counters = emptyCounters();
  private readonly warnings: string[] = [];
  private readonly readSlots = new Budget(READ_CONCURRENCY);
  private readonly encodeBudget = new Budget(ENCODE_BUDGET);
  /** Background writes not yet settled (see `track`); `drain` waits for none to be left. */
  private inFlight = 0;
  private onAllSettled?: () => void;
  private pool?: SealPool;
  private failure: unknown;
  private bytesDone = 0;
  private filesDone = 0;
  private lastProgress = 0;
  private estimate?: { files: number; bytes: number };
  private changes?: ChangePlan;
  private reusedFolders = 0;
  private inlineBlobs = 0;
  private helping = false;
  private lastYield = 0;
  /** The one buffer small files are read into (see readSmall). */
  private smallReadBuffer?: Buffer;
  /** Counts of every tree built or reused in this run (keyed by tree id). */
  private readonly statsByTree = new Map<string, TreeStats>();
  private readonly newStats: Array<[string, TreeStats]> = [];

  constructor(
    private readonly repo: Repository,
    private readonly options: BackupOptions,
  ) {}

  async run(): Promise<BackupResult> {
    const started = Date.now();
    const time = this.options.time ?? new Date(started);
    const { repo, options } = this;
    if (options.paths.length === 0)
      throw new CairnError('invalid-argument', 'name at least one file or folder to back up');
    const localPaths = [...new Set(options.paths.map((p) => path.resolve(p)))];
    const repoPaths = localPaths.map((p) => toRepoPath(p));
    for (const p of localPaths) {
      try {
        await fs.lstat(p);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : describeError(err);
        throw new CairnError('not-found', `cannot back up ${p}: ${reason}`, { cause: err });
      }
    }
    const rules = ExcludeRules.fromPatterns(options.excludes ?? []);
    await repo.loadIndex();
    // Data whose pack is gone is stored again from the source rather than pointed at (healing);
    // the journal's reuse of whole folders is then off, since they may hold such data.
    const packsLost = await repo.dropMissingPacks();
    if (packsLost > 0) {
      // Not a warning of the recovery point: it is whole, since that data is stored anew.
      options.onWarning?.(
        `${packsLost} pack(s) of stored data are missing from the repository: files whose data they held are read and stored again`,
      );
    }
    const hostname = options.hostname ?? os.hostname();
    const parent = await this.findParent(hostname, repoPaths);
    if (parent) this.estimate = { files: parent.summary.totalFiles, bytes: parent.summary.totalBytes };
    this.changes = packsLost > 0 ? undefined : options.planChanges?.(options.force ? undefined : parent);
    this.pool = new SealPool({
      dataKey: repo.keys.dataKey,
      idKey: repo.keys.idKey,
      chunkerSeed: repo.keys.chunkerSeed,
      chunker: repo.config.chunker,
    });
    this.pool.setKnownIds(() => repo.index.ids('data'));
    const pool = this.pool;
    options.signal?.addEventListener('abort', () => pool.abort(), { once: true });
    repo.beginWrite();
    try {
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
      const parentRoot: TreeNode | undefined = parent
        ? { name: '/', type: 'dir', mode: 0, mtime: 0, subtree: parent.tree }
        : undefined;
      const treeId = await this.archiveRootStep(root, '/', parentRoot, rules);
      await this.drain();
      this.checkAborted();
      const summary: SnapshotSummary = { ...this.counters, durationMs: Date.now() - started };
      const snapshot: Snapshot = {
        version: 1,
        time: time.toISOString(),
        hostname,
        username: os.userInfo().username,
        paths: [...repoPaths].sort(),
        tags: [...new Set(options.tags ?? [])].sort(),
        tree: treeId,
        ...(parent ? { parent: parent.id } : {}),
        summary,
        partial: this.warnings.length > 0,
        warnings: this.warnings.slice(0, 1000),
        program: PROGRAM,
      };
      const id = await repo.saveSnapshot(snapshot);
      this.saveTreeStats();
      return {
        snapshot: { ...snapshot, id },
        warnings: this.warnings,
        usedJournal: this.changes !== undefined,
        reusedFolders: this.reusedFolders,
      };
    } catch (err) {
      // Keep what was uploaded usable by the next backup: finish packs and index them.
      await this.drain().catch(() => undefined);
      await repo.flush().catch(() => undefined);
      throw err;
    } finally {
      repo.endWrite();
      await this.pool.close();
    }
  }

  private async findParent(hostname: string, repoPaths: string[]): Promise<SnapshotRecord | undefined> {
    if (this.options.parent) return this.repo.findSnapshot(this.options.parent);
    const key = [...repoPaths].sort().join('\0');
    // Unreadable recovery points are not listed; one whose root folder is not stored is passed over.
    const all = await this.repo.listSnapshots();
    for (let i = all.length - 1; i >= 0; i--) {
      const s = all[i] as SnapshotRecord;
      if (s.hostname === hostname && [...s.paths].sort().join('\0') === key && this.repo.hasBlob(s.tree)) return s;
    }
    return undefined;
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

  /**
   * Builds the synthetic directories from `/` down to each backed-up path. `parentNode` is the
   * same folder in the parent recovery point (the root is a folder node whose subtree is the
   * parent's root tree).
   */
  private async archiveRootStep(
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
    this.checkAborted();
    let stat: Stats;
    try {
      // Synchronous on purpose: a warm lstat takes microseconds, far less than a thread-pool round trip.
      stat = lstatSync(localPath);
    } catch (err) {
      const undecodable = name.includes('\uFFFD') && (err as NodeJS.ErrnoException).code === 'ENOENT';
      this.warn(
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
        this.warn(`${localPath}: ${describeError(err)}`);
        return undefined;
      }
    }
    if (stat.isFile()) return this.archiveFile(localPath, name, stat, parentNode);
    return undefined; // sockets, FIFOs and devices are not backed up
  }

  private async archiveDir(
    localPath: string,
    parentNode: TreeNode | undefined,
    inherited: ExcludeRules,
    isRoot: boolean,
  ): Promise<string | undefined> {
    const reused = this.reusableSubtree(localPath, parentNode);
    if (reused) return this.reuseSubtree(reused, localPath);
    let names: string[];
    let rules = inherited;
    try {
      names = readdirSync(localPath);
      if (!isRoot && names.includes(CACHEDIR_TAG) && (await isCacheDir(localPath))) return undefined;
      if (names.includes(IGNORE_FILE_NAME))
        rules = rules.withIgnoreFile(toRepoPath(localPath), await readIgnoreFile(localPath));
    } catch (err) {
      this.warn(`${localPath}: ${describeError(err)}`);
      return undefined;
    }
    names.sort(compareNames);
    this.counters.dirs++;
    const parentTree = await this.parentTreeOf(parentNode);
    const parentByName = new Map(parentTree?.nodes.map((n) => [n.name, n]));
    // Up to ENTRY_CONCURRENCY entries at once, in name order. An unchanged file (most of them,
    // after the first backup) is settled right here, without a promise of its own.
    const nodes = new Array<TreeNode | undefined>(names.length);
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
        if (this.yieldDue()) await this.yieldNow();
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
    this.recordStats(id, kept);
    return id;
  }

  /** The parent's subtree for `localPath` when the journal says nothing below it changed. */
  private reusableSubtree(localPath: string, parentNode: TreeNode | undefined): string | undefined {
    if (!this.changes || parentNode?.type !== 'dir' || !parentNode.subtree) return undefined;
    if (!this.changes.canReuse(localPath) || !this.repo.hasBlob(parentNode.subtree)) return undefined;
    return parentNode.subtree;
  }

  /** Takes a whole subtree over from the parent and counts its contents as unchanged. */
  private async reuseSubtree(treeId: string, localPath: string): Promise<string> {
    const stats = await this.statsOf(treeId);
    const c = this.counters;
    c.dirs += stats.dirs;
    c.totalFiles += stats.files;
    c.totalBytes += stats.bytes;
    c.filesUnchanged += stats.files;
    c.bytesUnchanged += stats.bytes;
    this.reusedFolders++;
    this.filesDone += stats.files;
    this.progress(localPath, stats.bytes);
    return treeId;
  }

  /** Counts of a stored tree: from this run, the cache, or by reading the tree once. */
  private async statsOf(treeId: string): Promise<TreeStats> {
    const known = this.statsByTree.get(treeId) ?? this.options.treeStats?.treeStats(treeId);
    if (known) {
      this.statsByTree.set(treeId, known);
      return known;
    }
    const tree = await this.repo.loadTree(treeId);
    for (const node of tree.nodes) if (node.type === 'dir' && node.subtree) await this.statsOf(node.subtree);
    const stats = sumStats(tree.nodes, (id) => this.statsByTree.get(id)) as TreeStats;
    this.statsByTree.set(treeId, stats);
    this.newStats.push([treeId, stats]);
    return stats;
  }

  /** Remembers the counts of a folder tree just built from its nodes (its subtrees are known). */
  private recordStats(treeId: string, nodes: TreeNode[]): void {
    if (this.statsByTree.has(treeId)) return;
    const stats = sumStats(nodes, (id) => this.statsByTree.get(id));
    if (!stats) return; // a folder of an odd shape: counted by reading it when it is reused
    this.statsByTree.set(treeId, stats);
    this.newStats.push([treeId, stats]);
  }

  private saveTreeStats(): void {
    if (!this.options.treeStats || this.newStats.length === 0) return;
    try {
      this.options.treeStats.putTreeStats(this.newStats);
    } catch {
      // a cache: failing to write it only costs reading trees again later
    }
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
    const c = this.counters;
    c.filesUnchanged++;
    c.bytesUnchanged += stat.size;
    c.totalFiles++;
    c.totalBytes += stat.size;
    this.fileDone(localPath, stat.size);
    const mode = stat.mode & 0o7777;
    // The parent's own node when even the mode is the same, so the folder can take over the
    // parent's tree (see archiveDir).
    if (sameMeta(parentNode, mode, stat)) return parentNode;
    const changedMode = fileNode(name, mode, stat);
    changedMode.content = parentNode.content;
    return changedMode;
  }

  /** Reads and stores a new or changed file (`unchangedFile` settles the others). */
  private async archiveFile(
    localPath: string,
    name: string,
    stat: Stats,
    parentNode: TreeNode | undefined,
  ): Promise<TreeNode | undefined> {
    const c = this.counters;
    const node = fileNode(name, stat.mode & 0o7777, stat);
    const content: string[] = [];
    let size = 0;
    try {
      const small =
        stat.size <= this.repo.config.chunker.minSize ? await this.readSmall(localPath, stat.size) : undefined;
      if (small) {
        size = small.size;
        if (small.id) content.push(small.id);
      } else {
        await this.readSlots.acquire(1);
        try {
          size = await (this.pool as SealPool).processFile(localPath, (chunk, release) => {
            content.push(chunk.id);
            this.progress(localPath, chunk.rawLength);
            if (chunk.stored && this.repo.claimBlob(chunk.id))
              this.storeEncoded(chunk.id, chunk.stored, chunk.rawLength, release);
            else release();
          });
        } finally {
          this.readSlots.release(1);
        }
      }
    } catch (err) {
      if (err instanceof CairnError || isAbort(err)) throw err;
      this.warn(`${localPath}: ${describeError(err)}`);
      return undefined;
    }
    node.size = size;
    node.content = content;
    if (parentNode) {
      c.filesChanged++;
      c.bytesChanged += size;
    } else {
      c.filesNew++;
      c.bytesNew += size;
    }
    this.fileDone(localPath, 0);
    c.totalFiles++;
    c.totalBytes += size;
    return node;
  }

  /**
   * Reads, names and (when new) hands over a file that fits in one chunk. The budget is taken
   * first, so that reading, naming and the hand-over (which copies the bytes) run without a pause
   * and one read buffer serves every file. Undefined when the file grew past one chunk.
   */
  private async readSmall(localPath: string, expectedSize: number): Promise<{ id?: string; size: number } | undefined> {
    // The common case takes no await at all: each would keep this file's frames alive a turn longer.
    if (this.yieldDue()) await this.yieldNow();
    if (!this.encodeBudget.tryAcquire(expectedSize)) {
      await this.helpWhileBusy(() => this.encodeBudget.available(expectedSize));
      await this.encodeBudget.acquire(expectedSize);
    }
    let handedOver = false;
    try {
      this.smallReadBuffer ??= Buffer.allocUnsafeSlow(this.repo.config.chunker.minSize + 1);
      const plain = readSmallFile(localPath, expectedSize, this.smallReadBuffer);
      if (!plain) return undefined;
      if (plain.length === 0) return { size: 0 };
      const id = blobId(this.repo.keys.idKey, plain);
      if (this.repo.claimBlob(id)) {
        this.storeSmallBlob(id, plain, expectedSize);
        handedOver = true;
      }
      this.progress(localPath, plain.length);
      return { id, size: plain.length };
    } finally {
      if (!handedOver) this.encodeBudget.release(expectedSize);
    }
  }

  /**
   * Hands a new small blob to a worker batch; the pack write completes in the background. The
   * first few are encoded right here while no worker runs yet: a backup of a handful of changed
   * files (a journal backup) then never waits for a worker thread to start.
   */
  private storeSmallBlob(id: string, plain: Buffer, budget: number): void {
    this.throwIfFailed();
    const rawLength = plain.length;
    const pool = this.pool as SealPool;
    const release = () => this.encodeBudget.release(budget);
    if (!pool.started && this.inlineBlobs < INLINE_BLOBS && rawLength <= INLINE_BLOB_BYTES) {
      this.inlineBlobs++;
      this.track(this.addToPack(id, encodeBlob(this.repo.keys.dataKey, plain), rawLength), release);
      return;
    }
    this.track(
      pool.encode(plain).then((stored) => this.addToPack(id, stored, rawLength)),
      release,
    );
  }

  /** Takes a chunk a worker encoded into a pack; `release` returns the worker's credit after. */
  private storeEncoded(id: string, stored: Buffer, rawLength: number, release: () => void): void {
    this.track(this.addToPack(id, stored, rawLength), release);
  }

  private async addToPack(id: string, stored: Buffer, rawLength: number): Promise<void> {
    this.counters.dataAdded += rawLength;
    this.counters.dataAddedStored += stored.length;
    await this.repo.addStoredBlob('data', id, stored, rawLength);
  }

  /**
   * Runs a write in the background: its failure fails the backup at the next check, and
   * `onSettled` runs once it has settled either way. Counted rather than kept in a set, with one
   * continuation: this runs for every new small file, and whatever it allocates per file stays
   * alive until the file's batch is encoded.
   */
  private track(work: Promise<void>, onSettled: () => void): void {
    this.inFlight++;
    work.then(
      () => this.settled(onSettled),
      (err: unknown) => {
        this.failure ??= err;
        this.settled(onSettled);
      },
    );
  }

  private settled(onSettled: () => void): void {
    onSettled();
    if (--this.inFlight > 0) return;
    const wake = this.onAllSettled;
    this.onAllSettled = undefined;
    wake?.();
  }

  /**
   * Rather than wait for the workers, encodes the batches queued for them on this thread until
   * `ready()` (or none is left). Each batch is followed by a turn of the event loop, so the
   * workers' replies and finished writes are taken in between.
   */
  private async helpWhileBusy(ready: () => boolean): Promise<void> {
    const pool = this.pool as SealPool;
    if (this.helping) return;
    this.helping = true;
    try {
      while (!ready() && pool.helpOnce()) await nextTurn();
    } finally {
      this.helping = false;
    }
  }

  /** Whether YIELD_MS have passed since the event loop last turned for the walk. */
  private yieldDue(): boolean {
    return performance.now() - this.lastYield >= YIELD_MS;
  }

  /**
   * Lets the event loop turn, which the walk does whenever `yieldDue`: it otherwise runs as one
   * long chain of promise continuations, and the workers' replies (which return their memory
   * credit) wait.
   */
  private async yieldNow(): Promise<void> {
    await nextTurn();
    this.lastYield = performance.now();
  }

  private async drain(): Promise<void> {
    await this.helpWhileBusy(() => false);
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.onAllSettled = resolve));
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private checkAborted(): void {
    this.options.signal?.throwIfAborted();
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.options.onWarning?.(message);
  }

  /** Counts a finished file; `skippedBytes` are the bytes of an unchanged file that was not read. */
  private fileDone(localPath: string, skippedBytes: number): void {
    this.filesDone++;
    this.progress(localPath, skippedBytes);
  }

  private progress(currentPath: string, bytes: number): void {
    this.bytesDone += bytes;
    const report = this.options.onProgress;
    if (!report) return;
    const now = Date.now();
    if (now - this.lastProgress < 100) return;
    this.lastProgress = now;
    report({
      filesDone: this.filesDone,
      bytesDone: this.bytesDone,
      ...(this.estimate ? { filesTotal: this.estimate.files, bytesTotal: this.estimate.bytes } : {}),
      currentPath,
    });
  }
}

/** Counts of a folder from its nodes and its subfolders' counts; undefined when one is unknown. */
function sumStats(nodes: TreeNode[], subtree: (id: string) => TreeStats | undefined): TreeStats | undefined {
  const stats: TreeStats = { files: 0, bytes: 0, dirs: 1 };
  for (const node of nodes) {
    if (node.type === 'file') {
      stats.files++;
      stats.bytes += node.size ?? 0;
    } else if (node.type === 'dir' && node.subtree) {
      const sub = subtree(node.subtree);
      if (!sub) return undefined;
      stats.files += sub.files;
      stats.bytes += sub.bytes;
      stats.dirs += sub.dirs;
    }
  }
  return stats;
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

/**
 * A file's node without its content, as one literal in the order of the tree's JSON (content is
 * added last): see archiveStatted on why nodes are never spread from a common part.
 */
function fileNode(name: string, mode: number, stat: Stats): TreeNode {
  return { name, mode, mtime: stat.mtimeMs, type: 'file', ctime: stat.ctimeMs, inode: stat.ino, size: stat.size };
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

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
