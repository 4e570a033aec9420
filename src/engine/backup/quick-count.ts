/**
 * A quick count of what a backup will hold (files and their bytes), run beside a backup that no
 * earlier recovery point can give totals for, so its progress can show how much is left.
 *
 * It walks the paths the backup names (`namedPaths`: a path inside another named path is walked
 * once, as the walk does) with the walk's own rules (`rulesInside` for each folder, `isExcluded`
 * for each entry), and only stats: nothing is read but `.cairnignore` files and cache tags. It
 * must not slow the backup, which needs the main thread, so it works in short slices and lets the
 * event loop turn between them (one walk at a time: its concurrency is one), taking at most
 * `SHARE` of the main thread's time: a slice lasts as long as the event loop took to come back to
 * it, between `MIN_SLICE_MS` and `MAX_SLICE_MS`. As the walk stats every entry too and reads files
 * besides, the count keeps ahead of it. The stats are synchronous on purpose: a warm
 * lstat takes microseconds, far less than a round trip through the thread pool, which stays free
 * for the backup's reads; and what the count stats cold, the walk then finds warm. It stops at
 * the slice after the signal aborts or `stop` is called.
 *
 * (A worker thread was tried: on the 2-core machines here it measured no faster, as the backup
 * keeps both cores busy, and it costs a start-up and a bundle of its own.)
 */
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { toRepoPath } from '../util/paths.js';
import { type ExcludeRules, rulesInside } from './excludes.js';
import type { RootStep } from './walker.js';

/**
 * The share of the main thread's time the count takes while the backup keeps it busy: the count
 * costs the same in all whatever the share, and half lets it keep well ahead of a walk through
 * small files (it stats an entry in about a third of the time the walk takes to store one).
 */
const SHARE = 0.5;
/** The shortest slice (the walk's own) and the longest, so the workers' replies wait little. */
const MIN_SLICE_MS = 2;
const MAX_SLICE_MS = 10;

/** What was counted: regular files and the sum of their sizes. */
export interface Count {
  files: number;
  bytes: number;
}

/** A count as the backup's progress reads it while it runs. */
export interface CountSoFar extends Count {
  /** Still counting: neither complete nor stopped. */
  readonly counting: boolean;
}

export interface QuickCountOptions {
  signal?: AbortSignal;
  /** Skip what the walk skips with one file system only: entries on another device than their folder. */
  oneFileSystem?: boolean;
  /** Called once, when every path has been counted (not when the count stopped early). */
  onComplete?: (count: Count) => void;
}

interface Folder {
  localPath: string;
  rules: ExcludeRules;
  isRoot: boolean;
  /** The folder's device (st_dev). */
  device: number;
}

export class QuickCount implements CountSoFar {
  /** Counted so far (the totals once `complete`). */
  files = 0;
  bytes = 0;
  /** Every path was counted. */
  complete = false;
  /** Settles when the count has completed or stopped; never rejects. */
  readonly done: Promise<void>;
  private stopped = false;
  /** performance.now() when the current slice ends: pacing, not a date (see util/clock.ts). */
  private sliceEnd = 0;
  private readonly pending: Folder[] = [];

  /** Starts counting the named paths (see `namedPaths`) under `rules`. */
  constructor(
    paths: readonly string[],
    rules: ExcludeRules,
    private readonly options: QuickCountOptions = {},
  ) {
    this.done = this.run(paths, rules).catch(() => {
      // A count that cannot go on only leaves the progress without totals.
      this.stopped = true;
    });
  }

  /** Whether the count is still running. */
  get counting(): boolean {
    return !this.complete && !this.stopped;
  }

  /** Stops the count at its next slice and waits until it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(paths: readonly string[], rules: ExcludeRules): Promise<void> {
    // The first slice waits a turn, so the backup's walk starts first.
    if (!(await this.yielded())) return;
    for (const localPath of paths) this.entry(localPath, rules, true);
    while (this.pending.length > 0) {
      if (performance.now() >= this.sliceEnd && !(await this.yielded())) return;
      const folder = this.pending.pop() as Folder;
      let names: string[];
      let inside: ExcludeRules | undefined;
      try {
        names = readdirSync(folder.localPath);
        inside = await rulesInside(folder.localPath, names, folder.rules, folder.isRoot);
      } catch {
        continue; // the backup warns about what it cannot read
      }
      if (!inside) continue; // a cache folder
      for (const name of names) {
        if (performance.now() >= this.sliceEnd && !(await this.yielded())) return;
        this.entry(path.join(folder.localPath, name), inside, false, folder.device);
      }
    }
    if (!this.going()) return;
    this.complete = true;
    this.options.onComplete?.({ files: this.files, bytes: this.bytes });
  }

  /** Counts one entry as the walk judges it: a file, a folder to list later, or nothing. */
  private entry(localPath: string, rules: ExcludeRules, isRoot: boolean, folderDevice?: number): void {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(localPath);
    } catch {
      return;
    }
    const isDir = stat.isDirectory();
    if (!isRoot && rules.isExcluded(toRepoPath(localPath), isDir)) return;
    if (this.options.oneFileSystem && folderDevice !== undefined && stat.dev !== folderDevice) return;
    if (isDir) this.pending.push({ localPath, rules, isRoot, device: stat.dev });
    else if (stat.isFile()) {
      this.files++;
      this.bytes += stat.size;
    }
  }

  /** Lets the event loop turn and sets the next slice; false when the count is to stop. */
  private async yielded(): Promise<boolean> {
    const left = performance.now();
    await nextTurn();
    const now = performance.now();
    const slice = ((now - left) * SHARE) / (1 - SHARE);
    this.sliceEnd = now + Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, slice));
    return this.going();
  }

  private going(): boolean {
    if (this.options.signal?.aborted) this.stopped = true;
    return !this.stopped;
  }
}

/** The paths the user named, without those inside another named path (the walk lists them there). */
export function namedPaths(step: RootStep): string[] {
  if (step.localPath) return [step.localPath];
  return [...step.children.values()].flatMap(namedPaths);
}
