/**
 * What erasure keeps in the app data folder (never in the repository, which it must not grow):
 * - `<dataDir>/privacy/tombstones.json`: per repository id, each erased path with its request id
 *   and time, and when it was completed. A tombstone is written before anything is changed, so an
 *   interrupted erasure is finished, and an older copy of the repository put back later is erased
 *   again, the next time the repository is opened.
 * - `<dataDir>/privacy/receipts/<requestId>.json`: one receipt per erasure request.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../../engine/errors.js';
import { readJson, writeJsonAtomic } from './atomic-file.js';

export interface Tombstone {
  path: string;
  /** The request that erased the path. */
  request: string;
  /** When the erasure was requested: recovery points up to this time must not hold the path. */
  erasedAt: string;
  /** When the request finished (data physically deleted); null while it has not. */
  completedAt: string | null;
}

interface TombstoneFile {
  version: 1;
  repositories: Record<string, Tombstone[]>;
}

/** A receipt: the proof of one erasure request, written when it finished. */
export interface ErasureReceipt {
  version: 1;
  request: string;
  kind: 'erase-path' | 'reapply-tombstone' | 'erase-all';
  /** What was to be erased, e.g. `{ repositoryId, path }` or `"everything"`. */
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
    const file = readJson<TombstoneFile>(this.tombstoneFile, { version: 1, repositories: {} });
    if (file?.version !== 1 || typeof file.repositories !== 'object' || file.repositories === null) {
      throw new CairnError('integrity', `${this.tombstoneFile} is not a Cairn tombstone list; repair or remove it`);
    }
    return file;
  }

  /** The tombstones of one repository, or of all (keyed by repository id). */
  tombstones(repositoryId: string): Tombstone[] {
    return [...(this.readTombstones().repositories[repositoryId] ?? [])];
  }

  allTombstones(): Record<string, Tombstone[]> {
    return this.readTombstones().repositories;
  }

  /** The unfinished tombstone of this path, if an earlier erasure of it stopped halfway. */
  pending(repositoryId: string, repoPath: string): Tombstone | undefined {
    return this.tombstones(repositoryId).find((t) => t.path === repoPath && t.completedAt === null);
  }

  /** Records (or keeps) the tombstone of a request, before anything is erased. */
  addTombstone(repositoryId: string, tombstone: Tombstone): void {
    const file = this.readTombstones();
    const list = file.repositories[repositoryId] ?? [];
    if (!list.some((t) => t.request === tombstone.request && t.path === tombstone.path)) list.push(tombstone);
    file.repositories[repositoryId] = list;
    writeJsonAtomic(this.tombstoneFile, file);
  }

  completeTombstone(repositoryId: string, request: string, completedAt: string): void {
    const file = this.readTombstones();
    for (const t of file.repositories[repositoryId] ?? []) if (t.request === request) t.completedAt = completedAt;
    writeJsonAtomic(this.tombstoneFile, file);
  }

  writeReceipt(receipt: ErasureReceipt): string {
    if (!REQUEST_ID.test(receipt.request))
      throw new CairnError('invalid-argument', `bad request id ${receipt.request}`);
    const file = path.join(this.receiptDir, `${receipt.request}.json`);
    writeJsonAtomic(file, receipt);
    return file;
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
