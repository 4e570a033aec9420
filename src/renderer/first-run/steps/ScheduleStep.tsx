/** First run's schedule step: every few hours, daily at a time, or only on "Back up now". */
import { useId } from 'react';
import type { StepProps } from '../setup.js';

export function ScheduleStep({ setup, update }: StepProps) {
  const id = useId();
  const s = setup.schedule;
  return (
    <fieldset className="choice">
      <legend>When should Cairn back up?</legend>
      <ul className="choice-list">
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'hourly'}
              onChange={() => update({ schedule: { kind: 'hourly', hours: 1 } })}
            />
            Every
          </label>{' '}
          <select
            aria-label="Hours between backups"
            value={s.kind === 'hourly' ? s.hours : 1}
            disabled={s.kind !== 'hourly'}
            onChange={(event) => update({ schedule: { kind: 'hourly', hours: Number(event.target.value) } })}
          >
            {[1, 2, 4, 6, 12].map((h) => (
              <option key={h} value={h}>
                {h === 1 ? 'hour' : `${h} hours`}
              </option>
            ))}
          </select>
        </li>
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'daily'}
              onChange={() => update({ schedule: { kind: 'daily', time: '12:00' } })}
            />
            Every day at
          </label>{' '}
          <input
            type="time"
            aria-label="Time of the daily backup"
            value={s.kind === 'daily' ? s.time : '12:00'}
            disabled={s.kind !== 'daily'}
            onChange={(event) => update({ schedule: { kind: 'daily', time: event.target.value || '12:00' } })}
          />
        </li>
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'manual'}
              onChange={() => update({ schedule: { kind: 'manual' } })}
            />
            Only when I press “Back up now”
          </label>
        </li>
      </ul>
      <p className="hint">A backup missed while the computer was off or asleep runs once when it wakes up.</p>
    </fieldset>
  );
}
