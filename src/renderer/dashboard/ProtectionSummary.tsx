/**
 * The protection status card at the top of the Dashboard: one verdict — Protected, Needs attention
 * or At risk (../../contract/protection.ts) — with its reason and the one action that fixes it,
 * Back up now, how old the last successful backup is, when the next scheduled one runs (or what
 * it waits for, or that schedules are paused, as `app.status` says), the health of each
 * repository (its last check and how much of its stored data was verified lately), and the Pause
 * control. Each part shows its own loading and error state.
 */
import type { z } from 'zod';
import { conditionWaitingText } from '../../contract/conditions.js';
import { type ProtectionAction, type ProtectionVerdict, protectionVerdict } from '../../contract/protection.js';
import type { PlannedRun, Source, VerificationCoverage } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { When } from '../common/When.js';
import { formatAge } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useNow } from '../useNow.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime, formatIn, formatShare } from '../when.js';
import { BackUpNow } from './BackUpNow.js';
import { PauseControl } from './PauseControl.js';

type Repository = AppStatusData['repositories'][number];
type Coverage = z.output<typeof VerificationCoverage>;
export type ScheduleData = { sources: z.output<typeof Source>[]; next: z.output<typeof PlannedRun>[] };

function NextRun({ schedule, now }: { schedule: ScheduleData; now: Date }) {
  const { sources, next } = schedule;
  // A folder paused until resumed has no next run; another folder's run comes first.
  const first = next.find((run) => run.waitingFor !== 'resume') ?? next[0];
  if (!first) {
    return (
      <span>
        No schedule is set. <span className="muted">Set one under Retention and schedule.</span>
      </span>
    );
  }
  const source = sources.find((s) => s.id === first.sourceId);
  const where = source ? ` (${source.path})` : '';
  if (first.waitingFor === 'resume') return <span>Paused until you resume{where}.</span>;
  const waiting = conditionWaitingText(first.waitingFor);
  if (waiting) {
    return (
      <span>
        {waiting}
        {where}.
      </span>
    );
  }
  return (
    <span>
      {formatIn(first.at, now)}, {formatDateTime(first.at)}
      {where}
      {first.reason === 'retry' && ' — a retry after a failed backup'}
    </span>
  );
}

function Health({ repo, coverage, now }: { repo: Repository; coverage: Coverage | undefined; now: Date }) {
  const check = repo.lastCheckAt ? `Last check passed ${formatAge(repo.lastCheckAt, now)}` : 'Never checked';
  let verified = '';
  if (coverage) {
    verified =
      coverage.packsTotal === 0
        ? 'nothing stored yet'
        : `${formatShare(coverage.verifiedShare)} verified in the last ${coverage.windowDays} days`;
  }
  return (
    <li>
      <strong>{repo.label}:</strong> {check}
      {verified && ` · ${verified}`}
      {coverage?.lastFailure && (
        <span className="error-text">
          {' '}
          · Verification found {coverage.lastFailure.problems.length} problem(s) on{' '}
          {formatDateTime(coverage.lastFailure.at)}
        </span>
      )}
    </li>
  );
}

const LEVEL_TITLES: Record<ProtectionVerdict['level'], string> = {
  protected: 'Protected',
  attention: 'Needs attention',
  'at-risk': 'At risk',
};

const LEVEL_TONES: Record<ProtectionVerdict['level'], string> = {
  protected: 'ok',
  attention: 'warn',
  'at-risk': 'error',
};

/**
 * The button of the verdict's action. Back up now and Resume are always in the card (the Pause
 * control's Resume), so those, and "none", add no button here.
 */
function VerdictAction({ action, status }: { action: ProtectionAction; status: AppStatusData }) {
  const navigate = useApp((state) => state.navigate);
  const label = (id: string) => status.repositories.find((repo) => repo.id === id)?.label ?? id;
  switch (action.kind) {
    case 'unlock':
      return (
        <button
          type="button"
          onClick={() => navigate('dashboard', { repositoryId: action.repositoryId, focus: 'unlock' })}
        >
          Unlock {label(action.repositoryId)}
        </button>
      );
    case 'check':
      return (
        <button
          type="button"
          onClick={() => navigate('dashboard', { repositoryId: action.repositoryId, focus: 'check' })}
        >
          Check {label(action.repositoryId)}
        </button>
      );
    case 'open-incidents':
      return (
        <button type="button" onClick={() => navigate('privacy', { privacyPage: 'requests' })}>
          Open the incident register
        </button>
      );
    case 'open-requests':
      return (
        <button type="button" onClick={() => navigate('privacy', { privacyPage: 'requests' })}>
          Open the requests register
        </button>
      );
    case 'set-schedule':
      return (
        <button type="button" onClick={() => navigate('retention')}>
          Set a schedule
        </button>
      );
    case 'choose-folders': {
      const first = status.repositories[0];
      return first ? (
        <button type="button" onClick={() => navigate('dashboard', { repositoryId: first.id, focus: 'folders' })}>
          Choose folders
        </button>
      ) : null;
    }
    default:
      return null;
  }
}

export function ProtectionSummary({ status }: { status: AppStatusData }) {
  const now = useNow();
  const request = useApp((state) => state.request);
  const schedule = useRequest<ScheduleData>(async () => {
    const [sources, next] = await Promise.all([request('sources.list', {}), request('schedule.next', {})]);
    return { sources, next };
  }, [status]);
  const coverage = useRequest(
    () =>
      Promise.all(
        status.repositories.map(async (repo) => [repo.id, await request('verify.coverage', { repositoryId: repo.id })]),
      ).then((pairs) => Object.fromEntries(pairs) as Record<string, Coverage>),
    [status],
  );

  if (status.repositories.length === 0) return null;
  const last = status.lastSuccessfulBackupAt;
  // The engine's one pause, the same the tray shows and `cairn pause` sets.
  const pause = status.pause ?? null;
  const verdict = schedule.data
    ? protectionVerdict(
        {
          repositories: status.repositories,
          sources: schedule.data.sources,
          coverage: coverage.data ?? {},
          openIncidents: status.openIncidents ?? [],
          overdueRequests: status.overdueRequests ?? 0,
          pause,
        },
        now,
      )
    : null;
  const tone = verdict ? LEVEL_TONES[verdict.level] : 'pending';

  return (
    <section className={`panel summary summary-${tone}`} aria-label="Protection status">
      <h2 className="summary-title">{verdict ? LEVEL_TITLES[verdict.level] : 'Protection status'}</h2>
      {verdict ? (
        <>
          <p className="summary-line">{verdict.reason}</p>
          {verdict.others.length > 0 && (
            <details className="summary-others">
              <summary>{verdict.others.length === 1 ? '1 more thing' : `${verdict.others.length} more things`}</summary>
              <ul>
                {verdict.others.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      ) : (
        <Loadable compact request={schedule} what="the protection status">
          {() => null}
        </Loadable>
      )}
      <div className="summary-actions">
        <BackUpNow repositories={status.repositories} />
        {verdict && <VerdictAction action={verdict.action} status={status} />}
      </div>
      <dl className="status-list">
        <dt>Last successful backup</dt>
        <dd>{last ? <When iso={last} /> : 'None yet'}</dd>
        <dt>Next backup</dt>
        <dd>
          {pause?.folders === 'all' ? (
            <span className="notice">
              Scheduled backups are paused until{' '}
              {pause.until === null ? 'you resume them' : formatDateTime(pause.until)}.
            </span>
          ) : (
            <Loadable compact request={schedule} what="the schedule">
              {(data) => <NextRun schedule={data} now={now} />}
            </Loadable>
          )}
        </dd>
        <dt>Health</dt>
        <dd>
          {coverage.state === 'error' && <span className="error-text">{coverage.message}</span>}
          <ul className="health">
            {status.repositories.map((repo) => (
              <Health key={repo.id} repo={repo} coverage={coverage.data?.[repo.id]} now={now} />
            ))}
          </ul>
        </dd>
      </dl>
      <PauseControl pause={pause} hasSources={(schedule.data?.sources.length ?? 0) > 0} onChanged={schedule.reload} />
    </section>
  );
}
