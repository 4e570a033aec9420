/** First run's last step: what was set up, and the way to the Dashboard. */
import { useApp } from '../../storeContext.js';
import type { StepProps } from '../setup.js';

export function DoneStep({ setup }: StepProps) {
  const navigate = useApp((state) => state.navigate);
  return (
    <div>
      <p className="success-text">Cairn is set up.</p>
      <p>
        {setup.folders.length === 1 ? '1 folder is' : `${setup.folders.length} folders are`} backed up to “
        {setup.repository?.label}”
        {setup.schedule.kind === 'manual'
          ? ' when you ask.'
          : setup.schedule.kind === 'daily'
            ? ` every day at ${setup.schedule.time}.`
            : setup.schedule.hours === 1
              ? ' every hour.'
              : ` every ${setup.schedule.hours} hours.`}{' '}
        The first backup can start now.
      </p>
      <button type="button" className="primary" onClick={() => navigate('dashboard')}>
        Go to the Dashboard
      </button>
    </div>
  );
}
