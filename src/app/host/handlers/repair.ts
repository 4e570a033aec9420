/**
 * The `repair.*` methods: repairing an unlocked repository's index or its recovery points as a
 * 'repair' task, a dry run first. Repairs are the same use case as `cairn repair`
 * (src/app/services/repair.ts): audited, and a repaired copy of a frozen recovery point stays
 * frozen. What a repository shows as damaged is `repo.health` (repo.ts).
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import type { JsonValue } from '../../catalog/catalog.js';
import {
  type RepairIndexResult,
  type RepairSnapshotsResult,
  repairIndexWithRecords,
  repairSnapshotsWithRecords,
} from '../../services/repair.js';
import type { HostServices } from '../host-services.js';
import type { TaskContext } from '../task-manager.js';
import type { Handlers, Namespace } from './types.js';

export type RepairDeps = Pick<HostServices, 'tasks' | 'repositories' | 'frozen' | 'privacy' | 'events' | 'clock'>;

export function repairHandlers(deps: RepairDeps): Handlers<Namespace<'repair'>> {
  return {
    'repair.start': async (p) => startRepair(deps, p),
  };
}

/** Starts an index or recovery point repair as a 'repair' task. */
function startRepair(deps: RepairDeps, p: ParsedParams<'repair.start'>): Result<'repair.start'> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const records = { frozen: deps.frozen, records: deps.privacy.port };
  const task = deps.tasks.start({
    kind: 'repair',
    repositoryId: record.id,
    // A repair takes the exclusive lock; in this process it also waits for no backup to run.
    ...(p.dryRun
      ? {}
      : {
          exclusiveKey: `backup:${record.id}`,
          busyMessage: `a backup or clean-up of "${record.label}" is running; repair it when that has finished`,
        }),
    run: async (ctx: TaskContext) => {
      if (p.kind === 'index') {
        const r = await repairIndexWithRecords(
          repo,
          {
            dryRun: p.dryRun,
            readData: p.readData,
            clock: deps.clock,
            onProgress: (pr) =>
              ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
          },
          records,
        );
        ctx.message(indexSummary(r));
        if (!p.dryRun) deps.events.emitStatus();
        return indexResult(r);
      }
      const r = await repairSnapshotsWithRecords(
        repo,
        {
          dryRun: p.dryRun,
          clock: deps.clock,
          onProgress: (pr) =>
            ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
        },
        records,
      );
      ctx.message(snapshotsSummary(r));
      if (!p.dryRun) deps.events.emitStatus();
      return snapshotsResult(r);
    },
  });
  return { taskId: task.id };
}

/** The repair's outcome as a task result: counts and ids (the dropped blob ids can be millions). */
function indexResult(r: RepairIndexResult): Record<string, JsonValue> {
  const { droppedBlobIds: _ids, newIndexFile, ...rest } = r;
  return { ...(rest as unknown as Record<string, JsonValue>), newIndexFile: newIndexFile ?? null };
}

function snapshotsResult(r: RepairSnapshotsResult & { frozenCopies: string[] }): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(r)) as Record<string, JsonValue>;
}

/** One line of what the index repair found or did, for the task's messages. */
function indexSummary(r: RepairIndexResult): string {
  const would = r.dryRun ? 'would ' : '';
  if (!r.changed) return 'the index matches the stored data: nothing to repair';
  return `${r.dryRun ? 'preview: ' : ''}${r.indexFilesDamaged.length} damaged index file(s) and ${r.packsMissing.length} missing pack(s) found; ${would}drop ${r.blobsDropped} entry(ies) and ${would}add ${r.blobsAdded}`;
}

function snapshotsSummary(r: RepairSnapshotsResult): string {
  if (r.repaired.length === 0) return `none of the ${r.snapshots} recovery point(s) needs a repaired copy`;
  return `${r.dryRun ? 'preview: would write' : 'wrote'} a repaired copy of ${r.repaired.length} recovery point(s); the originals are kept until they are removed`;
}
