/**
 * A point in time on screen: relative while it is recent ("3 hours ago"), the calendar time once
 * it is a week old, and the calendar time as the tooltip either way, in a `<time>` element so that
 * assistive technology and copy-paste get the exact value.
 */
import { formatAge } from '../format.js';
import { useNow } from '../useNow.js';
import { formatDateTime } from '../when.js';

const RECENT_MS = 7 * 24 * 3600_000;

/** The words for `iso` at `now`: relative within the last week, absolute otherwise. */
export function whenText(iso: string, now: Date): string {
  const age = now.getTime() - new Date(iso).getTime();
  if (Number.isFinite(age) && age >= 0 && age < RECENT_MS) return formatAge(iso, now);
  return formatDateTime(iso);
}

export function When({ iso, absolute = false }: { iso: string; absolute?: boolean }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {absolute ? formatDateTime(iso) : whenText(iso, now)}
    </time>
  );
}
