/**
 * "Pause": holds every scheduled backup back (`sources.pause`) for the same choices the tray and
 * `cairn pause` offer (1 hour, 4 hours, until tomorrow 08:00, 1 week, until I resume) or until a
 * time chosen here; "Resume" while paused. The pause shown is the engine's, from `app.status`, so
 * one set from the tray or the CLI shows here too. "Back up now" keeps working during a pause.
 */
import { type FormEvent, useId, useState } from 'react';
import type { z } from 'zod';
import { PAUSE_CHOICES, type PauseChoice, type PauseState, pauseUntilFor } from '../../contract/pause.js';
import { useApp } from '../storeContext.js';
import { formatDateTime, toLocalInput } from '../when.js';

const HOUR_MS = 3600_000;

type Choice = PauseChoice | 'custom';
export type PauseData = z.output<typeof PauseState>;

/** The `until` for `sources.pause` of a choice made at `now`; null when the custom time is not a time. */
export function pauseUntil(choice: Choice, custom: string, now: Date): string | null {
  if (choice !== 'custom') return pauseUntilFor(choice, now);
  const end = new Date(custom);
  return Number.isNaN(end.getTime()) ? null : end.toISOString();
}

/** "Scheduled backups wait until Thu 26 Nov, 14:30.", "Some folders wait until you resume them." */
export function pauseSentence(pause: PauseData): string {
  const who = pause.folders === 'all' ? 'Scheduled backups wait' : 'Scheduled backups of some folders wait';
  return pause.until === null ? `${who} until you resume them.` : `${who} until ${formatDateTime(pause.until)}.`;
}

export function PauseControl({
  pause,
  hasSources,
  onChanged,
}: {
  pause: PauseData | null;
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

  async function send(until: string | null) {
    setBusy(true);
    setError(null);
    try {
      await request('sources.pause', { until });
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
    const until = pauseUntil(choice, custom, new Date());
    if (!until) {
      setError('Choose the date and time the pause ends.');
      return;
    }
    void send(until);
  }

  if (pause) {
    return (
      <div className="pause-control">
        <button type="button" disabled={busy} aria-busy={busy} onClick={() => void send(null)}>
          Resume
        </button>
        <span className="muted">{pauseSentence(pause)}</span>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  const choices: Array<[Choice, string]> = [
    ...PAUSE_CHOICES.map((c): [Choice, string] => [c.id, c.label]),
    ['custom', 'Until a time I choose'],
  ];

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
            {choices.map(([value, label]) => (
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
