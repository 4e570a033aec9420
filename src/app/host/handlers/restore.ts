/**
 * The `restore.*` methods: restoring a recovery point (or some of its paths) into a folder as a
 * 'restore' task, and a preview of what a restore would do there. A frozen recovery point is
 * not restored. Resolving and previewing the request is in ../restore-plan.ts.
 */
import path from 'node:path';
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams, Result } from '../../../contract/methods.js';
import { withLock } from '../../../engine/repo/lock.js';
import { restore } from '../../../engine/restore/restorer.js';
import type { JsonValue } from '../../catalog/catalog.js';
import type { HostServices } from '../host-services.js';
import { previewRestore, resolveRestoreRequest } from '../restore-plan.js';
import { MAX_TASK_MESSAGES, TaskFailure } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type RestoreDeps = Pick<HostServices, 'tasks' | 'repositories' | 'frozen'>;

export function restoreHandlers(deps: RestoreDeps): Handlers<Namespace<'restore'>> {
  return {
    'restore.start': (p) => startRestore(deps, p),
    'restore.preview': (p) => previewRestore(deps.repositories.unlocked(p.repositoryId).repo, p),
  };
}

/**
 * Starts a restore into an absolute folder as a 'restore' task. Items that could not be
 * restored fail the task, which still records what was restored.
 */
async function startRestore(deps: RestoreDeps, p: ParsedParams<'restore.start'>): Promise<Result<'restore.start'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  if (!path.isAbsolute(p.target)) {
    throw new ContractError(
      'invalid-argument',
      `the folder to restore into must be an absolute path (got "${p.target}")`,
    );
  }
  await repo.loadIndex();
  const snapshot = await repo.findSnapshot(p.snapshotId);
  const request = resolveRestoreRequest(snapshot, p.target, p.include);
  deps.frozen.assertNotFrozen(p.repositoryId, snapshot.id, 'restore');
  const task = deps.tasks.start({
    kind: 'restore',
    repositoryId: record.id,
    run: async (ctx) => {
      const r = await withLock(repo, 'restore', false, () =>
        restore(repo, snapshot, {
          target: request.target,
          include: request.include.length > 0 ? request.include : undefined,
          overwrite: p.overwrite,
          keepBoth: p.keepBoth,
          signal: ctx.signal,
          onProgress: (pr) =>
            ctx.progress({
              files: pr.filesDone,
              bytes: pr.bytesDone,
              totalBytes: pr.bytesTotal,
              currentPath: pr.currentPath ?? null,
            }),
        }),
      );
      const problems = [
        ...r.refused.map((x) => `refused ${x.path}: ${x.reason}`),
        ...r.errors.map((x) => `failed ${x.path}: ${x.message}`),
      ];
      for (const text of problems.slice(0, MAX_TASK_MESSAGES)) ctx.message(text, 'error');
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
