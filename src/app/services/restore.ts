/**
 * Restoring, as `cairn restore` and the app's restore tasks and preview run it: which recovery
 * point and where (target "/" is the original place; a frozen (restricted) point is refused by
 * the engine, src/engine/repo/restriction.ts, when it is found), the restore under the shared lock, and the audit entry and usage count of a restore
 * that wrote files. The preview is the restorer's own planning run as a dry run, so the preview
 * and the restore make the same decision for every file (new, overwrite, skip, keep both).
 *
 * Restoring to the original place with nothing selected restores the backed-up folders (the
 * recovery point's paths), never the folders above them, so the metadata of `/home` or `/tmp`
 * is never touched.
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import {
  type OverwritePolicy,
  type PlannedAction,
  type RestoreProgress,
  type RestoreResult,
  restore,
} from '../../engine/restore/restorer.js';
import type { Clock } from '../../engine/util/clock.js';
import { normalizeRepoPath } from '../../engine/util/paths.js';
import type { AuditDetails } from '../privacy/audit-trail.js';
import { countUsage } from './records.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { OverwritePolicy, RestoreProgress, RestoreResult };

export const OVERWRITE_POLICIES: readonly OverwritePolicy[] = ['never', 'always', 'if-newer'];

export interface RestoreRequest {
  /** A recovery point id, a unique prefix of one, or "latest". */
  snapshot: string;
  /** An absolute folder, or "/" for the original place. */
  target: string;
  /** Paths inside the recovery point to restore; empty: all of it. */
  include: string[];
  overwrite: OverwritePolicy;
  keepBoth: boolean;
  /**
   * Give entries their recorded owner and group (format version 3). Default: when running as
   * root, who alone may; true asks for it anyway (each entry that cannot be given it is reported).
   */
  owners?: boolean;
}

/** A request resolved against its recovery point: what a restore or a preview really does. */
export interface RestorePlan {
  snapshot: SnapshotRecord;
  target: string;
  /** Empty: the whole recovery point. */
  include: string[];
  overwrite: OverwritePolicy;
  keepBoth: boolean;
  owners?: boolean;
}

export interface RestoreDeps {
  /** Where a restore that wrote files is recorded (audit `restore.completed`, usage statistics). */
  records?: RepositoryRecords;
  /** Further details for the audit entry: the app names the task that ran the restore (`taskId`). */
  auditDetails?: AuditDetails;
  /** The clock the repository lock reads (default: the system clock). */
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
  /** Plan only: report what would be written and write nothing (nothing is recorded either). */
  dryRun?: boolean;
}

/** The target and include list a restore of `snapshot` really uses; refuses what cannot be done. */
export function resolveRestoreTarget(
  snapshot: SnapshotRecord,
  target: string,
  include: string[],
  platform: NodeJS.Platform = process.platform,
): { target: string; include: string[] } {
  if (target === '/') {
    if (platform === 'win32') {
      throw new CairnError(
        'invalid-argument',
        'restoring to the original place is not available on Windows yet: choose a folder to restore into',
      );
    }
    const selected = include.length > 0 ? include : snapshot.paths;
    return { target: '/', include: selected.map(normalizeRepoPath) };
  }
  if (!path.isAbsolute(target)) {
    throw new CairnError('invalid-argument', `the folder to restore into must be an absolute path (got "${target}")`);
  }
  return { target, include };
}

/**
 * Finds the recovery point and resolves the request; refuses a frozen point and a target that
 * cannot be used. Reads no data, so a caller can refuse at once what a task would only fail at.
 */
export async function planRestore(repo: Repository, request: RestoreRequest): Promise<RestorePlan> {
  const snapshot = await repo.findSnapshot(request.snapshot);
  const { target, include } = resolveRestoreTarget(snapshot, request.target, request.include);
  const plan: RestorePlan = { snapshot, target, include, overwrite: request.overwrite, keepBoth: request.keepBoth };
  if (request.owners !== undefined) plan.owners = request.owners;
  return plan;
}

/**
 * Restores a planned request under the shared lock. The recovery point is read again under the
 * lock, so one removed or frozen since it was planned is not restored.
 */
export async function runRestore(repo: Repository, plan: RestorePlan, deps: RestoreDeps): Promise<RestoreResult> {
  const result = await withLock(
    repo,
    'restore',
    false,
    async () => {
      const snapshot = await repo.findSnapshot(plan.snapshot.id);
      return restore(repo, snapshot, {
        target: plan.target,
        include: plan.include.length > 0 ? plan.include : undefined,
        overwrite: plan.overwrite,
        keepBoth: plan.keepBoth,
        ...(plan.owners === undefined ? {} : { owners: plan.owners }),
        dryRun: deps.dryRun,
        signal: deps.signal,
        onProgress: deps.onProgress,
      });
    },
    deps.clock ? { clock: deps.clock } : {},
  );
  if (deps.records && !result.dryRun) {
    const problems = result.errors.length + result.refused.length;
    appendAudit(deps.records, 'restore.completed', {
      ...deps.auditDetails,
      repositoryId: repo.config.id,
      snapshotId: result.snapshotId,
      target: result.target,
      files: result.filesRestored,
      errors: problems,
      status: problems > 0 ? 'failed' : 'succeeded',
    });
    countUsage(deps.records, (usage) => usage.recordRestore());
  }
  return result;
}

/** Each entry that was refused or failed, as one line (empty when the restore is complete). */
export function restoreProblems(result: RestoreResult): string[] {
  return [
    ...result.refused.map((x) => `refused ${x.path}: ${x.reason}`),
    ...result.errors.map((x) => `failed ${x.path}: ${x.message}`),
  ];
}

export type PreviewAction = 'new' | 'overwrite' | 'skip' | 'keep-both';

export interface RestorePreview {
  target: string;
  /** The first `limit` decisions, in the order the restore makes them. */
  items: { path: string; destination: string; action: PreviewAction; reason: string | null }[];
  counts: { new: number; overwrite: number; skip: number; keepBoth: number };
  /** Bytes the restore would write (skipped files not counted). */
  bytes: number;
  refused: RestoreResult['refused'];
  errors: RestoreResult['errors'];
  /** More items exist than were listed (the counts cover all). */
  truncated: boolean;
}

const ACTION_NAMES: Record<PlannedAction, PreviewAction> = {
  create: 'new',
  overwrite: 'overwrite',
  skip: 'skip',
  'keep-both': 'keep-both',
};

/** What the restore would do to every file, without writing anything (a frozen point is refused). */
export async function previewRestore(
  repo: Repository,
  request: RestoreRequest,
  limit: number,
): Promise<RestorePreview> {
  const plan = await planRestore(repo, request);
  const items: RestorePreview['items'] = [];
  const counts = { new: 0, overwrite: 0, skip: 0, keepBoth: 0 };
  let bytes = 0;
  const r = await restore(repo, plan.snapshot, {
    target: plan.target,
    include: plan.include.length > 0 ? plan.include : undefined,
    overwrite: plan.overwrite,
    keepBoth: plan.keepBoth,
    dryRun: true,
    onPlanned: (item) => {
      const action = ACTION_NAMES[item.action];
      if (action === 'keep-both') counts.keepBoth++;
      else counts[action]++;
      if (action !== 'skip') bytes += item.size;
      if (items.length < limit) {
        items.push({ path: item.path, destination: item.destination, action, reason: item.reason ?? null });
      }
    },
  });
  const total = counts.new + counts.overwrite + counts.skip + counts.keepBoth;
  return {
    target: r.target,
    items,
    counts,
    bytes,
    refused: r.refused,
    errors: r.errors,
    truncated: total > items.length,
  };
}
