/**
 * The `restore.*` methods: restoring a recovery point (or some of its paths) into a folder as a
 * 'restore' task, and a preview of what a restore would do there, both over the restore service
 * (src/app/services/restore.ts), which audits a restore that wrote files with the task's id. A
 * frozen recovery point is refused by the session's engine (src/engine/repo/restriction.ts).
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { JsonValue } from '../../catalog/catalog.js';
import { planRestore, previewRestore, restoreProblems, runRestore } from '../../services/restore.js';
import type { HostServices } from '../host-services.js';
import { MAX_TASK_MESSAGES, TaskFailure } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type RestoreDeps = Pick<HostServices, 'tasks' | 'repositories' | 'privacy' | 'clock'>;

export function restoreHandlers(deps: RestoreDeps): Handlers<Namespace<'restore'>> {
  return {
    'restore.start': (p) => startRestore(deps, p),
    'restore.preview': (p) =>
      previewRestore(deps.repositories.unlocked(p.repositoryId).repo, { ...p, snapshot: p.snapshotId }, p.limit),
  };
}

/**
 * Starts a restore into an absolute folder (or "/", the original place) as a 'restore' task;
 * what cannot be restored at all is refused before the task starts. Items that could not be
 * restored fail the task, which still records what was restored.
 */
async function startRestore(deps: RestoreDeps, p: ParsedParams<'restore.start'>): Promise<Result<'restore.start'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const plan = await planRestore(repo, { ...p, snapshot: p.snapshotId });
  const task = deps.tasks.start({
    kind: 'restore',
    repositoryId: record.id,
    run: async (ctx) => {
      const r = await runRestore(repo, plan, {
        records: deps.privacy.port,
        auditDetails: { taskId: ctx.id },
        clock: deps.clock,
        signal: ctx.signal,
        onProgress: (pr) =>
          ctx.progress({
            files: pr.filesDone,
            bytes: pr.bytesDone,
            totalBytes: pr.bytesTotal,
            currentPath: pr.currentPath ?? null,
          }),
      });
      for (const text of restoreProblems(r).slice(0, MAX_TASK_MESSAGES)) ctx.message(text, 'error');
      const skipped = r.conflicts.filter((c) => c.action === 'skip').length;
      if (skipped > 0) ctx.message(`${skipped} existing file(s) were left as they were`, 'warning');
      const result: Record<string, JsonValue> = {
        snapshotId: r.snapshotId,
        target: r.target,
        filesRestored: r.filesRestored,
        dirsRestored: r.dirsRestored,
        symlinksRestored: r.symlinksRestored,
        bytesRestored: r.bytesRestored,
        conflicts: r.conflicts.length,
        refused: r.refused.length,
        errors: r.errors.length,
      };
      if (r.errors.length > 0 || r.refused.length > 0) {
        throw new TaskFailure(
          `${r.errors.length + r.refused.length} item(s) could not be restored; the others were restored to ${r.target}`,
          result,
        );
      }
      return result;
    },
  });
  return { taskId: task.id };
}
