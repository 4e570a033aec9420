/**
 * Rolling verification: remembers, per repository, when each pack was last read and found
 * intact (catalog setting `verification.<repositoryId>`), plans the slice of packs the next
 * scheduled check reads so that every pack is read within a window (default 30 days), reports
 * coverage ("97% verified in the last 30 days") and keeps the last failed verifications for the
 * incident register. Packs that no longer exist are forgotten.
 */

import { CairnError } from '../../engine/errors.js';
import type { Catalog, JsonValue } from './catalog.js';

export const DEFAULT_WINDOW_DAYS = 30;
/** Failed verifications kept per repository (newest last). */
export const MAX_FAILURES = 20;
/** Problems kept per failed verification. */
export const MAX_PROBLEMS_PER_FAILURE = 100;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How the checker names a pack in a problem: `pack <hex id or prefix>`. */
const PACK_OBJECT = /^pack ([0-9a-f]{8,64})$/;

export interface VerificationProblem {
  object: string;
  message: string;
}

export interface VerificationFailure {
  at: string;
  problems: VerificationProblem[];
}

export interface VerificationCoverage {
  windowDays: number;
  /** Share (0–1) of the packs verified within the window; 1 when there are no packs. */
  verifiedShare: number;
  packsTotal: number;
  packsVerified: number;
  /** The oldest last-verified time among packs verified before the window, or null. */
  oldestUnverifiedSince: string | null;
  /** Packs never read and found intact. */
  neverVerified: number;
  lastFailure: VerificationFailure | null;
}

interface StoredVerification {
  /** Pack id → ISO time it was last read and found intact. */
  packs: Record<string, string>;
  failures: VerificationFailure[];
}

export function verificationSettingKey(repositoryId: string): string {
  return `verification.${repositoryId}`;
}

/** How many packs each check reads so that all are read within the window: at least 1. */
export function sliceSize(total: number, windowDays: number, checksPerDay: number): number {
  if (total <= 0) return 0;
  const runs = Math.max(1, windowDays * checksPerDay);
  return Math.max(1, Math.ceil(total / runs));
}

export class VerificationTracker {
  constructor(private readonly catalog: Catalog) {}

  /**
   * The packs to read now: never-verified packs first (by id), then those verified longest
   * ago; as many as needed so that reading this many at every check covers all packs within
   * the verification period (windowDays).
   */
  planSlice(
    repositoryId: string,
    allPackIds: readonly string[],
    options: { windowDays?: number; checksPerDay?: number; now: Date },
  ): string[] {
    const windowDays = positive(options.windowDays ?? DEFAULT_WINDOW_DAYS, 'windowDays');
    const checksPerDay = positive(options.checksPerDay ?? 1, 'checksPerDay');
    const stored = this.forgetVanished(repositoryId, this.load(repositoryId), allPackIds);
    const unique = [...new Set(allPackIds)];
    const ordered = unique.sort((a, b) => {
      const ta = stored.packs[a];
      const tb = stored.packs[b];
      if (ta === undefined && tb !== undefined) return -1;
      if (tb === undefined && ta !== undefined) return 1;
      if (ta !== undefined && tb !== undefined && ta !== tb) return Date.parse(ta) - Date.parse(tb);
      return a < b ? -1 : a > b ? 1 : 0;
    });
    return ordered.slice(0, sliceSize(unique.length, windowDays, checksPerDay));
  }

  /**
   * Records a verification: the packs read and found intact at `now`, and, when there were
   * problems, a failure (the last MAX_FAILURES are kept). A pack a problem names (the checker's
   * `pack <id prefix>`) loses its earlier verification, so it is no longer counted as intact and
   * is read first again. With `existingPackIds`, packs no longer in the repository are forgotten.
   */
  record(
    repositoryId: string,
    verifiedPackIds: readonly string[],
    problems: readonly VerificationProblem[],
    now: Date,
    existingPackIds?: readonly string[],
  ): void {
    let stored = this.load(repositoryId);
    if (existingPackIds) stored = this.dropVanished(stored, existingPackIds);
    const at = now.toISOString();
    for (const id of verifiedPackIds) stored.packs[id] = at;
    const damaged = problems.map((p) => PACK_OBJECT.exec(p.object)?.[1]).filter((x): x is string => !!x);
    for (const id of Object.keys(stored.packs))
      if (damaged.some((prefix) => id.startsWith(prefix))) delete stored.packs[id];
    if (problems.length > 0) {
      stored.failures.push({
        at,
        problems: problems
          .slice(0, MAX_PROBLEMS_PER_FAILURE)
          .map((p) => ({ object: String(p.object), message: String(p.message) })),
      });
      stored.failures = stored.failures.slice(-MAX_FAILURES);
    }
    this.save(repositoryId, stored);
  }

  coverage(
    repositoryId: string,
    allPackIds: readonly string[],
    options: { windowDays?: number; now: Date },
  ): VerificationCoverage {
    const windowDays = positive(options.windowDays ?? DEFAULT_WINDOW_DAYS, 'windowDays');
    const stored = this.forgetVanished(repositoryId, this.load(repositoryId), allPackIds);
    const since = options.now.getTime() - windowDays * DAY_MS;
    const unique = [...new Set(allPackIds)];
    let verified = 0;
    let never = 0;
    let oldest: number | null = null;
    for (const id of unique) {
      const at = stored.packs[id];
      if (at === undefined) {
        never++;
        continue;
      }
      const ms = Date.parse(at);
      if (ms >= since) verified++;
      else if (oldest === null || ms < oldest) oldest = ms;
    }
    return {
      windowDays,
      verifiedShare: unique.length === 0 ? 1 : verified / unique.length,
      packsTotal: unique.length,
      packsVerified: verified,
      oldestUnverifiedSince: oldest === null ? null : new Date(oldest).toISOString(),
      neverVerified: never,
      lastFailure: stored.failures.at(-1) ?? null,
    };
  }

  /** The recorded failures, oldest first (at most MAX_FAILURES). */
  failures(repositoryId: string): VerificationFailure[] {
    return this.load(repositoryId).failures;
  }

  /** Forgets everything recorded for a repository (e.g. when it is removed from the app). */
  forget(repositoryId: string): void {
    this.catalog.deleteSetting(verificationSettingKey(repositoryId));
  }

  private forgetVanished(
    repositoryId: string,
    stored: StoredVerification,
    existing: readonly string[],
  ): StoredVerification {
    const kept = this.dropVanished(stored, existing);
    if (Object.keys(kept.packs).length !== Object.keys(stored.packs).length) this.save(repositoryId, kept);
    return kept;
  }

  private dropVanished(stored: StoredVerification, existing: readonly string[]): StoredVerification {
    const present = new Set(existing);
    const packs: Record<string, string> = {};
    for (const [id, at] of Object.entries(stored.packs)) if (present.has(id)) packs[id] = at;
    return { packs, failures: stored.failures };
  }

  /** Reads the stored record, ignoring anything malformed (it only lowers coverage). */
  private load(repositoryId: string): StoredVerification {
    const raw = this.catalog.getSetting<unknown>(verificationSettingKey(repositoryId), null);
    const packs: Record<string, string> = {};
    const failures: VerificationFailure[] = [];
    if (isObject(raw)) {
      if (isObject(raw.packs)) {
        for (const [id, at] of Object.entries(raw.packs))
          if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) packs[id] = at;
      }
      if (Array.isArray(raw.failures)) {
        for (const f of raw.failures) {
          if (!isObject(f) || typeof f.at !== 'string' || !Array.isArray(f.problems)) continue;
          const problems = f.problems
            .filter(isObject)
            .map((p) => ({ object: String(p.object ?? ''), message: String(p.message ?? '') }));
          failures.push({ at: f.at, problems });
        }
      }
    }
    return { packs, failures: failures.slice(-MAX_FAILURES) };
  }

  private save(repositoryId: string, stored: StoredVerification): void {
    this.catalog.setSetting(verificationSettingKey(repositoryId), stored as unknown as JsonValue);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new CairnError('invalid-argument', `${name} must be a positive number (got ${value})`);
  return value;
}
