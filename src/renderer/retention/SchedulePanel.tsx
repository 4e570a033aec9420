/**
 * The schedule of each folder backed up to a repository: when it runs (every N minutes or
 * hours, daily at times, or a cron expression), its conditions (battery, idle, metered:
 * ScheduleConditions.tsx), its next run (`schedule.next`, or what it waits for), and a pause until
 * a chosen time (`sources.pause`).
 */
import { type FormEvent, useId, useState } from 'react';
import type { z } from 'zod';
import { conditionWaitingText, type MachineConditionsValue } from '../../contract/conditions.js';
import type { Result } from '../../contract/methods.js';
import type { PlannedRun, Source } from '../../contract/schemas.js';
import { electronBridge } from '../api/bridge.js';
import { Loadable } from '../common/Loadable.js';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useNow } from '../useNow.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime, formatIn, toLocalInput } from '../when.js';
import { type ConditionValues, ScheduleConditions } from './ScheduleConditions.js';
import { fieldsFromSchedule, type ScheduleFields, type ScheduleKind, scheduleFromFields } from './scheduleForm.js';

type SourceData = z.output<typeof Source>;
type Planned = z.output<typeof PlannedRun>;
type Repository = AppStatusData['repositories'][number];

function NextRunLine({ source, planned, now }: { source: SourceData; planned: Planned | undefined; now: Date }) {
  if (source.pausedUntilResumed) return <span className="notice">Paused until you resume.</span>;
  if (source.pausedUntil) {
    return <span className="notice">Paused until {formatDateTime(source.pausedUntil)}.</span>;
  }
  if (!source.schedule || !planned)
    return <span className="muted">Not scheduled: backed up only with "Back up now".</span>;
  const waiting = conditionWaitingText(planned.waitingFor);
  if (waiting) return <span>{waiting}.</span>;
  return (
    <span>
      Next run {formatIn(planned.at, now)}, {formatDateTime(planned.at)}.
    </span>
  );
}

function SourceSchedule({
  source,
  planned,
  conditions,
  onChanged,
}: {
  source: SourceData;
  planned: Planned | undefined;
  conditions: MachineConditionsValue | null;
  onChanged: () => void;
}) {
  const request = useApp((state) => state.request);
  const now = useNow();
  const [fields, setFields] = useState<ScheduleFields>(() => fieldsFromSchedule(source.schedule));
  const [conditionValues, setConditionValues] = useState<ConditionValues>(() => ({
    requireAcPower: source.requireAcPower,
    onlyWhenIdle: source.onlyWhenIdle,
    avoidMeteredNetwork: source.avoidMeteredNetwork,
  }));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pauseUntil, setPauseUntil] = useState(() => toLocalInput(new Date(Date.now() + 24 * 3600_000)));
  const [pauseError, setPauseError] = useState<string | null>(null);
  const id = useId();
  const errorId = `${id}-error`;

  const set = (patch: Partial<ScheduleFields>) => {
    setFields({ ...fields, ...patch });
    setError(null);
    setSaved(null);
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    const { schedule, error: invalid } = scheduleFromFields(fields);
    if (invalid) {
      setError(invalid);
      return;
    }
    setBusy(true);
    try {
      await request('sources.setSchedule', { id: source.id, schedule, ...conditionValues });
      setSaved(schedule ? 'Schedule saved.' : 'Schedule removed.');
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function pause(until: string | null) {
    setPauseError(null);
    let iso: string | null = null;
    if (until !== null) {
      const end = new Date(until);
      if (Number.isNaN(end.getTime())) {
        setPauseError('Choose the date and time the pause ends.');
        return;
      }
      iso = end.toISOString();
    }
    try {
      await request('sources.pause', { until: iso, sourceIds: [source.id] });
      onChanged();
    } catch (failure) {
      setPauseError((failure as Error).message);
    }
  }

  const describedBy = error ? errorId : undefined;
  return (
    <li className="source" aria-labelledby={`${id}-path`}>
      <h3 id={`${id}-path`} className="path">
        {source.path}
      </h3>
      <p className="next-run">
        <NextRunLine source={source} planned={planned} now={now} />
      </p>
      <form className="schedule-form" onSubmit={(event) => void save(event)} aria-label={`Schedule of ${source.path}`}>
        <div className="schedule-row">
          <label htmlFor={`${id}-kind`}>Back up</label>
          <select
            id={`${id}-kind`}
            value={fields.kind}
            onChange={(event) => set({ kind: event.target.value as ScheduleKind })}
          >
            <option value="none">Only when I press "Back up now"</option>
            <option value="interval">Every…</option>
            <option value="daily">Every day at…</option>
            <option value="cron">On a cron schedule</option>
          </select>
          {fields.kind === 'interval' && (
            <>
              <label htmlFor={`${id}-every`} className="visually-hidden">
                Interval
              </label>
              <input
                id={`${id}-every`}
                className="short"
                inputMode="numeric"
                value={fields.every}
                aria-invalid={error ? true : undefined}
                aria-describedby={describedBy}
                onChange={(event) => set({ every: event.target.value })}
              />
              <label htmlFor={`${id}-unit`} className="visually-hidden">
                Unit
              </label>
              <select
                id={`${id}-unit`}
                className="short"
                value={fields.unit}
                onChange={(event) => set({ unit: event.target.value as ScheduleFields['unit'] })}
              >
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
              </select>
            </>
          )}
          {fields.kind === 'daily' && (
            <>
              <label htmlFor={`${id}-times`} className="visually-hidden">
                Times of day
              </label>
              <input
                id={`${id}-times`}
                value={fields.times}
                placeholder="e.g. 02:30, 14:00"
                aria-invalid={error ? true : undefined}
                aria-describedby={describedBy ?? `${id}-times-hint`}
                onChange={(event) => set({ times: event.target.value })}
              />
              <span id={`${id}-times-hint`} className="hint">
                HH:MM on a 24-hour clock, separated by commas
              </span>
            </>
          )}
          {fields.kind === 'cron' && (
            <>
              <label htmlFor={`${id}-cron`} className="visually-hidden">
                Cron expression
              </label>
              <input
                id={`${id}-cron`}
                value={fields.expression}
                placeholder="e.g. 0 2 * * *"
                aria-invalid={error ? true : undefined}
                aria-describedby={describedBy ?? `${id}-cron-hint`}
                onChange={(event) => set({ expression: event.target.value })}
              />
              <span id={`${id}-cron-hint`} className="hint">
                minute hour day month weekday, in local time
              </span>
            </>
          )}
        </div>
        <ScheduleConditions
          value={conditionValues}
          onChange={(patch) => {
            setConditionValues({ ...conditionValues, ...patch });
            setSaved(null);
          }}
          conditions={conditions}
          desktop={electronBridge() !== undefined}
        />
        {error && (
          <p id={errorId} className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Save schedule
          </button>
          {saved && (
            <span className="success-text" role="status">
              {' '}
              {saved}
            </span>
          )}
        </div>
      </form>
      <div className="pause-row">
        {source.pausedUntil || source.pausedUntilResumed ? (
          <button type="button" onClick={() => void pause(null)}>
            Resume scheduled backups
          </button>
        ) : (
          <>
            <label htmlFor={`${id}-pause`}>Pause until</label>
            <input
              id={`${id}-pause`}
              type="datetime-local"
              className="medium"
              value={pauseUntil}
              onChange={(event) => setPauseUntil(event.target.value)}
            />
            <button type="button" onClick={() => void pause(pauseUntil)}>
              Pause this folder
            </button>
          </>
        )}
        {pauseError && (
          <p className="error-text" role="alert">
            {pauseError}
          </p>
        )}
      </div>
    </li>
  );
}

export function SchedulePanel({ repo, status }: { repo: Repository; status: AppStatusData }) {
  const request = useApp((state) => state.request);
  const schedules = useRequest(async () => {
    const [sources, next, conditions] = await Promise.all([
      request('sources.list', { repositoryId: repo.id }),
      request('schedule.next', {}),
      request('schedule.conditions', {}),
    ]);
    return { sources, next, conditions };
  }, [repo.id, status]);

  return (
    <Loadable request={schedules} what="the schedules">
      {({ sources, next, conditions }) => (
        <Sources repo={repo} sources={sources} next={next} conditions={conditions} onChanged={schedules.reload} />
      )}
    </Loadable>
  );
}

function Sources({
  repo,
  sources,
  next,
  conditions,
  onChanged,
}: {
  repo: Repository;
  sources: Result<'sources.list'>;
  next: Result<'schedule.next'>;
  conditions: Result<'schedule.conditions'>;
  onChanged: () => void;
}) {
  if (sources.length === 0) {
    return <p className="muted">No folders are backed up to {repo.label} yet, so there is nothing to schedule.</p>;
  }
  return (
    <ul className="sources">
      {sources.map((source) => (
        <SourceSchedule
          key={source.id}
          source={source}
          planned={next.find((run) => run.sourceId === source.id)}
          conditions={conditions}
          onChanged={onChanged}
        />
      ))}
    </ul>
  );
}
