import { describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import type { SnapshotRecord } from '../../engine/format/snapshot.js';
import { applyPolicy, groupKey, NEWEST_ALWAYS_KEPT, type RetentionPolicy, validatePolicy } from './policy.js';
import { GOLDEN_NOW, loadFixture, makeSnapshot } from './testdata/fixture.js';

const fixture = loadFixture();
const keptIds = (policy: RetentionPolicy, list: SnapshotRecord[] = fixture, now = GOLDEN_NOW) =>
  applyPolicy(list, policy, now).keep.map((k) => k.snapshot.id);

/** Independent reference for a calendar rule: newest point of each of the n most recent prefixes of the ISO time. */
function newestPerPrefix(prefixLength: number, n: number): string[] {
  const newestFirst = [...fixture].sort((a, b) => (a.time < b.time ? 1 : -1));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of newestFirst) {
    const prefix = s.time.slice(0, prefixLength);
    if (seen.has(prefix) || seen.size >= n) continue;
    seen.add(prefix);
    out.push(s.id);
  }
  return out;
}

function policyError(policy: unknown): CairnError {
  try {
    validatePolicy(policy as RetentionPolicy);
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('invalid-argument');
    return err as CairnError;
  }
  throw new Error(`validatePolicy(${JSON.stringify(policy)}) did not throw`);
}

describe('applyPolicy — hand-checked against the fixture', () => {
  it('last 3 keeps the three newest', () => {
    expect(keptIds({ last: 3 })).toEqual(['s60', 's59', 's58']);
  });

  it('hourly 5 keeps the newest point of each of the 5 most recent hours with points', () => {
    // 2027-01-10 09h, 08h, 06h; 2027-01-09 07h (s57 beats s56); 2027-01-08 11h.
    expect(keptIds({ hourly: 5 })).toEqual(['s60', 's59', 's58', 's57', 's55']);
    expect(keptIds({ hourly: 5 })).toEqual(newestPerPrefix(13, 5));
  });

  it('daily 7 keeps exactly the newest point of each of the 7 most recent days with points', () => {
    // Days 01-10, 01-09, 01-08, 01-06, 01-04, 01-03, 01-02 (no points on 01-05 and 01-07).
    expect(keptIds({ daily: 7 })).toEqual(['s60', 's57', 's55', 's49', 's48', 's47', 's46']);
    expect(keptIds({ daily: 7 })).toEqual(newestPerPrefix(10, 7));
  });

  it('weekly 4 counts ISO week 53 of 2026 (28 Dec 2026 – 3 Jan 2027) as one week', () => {
    // 2027-W01 → s60; 2026-W53 → s47 (Sunday 3 Jan); 2026-W52 → s41 (Sunday 27 Dec); 2026-W51 → s39.
    expect(keptIds({ weekly: 4 })).toEqual(['s60', 's47', 's41', 's39']);
  });

  it('monthly 6 and yearly 3 keep the newest point of each calendar month / year', () => {
    expect(keptIds({ monthly: 6 })).toEqual(['s60', 's44', 's35', 's33', 's31', 's30']);
    expect(keptIds({ monthly: 6 })).toEqual(newestPerPrefix(7, 6));
    // s20 (30 Dec 2025) is in ISO week 2026-W01 but in calendar year 2025.
    expect(keptIds({ yearly: 3 })).toEqual(['s60', 's44', 's20']);
    expect(keptIds({ yearly: 3 })).toEqual(newestPerPrefix(4, 3));
  });

  it('within keeps points strictly newer than latest − duration', () => {
    const within30 = keptIds({ within: '30d' });
    const expected30 = fixture.filter((s) => s.time > '2026-12-11T09:15:00Z').map((s) => s.id);
    expect(new Set(within30)).toEqual(new Set(expected30));
    expect(within30).toHaveLength(23);
    expect(within30).toContain('s38'); // one minute inside
    expect(within30).not.toContain('s37'); // exactly on the boundary
    const within1y2m = keptIds({ within: '1y2m' });
    expect(within1y2m).toHaveLength(43);
    expect(within1y2m).toContain('s18');
    expect(within1y2m).not.toContain('s17');
    expect(applyPolicy(fixture, { within: '1y2m' }, GOLDEN_NOW).keep[0]?.reasons).toEqual(['within 1y2m']);
  });

  it('within is measured from the latest point, not from now', () => {
    expect(keptIds({ within: '30d' }, fixture, new Date('2035-01-01T00:00:00Z'))).toHaveLength(23);
  });

  it('within ignores points dated in the future when finding the latest', () => {
    // Latest point not after now is s54 (2027-01-08T09:40Z): cut-off 2027-01-07T09:40Z → s50 … s60.
    const kept = keptIds({ within: '1d' }, fixture, new Date('2027-01-08T10:00:00Z'));
    expect(kept).toEqual(['s60', 's59', 's58', 's57', 's56', 's55', 's54', 's53', 's52', 's51', 's50']);
    // With every point in the future, all count as within.
    expect(keptIds({ within: '1d' }, fixture, new Date('2000-01-01T00:00:00Z'))).toHaveLength(60);
  });

  it('combined rules keep the union, listing every reason', () => {
    const result = applyPolicy(fixture, { daily: 7, weekly: 4, monthly: 12 }, GOLDEN_NOW);
    expect(result.keep).toHaveLength(20);
    expect(result.keep[0]?.reasons).toEqual(['daily snapshot', 'weekly snapshot', 'monthly snapshot']);
    expect(result.keep.find((k) => k.snapshot.id === 's47')?.reasons).toEqual(['daily snapshot', 'weekly snapshot']);
    expect(result.keep.at(-1)?.snapshot.id).toBe('s23'); // 12th month back: February 2026
  });

  it('tags keep every point with any listed tag; the newest is kept even without one', () => {
    const result = applyPolicy(fixture, { tags: ['important', 'before-upgrade'] }, GOLDEN_NOW);
    expect(result.keep.map((k) => [k.snapshot.id, k.reasons])).toEqual([
      ['s60', [NEWEST_ALWAYS_KEPT]],
      ['s33', ['tagged before-upgrade']],
      ['s25', ['tagged important']],
      ['s11', ['tagged important']],
      ['s04', ['tagged important']],
    ]);
    expect(keptIds({ last: 1, tags: ['manual'] })).toEqual(['s60', 's50', 's11']);
  });

  it('never removes the newest point, even when no rule keeps it', () => {
    const result = applyPolicy(fixture, { tags: ['no-such-tag'] }, GOLDEN_NOW);
    expect(result.keep).toEqual([{ snapshot: fixture[59], reasons: [NEWEST_ALWAYS_KEPT] }]);
    expect(result.remove).toHaveLength(59);
  });

  it('partitions the input, orders newest first and does not depend on input order', () => {
    const policy = { daily: 7, weekly: 4, monthly: 12, tags: ['important'] };
    const forward = applyPolicy(fixture, policy, GOLDEN_NOW);
    const ids = [...forward.keep.map((k) => k.snapshot.id), ...forward.remove.map((s) => s.id)];
    expect(new Set(ids).size).toBe(60);
    expect(ids.length).toBe(60);
    const times = forward.remove.map((s) => s.time);
    expect(times).toEqual([...times].sort().reverse());
    const shuffled = [...fixture].sort(
      (a, b) => (a.id.charCodeAt(2) % 7) - (b.id.charCodeAt(2) % 7) || (a.id < b.id ? 1 : -1),
    );
    expect(applyPolicy(shuffled, policy, GOLDEN_NOW)).toEqual(forward);
    expect(applyPolicy([...fixture].reverse(), policy, GOLDEN_NOW)).toEqual(forward);
  });

  it('breaks equal times by id and returns nothing for an empty list', () => {
    const twins = [
      makeSnapshot({ id: 'bbb', time: '2027-01-01T00:00:00Z' }),
      makeSnapshot({ id: 'aaa', time: '2027-01-01T00:00:00Z' }),
    ];
    expect(keptIds({ last: 1 }, twins)).toEqual(['aaa']);
    expect(applyPolicy([], { last: 1 })).toEqual({ keep: [], remove: [] });
  });

  it('refuses a recovery point with an unreadable time', () => {
    expect(() => applyPolicy([makeSnapshot({ id: 'bad', time: 'yesterday' })], { last: 1 })).toThrow(
      /recovery point bad has an unreadable time "yesterday"/,
    );
  });
});

describe('grouping by host and paths', () => {
  it('groupKey ignores path order and separates hosts and path sets', () => {
    const a = makeSnapshot({ id: 'a', time: '2027-01-01T00:00:00Z', paths: ['/b', '/a'] });
    const b = makeSnapshot({ id: 'b', time: '2027-01-01T00:00:00Z', paths: ['/a', '/b'] });
    expect(groupKey(a)).toBe(groupKey(b));
    expect(groupKey({ hostname: 'x', paths: ['/a'] })).not.toBe(groupKey({ hostname: 'y', paths: ['/a'] }));
    expect(groupKey({ hostname: 'x', paths: ['/a', '/b'] })).not.toBe(groupKey({ hostname: 'x', paths: ['/a,/b'] }));
    expect(a.paths).toEqual(['/b', '/a']); // not sorted in place
  });

  it('applies the policy to each group separately, keeping each group’s newest', () => {
    const snaps = [
      makeSnapshot({ id: 'l1', time: '2027-01-01T00:00:00Z', hostname: 'laptop' }),
      makeSnapshot({ id: 'l2', time: '2027-01-02T00:00:00Z', hostname: 'laptop' }),
      makeSnapshot({ id: 'l3', time: '2027-01-03T00:00:00Z', hostname: 'laptop', paths: ['/home/ana'] }),
      makeSnapshot({ id: 'd1', time: '2026-06-01T00:00:00Z', hostname: 'desktop' }),
      makeSnapshot({ id: 'd2', time: '2026-06-02T00:00:00Z', hostname: 'desktop' }),
      makeSnapshot({ id: 'p1', time: '2027-01-05T00:00:00Z', hostname: 'laptop', paths: ['/home/ana', '/etc'] }),
    ];
    const result = applyPolicy(snaps, { last: 1 }, GOLDEN_NOW);
    expect(result.keep.map((k) => k.snapshot.id)).toEqual(['p1', 'l3', 'd2']);
    expect(result.remove.map((s) => s.id)).toEqual(['l2', 'l1', 'd1']);
    // within is measured per group: each group from its own latest point (the boundary itself is excluded).
    expect(keptIds({ within: '36h' }, snaps)).toEqual(['p1', 'l3', 'l2', 'd2', 'd1']);
    // A tag-only policy matching nothing still keeps every group's newest.
    expect(keptIds({ tags: ['none'] }, snaps)).toEqual(['p1', 'l3', 'd2']);
  });
});

describe('validatePolicy', () => {
  it('accepts policies that keep something', () => {
    expect(() => validatePolicy({ daily: 7 })).not.toThrow();
    expect(() => validatePolicy({ last: 0, within: '1y' })).not.toThrow();
    expect(() => validatePolicy({ tags: ['important'] })).not.toThrow();
  });

  it('refuses a policy that keeps nothing', () => {
    for (const p of [{}, { last: 0 }, { daily: 0, weekly: 0 }, { tags: [] }]) {
      expect(policyError(p).message).toMatch(/^a retention policy must keep something/);
    }
  });

  it('refuses malformed rules with clear messages', () => {
    expect(policyError({ daily: -1 }).message).toMatch(/"daily" must be a whole number of 0 or more \(got -1\)/);
    expect(policyError({ weekly: 1.5 }).message).toMatch(/"weekly" must be a whole number/);
    expect(policyError({ monthly: '6' }).message).toMatch(/"monthly" must be a whole number .*got "6"/);
    expect(policyError({ last: Number.NaN }).message).toMatch(/"last" must be a whole number/);
    expect(policyError({ dayly: 7 }).message).toMatch(/unknown retention rule "dayly"/);
    expect(policyError({ within: 7 }).message).toMatch(/"within" must be a duration such as "30d"/);
    expect(policyError({ within: '7x' }).message).toMatch(/invalid duration "7x"/);
    expect(policyError({ tags: 'important' }).message).toMatch(/"tags" must be a list/);
    expect(policyError({ tags: [''] }).message).toMatch(/non-empty tag names/);
    expect(policyError(null).message).toMatch(/must be an object/);
  });

  it('applyPolicy refuses an invalid policy instead of guessing', () => {
    expect(() => applyPolicy(fixture, {}, GOLDEN_NOW)).toThrow(/must keep something/);
  });
});
