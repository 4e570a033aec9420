/**
 * Restriction of processing (GDPR Art. 18): frozen recovery points. A frozen point cannot be
 * browsed, restored, compared, searched or exported, and retention never removes it, until it is
 * unfrozen; the reads are refused in one place, the engine, through ./guard.ts. Kept in
 * `<dataDir>/privacy/frozen.json`: per repository id, each frozen snapshot id with when and why,
 * plus a log of every freeze and unfreeze. Erasure moves a freeze to the rewritten copy.
 */
import path from 'node:path';
import { CairnError } from '../../../engine/errors.js';
import { readJson, writeJsonAtomic } from '../erasure/atomic-file.js';

export interface FrozenPoint {
  snapshotId: string;
  frozenAt: string;
  reason: string;
}

export interface FreezeLogEntry {
  action: 'freeze' | 'unfreeze' | 'moved-by-erasure';
  repositoryId: string;
  snapshotId: string;
  at: string;
  reason?: string;
  /** For 'moved-by-erasure': the rewritten copy that is frozen now. */
  to?: string;
}

interface FrozenFile {
  version: 1;
  repositories: Record<string, Record<string, { frozenAt: string; reason: string }>>;
  log: FreezeLogEntry[];
}

export class FrozenPoints {
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, 'privacy', 'frozen.json');
  }

  private read(): FrozenFile {
    const data = readJson<FrozenFile>(this.file, { version: 1, repositories: {}, log: [] });
    if (data?.version !== 1 || typeof data.repositories !== 'object' || !Array.isArray(data.log)) {
      throw new CairnError('integrity', `${this.file} is not a Cairn list of frozen recovery points; repair it`);
    }
    return data;
  }

  /** The frozen points of a repository, oldest freeze first. */
  list(repositoryId: string): FrozenPoint[] {
    const points = this.read().repositories[repositoryId] ?? {};
    return Object.entries(points)
      .map(([snapshotId, p]) => ({ snapshotId, frozenAt: p.frozenAt, reason: p.reason }))
      .sort((a, b) => a.frozenAt.localeCompare(b.frozenAt));
  }

  /** Snapshot ids frozen in a repository. */
  ids(repositoryId: string): Set<string> {
    return new Set(Object.keys(this.read().repositories[repositoryId] ?? {}));
  }

  get(repositoryId: string, snapshotId: string): FrozenPoint | undefined {
    const p = this.read().repositories[repositoryId]?.[snapshotId];
    return p ? { snapshotId, ...p } : undefined;
  }

  /** Freezes a recovery point (full id); freezing a frozen one keeps its first freeze. */
  freeze(
    repositoryId: string,
    snapshotId: string,
    reason: string,
    at = new Date(),
  ): FrozenPoint & { already: boolean } {
    const data = this.read();
    const points = data.repositories[repositoryId] ?? {};
    const existing = points[snapshotId];
    if (existing) return { snapshotId, ...existing, already: true };
    const entry = { frozenAt: at.toISOString(), reason: reason.trim() || 'restriction requested (GDPR Art. 18)' };
    points[snapshotId] = entry;
    data.repositories[repositoryId] = points;
    data.log.push({ action: 'freeze', repositoryId, snapshotId, at: entry.frozenAt, reason: entry.reason });
    writeJsonAtomic(this.file, data);
    return { snapshotId, ...entry, already: false };
  }

  /** Unfreezes a recovery point; it must be frozen. */
  unfreeze(repositoryId: string, snapshotId: string, at = new Date()): FrozenPoint {
    const data = this.read();
    const entry = data.repositories[repositoryId]?.[snapshotId];
    if (!entry) throw new CairnError('not-found', `recovery point ${snapshotId.slice(0, 8)} is not frozen`);
    delete data.repositories[repositoryId]?.[snapshotId];
    data.log.push({ action: 'unfreeze', repositoryId, snapshotId, at: at.toISOString() });
    writeJsonAtomic(this.file, data);
    return { snapshotId, ...entry };
  }

  /** After erasure rewrote a frozen point, its copy stays frozen (with the same time and reason). */
  moveAll(repositoryId: string, moves: { original: string; rewritten: string }[], at = new Date()): void {
    const data = this.read();
    const points = data.repositories[repositoryId];
    if (!points) return;
    let changed = false;
    for (const { original, rewritten } of moves) {
      const entry = points[original];
      if (!entry) continue;
      points[rewritten] = entry;
      delete points[original];
      data.log.push({
        action: 'moved-by-erasure',
        repositoryId,
        snapshotId: original,
        to: rewritten,
        at: at.toISOString(),
      });
      changed = true;
    }
    if (changed) writeJsonAtomic(this.file, data);
  }

  /** Every freeze and unfreeze, oldest first. */
  log(repositoryId?: string): FreezeLogEntry[] {
    const all = this.read().log;
    return repositoryId ? all.filter((e) => e.repositoryId === repositoryId) : all;
  }
}
