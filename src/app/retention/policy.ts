/**
 * Retention policies — which recovery points a "forget" keeps and which it removes, with the
 * semantics of restic's `forget --keep-*` (internal/restic/snapshot_policy.go), written for Cairn.
 *
 * - Recovery points are grouped by host and backed-up paths (restic's default `--group-by host,paths`)
 *   and the policy is applied to each group on its own.
 * - Within a group, points are taken newest first. `last: N` keeps the N newest. Each calendar rule
 *   (hourly, daily, weekly, monthly, yearly) keeps the newest point of each of the N most recent
 *   periods that have points; periods are UTC hours, UTC days, ISO 8601 weeks, UTC months and UTC
 *   years (see buckets.ts).
 * - `within: "1y2m"` keeps every point strictly newer than (latest point − duration). As in restic,
 *   the span is measured from the group's latest recovery point that is not in the future, not from
 *   the current time, so a machine that stopped backing up does not lose its history to this rule.
 * - `tags` keeps every point carrying any of the listed tags.
 * - The newest point of every group is never removed: if no rule keeps it, it is kept anyway.
 */

import { CairnError } from '../../engine/errors.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { type BucketRule, bucketKey } from './buckets.js';
import { formatDuration, parseDuration, type RetentionDuration, subtractDuration } from './duration.js';

export { formatDuration, parseDuration, type RetentionDuration } from './duration.js';

export interface RetentionPolicy {
  /** Keep the N newest recovery points. */
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  /** Keep everything newer than the latest recovery point minus this duration, e.g. "2y5m7d3h". */
  within?: string;
  /** Keep recovery points having ANY of these tags. */
  tags?: string[];
}

export interface KeptSnapshot {
  snapshot: SnapshotRecord;
  /** Why it is kept, e.g. "last snapshot", "daily snapshot", "within 7d", "tagged important". */
  reasons: string[];
}

export interface PolicyResult {
  /** Newest first. */
  keep: KeptSnapshot[];
  /** Newest first. */
  remove: SnapshotRecord[];
}

export const NEWEST_ALWAYS_KEPT = 'newest recovery point (always kept)';

const COUNT_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type CountRule = (typeof COUNT_RULES)[number];
const KNOWN_KEYS = new Set<string>([...COUNT_RULES, 'within', 'tags']);

interface CheckedPolicy {
  counts: Record<CountRule, number>;
  within?: RetentionDuration;
  tags: string[];
}

function refuse(message: string): CairnError {
  return new CairnError('invalid-argument', message);
}

function checkPolicy(policy: RetentionPolicy): CheckedPolicy {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw refuse('a retention policy must be an object of rules such as { daily: 7, weekly: 4 }');
  }
  for (const key of Object.keys(policy)) {
    if (!KNOWN_KEYS.has(key)) {
      throw refuse(`unknown retention rule "${key}" (known rules: ${[...KNOWN_KEYS].join(', ')})`);
    }
  }
  const counts = { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  for (const rule of COUNT_RULES) {
    const value: unknown = policy[rule];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw refuse(`retention rule "${rule}" must be a whole number of 0 or more (got ${JSON.stringify(value)})`);
    }
    counts[rule] = value;
  }
  let within: RetentionDuration | undefined;
  if (policy.within !== undefined) {
    if (typeof policy.within !== 'string') {
      throw refuse(`retention rule "within" must be a duration such as "30d" (got ${JSON.stringify(policy.within)})`);
    }
    within = parseDuration(policy.within);
  }
  const tags: string[] = [];
  if (policy.tags !== undefined) {
    if (!Array.isArray(policy.tags)) throw refuse('retention rule "tags" must be a list of tag names');
    for (const tag of policy.tags as unknown[]) {
      if (typeof tag !== 'string' || tag.trim() === '') {
        throw refuse(`retention rule "tags" must hold non-empty tag names (got ${JSON.stringify(tag)})`);
      }
      if (!tags.includes(tag)) tags.push(tag);
    }
  }
  const keepsSomething = COUNT_RULES.some((r) => counts[r] > 0) || within !== undefined || tags.length > 0;
  if (!keepsSomething) {
    throw refuse(
      'a retention policy must keep something: set at least one of last, hourly, daily, weekly, monthly, yearly, within or tags',
    );
  }
  return within ? { counts, within, tags } : { counts, tags };
}

/** Throws CairnError('invalid-argument') with a user-facing message when the policy is malformed or keeps nothing. */
export function validatePolicy(policy: RetentionPolicy): void {
  checkPolicy(policy);
}

/** The group a recovery point belongs to: its host and its sorted backed-up paths. */
export function groupKey(snapshot: Pick<SnapshotRecord, 'hostname' | 'paths'>): string {
  return JSON.stringify([snapshot.hostname, [...snapshot.paths].sort()]);
}

interface Timed {
  snapshot: SnapshotRecord;
  ms: number;
}

function timeOf(snapshot: SnapshotRecord): number {
  const ms = Date.parse(snapshot.time);
  if (Number.isNaN(ms)) {
    throw refuse(`recovery point ${snapshot.id} has an unreadable time ${JSON.stringify(snapshot.time)}`);
  }
  return ms;
}

/** Newest first; equal times fall back to id order so the result never depends on input order. */
function newestFirst(a: Timed, b: Timed): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return a.snapshot.id < b.snapshot.id ? -1 : a.snapshot.id > b.snapshot.id ? 1 : 0;
}

interface KeptItem {
  item: Timed;
  reasons: string[];
}

const BUCKET_RULES: BucketRule[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** Applies the policy to one group, already sorted newest first. */
function applyToGroup(group: Timed[], policy: CheckedPolicy, now: Date): { keep: KeptItem[]; remove: Timed[] } {
  const keep: KeptItem[] = [];
  const remove: Timed[] = [];

  let cutoff: number | undefined;
  if (policy.within) {
    // The latest point that is not in the future; with none, every point counts as within.
    const reference = group.find((t) => t.ms <= now.getTime());
    cutoff = reference ? subtractDuration(new Date(reference.ms), policy.within).getTime() : Number.NEGATIVE_INFINITY;
  }
  const withinReason = policy.within ? `within ${formatDuration(policy.within)}` : '';

  let lastLeft = policy.counts.last;
  const bucketLeft = new Map<BucketRule, number>(BUCKET_RULES.map((r) => [r, policy.counts[r]]));
  const bucketSeen = new Map<BucketRule, string>();

  group.forEach((item, index) => {
    const reasons: string[] = [];
    if (lastLeft > 0) {
      lastLeft--;
      reasons.push('last snapshot');
    }
    const when = new Date(item.ms);
    for (const rule of BUCKET_RULES) {
      const left = bucketLeft.get(rule) ?? 0;
      if (left <= 0) continue;
      const key = bucketKey(rule, when);
      if (bucketSeen.get(rule) === key) continue;
      bucketSeen.set(rule, key);
      bucketLeft.set(rule, left - 1);
      reasons.push(`${rule} snapshot`);
    }
    if (cutoff !== undefined && item.ms > cutoff) reasons.push(withinReason);
    for (const tag of policy.tags) {
      if (item.snapshot.tags.includes(tag)) reasons.push(`tagged ${tag}`);
    }
    if (reasons.length === 0 && index === 0) reasons.push(NEWEST_ALWAYS_KEPT);
    if (reasons.length > 0) keep.push({ item, reasons });
    else remove.push(item);
  });
  return { keep, remove };
}

/**
 * Decides which recovery points the policy keeps (with reasons) and which it removes.
 * `now` only serves to ignore points dated in the future when measuring `within`.
 * Throws CairnError('invalid-argument') for an invalid policy or an unreadable snapshot time.
 */
export function applyPolicy(
  snapshots: SnapshotRecord[],
  policy: RetentionPolicy,
  now: Date = new Date(),
): PolicyResult {
  const checked = checkPolicy(policy);
  const groups = new Map<string, Timed[]>();
  for (const snapshot of snapshots) {
    const key = groupKey(snapshot);
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
    }
    group.push({ snapshot, ms: timeOf(snapshot) });
  }

  const kept: KeptItem[] = [];
  const removed: Timed[] = [];
  for (const group of groups.values()) {
    group.sort(newestFirst);
    const result = applyToGroup(group, checked, now);
    kept.push(...result.keep);
    removed.push(...result.remove);
  }
  kept.sort((a, b) => newestFirst(a.item, b.item));
  removed.sort(newestFirst);
  return {
    keep: kept.map((k) => ({ snapshot: k.item.snapshot, reasons: k.reasons })),
    remove: removed.map((r) => r.snapshot),
  };
}
