/**
 * The banner at the top of the app frame while incidents are open: how many, the nearest
 * 72-hour deadline with the time left, and a link to the incident register on the Privacy screen.
 */
import { useApp } from '../storeContext.js';
import { useNow } from '../useNow.js';
import { formatDateTime } from '../when.js';
import { deadlineLeft } from './clock.js';
import './privacy.css';

export function IncidentBanner() {
  const incidents = useApp((state) => state.openIncidents);
  const navigate = useApp((state) => state.navigate);
  const now = useNow();
  if (incidents.length === 0) return null;
  const nearest = [...incidents].sort((a, b) => a.notifyBy.localeCompare(b.notifyBy))[0];
  if (!nearest) return null;
  const left = deadlineLeft(nearest.notifyBy, now);
  return (
    <section
      className={`incident-banner${left.urgent ? ' urgent' : ''}`}
      aria-label="Open incidents"
      aria-live="polite"
    >
      <p>
        <strong>{incidents.length === 1 ? 'An incident is open' : `${incidents.length} incidents are open`}:</strong> “
        {nearest.title}”. If it must be reported, notify the supervisory authority by {formatDateTime(nearest.notifyBy)}{' '}
        ({left.text}).
      </p>
      <button type="button" onClick={() => navigate('privacy', { privacyPage: 'requests' })}>
        Open the incident register
      </button>
    </section>
  );
}
