/**
 * Erasure (GDPR Art. 17) as `cairn privacy erase|receipts` and the app (`privacy.erasePath`,
 * `erasePreview`, `eraseAll`, `tombstones`, `receipts`) run it, over src/app/privacy/erasure:
 * erasing a path from every recovery point with its tombstone and receipt, audited (`erase.path`:
 * request, path and counts, never contents); its dry run; the tombstones and receipts kept; and
 * erasing everything, whose only record is the receipt the user names (the audit trail is erased
 * with the rest of the app data). Applying the tombstones again when a repository is opened is
 * part of opening it (./open-repository.ts).
 */

import fs from 'node:fs';
import path from 'node:path';
import { openBackend } from '../../engine/backend/open.js';
import type { Backend } from '../../engine/backend/types.js';
import type { ErasePathProgress } from '../../engine/erase/erase-path.js';
import { CairnError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import { type Clock, systemClock } from '../../engine/util/clock.js';
import { CATALOG_FILE, Catalog } from '../catalog/catalog.js';
import {
  type EraseAllReceipt,
  type EraseAllRepository,
  eraseEverything,
  validateReceiptFile,
} from '../privacy/erasure/erase-all.js';
import { type ErasureReceipt, ErasureRecords, type Tombstone } from '../privacy/erasure/records.js';
import { auditOfOutcome, type EraseOutcome, erasePathWithRecords } from '../privacy/erasure/service.js';
import { appendAudit, type RepositoryRecords } from './repository-records.js';

export type { ErasePathProgress } from '../../engine/erase/erase-path.js';
export { erasurePath } from '../../engine/erase/rewrite-snapshot.js';
export type { EraseAllReceipt } from '../privacy/erasure/erase-all.js';
export type { ErasureReceipt, Tombstone } from '../privacy/erasure/records.js';
export type { EraseOutcome } from '../privacy/erasure/service.js';

export interface ErasureDeps {
  /** The app data folder: tombstones, receipts and frozen points live in its `privacy/`. */
  dataDir: string;
  /** Where the erasure is audited; a record that cannot be written never fails the erasure. */
  records: RepositoryRecords;
  /** Dates the request, its records and receipt, and the repository lock (default: the system clock). */
  clock?: Clock;
}

export interface EraseProgressOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ErasePathProgress) => void;
}

/**
 * Erases a path (absolute, as backed up) from every recovery point of `repo` and physically
 * deletes its data; tombstone first, receipt last (see docs/privacy.md). Re-running it after an
 * interruption finishes the same request.
 */
export async function eraseFromRecoveryPoints(
  repo: Repository,
  deps: ErasureDeps,
  target: string,
  options: EraseProgressOptions = {},
): Promise<EraseOutcome> {
  const outcome = await erasePathWithRecords(repo, deps.dataDir, target, {
    clock: deps.clock,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  appendAudit(deps.records, 'erase.path', { repositoryId: repo.config.id, ...auditOfOutcome(outcome) });
  return outcome;
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

/** The tombstones of every repository, or of one. */
export function listTombstones(dataDir: string, repositoryId?: string): (Tombstone & { repositoryId: string })[] {
  return Object.entries(new ErasureRecords(dataDir).allTombstones())
    .filter(([id]) => !repositoryId || id === repositoryId)
    .flatMap(([id, list]) => list.map((t) => ({ repositoryId: id, ...t })));
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
