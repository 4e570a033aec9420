/**
 * The engine host's repository health and repair methods: what an unlocked repository shows as
 * damaged without reading its data (`repo.health`), the repairs as 'repair' tasks with a dry run
 * first (`repair.start`), and removing recovery points by id, a damaged one included
 * (`snapshots.forget`). Repairs are the same use case as `cairn repair` (src/app/services/repair.ts):
 * audited, and a repaired copy of a frozen recovery point stays frozen.
 */
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import type { RepairIndexResult } from '../../engine/repair/repair-index.js';
import type { RepairSnapshotsResult } from '../../engine/repair/repair-snapshots.js';
import { withLock } from '../../engine/repo/lock.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { JsonValue, RepositoryRecord } from '../catalog/catalog.js';
import type { AuditDetails } from '../privacy/audit-trail.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';
import { repairIndexWithRecords, repairSnapshotsWithRecords } from '../services/repair.js';
import type { TaskContext, TaskManager } from './task-manager.js';

/** What the repair methods need of the engine host. */
export interface RepairHost {
  tasks: TaskManager;
  unlocked(repositoryId: string): { record: RepositoryRecord; repo: Repository };
  frozen(): FrozenPoints;
  audit(action: string, details: AuditDetails): void;
  emitStatus(): void;
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

export class RepairHandlers {
  constructor(private readonly host: RepairHost) {}

  async health(p: ParsedParams<'repo.health'>): Promise<Result<'repo.health'>> {
    const { repo } = this.host.unlocked(p.repositoryId);
    await repo.loadIndex();
    const { damaged } = await repo.listSnapshotsChecked();
    const packsMissing = (await repo.missingPacks()).length;
    return {
      indexFilesDamaged: [...repo.indexProblems].map(([id, reason]) => ({ id, reason })),
      snapshotsDamaged: damaged,
      packsMissing,
      checkedAt: new Date().toISOString(),
    };
  }

  start(p: ParsedParams<'repair.start'>): Result<'repair.start'> {
    const { record, repo } = this.host.unlocked(p.repositoryId);
    const records = { frozen: this.host.frozen(), audit: (a: string, d: AuditDetails) => this.host.audit(a, d) };
    const task = this.host.tasks.start({
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
              onProgress: (pr) =>
                ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
            },
            records,
          );
          ctx.message(indexSummary(r));
          if (!p.dryRun) this.host.emitStatus();
          return indexResult(r);
        }
        const r = await repairSnapshotsWithRecords(
          repo,
          {
            dryRun: p.dryRun,
            onProgress: (pr) =>
              ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null }),
          },
          records,
        );
        ctx.message(snapshotsSummary(r));
        if (!p.dryRun) this.host.emitStatus();
        return snapshotsResult(r);
      },
    });
    return { taskId: task.id };
  }

  async forget(p: ParsedParams<'snapshots.forget'>): Promise<Result<'snapshots.forget'>> {
    const { record, repo } = this.host.unlocked(p.repositoryId);
    const frozen = this.host.frozen().ids(record.id);
    const removed = await withLock(repo, 'forget', true, async () => {
      // Resolved without reading them: a damaged recovery point can be removed too.
      const ids = [...new Set(await Promise.all(p.ids.map((ref) => repo.resolveSnapshotId(ref))))];
      const held = ids.find((id) => frozen.has(id));
      if (held) {
        throw new ContractError(
          'invalid-argument',
          `recovery point ${held.slice(0, 8)} is frozen (restricted under GDPR Art. 18): unfreeze it before removing it`,
        );
      }
      for (const id of ids) await repo.removeSnapshot(id);
      return ids;
    });
    this.host.audit('snapshots.forgotten', { repositoryId: record.id, removed, policy: null });
    this.host.emitStatus();
    return { removed };
  }
}
