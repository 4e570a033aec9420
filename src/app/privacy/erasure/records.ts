/**
 * What erasure keeps in the app data folder (never in the repository, which it must not grow),
 * naming the erased path only by keyed hashes (HMAC-SHA-256 under a key derived from the
 * repository's keys, docs/repository-format.md §3.5), never by name:
 * - `<dataDir>/privacy/tombstones.json` (version 2): per repository id, each erased path's hash
 *   and the hashes of the folders on the way to it, with its request id and time, the computer
 *   that erased it, and when it was completed. A tombstone is written before anything is
 *   changed, so an interrupted erasure is finished, and an older copy of the repository put back
 *   (or a recovery point another computer wrote since) is erased again, the next time the
 *   repository is opened.
 * - `<dataDir>/privacy/receipts/<requestId>.json`: one receipt per erasure request, its scope
 *   naming the path by hash. The copy with the name is the one the user saves (./receipt-export.ts).
 * Records written before hashes (a tombstone or receipt with `path`) are "legacy": they are
 * converted the first time their repository is opened (./migrate.ts), which needs its keys.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../../engine/errors.js';
import { readJson, writeJsonAtomic } from './atomic-file.js';

export interface Tombstone {
  /** HMAC-SHA-256 (hex) of the erased path under the repository's erasure path key. */
  pathHash: string;
  /** The same for each folder on the way to the path, outermost first (`/home`, `/home/me`, …). */
  folderHashes: string[];
  /** The request that erased the path. */
  request: string;
  /** When the erasure was requested: recovery points up to this time must not hold the path. */
  erasedAt: string;
  /** When the request finished (data physically deleted); null while it has not. */
  completedAt: string | null;
  /** The computer that erased it: recovery points other computers write later are erased too. */
  host: string;
}

/** A tombstone as Cairn wrote it before erased paths were hashed: it names the path. */
export interface LegacyTombstone {
  path: string;
  request: string;
  erasedAt: string;
  completedAt: string | null;
}

type StoredTombstone = Tombstone | LegacyTombstone;

interface TombstoneFile {
  version: 1 | 2;
  repositories: Record<string, StoredTombstone[]>;
}

export function isLegacyTombstone(t: StoredTombstone): t is LegacyTombstone {
  return typeof (t as LegacyTombstone).path === 'string';
}

const HASH = /^[0-9a-f]{64}$/;

/** Whether a stored entry is a tombstone of either kind (applying a damaged one could erase nothing, silently). */
function isStoredTombstone(t: unknown): t is StoredTombstone {
  const v = t as Record<string, unknown> | null;
  if (typeof v?.request !== 'string' || typeof v.erasedAt !== 'string') return false;
  if (v.completedAt !== null && typeof v.completedAt !== 'string') return false;
  if (typeof v.path === 'string') return true;
  return (
    typeof v.pathHash === 'string' &&
    HASH.test(v.pathHash) &&
    Array.isArray(v.folderHashes) &&
    v.folderHashes.every((h) => typeof h === 'string' && HASH.test(h)) &&
    typeof v.host === 'string'
  );
}

/** A receipt: the proof of one erasure request, written when it finished. */
export interface ErasureReceipt {
  version: 1;
  request: string;
  kind: 'erase-path' | 'reapply-tombstone' | 'erase-all';
  /** What was to be erased, e.g. `{ repositoryId, repositoryLocation, pathHash }` or `"everything"`. */
  scope: Record<string, unknown> | string;
  requestedAt: string;
  [field: string]: unknown;
}

const REQUEST_ID = /^[a-z]+-\d{8}T\d{6}Z-[0-9a-f]{8}$/;

/** A new request id, e.g. `erase-20261126T201500Z-1a2b3c4d` (sortable, safe as a file name). */
export function newRequestId(kind = 'erase', at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kind}-${stamp}-${randomBytes(4).toString('hex')}`;
}

export class ErasureRecords {
  readonly dir: string;

  constructor(readonly dataDir: string) {
    this.dir = path.join(dataDir, 'privacy');
  }

  private get tombstoneFile(): string {
    return path.join(this.dir, 'tombstones.json');
  }

  private get receiptDir(): string {
    return path.join(this.dir, 'receipts');
  }

  private readTombstones(): TombstoneFile {
    const file = readJson<TombstoneFile>(this.tombstoneFile, { version: 2, repositories: {} });
    if (
      (file?.version !== 1 && file?.version !== 2) ||
      typeof file.repositories !== 'object' ||
      file.repositories === null
    ) {
      throw new CairnError('integrity', `${this.tombstoneFile} is not a Cairn tombstone list; repair or remove it`);
    }
    for (const list of Object.values(file.repositories)) {
      if (!Array.isArray(list) || !list.every(isStoredTombstone)) {
        throw new CairnError('integrity', `${this.tombstoneFile} holds a damaged tombstone; repair it`);
      }
    }
    return file;
  }

  private writeTombstones(file: TombstoneFile): void {
    writeJsonAtomic(this.tombstoneFile, { ...file, version: 2 });
  }

  /** The tombstones of one repository (legacy ones, still to be migrated, left out). */
  tombstones(repositoryId: string): Tombstone[] {
    return (this.readTombstones().repositories[repositoryId] ?? []).filter(
      (t): t is Tombstone => !isLegacyTombstone(t),
    );
  }

  /** The tombstones of one repository written before paths were hashed. */
  legacyTombstones(repositoryId: string): LegacyTombstone[] {
    return (this.readTombstones().repositories[repositoryId] ?? []).filter(isLegacyTombstone);
  }

  /** Every repository's tombstones as stored (legacy ones included), keyed by repository id. */
  allTombstones(): Record<string, StoredTombstone[]> {
    return this.readTombstones().repositories;
  }

  /** Replaces the legacy tombstones of a repository by what `convert` makes of each. */
  migrateTombstones(repositoryId: string, convert: (t: LegacyTombstone) => Tombstone): number {
    const file = this.readTombstones();
    const list = file.repositories[repositoryId] ?? [];
    const legacy = list.filter(isLegacyTombstone).length;
    if (legacy === 0) return 0;
    file.repositories[repositoryId] = list.map((t) => (isLegacyTombstone(t) ? convert(t) : t));
    this.writeTombstones(file);
    return legacy;
  }

  /** The unfinished tombstone of this path (by hash), if an earlier erasure of it stopped halfway. */
  pending(repositoryId: string, pathHash: string): Tombstone | undefined {
    return this.tombstones(repositoryId).find((t) => t.pathHash === pathHash && t.completedAt === null);
  }

  /** Records (or keeps) the tombstone of a request, before anything is erased. */
  addTombstone(repositoryId: string, tombstone: Tombstone): void {
    const file = this.readTombstones();
    const list = file.repositories[repositoryId] ?? [];
    const known = list.some(
      (t) => t.request === tombstone.request && !isLegacyTombstone(t) && t.pathHash === tombstone.pathHash,
    );
    if (!known) list.push(tombstone);
    file.repositories[repositoryId] = list;
    this.writeTombstones(file);
  }

  completeTombstone(repositoryId: string, request: string, completedAt: string): void {
    const file = this.readTombstones();
    for (const t of file.repositories[repositoryId] ?? []) if (t.request === request) t.completedAt = completedAt;
    this.writeTombstones(file);
  }

  writeReceipt(receipt: ErasureReceipt): string {
    if (!REQUEST_ID.test(receipt.request))
      throw new CairnError('invalid-argument', `bad request id ${receipt.request}`);
    const file = path.join(this.receiptDir, `${receipt.request}.json`);
    writeJsonAtomic(file, receipt);
    return file;
  }

  /** The stored receipt of a request, or undefined. */
  receipt(request: string): ErasureReceipt | undefined {
    if (!REQUEST_ID.test(request)) return undefined;
    return readJson<ErasureReceipt | undefined>(path.join(this.receiptDir, `${request}.json`), undefined);
  }

  /**
   * Rewrites the receipts of a repository that name a path (written before paths were hashed)
   * with what `convert` makes of their scope; returns how many changed.
   */
  migrateReceipts(repositoryId: string, convert: (scope: Record<string, unknown>) => Record<string, unknown>): number {
    let changed = 0;
    for (const r of this.receipts()) {
      if (typeof r.scope !== 'object' || r.scope.repositoryId !== repositoryId || typeof r.scope.path !== 'string')
        continue;
      this.writeReceipt({ ...r, scope: convert(r.scope) });
      changed++;
    }
    return changed;
  }

  /** Every receipt, oldest first. */
  receipts(): ErasureReceipt[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.receiptDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.json') && REQUEST_ID.test(n.slice(0, -5)))
      .sort()
      .map((n) => readJson<ErasureReceipt>(path.join(this.receiptDir, n), {} as ErasureReceipt))
      .sort((a, b) => String(a.requestedAt).localeCompare(String(b.requestedAt)));
  }
}
