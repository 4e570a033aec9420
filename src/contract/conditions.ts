/**
 * The contract's shapes for the machine conditions scheduled backups can wait on: what a planned
 * run waits for, and the readings the desktop app reports (`app.setConditions`) of whether the
 * computer is idle and whether its connection is metered. The words for a waiting run live here
 * too, so the renderer and the tray say the same thing.
 */
import { z } from 'zod';

/** The machine conditions a due scheduled run can wait for: AC power, the computer left idle, an unmetered connection. */
export const WaitingCondition = z.enum(['ac-power', 'idle', 'unmetered-network']);
export type WaitingConditionValue = z.output<typeof WaitingCondition>;

/**
 * One condition as the desktop app reads it: 'yes' or 'no'; 'unknown' when reading it failed
 * (which holds no backup back); 'unsupported' when this system does not report it at all.
 * `detail` says why it is unknown or unsupported, for the person.
 */
export const ConditionReading = z.object({
  state: z.enum(['yes', 'no', 'unknown', 'unsupported']),
  detail: z.string().max(500).nullable(),
});
export type ConditionReadingValue = z.output<typeof ConditionReading>;

/** Whether the computer is idle (no input for a while, or locked) and whether its connection is metered. */
export const MachineConditions = z.object({ idle: ConditionReading, metered: ConditionReading });
export type MachineConditionsValue = z.output<typeof MachineConditions>;

const WAITING_TEXT: Record<WaitingConditionValue, string> = {
  'ac-power': 'Waiting for the computer to be plugged in',
  idle: 'Waiting: the computer is in use',
  'unmetered-network': 'Waiting: metered connection',
};

/** "Waiting: metered connection" — a due scheduled backup held back by a condition, in words. */
export function waitingText(condition: WaitingConditionValue): string {
  return WAITING_TEXT[condition];
}

/** The words for a planned run's `waitingFor` when a machine condition holds it; null otherwise (not held, or paused). */
export function conditionWaitingText(waitingFor: string | null | undefined): string | null {
  const parsed = WaitingCondition.safeParse(waitingFor);
  return parsed.success ? waitingText(parsed.data) : null;
}
