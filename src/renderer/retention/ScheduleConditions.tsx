/**
 * The conditions of a folder's schedule, as checkboxes in its schedule form: not on battery, only
 * when the computer is idle, not on a metered connection. Under the last two, what the engine last
 * heard of the machine, or why it cannot know it here (conditionNotes.ts); a box for a condition
 * this system can never report cannot be changed.
 */
import { useId } from 'react';
import type { MachineConditionsValue } from '../../contract/conditions.js';
import { type ConditionKind, conditionNote } from './conditionNotes.js';

export interface ConditionValues {
  requireAcPower: boolean;
  onlyWhenIdle: boolean;
  avoidMeteredNetwork: boolean;
}

function ConditionBox({
  label,
  checked,
  onChange,
  kind,
  conditions,
  desktop,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  kind: ConditionKind;
  conditions: MachineConditionsValue | null;
  desktop: boolean;
}) {
  const id = useId();
  const note = conditionNote(kind, conditions?.[kind] ?? null, desktop);
  return (
    <div className="condition">
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={!note.available}
          aria-describedby={`${id}-note`}
          onChange={(event) => onChange(event.target.checked)}
        />
        {label}
      </label>
      <p id={`${id}-note`} className={note.limited ? 'hint notice' : 'hint'}>
        {note.text}
      </p>
    </div>
  );
}

export function ScheduleConditions({
  value,
  onChange,
  conditions,
  desktop,
}: {
  value: ConditionValues;
  onChange: (patch: Partial<ConditionValues>) => void;
  conditions: MachineConditionsValue | null;
  desktop: boolean;
}) {
  return (
    <fieldset className="conditions">
      <legend>Only back up on a schedule when</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={value.requireAcPower}
          onChange={(event) => onChange({ requireAcPower: event.target.checked })}
        />
        Not on battery: wait until the computer is plugged in
      </label>
      <ConditionBox
        label="Only when the computer is idle (no input for 5 minutes, or locked)"
        checked={value.onlyWhenIdle}
        onChange={(checked) => onChange({ onlyWhenIdle: checked })}
        kind="idle"
        conditions={conditions}
        desktop={desktop}
      />
      <ConditionBox
        label="Not on a metered connection"
        checked={value.avoidMeteredNetwork}
        onChange={(checked) => onChange({ avoidMeteredNetwork: checked })}
        kind="metered"
        conditions={conditions}
        desktop={desktop}
      />
    </fieldset>
  );
}
