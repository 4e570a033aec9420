/**
 * "Pause": holds every scheduled backup back until a chosen time (`sources.pause`), or "Resume"
 * while paused. "Back up now" keeps working during a pause.
 */
import { type FormEvent, useId, useState } from 'react';
import { useApp } from '../storeContext.js';
import { formatDateTime, toLocalInput } from '../when.js';

const HOUR_MS = 3600_000;

type Choice = '1h' | '4h' | 'tomorrow' | 'custom';

/** When a choice ends, from `now`; tomorrow means 08:00 the next morning. */
export function pauseEnd(choice: Choice, custom: string, now: Date): Date | null {
  if (choice === '1h') return new Date(now.getTime() + HOUR_MS);
  if (choice === '4h') return new Date(now.getTime() + 4 * HOUR_MS);
  if (choice === 'tomorrow') {
    const end = new Date(now);
    end.setDate(end.getDate() + 1);
    end.setHours(8, 0, 0, 0);
    return end;
  }
  const end = new Date(custom);
  return Number.isNaN(end.getTime()) ? null : end;
}

export function PauseControl({
  pausedUntil,
  hasSources,
  onChanged,
}: {
  pausedUntil: string | null;
  hasSources: boolean;
  onChanged: () => void;
}) {
  const request = useApp((state) => state.request);
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<Choice>('1h');
  const [custom, setCustom] = useState(() => toLocalInput(new Date(Date.now() + 2 * HOUR_MS)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function pause(until: Date | null) {
    setBusy(true);
    setError(null);
    try {
      await request('sources.pause', { until: until ? until.toISOString() : null });
      setOpen(false);
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const end = pauseEnd(choice, custom, new Date());
    if (!end) {
      setError('Choose the date and time the pause ends.');
      return;
    }
    void pause(end);
  }

  if (pausedUntil) {
    return (
      <div className="pause-control">
        <button type="button" disabled={busy} aria-busy={busy} onClick={() => void pause(null)}>
          Resume
        </button>
        <span className="muted">Scheduled backups wait until {formatDateTime(pausedUntil)}.</span>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  return (
    <div className="pause-control">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        disabled={!hasSources}
        aria-describedby={hasSources ? undefined : `${id}-why`}
        onClick={() => setOpen(!open)}
      >
        Pause
      </button>
      {!hasSources && (
        <span id={`${id}-why`} className="muted">
          Nothing is scheduled to pause: no folders are backed up yet.
        </span>
      )}
      {open && (
        <form id={`${id}-form`} className="pause-form" onSubmit={submit} aria-label="Pause scheduled backups">
          <fieldset>
            <legend>Pause scheduled backups</legend>
            {(
              [
                ['1h', 'For 1 hour'],
                ['4h', 'For 4 hours'],
                ['tomorrow', 'Until tomorrow morning (08:00)'],
                ['custom', 'Until a time I choose'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name={`${id}-choice`}
                  value={value}
                  checked={choice === value}
                  onChange={() => setChoice(value)}
                />
                {label}
              </label>
            ))}
            {choice === 'custom' && (
              <label className="choice">
                Ends at
                <input
                  type="datetime-local"
                  value={custom}
                  required
                  onChange={(event) => setCustom(event.target.value)}
                />
              </label>
            )}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
              Pause scheduled backups
            </button>{' '}
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
