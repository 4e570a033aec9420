/**
 * Restore: recreates the entries of a recovery point under a target folder, by their absolute
 * path inside the recovery point (`TARGET/home/me/docs/…`), with mode, times and symlinks, and in
 * a format-version-3 repository also hard links, FIFOs and devices, names that are not UTF-8
 * (by their bytes), extended attributes and owners (entry-finish.ts), and times to the nanosecond
 * (exact-times.ts). Runs of zeros are left as holes (restore-worker.ts), so a sparse file stays sparse.
 *
 * Safety rules (docs/threat-model.md): a name that is empty, `.`, `..`, or holds `/`, `\` or NUL
 * is refused and reported; a folder on the way that exists as anything but a real folder (for
 * example a symlink planted in the target) is refused with its whole subtree; files are written
 * to a temporary name in their final folder and renamed into place, so nothing is written through
 * a symlink and an interrupted restore never leaves a half-written file under the real name.
 * Every blob is authenticated and checked against its id before a byte of it is written.
 *
 * Files are restored pack by pack, as restic does: the walk plans every file (conflicts, a
 * temporary name, and which blob goes at which offset), then each needed pack is read once and
 * handed whole to a RestorePool worker, which decodes its blobs and writes them into the files
 * (creating each temporary file at its first write); finally each complete file gets its mode and
 * mtime and is renamed into place. Plans are made PLAN_BATCH files at a time, so memory stays
 * bounded for any number of files, and a batch is executed while the walk plans the one after
 * next: creating files and folders costs the file system far more than the CPU, so the two
 * overlap. A batch waits until the next one is planned, and the packs both need move to the
 * next (with the files that use them), so a pack shared across the boundary is read once, not
 * twice: packs hold blobs of files far apart in the walk, and over S3 or SFTP every pack read
 * again is a download. The other names of a hard-link group are linked to the first one restored
 * once every file is complete; a name whose first is outside the restored set is restored whole.
 */

import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isNotFound } from '../backend/types.js';
import { findNode } from '../browse/walk.js';
import { CairnError, missingBlobMessage, missingPackMessage } from '../errors.js';
import type { SnapshotRecord } from '../format/snapshot.js';
import { isSafeName, type TreeNode } from '../format/tree.js';
import type { Repository } from '../repo/repository.js';
import { mapLimit } from '../util/concurrency.js';
import { joinRepoPath, normalizeRepoPath } from '../util/paths.js';
import { EntryFinisher, restoreSpecialEntry } from './entry-finish.js';
import { utimesSeconds } from './exact-times.js';
import {
  applyMetadata,
  isSafeNameBytes,
  keepBothName,
  type LocalPath,
  loadPackPrefix,
  localChild,
  lstatOrUndefined,
  SAFE_MODE_BITS,
  shownPath,
  tempBeside,
  utimesOf,
} from './restore-io.js';
import { type PackWrite, RestorePool } from './restore-pool.js';
import type {
  Batch,
  FileTask,
  LinkHead,
  OverwritePolicy,
  PendingLink,
  PlannedAction,
  RestoreOptions,
  RestoreResult,
} from './restore-types.js';

export type {
  OverwritePolicy,
  PlannedAction,
  PlannedItem,
  RestoreItem,
  RestoreOptions,
  RestoreProgress,
  RestoreResult,
} from './restore-types.js';

/** Files planned before the plan is executed (bounds memory and temporary files at once). */
const PLAN_BATCH = 5000;
/** Files given their metadata and name at once (thread-pool calls). */
const FINISH_CONCURRENCY = 16;

/** File systems and utimes keep mtimes to about a microsecond; closer than this counts as equal. */
const MTIME_TOLERANCE_MS = 0.002;

export async function restore(
  repo: Repository,
  snapshot: SnapshotRecord,
  options: RestoreOptions,
): Promise<RestoreResult> {
  await repo.loadIndex();
  // One listing: data whose pack is lost is read from another stored copy where there is one.
  await repo.dropMissingPacks({ keepSole: true });
  const restorer = new Restorer(repo, snapshot, options);
  return restorer.run();
}

class Restorer {
  private readonly result: RestoreResult;
  private readonly includes: string[] | undefined;
  private readonly policy: OverwritePolicy;
  private bytesTotal = 0;
  private plan: Batch['plan'] = new Map();
  private tasks: FileTask[] = [];
  /** The last complete batch, waiting for the next one to be planned (see `startBatch`). */
  private waiting?: Batch;
  /** The batch being executed in the background, and its files. */
  private executing: Promise<void> = Promise.resolve();
  private executingTasks: FileTask[] = [];
  /** Batches whose packs are written and whose files are being finished. */
  private readonly finishing = new Set<Promise<void>>();
  private readonly finishedDirs: { local: string; node: TreeNode; repoPath: string }[] = [];
  /** Owners, extended attributes and nanosecond times, given to each entry once complete. */
  private readonly finisher: EntryFinisher;
  /** Hard-link groups by their `hardlink` field: the first name restored, and the names to link to it. */
  private readonly linkHeads = new Map<string, LinkHead>();
  private readonly pendingLinks: PendingLink[] = [];
  private pool?: RestorePool;
  private filesDone = 0;
  private bytesDone = 0;
  /** performance.now() of the last report: pacing, not a date (see util/clock.ts); the first goes out at once. */
  private lastProgress = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly repo: Repository,
    private readonly snapshot: SnapshotRecord,
    private readonly options: RestoreOptions,
  ) {
    this.includes = options.include?.length ? options.include.map(normalizeRepoPath) : undefined;
    this.policy = options.overwrite ?? 'never';
    this.finisher = new EntryFinisher(
      options.owners ?? process.getuid?.() === 0,
      (path, message) => this.result.errors.push({ path, message }),
      (path, reason) => this.result.refused.push({ path, reason }),
    );
    this.result = {
      snapshotId: snapshot.id,
      target: path.resolve(options.target),
      filesRestored: 0,
      dirsRestored: 0,
      symlinksRestored: 0,
      bytesRestored: 0,
      conflicts: [],
      refused: [],
      errors: [],
      dryRun: options.dryRun ?? false,
    };
  }

  async run(): Promise<RestoreResult> {
    const target = this.result.target;
    const targetStat = await fs.stat(target).catch(() => undefined);
    if (targetStat && !targetStat.isDirectory()) {
      throw new CairnError('invalid-argument', `the restore target ${target} is not a folder`);
    }
    if (!this.result.dryRun) await fs.mkdir(target, { recursive: true });
    // A target that did not exist holds nothing to conflict with: no entry below it is looked up.
    const fresh = targetStat === undefined;
    this.bytesTotal = this.includes ? 0 : this.snapshot.summary.totalBytes;
    for (const inc of this.includes ?? []) {
      const node = await findNode(this.repo, this.snapshot.tree, inc);
      if (!node) this.result.errors.push({ path: inc, message: 'not found in this recovery point' });
      else this.bytesTotal += inc === '/' ? this.snapshot.summary.totalBytes : (node.size ?? 0);
    }
    try {
      await this.restoreTree(this.snapshot.tree, '/', target, false, fresh);
      await this.startBatch();
      await this.startBatch();
      await this.executing;
      await Promise.all([...this.finishing]);
    } catch (err) {
      await this.executing.catch(() => undefined);
      await Promise.all([...this.finishing]);
      for (const task of [...this.executingTasks, ...(this.waiting?.tasks ?? []), ...this.tasks]) {
        rmSync(task.tmp, { force: true });
      }
      throw err;
    } finally {
      await this.pool?.close();
    }
    for (const link of this.pendingLinks) await this.linkName(link);
    // Folder mtimes last, deepest first: writing into a folder changes its mtime.
    for (const d of this.finishedDirs.reverse()) {
      await applyMetadata(d.local, d.node).catch(() => undefined);
      this.finisher.done(d.local, d.node, d.repoPath);
    }
    await this.finisher.close();
    return this.result;
  }

  /** Whether the entry at repoPath is selected, or lies on the way to a selected entry. */
  private selection(repoPath: string): 'all' | 'partial' | 'none' {
    if (!this.includes) return 'all';
    let partial = false;
    for (const inc of this.includes) {
      if (repoPath === inc || repoPath.startsWith(`${inc}/`) || inc === '/') return 'all';
      if (inc.startsWith(`${repoPath}/`) || repoPath === '/') partial = true;
    }
    return partial ? 'partial' : 'none';
  }

  /** `fresh`: localDir was made by this restore (or, in a dry run, does not exist), so it is empty. */
  private async restoreTree(
    treeId: string,
    repoPath: string,
    localDir: string,
    all: boolean,
    fresh: boolean,
  ): Promise<void> {
    const tree = await this.repo.loadTree(treeId);
    const files: { node: TreeNode; repoPath: string; local: LocalPath }[] = [];
    const dirs: { node: TreeNode; repoPath: string; local: string; all: boolean }[] = [];
    for (const node of tree.nodes) {
      const childPath = joinRepoPath(repoPath, node.name);
      if (!isSafeName(node.name) || (node.nameBytes !== undefined && !isSafeNameBytes(node.nameBytes))) {
        this.result.refused.push({ path: childPath, reason: `unsafe name ${JSON.stringify(node.name)}` });
        continue;
      }
      const sel = all ? 'all' : this.selection(childPath);
      if (sel === 'none') continue;
      if (node.type === 'dir')
        dirs.push({ node, repoPath: childPath, local: path.join(localDir, node.name), all: sel === 'all' });
      else if (sel === 'all') files.push({ node, repoPath: childPath, local: localChild(localDir, node) });
    }
    for (const f of files) {
      this.options.signal?.throwIfAborted();
      try {
        if (f.node.type === 'file') await this.restoreFile(f.node, f.repoPath, f.local, fresh);
        else if (f.node.type === 'symlink') await this.restoreSymlink(f.node, f.repoPath, f.local, fresh);
        else await this.restoreSpecial(f.node, f.repoPath, f.local, fresh);
      } catch (err) {
        if (isAbort(err)) throw err;
        this.result.errors.push({ path: f.repoPath, message: err instanceof Error ? err.message : String(err) });
      }
    }
    if (this.tasks.length >= PLAN_BATCH) await this.startBatch();
    for (const d of dirs) {
      this.options.signal?.throwIfAborted();
      const dir = await this.prepareDir(d.repoPath, d.local, fresh);
      if (dir === 'refused') continue;
      if (d.node.subtree) {
        try {
          await this.restoreTree(d.node.subtree, d.repoPath, d.local, d.all, dir === 'created');
        } catch (err) {
          if (isAbort(err)) throw err;
          this.result.errors.push({ path: d.repoPath, message: err instanceof Error ? err.message : String(err) });
        }
      }
      if (d.all && !this.result.dryRun) this.finishedDirs.push({ local: d.local, node: d.node, repoPath: d.repoPath });
    }
  }

  /**
   * Makes sure `local` is a real folder (never a symlink); 'refused' when the subtree must be.
   * In a fresh parent, mkdir alone decides: it fails on anything put there meanwhile.
   */
  private async prepareDir(
    repoPath: string,
    local: string,
    parentFresh: boolean,
  ): Promise<'existing' | 'created' | 'refused'> {
    const existing = parentFresh ? undefined : lstatOrUndefined(local);
    if (existing) {
      if (existing.isDirectory()) return 'existing';
      const what = existing.isSymbolicLink() ? 'a symbolic link' : 'not a folder';
      this.result.refused.push({
        path: repoPath,
        reason: `${local} exists and is ${what}; nothing was restored below it`,
      });
      return 'refused';
    }
    this.result.dirsRestored++;
    if (!this.result.dryRun) await fs.mkdir(local);
    return 'created';
  }

  /**
   * What happens to an entry (conflictAction) and where it goes (its own name, or a new one to keep
   * both), told to the plan with `size` bytes.
   */
  private async decide(
    node: TreeNode,
    repoPath: string,
    local: LocalPath,
    parentFresh: boolean,
    size: number,
  ): Promise<{ action: PlannedAction; dest: LocalPath }> {
    const action = await this.conflictAction(node, repoPath, local, parentFresh);
    const dest = action === 'keep-both' ? await keepBothName(local, this.snapshot) : local;
    this.planned(repoPath, action, dest, size);
    return { action, dest };
  }

  private async conflictAction(
    node: TreeNode,
    repoPath: string,
    local: LocalPath,
    parentFresh: boolean,
  ): Promise<PlannedAction> {
    if (parentFresh) return 'create';
    const existing = lstatOrUndefined(local);
    if (!existing) return 'create';
    let overwrite = false;
    if (existing.isDirectory()) overwrite = false;
    else if (this.policy === 'always') overwrite = true;
    else if (this.policy === 'if-newer') overwrite = node.mtime > existing.mtimeMs + MTIME_TOLERANCE_MS;
    const action: PlannedAction = overwrite ? 'overwrite' : this.options.keepBoth ? 'keep-both' : 'skip';
    const reason = existing.isDirectory()
      ? 'a folder exists under this name'
      : overwrite
        ? `overwrite policy "${this.policy}"`
        : 'a file exists under this name';
    this.result.conflicts.push({ path: repoPath, action, reason });
    return action;
  }

  /**
   * A file: another name of a hard-link group whose first name this run restores is linked to it
   * at the end; any other file is planned (planFile).
   */
  private async restoreFile(node: TreeNode, repoPath: string, local: LocalPath, parentFresh: boolean): Promise<void> {
    const head = node.hardlink === undefined ? undefined : this.linkHeads.get(node.hardlink);
    if (!head) {
      const task = await this.planFile(node, repoPath, local, parentFresh);
      if (task && node.hardlink !== undefined) {
        task.linkHead = { dest: task.dest, repoPath };
        this.linkHeads.set(node.hardlink, task.linkHead);
      }
      return;
    }
    const { action, dest } = await this.decide(node, repoPath, local, parentFresh, node.size ?? 0);
    if (action === 'skip') {
      this.fileDone(repoPath, 0);
      return;
    }
    if (this.result.dryRun) {
      this.result.filesRestored++;
      this.fileDone(repoPath, node.size ?? 0);
      return;
    }
    this.pendingLinks.push({ head, node, repoPath, dest });
  }

  /** Links another name of a hard-link group to its first name, now complete, under a temporary name first. */
  private async linkName(link: PendingLink): Promise<void> {
    const { head, repoPath, dest } = link;
    if (!head.done) {
      this.result.errors.push({
        path: repoPath,
        message: `not restored: it is a hard link to ${head.repoPath}, which could not be restored`,
      });
      return;
    }
    const tmp = tempBeside(dest);
    try {
      await fs.link(head.dest, tmp);
      await fs.rename(tmp, dest);
      this.result.filesRestored++;
      this.fileDone(repoPath, link.node.size ?? 0);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      this.result.errors.push({ path: repoPath, message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Decides a file's conflict outcome and, unless skipped, plans its blobs into a temporary file;
   * returns the file's task when it is written.
   */
  private async planFile(
    node: TreeNode,
    repoPath: string,
    local: LocalPath,
    parentFresh: boolean,
  ): Promise<FileTask | undefined> {
    const { action, dest } = await this.decide(node, repoPath, local, parentFresh, node.size ?? 0);
    if (action === 'skip') {
      this.fileDone(repoPath, 0);
      return undefined;
    }
    if (this.result.dryRun) {
      this.result.filesRestored++;
      this.result.bytesRestored += node.size ?? 0;
      this.fileDone(repoPath, node.size ?? 0);
      return undefined;
    }
    // Created by the worker at its first write (O_NOFOLLOW), or by finishFile when it has no data.
    const tmp = tempBeside(local);
    const task: FileTask = { repoPath, node, tmp, dest, size: 0 };
    this.tasks.push(task);
    let onlyPack: string | undefined;
    let last: PackWrite | undefined;
    for (const id of node.content ?? []) {
      const loc = this.repo.index.get(id);
      if (!loc) {
        task.failure ??= missingBlobMessage(id);
        continue;
      }
      let pack = this.plan.get(loc.pack);
      if (!pack) {
        pack = { writes: [], tasks: [], bytes: 0 };
        this.plan.set(loc.pack, pack);
      }
      last = { id, offset: loc.offset, length: loc.length, rawLength: loc.rawLength, file: tmp, fileOffset: task.size };
      pack.writes.push(last);
      pack.tasks.push(task);
      pack.bytes += loc.rawLength;
      task.size += loc.rawLength;
      onlyPack = onlyPack === undefined || onlyPack === loc.pack ? loc.pack : '';
    }
    // Most files lie in one pack: the worker finishes them, with no more calls on this thread
    // (not one whose name is bytes: those the main thread renames).
    if (last && onlyPack && !task.failure && task.size === node.size && typeof dest === 'string') {
      last.finish = {
        mode: node.mode & SAFE_MODE_BITS,
        atime: utimesSeconds(node.atimeNs ?? node.mtimeNs, node.mtime),
        mtime: utimesSeconds(node.mtimeNs, node.mtime),
        size: task.size,
        dest,
      };
      task.finishedByWorker = true;
    }
    return task;
  }

  /**
   * Ends the batch being planned: it waits, and the batch that waited before it is started in
   * the background once the packs both need have moved on to this one, so the walk plans the
   * next batch meanwhile. Called twice at the end of the walk, to start the last two.
   */
  private async startBatch(): Promise<void> {
    await this.executing;
    const planned: Batch = { plan: this.plan, tasks: this.tasks };
    this.plan = new Map();
    this.tasks = [];
    const ready = this.waiting;
    this.waiting = planned;
    if (!ready) return;
    moveSharedPacks(ready, planned);
    this.executingTasks = ready.tasks;
    this.executing = this.executeBatch(ready.plan, ready.tasks);
    // Failures surface at the next startBatch or at the end; never as an unhandled rejection.
    this.executing.catch(() => undefined);
  }

  /** Reads each planned pack once, has the workers write its blobs, then finishes the files. */
  private async executeBatch(plan: Batch['plan'], tasks: FileTask[]): Promise<void> {
    if (plan.size > 0) {
      this.pool ??= new RestorePool({ dataKey: this.repo.keys.dataKey, idKey: this.repo.keys.idKey });
      const pool = this.pool;
      // As many packs as workers: reading one more ahead measured no faster, for 16 MiB more.
      await mapLimit([...plan.entries()], pool.size, async ([packId, { writes, tasks: owners, bytes }]) => {
        this.options.signal?.throwIfAborted();
        let failures: { index: number; message: string }[];
        try {
          failures = await pool.writePack(await loadPackPrefix(this.repo.backend, packId, writes), writes);
        } catch (err) {
          const message = isNotFound(err)
            ? missingPackMessage(packId)
            : err instanceof Error
              ? err.message
              : String(err);
          failures = writes.map((_, index) => ({ index, message }));
        }
        for (const f of failures) (owners[f.index] as FileTask).failure ??= f.message;
        this.progress(owners[0]?.repoPath ?? '', bytes);
      });
    }
    // Finishing the files overlaps with the next batch's packs.
    const finishing = mapLimit(tasks, FINISH_CONCURRENCY, (task) => this.finishFile(task)).then(() => {
      this.finishing.delete(finishing);
    });
    this.finishing.add(finishing);
    this.executingTasks = [];
  }

  /**
   * Gives a written file its metadata and its real name, or removes it when a blob failed.
   * Asynchronous (the thread pool), so the walk keeps planning while files are finished.
   */
  private async finishFile(task: FileTask): Promise<void> {
    try {
      if (task.failure) throw new CairnError('integrity', task.failure);
      if (task.size !== (task.node.size ?? task.size)) {
        throw new CairnError(
          'integrity',
          `the recovery point lists ${task.node.size} bytes, its data holds ${task.size}`,
        );
      }
      if (!task.finishedByWorker) {
        // 'wx' (O_EXCL) never follows or reuses anything already at the random temporary name.
        if (task.size === 0) await (await fs.open(task.tmp, 'wx', 0o600)).close();
        else if ((await fs.lstat(task.tmp)).size !== task.size) await fs.truncate(task.tmp, task.size);
        await fs.chmod(task.tmp, task.node.mode & SAFE_MODE_BITS);
        await fs.utimes(task.tmp, ...utimesOf(task.node));
        await fs.rename(task.tmp, task.dest);
      }
      if (task.linkHead) task.linkHead.done = true;
      this.finisher.done(task.dest, task.node, task.repoPath);
      this.result.filesRestored++;
      this.result.bytesRestored += task.size;
      this.filesDone++;
    } catch (err) {
      await fs.rm(task.tmp, { force: true }).catch(() => undefined);
      this.result.errors.push({ path: task.repoPath, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async restoreSymlink(
    node: TreeNode,
    repoPath: string,
    local: LocalPath,
    parentFresh: boolean,
  ): Promise<void> {
    const { action, dest } = await this.decide(node, repoPath, local, parentFresh, 0);
    if (action === 'skip') return;
    if (this.result.dryRun) {
      this.result.symlinksRestored++;
      return;
    }
    const tmp = tempBeside(local);
    await fs.symlink(node.target ?? '', tmp);
    await fs.lutimes(tmp, ...utimesOf(node)).catch(() => undefined);
    await fs.rename(tmp, dest);
    this.finisher.done(dest, node, repoPath);
    this.result.symlinksRestored++;
  }

  /** A FIFO or device (format version 3): made in place unless a conflict says otherwise. */
  private async restoreSpecial(
    node: TreeNode,
    repoPath: string,
    local: LocalPath,
    parentFresh: boolean,
  ): Promise<void> {
    const { action, dest } = await this.decide(node, repoPath, local, parentFresh, 0);
    if (action === 'skip' || this.result.dryRun) return;
    await restoreSpecialEntry(node, repoPath, dest, this.finisher);
  }

  private planned(repoPath: string, action: PlannedAction, destination: LocalPath, size: number): void {
    if (!this.options.onPlanned) return;
    const conflict = action === 'create' ? undefined : this.result.conflicts.at(-1);
    this.options.onPlanned({
      path: repoPath,
      action,
      reason: conflict?.reason,
      destination: shownPath(destination),
      size,
    });
  }

  private fileDone(repoPath: string, bytes: number): void {
    this.filesDone++;
    this.progress(repoPath, bytes);
  }

  private progress(currentPath: string, bytes: number): void {
    this.bytesDone += bytes;
    const report = this.options.onProgress;
    if (!report) return;
    const now = performance.now();
    if (now - this.lastProgress < 100) return;
    this.lastProgress = now;
    report({ filesDone: this.filesDone, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, currentPath });
  }
}

/**
 * Moves the writes of every pack that `later` needs too from `earlier` to `later`, with the
 * files they fill: such a file is finished with `later`, once all its packs are written.
 */
function moveSharedPacks(earlier: Batch, later: Batch): void {
  const moved = new Set<FileTask>();
  for (const [packId, entry] of earlier.plan) {
    const next = later.plan.get(packId);
    if (!next) continue;
    later.plan.set(packId, {
      writes: entry.writes.concat(next.writes),
      tasks: entry.tasks.concat(next.tasks),
      bytes: entry.bytes + next.bytes,
    });
    for (const task of entry.tasks) moved.add(task);
    earlier.plan.delete(packId);
  }
  if (moved.size === 0) return;
  earlier.tasks = earlier.tasks.filter((task) => !moved.has(task));
  later.tasks.push(...moved);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
