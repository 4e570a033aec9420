/**
 * Keeps the engine told whether the computer is idle (idle.ts, read every minute and when the
 * screen locks or unlocks or the computer wakes) and whether its connection is metered
 * (network-cost.ts, asked every five minutes and on waking, as the command costs more). The
 * readings go to the engine's scheduler (`app.setConditions`) once both were read, on every change,
 * and with every minute's reading too, so an engine that restarted learns them again.
 */
import type { PowerMonitor } from 'electron';
import type { ConditionReadingValue, MachineConditionsValue } from '../contract/conditions.js';
import { type IdleMonitor, readIdle } from './idle.js';
import { type CommandRunner, readMetered } from './network-cost.js';

export const IDLE_POLL_MS = 60_000;
export const NETWORK_POLL_MS = 5 * 60_000;

/** Events after which the idle state is read again at once (the network's after 'resume'). */
const RECHECK_EVENTS = ['lock-screen', 'unlock-screen', 'resume'] as const;

export interface ConditionsWatchOptions {
  monitor: IdleMonitor & Pick<PowerMonitor, 'on' | 'removeListener'>;
  platform: NodeJS.Platform;
  run: CommandRunner;
  /** Gets the readings (it must not throw). */
  send: (conditions: MachineConditionsValue) => void;
  idlePollMs?: number;
  networkPollMs?: number;
}

export interface ConditionsWatch {
  /** The last readings sent, or null before the first. */
  current(): MachineConditionsValue | null;
  /** Reads both again now and sends them; resolves once sent. */
  refresh(): Promise<void>;
  stop(): void;
}

export function watchConditions(options: ConditionsWatchOptions): ConditionsWatch {
  let idle: ConditionReadingValue = readIdle(options.monitor);
  let metered: ConditionReadingValue | null = null;
  let sent: MachineConditionsValue | null = null;
  let probing: Promise<void> | null = null;
  let stopped = false;

  const send = (force: boolean): void => {
    if (stopped || metered === null) return;
    const next = { idle, metered };
    if (!force && sent && JSON.stringify(sent) === JSON.stringify(next)) return;
    sent = next;
    options.send(next);
  };

  const readNetwork = (): Promise<void> => {
    // One command at a time: a slow answer is not asked for again meanwhile.
    probing ??= readMetered(options.platform, options.run).then((reading) => {
      probing = null;
      metered = reading;
      send(false);
    });
    return probing;
  };

  const readIdleNow = (): void => {
    idle = readIdle(options.monitor);
    send(false);
  };

  const listeners = RECHECK_EVENTS.map((event) => {
    const listener = (): void => {
      readIdleNow();
      if (event === 'resume') void readNetwork();
    };
    options.monitor.on(event as 'resume', listener);
    return { event, listener };
  });
  const idleTimer = setInterval(() => {
    idle = readIdle(options.monitor);
    send(true);
  }, options.idlePollMs ?? IDLE_POLL_MS);
  const networkTimer = setInterval(() => void readNetwork(), options.networkPollMs ?? NETWORK_POLL_MS);
  idleTimer.unref?.();
  networkTimer.unref?.();
  void readNetwork();

  return {
    current: () => sent,
    refresh: async () => {
      readIdleNow();
      await readNetwork();
    },
    stop: () => {
      stopped = true;
      clearInterval(idleTimer);
      clearInterval(networkTimer);
      for (const { event, listener } of listeners) options.monitor.removeListener(event as 'resume', listener);
    },
  };
}
