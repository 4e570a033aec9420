/**
 * The machine conditions as the engine host keeps them: the desktop app's readings
 * (`app.setConditions`) turned into what the Scheduler obeys, and what due scheduled runs wait for
 * now, which `app.status` carries for the tray. A reading that is unknown or unsupported becomes
 * null: it holds nothing back.
 */
import type { ConditionReadingValue, MachineConditionsValue } from '../../contract/conditions.js';
import type { MachineState, PlannedRun, WaitingCondition } from '../scheduler/scheduler.js';

function known(reading: ConditionReadingValue): boolean | null {
  if (reading.state === 'yes') return true;
  if (reading.state === 'no') return false;
  return null;
}

/** What the Scheduler obeys of the desktop's readings. */
export function machineState(conditions: MachineConditionsValue): MachineState {
  return { idle: known(conditions.idle), metered: known(conditions.metered) };
}

const ORDER: readonly WaitingCondition[] = ['ac-power', 'unmetered-network', 'idle'];

/**
 * The conditions that hold back runs that are due at `now`, each once. A run held for AC power is
 * planned before it is due; it counts only from its time on.
 */
export function waitingNow(plan: readonly PlannedRun[], now: Date): WaitingCondition[] {
  const due = new Set<string>();
  for (const run of plan) {
    if (run.waitingFor && run.waitingFor !== 'resume' && run.at.getTime() <= now.getTime()) due.add(run.waitingFor);
  }
  return ORDER.filter((condition) => due.has(condition));
}
