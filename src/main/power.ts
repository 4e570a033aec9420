/**
 * What the machine's power is doing (suspended, on battery), kept current from Electron's
 * powerMonitor so the engine can read it before starting work.
 */
import type { PowerMonitor } from 'electron';

export interface PowerState {
  suspended: boolean;
  onBattery: boolean;
}

export type PowerEvent = 'suspend' | 'resume' | 'on-battery' | 'on-ac';

/**
 * Starts tracking power. `onChange` is called after each event with the event name and the
 * updated state. Returns the live state object and a function that stops tracking.
 */
export function watchPower(
  monitor: Pick<PowerMonitor, 'on' | 'removeListener' | 'isOnBatteryPower'>,
  onChange: (event: PowerEvent, state: Readonly<PowerState>) => void = () => {},
): { state: Readonly<PowerState>; stop: () => void } {
  const state: PowerState = { suspended: false, onBattery: monitor.isOnBatteryPower() };
  const handlers: Record<PowerEvent, () => void> = {
    suspend: () => {
      state.suspended = true;
    },
    resume: () => {
      state.suspended = false;
    },
    'on-battery': () => {
      state.onBattery = true;
    },
    'on-ac': () => {
      state.onBattery = false;
    },
  };
  const listeners = (Object.keys(handlers) as PowerEvent[]).map((event) => {
    const listener = (): void => {
      handlers[event]();
      onChange(event, state);
    };
    monitor.on(event as 'suspend', listener);
    return { event, listener };
  });
  return {
    state,
    stop: () => {
      for (const { event, listener } of listeners) monitor.removeListener(event as 'suspend', listener);
    },
  };
}
