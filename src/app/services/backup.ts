/**
 * Backing up, as `cairn backup` and the app's backup tasks (manual and scheduled) run it: the
 * watcher journal's plan (read only what the watcher saw change, when it can vouch for the
 * rest), the shared repository lock, the engine's backup, then what the journal and the privacy
 * records keep of it. The callers bring their own input, progress display and result text.
 *
 * Two steps, because the journal's plan should be asked for as early as possible: `prepareBackup`
 * asks a running watcher to confirm its journal, which it answers while the caller opens the
 * repository; `runBackup` then backs up.
 */
import { type BackupProgress, backup } from '../../engine/backup/archiver.js';
import { describeError } from '../../engine/errors.js';
import type { SnapshotAuditAnchor, SnapshotRecord } from '../../engine/format/snapshot.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import { JournalBackup } from '../journal/journal-backup.js';
import { JournalStore } from '../journal/journal-store.js';
import { makeAnchor } from '../privacy/audit-anchors.js';
import type { AuditDetails } from '../privacy/audit-trail.js';
import { countUsage } from './records.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { BackupProgress, SnapshotRecord };

export interface BackupRequest {
  /** Local files and folders to back up. */
  paths: string[];
  excludes?: string[];
  /** Do not cross into other file systems (mount points are skipped and named in a warning). */
  oneFileSystem?: boolean;
  tags?: string[];
  hostname?: string;
  /** Parent recovery point; default: the latest one of this host with the same paths. */
  parent?: string;
  /** Read every file even when its metadata is unchanged. */
  force?: boolean;
  /** List every folder again instead of trusting the watcher journal. */
  rescan?: boolean;
}

export interface PreparedBackup {
  readonly request: BackupRequest;
  /** The journal's plan; undefined when there is no journal (the backup rescans). */
  readonly plan: JournalBackup | undefined;
  readonly journal: JournalStore | undefined;
  /** Settles when the watchers answered (or gave up); never rejects. */
  readonly ready: Promise<void>;
}

export interface BackupDeps {
  /** Dates the recovery point and the repository lock (default: the system clock). */
  clock?: Clock;
  /** Where the finished backup is recorded (audit `backup.completed`, usage statistics). */
  records?: RepositoryRecords;
  /** Further details for the audit entry: the app names the task that ran the backup (`taskId`). */
  auditDetails?: AuditDetails;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  /** Items that could not be read, and what went wrong with the watcher journal. */
  onWarning?: (message: string) => void;
}

export interface BackupOutcome {
  snapshot: SnapshotRecord;
  /** The items that could not be read (the recovery point is partial when there are any). */
  warnings: string[];
  /** Whether the backup read only what the watcher journal named, and why (not); no reason without a journal. */
  scan: { usedJournal: boolean; reason: string | null; reusedFolders: number };
}

/**
 * The watcher journal of the data folder; a backup without it simply rescans. A damaged journal
 * is set aside and a new one started (with a warning), so the next backups can use it again.
 */
export function openWatcherJournal(dataDir: string, warn: (message: string) => void): JournalStore | undefined {
  try {
    return JournalStore.open(dataDir, { onWarning: warn });
  } catch (err) {
    warn(`the watcher journal is not usable, so this backup rescans everything: ${describeError(err)}`);
    return undefined;
  }
}

/** Makes the journal's plan and asks the running watchers to confirm their journal now. */
export function prepareBackup(
  request: BackupRequest,
  journal: JournalStore | undefined,
  clock: Clock = systemClock,
): PreparedBackup {
  const plan = journal
    ? new JournalBackup(journal, request.paths, { rescan: request.rescan, excludes: journalKey(request), now: clock })
    : undefined;
  const ready = plan ? plan.prepare().catch(() => undefined) : Promise.resolve();
  return { request, plan, journal, ready };
}

/**
 * What decides which entries a backup stores, as the journal compares it with the last backup's:
 * the excludes, and whether mount points are crossed (a marker no pattern can spell: it holds a NUL).
 */
function journalKey(request: BackupRequest): string[] {
  const excludes = request.excludes ?? [];
  return request.oneFileSystem ? [...excludes, '\0one-file-system'] : excludes;
}

/** Backs up under the shared lock, then commits the journal's plan and records the result. */
export async function runBackup(
  repo: Repository,
  prepared: PreparedBackup,
  deps: BackupDeps = {},
): Promise<BackupOutcome> {
  const { request, plan, journal } = prepared;
  const warn = deps.onWarning ?? (() => {});
  await prepared.ready;
  const result = await withLock(
    repo,
    'backup',
    false,
    () =>
      backup(repo, {
        paths: request.paths,
        excludes: request.excludes,
        oneFileSystem: request.oneFileSystem,
        tags: request.tags,
        hostname: request.hostname,
        parent: request.parent,
        force: request.force,
        clock: deps.clock,
        planChanges: plan ? (parent) => plan.plan(parent) : undefined,
        treeStats: journal,
        auditAnchor: deps.records ? () => anchorFor(deps.records as RepositoryRecords, repo) : undefined,
        signal: deps.signal,
        onProgress: deps.onProgress,
        onWarning: warn,
      }),
    deps.clock ? { clock: deps.clock } : {},
  );
  const s = result.snapshot;
  if (plan?.journalUnreadable) warn(`this backup rescanned everything: ${plan.reason}`);
  try {
    plan?.commit(s);
  } catch (err) {
    warn(`cannot update the watcher journal (the next backup rescans): ${describeError(err)}`);
  }
  if (deps.records) {
    const m = s.summary;
    appendAudit(deps.records, 'backup.completed', {
      ...deps.auditDetails,
      repositoryId: repo.config.id,
      snapshotId: s.id,
      paths: s.paths,
      files: m.totalFiles,
      bytes: m.totalBytes,
      partial: s.partial,
    });
    countUsage(deps.records, (usage) => usage.recordBackup(m.totalBytes));
  }
  return {
    snapshot: s,
    warnings: result.warnings,
    scan: {
      usedJournal: result.usedJournal,
      reason: plan?.reason ?? null,
      reusedFolders: result.reusedFolders,
    },
  };
}

/** The audit trail's head for the recovery point; a trail that cannot be read is reported, not fatal. */
function anchorFor(records: RepositoryRecords, repo: Repository): SnapshotAuditAnchor | undefined {
  try {
    const anchor = makeAnchor(records.privacy().audit, repo.keys);
    if (!anchor)
      records.warn(
        'the audit trail does not verify, so this backup does not anchor it ("cairn audit verify" says why)',
      );
    return anchor;
  } catch (err) {
    records.warn(`the audit trail's head could not be anchored in this backup: ${describeError(err)}`);
    return undefined;
  }
}
