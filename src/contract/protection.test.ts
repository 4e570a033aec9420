import { describe, expect, it } from 'vitest';
import { type ProtectionFacts, protectionVerdict, schedulePeriodMs } from './protection.js';

const now = new Date('2026-12-08T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();

function facts(overrides: Partial<ProtectionFacts> = {}): ProtectionFacts {
  return {
    repositories: [
      {
        id: 'r1',
        label: 'Disk',
        unlocked: true,
        lastBackupAt: hoursAgo(2),
        lastCheckAt: hoursAgo(30),
        storage: { reachable: true },
      },
    ],
    sources: [
      { repositoryId: 'r1', schedule: { kind: 'interval', minutes: 60 }, pausedUntil: null, pausedUntilResumed: false },
    ],
    coverage: { r1: { lastFailure: null } },
    openIncidents: [],
    pause: null,
    ...overrides,
  };
}

function withRepo(changes: Partial<ProtectionFacts['repositories'][number]>): Partial<ProtectionFacts> {
  const [repo] = facts().repositories;
  return { repositories: [{ ...(repo as ProtectionFacts['repositories'][number]), ...changes }] };
}

describe('protectionVerdict', () => {
  it('is Protected when backups run on schedule and nothing is open', () => {
    expect(protectionVerdict(facts(), now)).toEqual({
      level: 'protected',
      reason: 'Every folder is backed up on schedule.',
      action: { kind: 'none' },
      others: [],
    });
  });

  it('is At risk when no backup has finished, with Back up now as the action', () => {
    const verdict = protectionVerdict(facts(withRepo({ lastBackupAt: null })), now);
    expect(verdict).toMatchObject({ level: 'at-risk', action: { kind: 'back-up' } });
    expect(verdict.reason).toBe('No backup to Disk has finished yet.');
  });

  it('asks to unlock a locked repository that has never backed up, and counts the other finding', () => {
    const verdict = protectionVerdict(facts(withRepo({ lastBackupAt: null, unlocked: false })), now);
    expect(verdict).toMatchObject({ level: 'at-risk', action: { kind: 'unlock', repositoryId: 'r1' } });
    expect(verdict.others).toEqual(['Disk is locked, so its scheduled backups cannot run.']);
  });

  it('is Needs attention when a scheduled backup was missed, At risk once it is a week old', () => {
    expect(protectionVerdict(facts(withRepo({ lastBackupAt: hoursAgo(3.5) })), now)).toMatchObject({
      level: 'attention',
      reason: 'A scheduled backup to Disk was missed: the last one finished 3 hours ago.',
    });
    expect(protectionVerdict(facts(withRepo({ lastBackupAt: hoursAgo(2.5) })), now).level).toBe('protected');
    expect(protectionVerdict(facts(withRepo({ lastBackupAt: hoursAgo(24 * 8) })), now)).toMatchObject({
      level: 'at-risk',
      reason: 'The last backup to Disk is 8 days old.',
    });
  });

  it('does not call a weekly schedule At risk after a week, only after three periods', () => {
    const weekly = facts({
      sources: [
        {
          repositoryId: 'r1',
          schedule: { kind: 'interval', minutes: 7 * 24 * 60 },
          pausedUntil: null,
          pausedUntilResumed: false,
        },
      ],
      ...withRepo({ lastBackupAt: hoursAgo(24 * 8) }),
    });
    expect(protectionVerdict(weekly, now).level).toBe('protected');
  });

  it('puts damage found by verification first, with Check as the action', () => {
    const verdict = protectionVerdict(
      facts({
        coverage: { r1: { lastFailure: { at: hoursAgo(1) } } },
        openIncidents: [{ title: 'Laptop lost', hoursLeft: 30 }],
      }),
      now,
    );
    expect(verdict).toMatchObject({ level: 'at-risk', action: { kind: 'check', repositoryId: 'r1' } });
    expect(verdict.others).toEqual(['The incident "Laptop lost" is open.']);
  });

  it('words open incidents as attention and an overdue one as a risk', () => {
    expect(protectionVerdict(facts({ openIncidents: [{ title: 'Laptop lost', hoursLeft: 30 }] }), now)).toMatchObject({
      level: 'attention',
      reason: 'The incident "Laptop lost" is open.',
      action: { kind: 'open-incidents' },
    });
    expect(protectionVerdict(facts({ openIncidents: [{ title: 'Laptop lost', hoursLeft: 0 }] }), now)).toMatchObject({
      level: 'at-risk',
      reason: 'The incident "Laptop lost" is past its 72-hour notification deadline.',
    });
  });

  it('words requests past their deadline as attention, leading to the register', () => {
    expect(protectionVerdict(facts({ overdueRequests: 2 }), now)).toEqual({
      level: 'attention',
      reason: '2 requests from people are past their deadline.',
      action: { kind: 'open-requests' },
      others: [],
    });
    expect(protectionVerdict(facts({ overdueRequests: 0 }), now).level).toBe('protected');
  });

  it('flags a locked scheduled repository, unreachable storage, a pause, but not data not yet verified', () => {
    expect(protectionVerdict(facts(withRepo({ unlocked: false })), now)).toMatchObject({
      level: 'attention',
      action: { kind: 'unlock', repositoryId: 'r1' },
    });
    expect(protectionVerdict(facts(withRepo({ storage: { reachable: false } })), now)).toMatchObject({
      level: 'attention',
      action: { kind: 'none' },
    });
    expect(protectionVerdict(facts({ pause: { until: null, folders: 'all' } }), now)).toMatchObject({
      level: 'attention',
      action: { kind: 'resume' },
    });
    const unverified = facts({ ...withRepo({ lastCheckAt: null }), coverage: { r1: { lastFailure: null } } });
    expect(protectionVerdict(unverified, now).level).toBe('protected');
  });

  it('asks for folders, then for a schedule', () => {
    expect(protectionVerdict(facts({ sources: [] }), now)).toMatchObject({
      level: 'attention',
      action: { kind: 'choose-folders' },
    });
    expect(
      protectionVerdict(
        facts({ sources: [{ repositoryId: 'r1', schedule: null, pausedUntil: null, pausedUntilResumed: false }] }),
        now,
      ),
    ).toMatchObject({ level: 'attention', action: { kind: 'set-schedule' } });
  });
});

describe('schedulePeriodMs', () => {
  it('takes the interval, the longest gap between daily times, or a day', () => {
    expect(schedulePeriodMs({ kind: 'interval', minutes: 90 })).toBe(90 * 60_000);
    expect(schedulePeriodMs({ kind: 'daily', times: ['02:30'] })).toBe(24 * 3600_000);
    expect(schedulePeriodMs({ kind: 'daily', times: ['08:00', '20:00', '12:00'] })).toBe(12 * 3600_000);
    expect(schedulePeriodMs({ kind: 'cron', expression: '0 * * * *' })).toBe(24 * 3600_000);
  });
});
