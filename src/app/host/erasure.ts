/**
 * Erasure in the app (GDPR Art. 17): erasing a path from every recovery point as an 'erase' task,
 * previewing it, erasing everything the app holds, listing tombstones and receipts, and applying
 * a repository's tombstones when it is unlocked or connected (a path erased elsewhere or earlier
 * is erased again before the session is used). The records live in `<dataDir>/privacy/` (see
 * src/app/privacy/erasure); handlers/privacy.ts and handlers/repo.ts call these.
 */
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { openBackend } from '../../engine/backend/open.js';
import { erasurePath } from '../../engine/erase/rewrite-snapshot.js';
import type { Repository } from '../../engine/repo/repository.js';
import { CATALOG_FILE, type JsonValue, type RepositoryRecord } from '../catalog/catalog.js';
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
import type { HostServices } from './host-services.js';
import type { TaskContext } from './task-manager.js';

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

/**
 * After unlock or connect: applies the repository's tombstones as an 'erase' task and waits for
 * it. Nothing happens (and no task is recorded) when no recovery point holds a tombstoned path.
 */
export async function applyTombstones(
  deps: Pick<HostServices, 'dataDir' | 'tasks' | 'privacy'>,
  record: RepositoryRecord,
  repo: Repository,
): Promise<void> {
  if ((await tombstonesToApply(repo, deps.dataDir)).length === 0) return;
  let outcomes: EraseOutcome[] = [];
  const task = deps.tasks.start({
    kind: 'erase',
    repositoryId: record.id,
    exclusiveKey: `backup:${record.id}`,
    busyMessage: `a backup or clean-up of "${record.label}" is running`,
    run: async (ctx) => {
      outcomes = await reapplyTombstones(repo, deps.dataDir, { signal: ctx.signal });
      for (const o of outcomes) {
        deps.privacy.audit('erase.reapplied', { repositoryId: record.id, ...auditOfOutcome(o) });
        ctx.message(
          `${o.path} had been erased (request ${o.reapplies ?? o.requestId}) but was still in ${o.rewritten.length} recovery point(s): erased again; receipt ${o.receiptFile}`,
          'warning',
        );
      }
      return { applied: outcomes.map(outcomeResult) };
    },
  });
  const done = await deps.tasks.settled(task.id);
  if (done.status !== 'succeeded') {
    throw new ContractError(
      'integrity',
      `"${record.label}" holds a path that was erased, and erasing it again failed: ${done.error ?? done.status}. It stays locked until that succeeds.`,
    );
  }
}

/** Erases a path from every recovery point of an unlocked repository, as an 'erase' task. */
export async function startErasePath(
  deps: Pick<HostServices, 'dataDir' | 'tasks' | 'repositories' | 'privacy' | 'events'>,
  p: ParsedParams<'privacy.erasePath'>,
): Promise<Result<'privacy.erasePath'>> {
  const { record, repo } = deps.repositories.unlocked(p.repositoryId);
  const repoPath = erasurePath(p.path);
  const task = deps.tasks.start({
    kind: 'erase',
    repositoryId: record.id,
    exclusiveKey: `backup:${record.id}`,
    busyMessage: `a backup or clean-up of "${record.label}" is running; wait for it to finish or cancel it`,
    run: async (ctx) => {
      ctx.message(`erasing ${repoPath} from every recovery point`);
      const r = await erasePathWithRecords(repo, deps.dataDir, repoPath, {
        signal: ctx.signal,
        onProgress: eraseProgress(ctx),
      });
      ctx.message(
        `erased from ${r.rewritten.length} recovery point(s); physically deleted at ${r.physicallyDeletedAt}; receipt ${r.receiptFile}`,
      );
      deps.privacy.audit('erase.path', { repositoryId: record.id, ...auditOfOutcome(r) });
      deps.events.emitStatus();
      return outcomeResult(r);
    },
  });
  return { taskId: task.id };
}

/** What erasing a path would remove (changes nothing). */
export async function previewErasure(
  deps: Pick<HostServices, 'dataDir' | 'repositories'>,
  p: ParsedParams<'privacy.erasePreview'>,
): Promise<Result<'privacy.erasePreview'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const r = await erasePathWithRecords(repo, deps.dataDir, p.path, { dryRun: true });
  return {
    path: r.path,
    recoveryPoints: r.recoveryPoints,
    files: r.files,
    bytes: r.bytes,
    bytesToFree: r.bytesToFree,
    blobsSharedWithOtherFiles: r.blobsSharedWithOtherFiles,
  };
}

/**
 * Erases every repository and everything the app holds about them, keeping only the (emptied)
 * catalog and its owner lock; refused while any task runs.
 */
export async function eraseAll(
  deps: Pick<HostServices, 'dataDir' | 'catalog' | 'tasks' | 'repositories' | 'schedules' | 'events'>,
  p: ParsedParams<'privacy.eraseAll'>,
): Promise<Result<'privacy.eraseAll'>> {
  if (deps.tasks.runningCount() > 0) {
    throw new ContractError(
      'locked',
      'tasks are running: cancel them or wait for them to finish before erasing everything',
    );
  }
  const { catalog } = deps;
  const records = catalog.listRepositories();
  const repositories: EraseAllRepository[] = records.map((r) => ({
    backend: openBackend(r.location),
    repositoryId: r.id,
    label: r.label,
  }));
  // No scheduled backup may start on what is being erased.
  for (const source of catalog.listSources()) catalog.removeSource(source.id);
  deps.schedules.refresh();
  await deps.repositories.closeAll();
  const receipt = await eraseEverything({
    repositories,
    dataDir: deps.dataDir,
    receiptFile: p.receipt,
    keep: [CATALOG_FILE, `${CATALOG_FILE}-wal`, `${CATALOG_FILE}-shm`, OWNER_LOCK_FILE],
    emptyKept: () => catalog.wipe(),
  });
  deps.schedules.refresh();
  deps.events.emitStatus();
  return receipt as Result<'privacy.eraseAll'>;
}

/** The tombstones of every repository, or of one. */
export async function listTombstones(
  dataDir: string,
  p: ParsedParams<'privacy.tombstones'>,
): Promise<Result<'privacy.tombstones'>> {
  const all = new ErasureRecords(dataDir).allTombstones();
  return Object.entries(all)
    .filter(([id]) => !p.repositoryId || id === p.repositoryId)
    .flatMap(([repositoryId, list]) => list.map((t) => ({ repositoryId, ...t })));
}

export async function listReceipts(dataDir: string): Promise<Result<'privacy.receipts'>> {
  return new ErasureRecords(dataDir).receipts() as Result<'privacy.receipts'>;
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
