/**
 * The `backup.*` methods: a backup of a repository's sources (all, or the ones named) as a
 * 'backup' task over the backup service (src/app/services/backup.ts, which reads only what the
 * folder watcher saw change when its journal allows, and audits the finished backup with the
 * task's id). Also what the scheduler runs: one source's backup, then the repository's retention
 * policy. A backup that fails because the storage stayed unreachable through its retries says so
 * ("storage unreachable since 14:02: …"); it left no recovery point, as the snapshot is written
 * last, and the scheduler tries again with its backoff.
 */
import { existsSync } from 'node:fs';
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import { prepareBackup, runBackup } from '../../services/backup.js';
import { readRetention } from '../../services/retention-settings.js';
import type { HostServices } from '../host-services.js';
import { clockTime } from '../storage-reachability.js';
import { MAX_TASK_MESSAGES } from '../task-manager.js';
import { type RetentionDeps, startRetention } from './retention.js';
import type { Handlers, Namespace } from './types.js';

export type BackupDeps = Pick<
  HostServices,
  'catalog' | 'tasks' | 'repositories' | 'reachability' | 'watching' | 'events' | 'privacy' | 'clock'
>;

export function backupHandlers(deps: BackupDeps): Handlers<Namespace<'backup'>> {
  return {
    'backup.start': (p) => startBackup(deps, p),
  };
}

/** Starts a backup of the repository's sources (or the ones named) as a 'backup' task. */
export async function startBackup(deps: BackupDeps, p: ParsedParams<'backup.start'>): Promise<Result<'backup.start'>> {
  const { catalog, watching } = deps;
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  let sources = catalog.listSources(record.id);
  if (p.sourceIds) {
    const wanted = new Set(p.sourceIds);
    const missing = p.sourceIds.filter((id) => !sources.some((s) => s.id === id));
    if (missing.length > 0) {
      throw new ContractError('not-found', `"${record.label}" has no source ${missing.join(', ')}`);
    }
    sources = sources.filter((s) => wanted.has(s.id));
  }
  if (sources.length === 0) {
    throw new ContractError('invalid-argument', `"${record.label}" has no folders to back up yet: add one first`);
  }
  const paths = sources.map((s) => s.path);
  const excludes = [...new Set(sources.flatMap((s) => s.excludes))];
  const task = deps.tasks.start({
    kind: 'backup',
    repositoryId: record.id,
    exclusiveKey: `backup:${record.id}`,
    busyMessage: `a backup of "${record.label}" is already running; wait for it to finish or cancel it`,
    run: async (ctx) => {
      let warnings = 0;
      const prepared = prepareBackup({ paths, excludes }, watching.journal(), deps.clock);
      const { snapshot, scan } = await unreachableSaysSo(
        deps,
        record.id,
        runBackup(repo, prepared, {
          clock: deps.clock,
          records: deps.privacy.port,
          auditDetails: { taskId: ctx.id },
          signal: ctx.signal,
          onProgress: (pr) =>
            ctx.progress({
              files: pr.filesDone,
              bytes: pr.bytesDone,
              totalBytes: pr.bytesTotal ?? null,
              filesTotal: pr.filesTotal ?? null,
              counting: pr.counting ?? null,
              currentPath: pr.currentPath ?? null,
            }),
          onWarning: (w) => {
            warnings++;
            if (warnings <= MAX_TASK_MESSAGES) ctx.message(w, 'warning');
          },
        }),
      );
      const usedJournal = scan.usedJournal;
      const s = snapshot.summary;
      ctx.progress({ files: s.totalFiles, bytes: s.totalBytes, totalBytes: s.totalBytes, filesTotal: s.totalFiles });
      if (warnings > MAX_TASK_MESSAGES)
        ctx.message(`${warnings - MAX_TASK_MESSAGES} more warnings not shown`, 'warning');
      catalog.updateRepository(record.id, { lastBackupAt: snapshot.time });
      ctx.message(
        `${snapshot.partial ? 'partial ' : ''}recovery point ${snapshot.id.slice(0, 8)} saved: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged files${usedJournal ? ' (only what the watcher saw change was read)' : ''}`,
      );
      deps.events.emitStatus();
      return {
        snapshotId: snapshot.id,
        partial: snapshot.partial,
        warnings: snapshot.warnings.length,
        filesNew: s.filesNew,
        filesChanged: s.filesChanged,
        filesUnchanged: s.filesUnchanged,
        totalFiles: s.totalFiles,
        totalBytes: s.totalBytes,
        dataAdded: s.dataAdded,
        dataAddedStored: s.dataAddedStored,
        usedJournal,
      };
    },
  });
  return { taskId: task.id };
}

/**
 * `work`, failing as "storage unreachable since HH:MM: <the storage's reason>" (the cause kept)
 * when it failed because the repository's storage did not answer through every retry.
 */
async function unreachableSaysSo<T>(deps: Pick<BackupDeps, 'reachability'>, repositoryId: string, work: Promise<T>) {
  try {
    return await work;
  } catch (err) {
    const state = deps.reachability.failed(repositoryId, err);
    if (!state?.unreachableSince) throw err;
    const reason = err instanceof Error && err.message ? err.message : String(err);
    throw new Error(`storage unreachable since ${clockTime(Date.parse(state.unreachableSince))}: ${reason}`, {
      cause: err,
    });
  }
}

/** Why a scheduled backup of `source` cannot start now (null: it can). */
export function cannotStartReason(
  deps: Pick<BackupDeps, 'repositories' | 'privacy'>,
  source: { repositoryId: string; path: string },
): string | null {
  if (!deps.privacy.backupAllowed()) return 'backups are paused because consent to the backup purpose was withdrawn';
  if (!deps.repositories.get(source.repositoryId)) return 'needs your password: the repository is locked';
  if (!existsSync(source.path)) return `the folder ${source.path} no longer exists`;
  return null;
}

/**
 * A scheduled backup: an ordinary backup task of one source; rejects unless it succeeded. A run
 * that cannot start (consent withdrawn, repository locked, folder gone) still leaves a failed
 * 'backup' task with the reason, and counts as a failure for the scheduler's backoff.
 */
export async function runScheduledBackup(deps: BackupDeps & RetentionDeps, sourceId: number): Promise<void> {
  const source = deps.catalog.getSource(sourceId);
  if (!source) return;
  const reason = cannotStartReason(deps, source);
  let taskId: string;
  if (reason) {
    taskId = deps.tasks.start({
      kind: 'backup',
      repositoryId: source.repositoryId,
      run: async () => {
        throw new Error(reason);
      },
    }).id;
  } else {
    taskId = (await startBackup(deps, { repositoryId: source.repositoryId, sourceIds: [sourceId] })).taskId;
  }
  const task = await deps.tasks.settled(taskId);
  // The status shows what needs attention (a locked repository with schedules) at once.
  if (reason) deps.events.emitStatus();
  if (task.status !== 'succeeded') throw new Error(task.error ?? `the scheduled backup ended ${task.status}`);
  if (!readRetention(deps.catalog, source.repositoryId)) return;
  // The backup succeeded: retention is a task of its own, whose failure is that task's, not
  // the backup's (so the scheduler does not retry a backup that worked). It is not started
  // when the repository was locked meanwhile or a clean-up the user started is running.
  let cleanup: string;
  try {
    cleanup = startRetention(deps, source.repositoryId).id;
  } catch {
    return;
  }
  await deps.tasks.settled(cleanup);
}
