/**
 * One word for how well the person's files are protected — Protected, Needs attention or At risk —
 * with the reason and the one action that fixes it, derived from what `app.status`, `sources.list`
 * and `verify.coverage` report. A pure function, so the Dashboard's status card (and any other
 * place that says it) agrees and every rule is tested on its own.
 *
 * The rules, most severe first (the first that holds is the verdict's reason; the others are
 * listed after it):
 *  - At risk: an incident past its 72-hour notification deadline; verification found damage; a
 *    repository with folders has never finished a backup; a repository's last backup is older than
 *    a week and than three of its scheduled periods.
 *  - Needs attention: an incident open; a request from a person past its deadline (Art. 12); a repository with scheduled folders is locked (scheduled
 *    backups cannot run); storage that does not answer; a scheduled backup missed (older than two
 *    periods and an hour); every scheduled backup paused; folders with no schedule (backed up only
 *    by hand); no folder chosen. Data not yet verified is not a finding: the Health line shows the
 *    share verified, and a repository just made would otherwise start as "Needs attention".
 *  - Protected: none of these.
 * Imports only types: the renderer and the main process can both use it.
 */

export type ProtectionLevel = 'protected' | 'attention' | 'at-risk';

/** The one action beside the reason; the Dashboard maps each to a button. */
export type ProtectionAction =
  | { kind: 'back-up' }
  | { kind: 'unlock'; repositoryId: string }
  | { kind: 'check'; repositoryId: string }
  | { kind: 'resume' }
  | { kind: 'open-incidents' }
  | { kind: 'open-requests' }
  | { kind: 'set-schedule' }
  | { kind: 'choose-folders' }
  | { kind: 'none' };

export interface ProtectionVerdict {
  level: ProtectionLevel;
  reason: string;
  action: ProtectionAction;
  /** The reasons of the other findings, most severe first, for a "more" disclosure. */
  others: string[];
}

interface RepositoryFacts {
  id: string;
  label: string;
  unlocked: boolean;
  lastBackupAt: string | null;
  lastCheckAt: string | null;
  storage: { reachable: boolean };
}

type ScheduleFacts =
  | { kind: 'interval'; minutes: number }
  | { kind: 'daily'; times: string[] }
  | { kind: 'cron'; expression: string };

interface SourceFacts {
  repositoryId: string;
  schedule: ScheduleFacts | null;
  pausedUntil: string | null;
  pausedUntilResumed: boolean;
}

interface CoverageFacts {
  lastFailure: { at: string } | null;
}

export interface ProtectionFacts {
  repositories: readonly RepositoryFacts[];
  sources: readonly SourceFacts[];
  /** verify.coverage per repository id (absent while not loaded: no finding from it). */
  coverage: Readonly<Record<string, CoverageFacts | undefined>>;
  openIncidents: readonly { title: string; hoursLeft: number | null }[];
  /** Open requests from people past their deadline (absent: none known). */
  overdueRequests?: number;
  pause: { until: string | null; folders: 'all' | 'some' } | null;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * How long between scheduled backups of a schedule, at most: the interval; for daily times the
 * longest gap between two of them; for a cron expression (not parsed here) a day, the most common.
 */
export function schedulePeriodMs(schedule: ScheduleFacts): number {
  if (schedule.kind === 'interval') return schedule.minutes * 60_000;
  if (schedule.kind === 'daily') {
    const minutes = schedule.times
      .map((t) => /^(\d{1,2}):(\d{2})$/.exec(t.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]) * 60 + Number(m[2]))
      .sort((a, b) => a - b);
    if (minutes.length < 2) return DAY;
    const gaps = minutes.map((m, i) => (i === 0 ? m + 1440 - (minutes.at(-1) ?? m) : m - (minutes[i - 1] ?? m)));
    return Math.max(...gaps) * 60_000;
  }
  return DAY;
}

interface Finding {
  level: Exclude<ProtectionLevel, 'protected'>;
  reason: string;
  action: ProtectionAction;
}

function ageText(ms: number): string {
  const hours = Math.floor(ms / HOUR);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.floor(hours / 24);
  return `${days} days`;
}

function repositoryFindings(repo: RepositoryFacts, facts: ProtectionFacts, now: Date): Finding[] {
  const findings: Finding[] = [];
  const sources = facts.sources.filter((s) => s.repositoryId === repo.id);
  const scheduled = sources.filter((s) => s.schedule !== null);
  const coverage = facts.coverage[repo.id];

  if (coverage?.lastFailure) {
    findings.push({
      level: 'at-risk',
      reason: `Verification found damage in ${repo.label}: some files may not restore.`,
      action: { kind: 'check', repositoryId: repo.id },
    });
  }
  if (sources.length > 0 && repo.lastBackupAt === null) {
    findings.push({
      level: 'at-risk',
      reason: `No backup to ${repo.label} has finished yet.`,
      action: repo.unlocked ? { kind: 'back-up' } : { kind: 'unlock', repositoryId: repo.id },
    });
  }
  if (repo.lastBackupAt !== null && sources.length > 0) {
    const age = now.getTime() - new Date(repo.lastBackupAt).getTime();
    const periods = scheduled.map((s) => schedulePeriodMs(s.schedule as ScheduleFacts));
    const period = periods.length > 0 ? Math.min(...periods) : null;
    const action: ProtectionAction = repo.unlocked ? { kind: 'back-up' } : { kind: 'unlock', repositoryId: repo.id };
    if (age > WEEK && (period === null || age > 3 * period)) {
      findings.push({
        level: 'at-risk',
        reason: `The last backup to ${repo.label} is ${ageText(age)} old.`,
        action,
      });
    } else if (period !== null && age > 2 * period + HOUR) {
      findings.push({
        level: 'attention',
        reason: `A scheduled backup to ${repo.label} was missed: the last one finished ${ageText(age)} ago.`,
        action,
      });
    }
  }
  if (!repo.unlocked && scheduled.length > 0) {
    findings.push({
      level: 'attention',
      reason: `${repo.label} is locked, so its scheduled backups cannot run.`,
      action: { kind: 'unlock', repositoryId: repo.id },
    });
  }
  if (!repo.storage.reachable) {
    findings.push({
      level: 'attention',
      reason: `The storage of ${repo.label} does not answer; Cairn keeps trying.`,
      action: { kind: 'none' },
    });
  }
  if (sources.length > 0 && scheduled.length === 0) {
    findings.push({
      level: 'attention',
      reason: `The folders of ${repo.label} have no schedule: they are backed up only when you ask.`,
      action: { kind: 'set-schedule' },
    });
  }
  return findings;
}

/** The verdict for `facts` at `now` (see the module comment for the rules). */
export function protectionVerdict(facts: ProtectionFacts, now: Date): ProtectionVerdict {
  const findings: Finding[] = [];
  const overdue = facts.openIncidents.find((i) => i.hoursLeft !== null && i.hoursLeft <= 0);
  if (overdue) {
    findings.push({
      level: 'at-risk',
      reason: `The incident "${overdue.title}" is past its 72-hour notification deadline.`,
      action: { kind: 'open-incidents' },
    });
  } else if (facts.openIncidents.length > 0) {
    const [first] = facts.openIncidents;
    findings.push({
      level: 'attention',
      reason:
        facts.openIncidents.length === 1
          ? `The incident "${first?.title}" is open.`
          : `${facts.openIncidents.length} incidents are open.`,
      action: { kind: 'open-incidents' },
    });
  }
  const overdueRequests = facts.overdueRequests ?? 0;
  if (overdueRequests > 0) {
    findings.push({
      level: 'attention',
      reason:
        overdueRequests === 1
          ? 'A request from a person is past its deadline.'
          : `${overdueRequests} requests from people are past their deadline.`,
      action: { kind: 'open-requests' },
    });
  }
  for (const repo of facts.repositories) findings.push(...repositoryFindings(repo, facts, now));
  if (facts.pause?.folders === 'all' && facts.sources.some((s) => s.schedule !== null)) {
    findings.push({ level: 'attention', reason: 'Scheduled backups are paused.', action: { kind: 'resume' } });
  }
  if (facts.repositories.length > 0 && facts.sources.length === 0) {
    findings.push({
      level: 'attention',
      reason: 'No folder is chosen for backup yet.',
      action: { kind: 'choose-folders' },
    });
  }

  const worst = findings.find((f) => f.level === 'at-risk') ?? findings[0];
  if (!worst) {
    return {
      level: 'protected',
      reason: 'Every folder is backed up on schedule.',
      action: { kind: 'none' },
      others: [],
    };
  }
  const others = [...findings.filter((f) => f.level === 'at-risk'), ...findings.filter((f) => f.level === 'attention')]
    .filter((f) => f !== worst)
    .map((f) => f.reason);
  return { level: worst.level, reason: worst.reason, action: worst.action, others };
}
