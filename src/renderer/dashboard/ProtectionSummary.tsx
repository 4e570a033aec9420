/** One sentence at the top of the Dashboard: protected since when, or what is missing. */
import { formatAge } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useNow } from '../useNow.js';

export function ProtectionSummary({ status }: { status: AppStatusData }) {
  const now = useNow();
  if (status.repositories.length === 0) return null;
  const locked = status.repositories.filter((repo) => !repo.unlocked).length;
  const last = status.lastSuccessfulBackupAt;
  const tone = last ? 'ok' : 'warn';
  return (
    <section className={`panel summary summary-${tone}`} aria-label="Protection status">
      <p className="summary-line">
        {last
          ? `Protected: the last backup finished ${formatAge(last, now)}.`
          : 'Not protected yet: no backup has finished.'}
      </p>
      {locked > 0 && (
        <p className="muted">
          {locked === 1 ? '1 repository is locked' : `${locked} repositories are locked`}: unlock it to back up.
        </p>
      )}
    </section>
  );
}
