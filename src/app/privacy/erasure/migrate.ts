/**
 * Erasure records written before erased paths were hashed name the path in plain text: the
 * tombstone, the receipt's stored copy and the audit entries `erase.path` / `erase.reapplied`.
 * The first time their repository is opened (its keys are needed for the hash), each is
 * rewritten with the keyed hash instead of the name (docs/privacy.md, "Records"), and the caller
 * is told each name once, in memory, to clear what else still holds it (the watcher journal, the
 * app's task history). Every erasure writes its tombstone first, so a repository without legacy
 * tombstones has nothing to migrate, and that check is one small read. Tombstones are converted
 * last: an interrupted migration runs again at the next opening.
 */
import { erasurePathKey } from '../../../engine/crypto/subkeys.js';
import { erasurePathHash, erasurePathHashes } from '../../../engine/erase/path-match.js';
import type { Repository } from '../../../engine/repo/repository.js';
import type { AuditDetails, AuditTrail } from '../audit-trail.js';
import { redactAuditEntries } from './audit-redaction.js';
import { ErasureRecords } from './records.js';

export interface MigrationPorts {
  /** The computer this runs on: what a converted tombstone records as the one that erased it. */
  host: string;
  /** The audit trail, whose old erasure entries name paths. */
  audit: () => AuditTrail;
  /** Told of each erased path the old records named, so what else names it can be cleared. */
  onLegacyPath?: (repoPath: string) => void;
  /** Told when a record could not be converted (the rest still is). */
  warn?: (message: string) => void;
}

export interface MigrationOutcome {
  tombstones: number;
  receipts: number;
  auditEntries: number;
}

const AUDITED = new Set(['erase.path', 'erase.reapplied']);

/** Converts the legacy erasure records of `repo` (see the module comment); cheap when there are none. */
export function migrateErasureRecords(repo: Repository, dataDir: string, ports: MigrationPorts): MigrationOutcome {
  const records = new ErasureRecords(dataDir);
  const repositoryId = repo.config.id;
  const outcome: MigrationOutcome = { tombstones: 0, receipts: 0, auditEntries: 0 };
  const legacy = records.legacyTombstones(repositoryId);
  if (legacy.length === 0) return outcome;
  const key = erasurePathKey(repo.keys);
  const names = new Set(legacy.map((t) => t.path));

  outcome.receipts = records.migrateReceipts(repositoryId, (scope) => {
    const { path, ...rest } = scope as { path: string } & Record<string, unknown>;
    names.add(path);
    return { ...rest, pathHash: erasurePathHash(key, path) };
  });

  const redaction = redactAuditEntries(
    ports.audit(),
    (entry) => {
      const details = entry.details;
      if (!AUDITED.has(entry.action) || details.repositoryId !== repositoryId || typeof details.path !== 'string')
        return undefined;
      const { path, ...rest } = details as { path: string } & AuditDetails;
      names.add(path);
      return { ...rest, pathHash: erasurePathHash(key, path) };
    },
    'erasure records migrated: erased paths are named by keyed hashes only',
  );
  outcome.auditEntries = redaction.redacted.length;
  if (redaction.problem) {
    ports.warn?.(`converting the audit trail's older erasure entries, which name erased paths: ${redaction.problem}`);
  }

  for (const name of names) ports.onLegacyPath?.(name);
  outcome.tombstones = records.migrateTombstones(repositoryId, (t) => {
    const hashes = erasurePathHashes(key, t.path);
    return {
      pathHash: hashes.at(-1) as string,
      folderHashes: hashes.slice(0, -1),
      request: t.request,
      erasedAt: t.erasedAt,
      completedAt: t.completedAt,
      host: ports.host,
    };
  });
  return outcome;
}
