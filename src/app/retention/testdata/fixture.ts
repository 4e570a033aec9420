/**
 * Test fixture for the retention tests: loads testdata/snapshots.json (60 hand-written recovery
 * points, one host and path, 2024-01 … 2027-01) as SnapshotRecords, and names the golden policies.
 */

import { readFileSync } from 'node:fs';
import type { SnapshotRecord } from '../../../engine/format/snapshot.js';
import type { RetentionPolicy } from '../policy.js';

interface FixtureRow {
  id: string;
  time: string;
  tags: string[];
}

/** Fixed "now" for the golden runs, a little after the newest fixture point. */
export const GOLDEN_NOW = new Date('2027-02-01T00:00:00Z');

export const GOLDEN_POLICIES: Record<string, RetentionPolicy> = {
  last_3: { last: 3 },
  hourly_5: { hourly: 5 },
  daily_7: { daily: 7 },
  weekly_4: { weekly: 4 },
  monthly_6: { monthly: 6 },
  yearly_3: { yearly: 3 },
  within_30d: { within: '30d' },
  within_1y2m: { within: '1y2m' },
  daily7_weekly4_monthly12: { daily: 7, weekly: 4, monthly: 12 },
  tags: { tags: ['important', 'before-upgrade'] },
  last1_tags: { last: 1, tags: ['manual'] },
  newest_only: { tags: ['no-such-tag'] },
};

export function makeSnapshot(fields: Partial<SnapshotRecord> & { id: string; time: string }): SnapshotRecord {
  return {
    version: 1,
    hostname: 'laptop',
    username: 'ana',
    paths: ['/home/ana'],
    tags: [],
    tree: '0'.repeat(64),
    summary: {
      filesNew: 0,
      filesChanged: 0,
      filesUnchanged: 0,
      dirs: 0,
      bytesNew: 0,
      bytesChanged: 0,
      bytesUnchanged: 0,
      dataAdded: 0,
      dataAddedStored: 0,
      totalFiles: 0,
      totalBytes: 0,
      durationMs: 0,
    },
    partial: false,
    warnings: [],
    program: 'cairn test',
    ...fields,
  };
}

export function loadFixture(): SnapshotRecord[] {
  const rows = JSON.parse(readFileSync(new URL('./snapshots.json', import.meta.url), 'utf8')) as FixtureRow[];
  return rows.map((r) => makeSnapshot({ id: r.id, time: r.time, tags: r.tags }));
}
