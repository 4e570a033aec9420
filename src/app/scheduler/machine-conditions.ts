/**
 * The machine conditions a due scheduled run can wait for besides power: the computer in use (for
 * a source that runs only when the computer is idle) and a metered connection (for a source that
 * avoids one). The desktop app reads them; what it cannot read is null and holds nothing back, so
 * a failed reading, or `cairn serve` where nothing reads them, never stops backups.
 */

/** Whether the computer is idle and whether its connection is metered; null when unknown. */
export type MachineState = { idle: boolean | null; metered: boolean | null };

/** What a due run waits for: AC power, the computer left idle, an unmetered connection. */
export type WaitingCondition = 'ac-power' | 'idle' | 'unmetered-network';

export const UNKNOWN_MACHINE: MachineState = { idle: null, metered: null };

/** The condition (idle or metered; power is the Scheduler's own) that holds the source's due run back, if any. */
export function heldBy(
  source: { onlyWhenIdle?: boolean; avoidMeteredNetwork?: boolean },
  machine: MachineState,
): 'idle' | 'unmetered-network' | undefined {
  if (source.avoidMeteredNetwork && machine.metered === true) return 'unmetered-network';
  if (source.onlyWhenIdle && machine.idle === false) return 'idle';
  return undefined;
}
