/** First run's exclusions step: the presets of what does not need a backup (caches, temporary files…). */
import { EXCLUSION_PRESETS, type PresetId } from '../presets.js';
import type { StepProps } from '../setup.js';

export function ExclusionsStep({ setup, update }: StepProps) {
  const toggle = (id: PresetId, on: boolean) => {
    const presets = new Set(setup.presets);
    if (on) presets.add(id);
    else presets.delete(id);
    update({ presets });
  };
  return (
    <fieldset className="choice">
      <legend>Leave out what does not need a backup</legend>
      <ul className="choice-list">
        {EXCLUSION_PRESETS.map((preset) => (
          <li key={preset.id}>
            <label>
              <input
                type="checkbox"
                checked={setup.presets.has(preset.id)}
                onChange={(event) => toggle(preset.id, event.target.checked)}
              />
              <span>
                <strong>{preset.title}</strong> — {preset.description} <code>{preset.patterns.join(' ')}</code>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <p className="hint">A .cairnignore file in any folder can leave out more.</p>
    </fieldset>
  );
}
