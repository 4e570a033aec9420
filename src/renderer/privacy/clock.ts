/** The 72-hour clock of an incident (GDPR Art. 33(1)) in words: "41 h 12 min left", "overdue by 3 h". */

export interface Deadline {
  text: string;
  /** Past the deadline, or less than 12 hours left. */
  urgent: boolean;
  overdue: boolean;
}

/** How long until `notifyBy` (ISO time) from `now`. */
export function deadlineLeft(notifyBy: string, now: Date): Deadline {
  const ms = new Date(notifyBy).getTime() - now.getTime();
  if (!Number.isFinite(ms)) return { text: 'deadline unknown', urgent: true, overdue: false };
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const hours = Math.floor(minutes / 60);
  const span = hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  if (ms < 0) return { text: `overdue by ${span}`, urgent: true, overdue: true };
  return { text: `${span} left`, urgent: ms < 12 * 3600_000, overdue: false };
}
