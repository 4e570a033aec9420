/**
 * The protection status card at the top of the Dashboard: how old the last successful backup is,
 * when the next scheduled one runs (or what it waits for, or that schedules are paused, as `app.status` says), and the health of each
 * repository (its last check and how much of its stored data was verified lately), with the
 * Pause control. Each part shows its own loading and error state.
 */
import type { z } from 'zod';
import { conditionWaitingText } from '../../contract/conditions.js';
import type { PlannedRun, Source, VerificationCoverage } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { When } from '../common/When.js';
import { formatAge } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useNow } from '../useNow.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime, formatIn, formatShare } from '../when.js';
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
  const locked = status.repositories.filter((repo) => !repo.unlocked).length;
  const last = status.lastSuccessfulBackupAt;
  const failed = Object.values(coverage.data ?? {}).some((c) => c.lastFailure !== null);
  // Storage that does not answer is a warning (each repository's card says which and since when).
  const unreachable = status.repositories.some((repo) => !repo.storage.reachable);
  const tone = failed ? 'error' : last && !unreachable ? 'ok' : 'warn';
  // The engine's one pause, the same the tray shows and `cairn pause` sets.
  const pause = status.pause ?? null;

  return (
    <section className={`panel summary summary-${tone}`} aria-labelledby="protection-heading">
      <h2 id="protection-heading" className="visually-hidden">
        Protection status
      </h2>
      <p className="summary-line">
        {last
          ? `Protected: the last backup finished ${formatAge(last, now)}.`
          : 'Not protected yet: no backup has finished.'}
      </p>
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
      {locked > 0 && (
        <p className="muted">
          {locked === 1 ? '1 repository is locked' : `${locked} repositories are locked`}: unlock it to back up.
        </p>
      )}
      <PauseControl pause={pause} hasSources={(schedule.data?.sources.length ?? 0) > 0} onChanged={schedule.reload} />
    </section>
  );
}
