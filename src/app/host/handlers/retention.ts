/**
 * The `retention.*` methods: each repository's stored retention policy (services/retention-settings.ts), a
 * preview of what it would keep and remove, and applying it as a 'forget' task (also after a
 * scheduled backup, see backup.ts). Previewing and applying are the forget use case shared with
 * `cairn forget` (src/app/services/forget.ts): decided under the lock, frozen points kept, audited.
 */
import { ContractError } from '../../../contract/errors.js';
import type { ParsedParams } from '../../../contract/methods.js';
import { forget, previewForget } from '../../services/forget.js';
import { readRetention, writeRetention } from '../../services/retention-settings.js';
import type { HostServices } from '../host-services.js';
import type { TaskManager } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type RetentionDeps = Pick<
  HostServices,
  'catalog' | 'tasks' | 'repositories' | 'frozen' | 'privacy' | 'events' | 'clock'
>;

export function retentionHandlers(deps: RetentionDeps): Handlers<Namespace<'retention'>> {
  const { catalog, repositories } = deps;
  return {
    'retention.set': async (p) => {
      setRetention(deps, p);
      return { ok: true as const };
    },
    'retention.get': async (p) => {
      repositories.requireRecord(p.repositoryId);
      return readRetention(catalog, p.repositoryId);
    },
    'retention.preview': async (p) => {
      const { keep, remove, reclaimBytes } = await previewForget(
        repositories.unlocked(p.repositoryId).repo,
        { policy: p.policy },
        { frozen: deps.frozen, clock: deps.clock },
      );
      return { keep, remove, reclaimBytes };
    },
    'retention.apply': async (p) => ({ taskId: startRetention(deps, p.repositoryId).id }),
  };
}

/** Stores (or, with no policy, removes) a repository's retention policy; audited. */
function setRetention(deps: RetentionDeps, p: ParsedParams<'retention.set'>): void {
  deps.repositories.requireRecord(p.repositoryId);
  writeRetention(deps.catalog, p.repositoryId, p.policy ? { policy: p.policy, prune: p.prune } : null);
  deps.privacy.audit('retention.changed', { repositoryId: p.repositoryId, policy: p.policy, prune: p.prune });
}

/**
 * Applies the repository's stored policy as a 'forget' task. It shares the backups' exclusive
 * slot: a backup must not dedupe against data the prune is removing, nor write while the
 * session index is reloaded.
 */
export function startRetention(deps: RetentionDeps, repositoryId: string): ReturnType<TaskManager['start']> {
  const { record, repo } = deps.repositories.unlocked(repositoryId);
  const retention = readRetention(deps.catalog, record.id);
  if (!retention) {
    throw new ContractError('invalid-argument', `"${record.label}" has no retention policy: set one first`);
  }
  return deps.tasks.start({
    kind: 'forget',
    repositoryId: record.id,
    exclusiveKey: `backup:${record.id}`,
    busyMessage: `a backup or clean-up of "${record.label}" is running; wait for it to finish or cancel it`,
    run: async (ctx) => {
      const outcome = await forget(
        repo,
        { policy: retention.policy },
        { frozen: deps.frozen, records: deps.privacy.port, clock: deps.clock },
        {
          prune: retention.prune,
          signal: ctx.signal,
          onRemoved: (removed, kept) =>
            ctx.message(`removed ${removed.length} recovery point(s) by the retention policy; ${kept} kept`),
          onPruneProgress: (pr) =>
            ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
        },
      );
      if (outcome.prune) ctx.message(`freed ${outcome.prune.bytesFreed} bytes of data only they used`);
      deps.events.emitStatus();
      return {
        removed: outcome.removed,
        kept: outcome.keep.length,
        pruned: outcome.prune !== undefined,
        bytesFreed: outcome.prune?.bytesFreed ?? 0,
        packsDeleted: outcome.prune?.packsDeleted ?? 0,
      };
    },
  });
}
