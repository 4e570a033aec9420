/**
 * Erasure in the app (GDPR Art. 17), over the erase use case shared with `cairn privacy erase`
 * (src/app/services/erase.ts): erasing a path from every recovery point as an 'erase' task (in
 * the backups' exclusive slot), previewing it, saving a receipt with the path named, and erasing
 * everything the app holds (refused while a task runs; the app removes its sources and closes its
 * sessions once the request is found valid, and keeps its open catalog, emptied).
 * handlers/privacy.ts calls these; applying a repository's tombstones when it is unlocked is part
 * of opening it (services/open-repository.ts).
 *
 * The task history is kept in the catalog, so an erase task's messages and result never name the
 * path: the screen that asked shows the path it asked for.
 */
import { ContractError } from '../../contract/errors.js';
import type { ParsedParams, Result } from '../../contract/methods.js';
import { CATALOG_FILE, type JsonValue } from '../catalog/catalog.js';
import { OWNER_LOCK_FILE } from '../catalog/owner-lock.js';
import {
  type ErasureDeps,
  eraseEverythingFor,
  eraseFromRecoveryPoints,
  erasurePath,
  type PathErasure,
  previewErasure as previewErasureOf,
  saveReceiptWithPath,
} from '../services/erase.js';
import { backendAt } from '../services/open-repository.js';
import type { HostServices } from './host-services.js';
import type { TaskContext } from './task-manager.js';

/**
 * The erasure records of the app's data folder, audited through the app's trail, dated by the
 * app's clock; the catalog's task history is cleared of the path and its folders may exclude it.
 */
function erasureDeps(deps: Pick<HostServices, 'dataDir' | 'privacy' | 'clock' | 'catalog'>): ErasureDeps {
  return { dataDir: deps.dataDir, records: deps.privacy.port, clock: deps.clock, catalog: deps.catalog };
}

/** What the task history keeps of an erasure: ids, counts and times, the path's keyed hash; never the path. */
function outcomeResult(r: PathErasure): Record<string, JsonValue> {
  return {
    requestId: r.requestId,
    pathHash: r.pathHash,
    recoveryPointsRewritten: r.rewritten.length,
    recoveryPointsForgotten: r.forgotten.length,
    forgotten: r.forgotten.map((f) => ({ original: f.original, time: f.time })),
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
    onDisk: {
      stillOnDisk: r.onDisk.stillOnDisk,
      excludedFrom: r.onDisk.excludedFrom,
      notExcludedFrom: r.onDisk.notExcludedFrom,
      foldersInside: r.onDisk.foldersInside,
    },
  };
}

/** Erases a path from every recovery point of an unlocked repository, as an 'erase' task. */
export async function startErasePath(
  deps: Pick<
    HostServices,
    'dataDir' | 'tasks' | 'repositories' | 'privacy' | 'events' | 'clock' | 'catalog' | 'watching'
  >,
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
      ctx.message('erasing the path from every recovery point');
      const r = await eraseFromRecoveryPoints(repo, erasureDeps(deps), repoPath, {
        signal: ctx.signal,
        onProgress: eraseProgress(ctx),
        exclude: p.excludeFromBackups,
      });
      ctx.message(
        `erased from ${r.rewritten.length + r.forgotten.length} recovery point(s); physically deleted at ${r.physicallyDeletedAt}; receipt ${r.receiptFile}`,
      );
      if (r.onDisk.stillOnDisk) {
        ctx.message(
          r.onDisk.excludedFrom.length > 0
            ? `the path still exists on this computer: it is now excluded from the backups of ${r.onDisk.excludedFrom.length} folder(s)`
            : 'the path still exists on this computer: the next backup that includes it stores it again',
          'warning',
        );
      }
      if (r.onDisk.excludedFrom.length > 0) void deps.watching.refresh();
      deps.events.emitStatus();
      return outcomeResult(r);
    },
  });
  return { taskId: task.id };
}

/** What erasing a path would remove (changes nothing). */
export async function previewErasure(
  deps: Pick<HostServices, 'dataDir' | 'repositories' | 'clock'>,
  p: ParsedParams<'privacy.erasePreview'>,
): Promise<Result<'privacy.erasePreview'>> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  const r = await previewErasureOf(repo, deps.dataDir, p.path, { clock: deps.clock });
  return {
    path: r.path ?? erasurePath(p.path),
    recoveryPoints: r.recoveryPoints,
    files: r.files,
    bytes: r.bytes,
    bytesToFree: r.bytesToFree,
    blobsSharedWithOtherFiles: r.blobsSharedWithOtherFiles,
  };
}

/** Saves the receipt of an erasure with the path named, to a file the user chose (checked against its hash). */
export function saveReceipt(
  deps: Pick<HostServices, 'dataDir' | 'repositories'>,
  p: ParsedParams<'privacy.saveReceipt'>,
): Result<'privacy.saveReceipt'> {
  const { repo } = deps.repositories.unlocked(p.repositoryId);
  return { file: saveReceiptWithPath(repo, deps.dataDir, p.request, p.path, p.file).file };
}

/**
 * Erases every repository and everything the app holds about them, keeping only the (emptied)
 * catalog and its owner lock; refused while any task runs.
 */
export async function eraseAll(
  deps: Pick<
    HostServices,
    'dataDir' | 'catalog' | 'tasks' | 'repositories' | 'storage' | 'schedules' | 'events' | 'clock'
  >,
  p: ParsedParams<'privacy.eraseAll'>,
): Promise<Result<'privacy.eraseAll'>> {
  if (deps.tasks.runningCount() > 0) {
    throw new ContractError(
      'locked',
      'tasks are running: cancel them or wait for them to finish before erasing everything',
    );
  }
  const { catalog } = deps;
  const receipt = await eraseEverythingFor({
    dataDir: deps.dataDir,
    receiptFile: p.receipt,
    repositories: catalog.listRepositories().map((r) => ({ location: r.location, id: r.id, label: r.label })),
    // Remote storage is reached with the repository's settings and session credentials.
    backendFor: (r) => {
      const record = r.id === null ? undefined : catalog.getRepository(r.id);
      return record ? deps.storage.backendFor(record, { cache: false }) : backendAt(r.location);
    },
    keep: [CATALOG_FILE, `${CATALOG_FILE}-wal`, `${CATALOG_FILE}-shm`, OWNER_LOCK_FILE],
    emptyKept: () => catalog.wipe(),
    clock: deps.clock,
    beforeErase: async () => {
      // No scheduled backup may start on what is being erased.
      for (const source of catalog.listSources()) catalog.removeSource(source.id);
      deps.schedules.refresh();
      await deps.repositories.closeAll();
    },
  });
  // The repositories are gone: so is every storage credential held for them.
  deps.storage.credentials.clear();
  deps.schedules.refresh();
  deps.events.emitStatus();
  return receipt as Result<'privacy.eraseAll'>;
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
