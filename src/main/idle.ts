/**
 * Whether the computer is idle, from Electron's powerMonitor: no keyboard or mouse input for five
 * minutes, or the screen locked. Folders set to back up "only when the computer is idle" wait while
 * it is in use. What the system cannot say is "unknown", which holds no backup back.
 */
import type { PowerMonitor } from 'electron';
import type { ConditionReadingValue } from '../contract/conditions.js';

/** No input for this long counts as idle: long enough that a pause to read is not "away". */
export const IDLE_THRESHOLD_SECONDS = 5 * 60;

export type IdleMonitor = Pick<PowerMonitor, 'getSystemIdleState'>;

/** Reads the idle state now; never throws. */
export function readIdle(
  monitor: IdleMonitor,
  thresholdSeconds: number = IDLE_THRESHOLD_SECONDS,
): ConditionReadingValue {
  let state: string;
  try {
    state = monitor.getSystemIdleState(thresholdSeconds);
  } catch (err) {
    return { state: 'unknown', detail: `the system's idle time could not be read: ${(err as Error).message}` };
  }
  // A locked screen means nobody is at the computer, whatever the input timer says.
  if (state === 'idle' || state === 'locked') return { state: 'yes', detail: null };
  if (state === 'active') return { state: 'no', detail: null };
  return { state: 'unknown', detail: 'the system does not say whether the computer is in use' };
}
