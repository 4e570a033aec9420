/**
 * Erasure of everything (GDPR Art. 17): for each repository, first every key slot is overwritten
 * where the storage allows and deleted (without a slot no password opens whatever a crash leaves
 * behind; copies of a slot made elsewhere, or old blocks an SSD or a copy-on-write file system
 * keeps, are out of reach: docs/privacy.md), then every other object and the repository folder; then
 * the app data folder (catalog, privacy records, logs, settings, the password vault file). The
 * receipt is written to a file the user names outside all of these, since nothing else remains.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Backend, OBJECT_KINDS, type ObjectKind } from '../../../engine/backend/types.js';
import { CairnError, describeError } from '../../../engine/errors.js';
import { writeJsonAtomic } from './atomic-file.js';
import { type ErasureReceipt, newRequestId } from './records.js';

export interface EraseAllRepository {
  backend: Backend;
  /** Known when the repository was opened or is in the catalog. */
  repositoryId: string | null;
  label?: string;
}

export interface EraseAllOptions {
  repositories: EraseAllRepository[];
  dataDir: string;
  /** Absolute path of the receipt file; outside every repository and the data folder; must not exist. */
  receiptFile: string;
  /**
   * Names directly in the data folder to leave in place (the host's open catalog, which it empties
   * itself through `emptyKept`, and its owner lock). Everything else in the folder is deleted.
   */
  keep?: string[];
  /** Empties what `keep` leaves (the host wipes its open catalog). */
  emptyKept?: () => void;
  now?: () => Date;
}

export interface RepositoryErasure {
  location: string;
  repositoryId: string | null;
  label: string | null;
  keySlotsDestroyed: number;
  objectsDeleted: Record<string, number>;
  folderRemoved: boolean;
  /** Set when there was no repository to erase at the location (already erased, moved, unreachable). */
  note: string | null;
}

export interface EraseAllReceipt extends ErasureReceipt {
  kind: 'erase-all';
  scope: 'everything';
  completed: boolean;
  error: string | null;
  keySlotsDestroyedAt: string | null;
  objectsDeletedAt: string | null;
  appDataDeletedAt: string | null;
  completedAt: string | null;
  repositories: RepositoryErasure[];
  appData: { folder: string; deleted: string[] };
  /** Repository ids whose remembered passwords the desktop app must forget (its keychain vault). */
  keychainRepositoryIds: string[];
  receiptFile: string;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Refuses a receipt path that would be erased too, or that cannot be written. */
export function validateReceiptFile(receiptFile: string, dataDir: string, repositoryLocations: string[]): string {
  if (!receiptFile || !path.isAbsolute(receiptFile)) {
    throw new CairnError('invalid-argument', `the receipt must be an absolute file path (got "${receiptFile}")`);
  }
  const file = path.resolve(receiptFile);
  for (const dir of [dataDir, ...repositoryLocations]) {
    if (path.isAbsolute(dir) && inside(file, dir)) {
      throw new CairnError(
        'invalid-argument',
        `the receipt ${file} would be inside ${dir}, which is erased too: choose a place outside it`,
      );
    }
  }
  if (fs.existsSync(file)) {
    throw new CairnError('invalid-argument', `${file} already exists: name a new file for the receipt`);
  }
  const parent = path.dirname(file);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CairnError('invalid-argument', `the folder ${parent} for the receipt does not exist`);
  }
  return file;
}

async function listAll(backend: Backend, kind: ObjectKind): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of backend.list(kind)) ids.push(info.id);
  return ids;
}

/** Erases every repository given and the data folder; writes and returns the receipt. */
export async function eraseEverything(options: EraseAllOptions): Promise<EraseAllReceipt> {
  const now = options.now ?? (() => new Date());
  const dataDir = path.resolve(options.dataDir);
  const locations = options.repositories.map((r) => r.backend.location);
  const receiptFile = validateReceiptFile(options.receiptFile, dataDir, locations);
  const receipt: EraseAllReceipt = {
    version: 1,
    request: newRequestId('eraseall'),
    kind: 'erase-all',
    scope: 'everything',
    requestedAt: now().toISOString(),
    completed: false,
    error: null,
    keySlotsDestroyedAt: null,
    objectsDeletedAt: null,
    appDataDeletedAt: null,
    completedAt: null,
    repositories: options.repositories.map((r) => ({
      location: r.backend.location,
      repositoryId: r.repositoryId,
      label: r.label ?? null,
      keySlotsDestroyed: 0,
      objectsDeleted: {},
      folderRemoved: false,
      note: null,
    })),
    appData: { folder: dataDir, deleted: [] },
    keychainRepositoryIds: options.repositories.map((r) => r.repositoryId).filter((id): id is string => !!id),
    receiptFile,
  };
  // Only a location that holds a repository (its config, which is deleted last) is erased: a
  // wrong location must never lose its files.
  const present: boolean[] = [];
  for (const [i, r] of options.repositories.entries()) {
    present.push(await r.backend.exists());
    if (!present[i]) {
      (receipt.repositories[i] as RepositoryErasure).note =
        'no repository found at this location (already erased, moved, or not reachable): nothing was deleted there';
    }
  }
  try {
    // 1. Every key slot of every repository, shredded where the backend can, before anything else.
    for (const [i, r] of options.repositories.entries()) {
      const entry = receipt.repositories[i] as RepositoryErasure;
      if (!present[i]) continue;
      for (const id of await listAll(r.backend, 'keys')) {
        if (r.backend.shred) await r.backend.shred({ kind: 'keys', id });
        else await r.backend.remove({ kind: 'keys', id });
        entry.keySlotsDestroyed++;
      }
    }
    receipt.keySlotsDestroyedAt = now().toISOString();
    // 2. Every other object, the config last (it marks the folder as a repository), then the folder.
    for (const [i, r] of options.repositories.entries()) {
      const entry = receipt.repositories[i] as RepositoryErasure;
      if (!present[i]) {
        await r.backend.close();
        continue;
      }
      for (const kind of [...OBJECT_KINDS.filter((k) => k !== 'config' && k !== 'keys'), 'config' as const]) {
        const ids = await listAll(r.backend, kind);
        for (const id of ids) await r.backend.remove({ kind, id });
        entry.objectsDeleted[kind] = ids.length;
      }
      if (r.backend.destroy) {
        await r.backend.destroy();
        entry.folderRemoved = true;
      }
      await r.backend.close();
    }
    receipt.objectsDeletedAt = now().toISOString();
    // 3. The app data folder.
    const keep = new Set(options.keep ?? []);
    let names: string[] = [];
    try {
      names = fs.readdirSync(dataDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const name of names.sort()) {
      if (keep.has(name)) continue;
      fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
      receipt.appData.deleted.push(name);
    }
    options.emptyKept?.();
    if (keep.size === 0) fs.rmSync(dataDir, { recursive: true, force: true });
    receipt.appDataDeletedAt = now().toISOString();
    receipt.completed = true;
    receipt.completedAt = now().toISOString();
  } catch (err) {
    receipt.error = describeError(err);
    writeJsonAtomic(receiptFile, receipt);
    throw new CairnError(
      'io',
      `erasing everything stopped: ${receipt.error}. ${receipt.keySlotsDestroyedAt ? 'Every key slot was already destroyed, so no password opens what is left; ' : ''}run it again to finish (receipt so far: ${receiptFile})`,
      { cause: err },
    );
  }
  writeJsonAtomic(receiptFile, receipt);
  return receipt;
}
