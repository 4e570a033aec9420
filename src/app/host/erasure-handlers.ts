/**
 * The engine host's erasure and restriction methods (GDPR Art. 17 and 18): erasing a path as an
 * 'erase' task, previewing it, erasing everything, the tombstones and receipts, and freezing
 * recovery points. Also what the host does on its other paths: applying tombstones when a
 * repository is unlocked or connected, and refusing frozen points. Records live in
 * `<dataDir>/privacy/` (see src/app/privacy).
 */
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { openBackend } from '../../engine/backend/open.js';
import { erasurePath } from '../../engine/erase/rewrite-snapshot.js';
import type { Repository } from '../../engine/repo/repository.js';
import { CATALOG_FILE, type Catalog, type JsonValue, type RepositoryRecord } from '../catalog/catalog.js';
import { OWNER_LOCK_FILE } from '../catalog/owner-lock.js';
import { type EraseAllRepository, eraseEverything } from '../privacy/erasure/erase-all.js';
import { ErasureRecords } from '../privacy/erasure/records.js';
import {
  auditOfOutcome,
  type EraseOutcome,
  erasePathWithRecords,
  reapplyTombstones,
  tombstonesToApply,
} from '../privacy/erasure/service.js';
import { FrozenPoints, type RestrictedAction } from '../privacy/restriction/frozen.js';
import type { TaskContext, TaskManager } from './task-manager.js';

/** What the erasure methods need of the engine host. */
export interface ErasureHost {
  dataDir: string;
  catalog: Catalog;
  tasks: TaskManager;
  unlocked(repositoryId: string): { record: RepositoryRecord; repo: Repository };
  requireRecord(repositoryId: string): RepositoryRecord;
  /** Closes and forgets every open repository (erasing everything). */
  closeAll(): Promise<void>;
  /** Re-reads the sources for the scheduler (after erasing everything there are none). */
  refreshSchedules(): void;
  emitStatus(): void;
  /** Appends an entry to the audit trail (erasures, re-applied tombstones, freezing). */
  audit(action: string, details: Record<string, JsonValue>): void;
}

function outcomeResult(r: EraseOutcome): Record<string, JsonValue> {
  return {
    requestId: r.requestId,
    path: r.path,
    recoveryPointsRewritten: r.rewritten.length,
    rewritten: r.rewritten.map((w) => ({ original: w.original, rewritten: w.rewritten, time: w.time })),
    files: r.files,
    bytes: r.bytes,
    bytesFreed: r.bytesFreed,
    packsDeleted: r.packsDeleted,
    packsRepacked: r.packsRepacked,
    blobsErased: r.blobsErased,
    blobsSharedWithOtherFiles: r.blobsSharedWithOtherFiles,
    removedFromUseAt: r.removedFromUseAt,
    physicallyDeletedAt: r.physicallyDeletedAt,
    receiptFile: r.receiptFile,
    reapplies: r.reapplies,
  };
}

export class ErasureHandlers {
  constructor(private readonly host: ErasureHost) {}

  get frozen(): FrozenPoints {
    return new FrozenPoints(this.host.dataDir);
  }

  /** Throws a clear error when the recovery point is frozen. */
  assertNotFrozen(repositoryId: string, snapshotId: string, action: RestrictedAction): void {
    this.frozen.assertNotFrozen(repositoryId, snapshotId, action);
  }

  frozenIds(repositoryId: string): Set<string> {
    return this.frozen.ids(repositoryId);
  }

  /**
   * After unlock or connect: applies the repository's tombstones as an 'erase' task and waits for
   * it. Nothing happens (and no task is recorded) when no recovery point holds a tombstoned path.
   */
  async applyTombstones(record: RepositoryRecord, repo: Repository): Promise<void> {
    if ((await tombstonesToApply(repo, this.host.dataDir)).length === 0) return;
    let outcomes: EraseOutcome[] = [];
    const task = this.host.tasks.start({
      kind: 'erase',
      repositoryId: record.id,
      exclusiveKey: `backup:${record.id}`,
      busyMessage: `a backup or clean-up of "${record.label}" is running`,
      run: async (ctx) => {
        outcomes = await reapplyTombstones(repo, this.host.dataDir, { signal: ctx.signal });
        for (const o of outcomes) {
          this.host.audit('erase.reapplied', { repositoryId: record.id, ...auditOfOutcome(o) });
          ctx.message(
            `${o.path} had been erased (request ${o.reapplies ?? o.requestId}) but was still in ${o.rewritten.length} recovery point(s): erased again; receipt ${o.receiptFile}`,
            'warning',
          );
        }
        return { applied: outcomes.map(outcomeResult) };
      },
    });
    const done = await this.host.tasks.settled(task.id);
    if (done.status !== 'succeeded') {
      throw new ContractError(
        'integrity',
        `"${record.label}" holds a path that was erased, and erasing it again failed: ${done.error ?? done.status}. It stays locked until that succeeds.`,
      );
    }
  }

  async erasePath(p: ParsedParams<'privacy.erasePath'>): Promise<Result<'privacy.erasePath'>> {
    const { record, repo } = this.host.unlocked(p.repositoryId);
    const repoPath = erasurePath(p.path);
    const task = this.host.tasks.start({
      kind: 'erase',
      repositoryId: record.id,
      exclusiveKey: `backup:${record.id}`,
      busyMessage: `a backup or clean-up of "${record.label}" is running; wait for it to finish or cancel it`,
      run: async (ctx) => {
        ctx.message(`erasing ${repoPath} from every recovery point`);
        const r = await erasePathWithRecords(repo, this.host.dataDir, repoPath, {
          signal: ctx.signal,
          onProgress: eraseProgress(ctx),
        });
        ctx.message(
          `erased from ${r.rewritten.length} recovery point(s); physically deleted at ${r.physicallyDeletedAt}; receipt ${r.receiptFile}`,
        );
        this.host.audit('erase.path', { repositoryId: record.id, ...auditOfOutcome(r) });
        this.host.emitStatus();
        return outcomeResult(r);
      },
    });
    return { taskId: task.id };
  }

  async erasePreview(p: ParsedParams<'privacy.erasePreview'>): Promise<Result<'privacy.erasePreview'>> {
    const { repo } = this.host.unlocked(p.repositoryId);
    const r = await erasePathWithRecords(repo, this.host.dataDir, p.path, { dryRun: true });
    return {
      path: r.path,
      recoveryPoints: r.recoveryPoints,
      files: r.files,
      bytes: r.bytes,
      bytesToFree: r.bytesToFree,
      blobsSharedWithOtherFiles: r.blobsSharedWithOtherFiles,
    };
  }

  async eraseAll(p: ParsedParams<'privacy.eraseAll'>): Promise<Result<'privacy.eraseAll'>> {
    if (this.host.tasks.runningCount() > 0) {
      throw new ContractError(
        'locked',
        'tasks are running: cancel them or wait for them to finish before erasing everything',
      );
    }
    const { catalog } = this.host;
    const records = catalog.listRepositories();
    const repositories: EraseAllRepository[] = records.map((r) => ({
      backend: openBackend(r.location),
      repositoryId: r.id,
      label: r.label,
    }));
    // No scheduled backup may start on what is being erased.
    for (const source of catalog.listSources()) catalog.removeSource(source.id);
    this.host.refreshSchedules();
    await this.host.closeAll();
    const receipt = await eraseEverything({
      repositories,
      dataDir: this.host.dataDir,
      receiptFile: p.receipt,
      keep: [CATALOG_FILE, `${CATALOG_FILE}-wal`, `${CATALOG_FILE}-shm`, OWNER_LOCK_FILE],
      emptyKept: () => catalog.wipe(),
    });
    this.host.refreshSchedules();
    this.host.emitStatus();
    return receipt as Result<'privacy.eraseAll'>;
  }

  async tombstones(p: ParsedParams<'privacy.tombstones'>): Promise<Result<'privacy.tombstones'>> {
    const all = new ErasureRecords(this.host.dataDir).allTombstones();
    return Object.entries(all)
      .filter(([id]) => !p.repositoryId || id === p.repositoryId)
      .flatMap(([repositoryId, list]) => list.map((t) => ({ repositoryId, ...t })));
  }

  async receipts(): Promise<Result<'privacy.receipts'>> {
    return new ErasureRecords(this.host.dataDir).receipts() as Result<'privacy.receipts'>;
  }

  async freeze(p: ParsedParams<'snapshots.freeze'>): Promise<Result<'snapshots.freeze'>> {
    const { record, repo } = this.host.unlocked(p.repositoryId);
    const snapshot = await repo.findSnapshot(p.snapshotId);
    const point = this.frozen.freeze(record.id, snapshot.id, p.reason);
    this.host.audit('snapshot.frozen', { repositoryId: record.id, snapshotId: snapshot.id, reason: p.reason });
    return { repositoryId: record.id, snapshotId: point.snapshotId, frozenAt: point.frozenAt, reason: point.reason };
  }

  async unfreeze(p: ParsedParams<'snapshots.unfreeze'>): Promise<Result<'snapshots.unfreeze'>> {
    const record = this.host.requireRecord(p.repositoryId);
    const frozen = this.frozen;
    const matches = frozen.list(record.id).filter((f) => f.snapshotId.startsWith(p.snapshotId));
    if (matches.length !== 1 || !matches[0]) {
      throw new ContractError(
        matches.length === 0 ? 'not-found' : 'invalid-argument',
        matches.length === 0
          ? `recovery point ${p.snapshotId} is not frozen`
          : `recovery point prefix ${p.snapshotId} is ambiguous; give more characters`,
      );
    }
    frozen.unfreeze(record.id, matches[0].snapshotId);
    this.host.audit('snapshot.unfrozen', { repositoryId: record.id, snapshotId: matches[0].snapshotId });
    return { ok: true as const };
  }
}

const PHASES: Record<string, string> = {
  find: 'finding the recovery points that hold it',
  rewrite: 'writing the recovery points without it',
  remove: 'removing the original recovery points',
  prune: 'deleting its data',
  verify: 'verifying that its data is gone',
};

function eraseProgress(ctx: TaskContext): (p: { phase: string; done: number; total: number }) => void {
  let phase = '';
  return (pr) => {
    if (pr.phase !== phase) {
      phase = pr.phase;
      ctx.message(PHASES[pr.phase] ?? pr.phase);
    }
    ctx.progress({ files: pr.done, bytes: 0, fraction: pr.total > 0 ? pr.done / pr.total : null });
  };
}
