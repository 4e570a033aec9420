/**
 * A backup's bookkeeping: the counts that become the recovery point's summary, throttled progress
 * reports (with the totals: the parent recovery point's, or those of the quick count of the
 * source, and what that count has found while it runs), warnings (which mark the recovery point
 * partial), and the file/byte/folder counts of every tree built or reused, so a subtree taken over
 * from the parent is counted without reading it (and the app's cache learns the counts of new trees).
 *
 * The walk calls in here once per entry: nothing below allocates per file.
 */
import type { SnapshotSummary } from '../format/snapshot.js';
import type { TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import type { BackupOptions, TreeStats } from './backup-options.js';
import type { Count, CountSoFar } from './quick-count.js';

/** The least time between two progress reports. */
const PROGRESS_INTERVAL_MS = 100;

export class BackupTally {
  /** The summary's counts (its `durationMs` is set when the recovery point is written). */
  readonly counters: SnapshotSummary = {
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
  readonly warnings: string[] = [];
  /** Folders taken over whole from the parent recovery point without listing them. */
  reusedFolders = 0;
  private bytesDone = 0;
  private filesDone = 0;
  /** performance.now() of the last report: pacing, not a date (see util/clock.ts). */
  private lastProgress = Number.NEGATIVE_INFINITY;
  /** Totals of the whole backup: the parent's, or the quick count's once it completed. */
  private totals: Count | undefined;
  /** The quick count of the source while it runs (its counts so far are reported). */
  private count: CountSoFar | undefined;
  /** Counts of every tree built or reused in this run (keyed by tree id). */
  private readonly statsByTree = new Map<string, TreeStats>();
  private readonly newStats: Array<[string, TreeStats]> = [];

  constructor(
    private readonly repo: Repository,
    private readonly options: BackupOptions,
    /** Totals from the parent recovery point, reported with the progress. */
    estimate: Count | undefined,
  ) {
    this.totals = estimate;
  }

  /** Reports the counts of `count` while it runs (the backup has no totals until it completes). */
  counting(count: CountSoFar): void {
    this.count = count;
  }

  /**
   * The quick count completed: its counts are the totals from now on, and the walk's next step
   * (a file or a chunk read, moments away) is reported at once, whatever the pacing.
   */
  counted(totals: Count): void {
    this.totals = totals;
    this.count = undefined;
    this.lastProgress = Number.NEGATIVE_INFINITY;
  }

  /** The summary of a backup that took `durationMs`. */
  summary(durationMs: number): SnapshotSummary {
    return { ...this.counters, durationMs };
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.options.onWarning?.(message);
  }

  /** Counts a file taken over from the parent without reading it. */
  unchangedFile(localPath: string, size: number): void {
    const c = this.counters;
    c.filesUnchanged++;
    c.bytesUnchanged += size;
    c.totalFiles++;
    c.totalBytes += size;
    this.fileDone(localPath, size);
  }

  /** Counts a file that was read (its bytes were reported as they were read); `changed`: the parent had it. */
  readFile(localPath: string, size: number, changed: boolean): void {
    const c = this.counters;
    if (changed) {
      c.filesChanged++;
      c.bytesChanged += size;
    } else {
      c.filesNew++;
      c.bytesNew += size;
    }
    this.fileDone(localPath, 0);
    c.totalFiles++;
    c.totalBytes += size;
  }

  /** Counts a blob this backup adds to the repository. */
  dataAdded(rawLength: number, storedLength: number): void {
    this.counters.dataAdded += rawLength;
    this.counters.dataAddedStored += storedLength;
  }

  /** Takes a whole subtree over from the parent and counts its contents as unchanged. */
  async reuseSubtree(treeId: string, localPath: string): Promise<string> {
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

  /** Remembers the counts of a folder tree just built from its nodes (its subtrees are known). */
  recordStats(treeId: string, nodes: TreeNode[]): void {
    if (this.statsByTree.has(treeId)) return;
    const stats = sumStats(nodes, (id) => this.statsByTree.get(id));
    if (!stats) return; // a folder of an odd shape: counted by reading it when it is reused
    this.statsByTree.set(treeId, stats);
    this.newStats.push([treeId, stats]);
  }

  /** Hands the counts of the trees new to this run to the cache. */
  saveTreeStats(): void {
    if (!this.options.treeStats || this.newStats.length === 0) return;
    try {
      this.options.treeStats.putTreeStats(this.newStats);
    } catch {
      // a cache: failing to write it only costs reading trees again later
    }
  }

  /** Counts a finished file; `skippedBytes` are the bytes of an unchanged file that was not read. */
  fileDone(localPath: string, skippedBytes: number): void {
    this.filesDone++;
    this.progress(localPath, skippedBytes);
  }

  progress(currentPath: string, bytes: number): void {
    this.bytesDone += bytes;
    const report = this.options.onProgress;
    if (!report) return;
    const now = performance.now();
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    const { totals, count } = this;
    report({
      filesDone: this.filesDone,
      bytesDone: this.bytesDone,
      ...(totals ? { filesTotal: totals.files, bytesTotal: totals.bytes } : {}),
      ...(!totals && count?.counting ? { counting: { files: count.files, bytes: count.bytes } } : {}),
      currentPath,
    });
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
