/**
 * What the schedule editor says under the "only when idle" and "not on a metered connection"
 * boxes: the state the engine last heard of, or why it cannot know it here (the browser version,
 * `cairn serve`, has no one to read it; macOS does not report metered connections; a reading that
 * failed), and whether the box can be changed. A condition that cannot be read holds nothing back,
 * and the note says so.
 */
import type { ConditionReadingValue } from '../../contract/conditions.js';

export type ConditionKind = 'idle' | 'metered';

export interface ConditionNote {
  /** The line under the box. */
  text: string;
  /** False where the condition can never be read: the box shows its value and cannot be changed. */
  available: boolean;
  /** Whether the line explains that the condition cannot be read (shown as a notice). */
  limited: boolean;
}

const WHAT: Record<ConditionKind, string> = {
  idle: 'whether the computer is in use',
  metered: 'whether the connection is metered',
};

const NOW: Record<ConditionKind, { yes: string; no: string }> = {
  idle: { yes: 'The computer is idle now.', no: 'The computer is in use now.' },
  metered: { yes: 'The connection is metered now.', no: 'The connection is not metered now.' },
};

const NOT_HELD = 'so backups are not held back';

/**
 * The note for one condition. `reading` is the engine's last reading (`schedule.conditions`),
 * null when nothing reported one; `desktop` is whether this page runs in the desktop app.
 */
export function conditionNote(
  kind: ConditionKind,
  reading: ConditionReadingValue | null,
  desktop: boolean,
): ConditionNote {
  if (!reading) {
    return desktop
      ? { text: `Cairn has not read ${WHAT[kind]} yet, ${NOT_HELD} until it has.`, available: true, limited: true }
      : {
          text: `Not available in the browser version (cairn serve): it cannot tell ${WHAT[kind]}, ${NOT_HELD}. The desktop app applies this.`,
          available: false,
          limited: true,
        };
  }
  const why = reading.detail ? ` (${reading.detail})` : '';
  switch (reading.state) {
    case 'unsupported':
      return { text: `Not reported on this system${why}, ${NOT_HELD}.`, available: false, limited: true };
    case 'unknown':
      return { text: `Cannot tell ${WHAT[kind]} right now${why}, ${NOT_HELD}.`, available: true, limited: true };
    case 'yes':
      return { text: NOW[kind].yes, available: true, limited: false };
    case 'no':
      return { text: NOW[kind].no, available: true, limited: false };
  }
}
