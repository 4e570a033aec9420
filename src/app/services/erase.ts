/**
 * Erasure (GDPR Art. 17) as `cairn privacy erase|receipts` and the app (`privacy.erasePath`,
 * `erasePreview`, `saveReceipt`, `eraseAll`, `tombstones`, `receipts`) run it, over
 * src/app/privacy/erasure: erasing a path from every recovery point with its tombstone and
 * receipt, audited (`erase.path`: request, the path's keyed hash and counts, never a name); then
 * what else on this computer names it is cleared (the watcher journal, the app's task history),
 * and, when the path is still on disk, it is excluded from the backups of the repository's
 * folders that hold it (./erase-on-disk.ts). Also its dry run; the tombstones and receipts kept;
 * saving a receipt with the name; and erasing everything, whose only record is the receipt the
 * user names (the audit trail is erased with the rest of the app data). Applying the tombstones
 * again when a repository is opened is part of opening it (./open-repository.ts).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend } from '../../engine/backend/open.js';
import type { Backend } from '../../engine/backend/types.js';
import type { ErasePathProgress } from '../../engine/erase/erase-path.js';
import { erasurePath } from '../../engine/erase/rewrite-snapshot.js';
import { CairnError, describeError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import { CATALOG_FILE, Catalog } from '../catalog/catalog.js';
import {
  type EraseAllReceipt,
  type EraseAllRepository,
  eraseEverything,
  validateReceiptFile,
} from '../privacy/erasure/erase-all.js';
import { clearLocalTraces } from '../privacy/erasure/local-traces.js';
import { migrateErasureRecords } from '../privacy/erasure/migrate.js';
import { type ErasureReceipt, ErasureRecords, isLegacyTombstone } from '../privacy/erasure/records.js';
import { auditOfOutcome, type EraseOutcome, erasePathWithRecords } from '../privacy/erasure/service.js';
import { type OnDisk, onDiskAfterErasure } from './erase-on-disk.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { ErasePathProgress } from '../../engine/erase/erase-path.js';
export { erasurePath } from '../../engine/erase/rewrite-snapshot.js';
export type { EraseAllReceipt } from '../privacy/erasure/erase-all.js';
export { receiptTarget, saveReceiptWithPath } from '../privacy/erasure/receipt-export.js';
export type { ErasureReceipt } from '../privacy/erasure/records.js';
export type { EraseOutcome } from '../privacy/erasure/service.js';
export type { OnDisk } from './erase-on-disk.js';

export interface ErasureDeps {
  /** The app data folder: tombstones, receipts and frozen points live in its `privacy/`. */
  dataDir: string;
  /** Where the erasure is audited; a record that cannot be written never fails the erasure. */
  records: RepositoryRecords;
  /** Dates the request, its records and receipt, and the repository lock (default: the system clock). */
  clock?: Clock;
  /**
   * The app's catalog, when it can be reached: its task history is cleared of the path, and its
   * folders of this repository that hold the path may exclude it.
   */
  catalog?: Catalog;
}

export interface EraseProgressOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ErasePathProgress) => void;
  /**
   * When the path is still on disk, add it to the excludes of the repository's folders (in the
   * catalog) that hold it, so the next backup does not store it again (default: true).
   */
  exclude?: boolean;
}

/** An erasure, with what it found of the path on this computer afterwards. */
export interface PathErasure extends EraseOutcome {
  onDisk: OnDisk;
}

/**
 * Erases a path (absolute, as backed up) from every recovery point of `repo` and physically
 * deletes its data; tombstone first, receipt last (see docs/privacy.md). Re-running it after an
 * interruption finishes the same request. Then clears the journal and task history of the path
 * and, when it is still on disk, excludes it (see `EraseProgressOptions.exclude`).
 */
export async function eraseFromRecoveryPoints(
  repo: Repository,
  deps: ErasureDeps,
  target: string,
  options: EraseProgressOptions = {},
): Promise<PathErasure> {
  const outcome = await erasePathWithRecords(repo, deps.dataDir, target, {
    clock: deps.clock,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  appendAudit(deps.records, 'erase.path', { repositoryId: repo.config.id, ...auditOfOutcome(outcome) });
  const repoPath = outcome.path ?? erasurePath(target);
  clearTracesOf(deps, repoPath);
  const onDisk = onDiskAfterErasure(repo.config.id, repoPath, {
    catalog: deps.catalog,
    exclude: options.exclude !== false,
    requestId: outcome.requestId,
    audit: (action, details) => appendAudit(deps.records, action, details),
  });
  return { ...outcome, onDisk };
}

/**
 * Converts the erasure records written before paths were hashed (tombstones, receipts, audit
 * entries of this repository) and clears what else names those paths; cheap when there are none.
 * Run when a repository is opened, before its tombstones are applied. A failure is reported.
 */
export function migrateLegacyErasures(
  repo: Repository,
  deps: Pick<ErasureDeps, 'dataDir' | 'records' | 'catalog'>,
): void {
  try {
    migrateErasureRecords(repo, deps.dataDir, {
      host: os.hostname(),
      audit: () => deps.records.privacy().audit,
      onLegacyPath: (repoPath) => clearTracesOf(deps, repoPath),
      warn: (message) => deps.records.warn(message),
    });
  } catch (err) {
    deps.records.warn(`the erasure records that still name erased paths could not be converted: ${describeError(err)}`);
  }
}

/** Clears the watcher journal and the task history of `repoPath`; what fails is reported, never thrown. */
export function clearTracesOf(deps: Pick<ErasureDeps, 'dataDir' | 'records' | 'catalog'>, repoPath: string): void {
  try {
    for (const problem of clearLocalTraces(deps.dataDir, repoPath, deps.catalog).problems) deps.records.warn(problem);
  } catch (err) {
    deps.records.warn(
      `the erased path could not be cleared from the watcher journal or the task history: ${describeError(err)}`,
    );
  }
}

/** Which recovery points hold the path and what erasing it would free (changes nothing). */
export function previewErasure(
  repo: Repository,
  dataDir: string,
  target: string,
  options: Pick<EraseProgressOptions, 'onProgress'> & { clock?: Clock } = {},
): Promise<EraseOutcome> {
  return erasePathWithRecords(repo, dataDir, target, {
    dryRun: true,
    clock: options.clock,
    onProgress: options.onProgress,
  });
}

/** A tombstone as listed: its path by keyed hash (null for one written before hashing, until its repository is opened). */
export interface ListedTombstone {
  repositoryId: string;
  pathHash: string | null;
  request: string;
  erasedAt: string;
  completedAt: string | null;
}

/** The tombstones of every repository, or of one; never a name. */
export function listTombstones(dataDir: string, repositoryId?: string): ListedTombstone[] {
  return Object.entries(new ErasureRecords(dataDir).allTombstones())
    .filter(([id]) => !repositoryId || id === repositoryId)
    .flatMap(([id, list]) =>
      list.map((t) => ({
        repositoryId: id,
        pathHash: isLegacyTombstone(t) ? null : t.pathHash,
        request: t.request,
        erasedAt: t.erasedAt,
        completedAt: t.completedAt,
      })),
    );
}

/** Every erasure receipt kept in the app data folder. */
export function listReceipts(dataDir: string): ErasureReceipt[] {
  return new ErasureRecords(dataDir).receipts();
}

/** A repository to erase everything of, by location. */
export interface RepositoryToErase {
  location: string;
  /** Known when it is in the catalog. */
  id: string | null;
  label?: string;
}

/**
 * The app's catalog in `dataDir` for an erasure run from outside the app (the CLI), so it can
 * clear the task history and exclude the path there; none when there is no catalog, or while the
 * app (or `cairn serve`) owns it (`busy` says so). The caller closes it.
 */
export function openAppCatalog(dataDir: string): { catalog?: Catalog; busy?: string } {
  if (!fs.existsSync(path.join(dataDir, CATALOG_FILE))) return {};
  try {
    return { catalog: Catalog.open(dataDir) };
  } catch (err) {
    if (err instanceof CairnError && err.code === 'locked') return { busy: err.message };
    throw err;
  }
}

/**
 * The repositories of the app's catalog in `dataDir`, for erasing everything from outside the app.
 * Opening the catalog is refused while the app (or `cairn serve`) owns it, and so is the erasure.
 */
export function catalogRepositoriesToErase(dataDir: string): RepositoryToErase[] {
  if (!fs.existsSync(path.join(dataDir, CATALOG_FILE))) return [];
  const catalog = Catalog.open(dataDir);
  try {
    return catalog.listRepositories().map((r) => ({ location: r.location, id: r.id, label: r.label }));
  } finally {
    catalog.close();
  }
}

export interface EraseEverythingInput {
  dataDir: string;
  /** Where the receipt goes: outside every repository and the data folder; must not exist yet. */
  receiptFile: string;
  /** The catalog's repositories. */
  repositories: RepositoryToErase[];
  /** One more location named by the user (the CLI's --repo): it must hold a repository. */
  location?: string;
  /** Names in the data folder to leave in place, emptied by `emptyKept` (the app's open catalog). */
  keep?: string[];
  emptyKept?: () => void;
  /**
   * Runs once the request is found valid (receipt path, locations) and before anything is erased:
   * the app stops what could use the repositories meanwhile. A refused request changes nothing.
   */
  beforeErase?: () => Promise<void>;
  clock?: Clock;
  /**
   * Opens the storage of a repository to erase (remote storage needs its credentials and
   * settings); default: the location alone.
   */
  backendFor?: (repository: RepositoryToErase) => Backend;
}

/**
 * Erases everything: every key slot of every repository first (crypto-shredding), then their
 * objects and folders, then the app data folder; writes and returns the receipt.
 */
export async function eraseEverythingFor(input: EraseEverythingInput): Promise<EraseAllReceipt> {
  const open = input.backendFor ?? ((r: RepositoryToErase) => openBackend(r.location));
  const repositories: EraseAllRepository[] = input.repositories.map((r) => ({
    backend: open(r),
    repositoryId: r.id,
    ...(r.label !== undefined ? { label: r.label } : {}),
  }));
  if (input.location !== undefined) {
    const backend = open({ location: input.location, id: null });
    if (!(await backend.exists())) {
      throw new CairnError('no-repository', `there is no Cairn repository at ${backend.location}`);
    }
    if (!repositories.some((r) => r.backend.location === backend.location)) {
      repositories.push({ backend, repositoryId: null });
    }
  }
  if (repositories.length === 0 && !fs.existsSync(input.dataDir)) {
    throw new CairnError(
      'invalid-argument',
      `nothing to erase: no repository given and no app data at ${input.dataDir}`,
    );
  }
  validateReceiptFile(
    input.receiptFile,
    path.resolve(input.dataDir),
    repositories.map((r) => r.backend.location),
  );
  await input.beforeErase?.();
  const clock = input.clock ?? systemClock;
  return eraseEverything({
    repositories,
    dataDir: input.dataDir,
    receiptFile: input.receiptFile,
    ...(input.keep ? { keep: input.keep } : {}),
    ...(input.emptyKept ? { emptyKept: input.emptyKept } : {}),
    now: () => new Date(clock()),
  });
}
