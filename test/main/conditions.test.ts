/**
 * The idle probe over the fake powerMonitor, and the watch that keeps the engine told whether the
 * computer is idle and its connection metered: sent once both were read, again on a change (the
 * screen locked, the computer woke), with every minute's reading, never after it stopped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineConditionsValue } from '../../src/contract/conditions.js';
import {
  type ConditionsWatchOptions,
  IDLE_POLL_MS,
  NETWORK_POLL_MS,
  watchConditions,
} from '../../src/main/conditions.js';
import { IDLE_THRESHOLD_SECONDS, readIdle } from '../../src/main/idle.js';
import type { CommandRunner } from '../../src/main/network-cost.js';
import { powerMonitor, resetFake } from './fake-electron.js';

const connected = (metered: string) => `GENERAL.DEVICE:wlp2s0
GENERAL.STATE:100 (connected)
GENERAL.METERED:${metered}
`;

beforeEach(resetFake);

/** The fake stands in for Electron's powerMonitor, whose `on` is typed event by event. */
const monitor = powerMonitor as unknown as ConditionsWatchOptions['monitor'];

describe('readIdle', () => {
  it('asks with a five-minute threshold and counts a locked screen as idle', () => {
    powerMonitor.idleState = 'active';
    expect(readIdle(powerMonitor)).toEqual({ state: 'no', detail: null });
    powerMonitor.idleState = 'idle';
    expect(readIdle(powerMonitor)).toEqual({ state: 'yes', detail: null });
    powerMonitor.idleState = 'locked';
    expect(readIdle(powerMonitor)).toEqual({ state: 'yes', detail: null });
    expect(powerMonitor.idleThresholds).toEqual([300, 300, 300]);
    expect(IDLE_THRESHOLD_SECONDS).toBe(300);
  });

  it('is unknown when the system cannot say, with the reason', () => {
    powerMonitor.idleState = 'unknown';
    expect(readIdle(powerMonitor)).toEqual({
      state: 'unknown',
      detail: 'the system does not say whether the computer is in use',
    });
    powerMonitor.idleError = new Error('XScreenSaver extension missing');
    expect(readIdle(powerMonitor)).toEqual({
      state: 'unknown',
      detail: "the system's idle time could not be read: XScreenSaver extension missing",
    });
  });
});

describe('watchConditions', () => {
  let sent: MachineConditionsValue[];
  let answer: string;
  let probes: number;
  const run: CommandRunner = async () => {
    probes++;
    return answer;
  };

  beforeEach(() => {
    sent = [];
    answer = connected('no (guessed)');
    probes = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = () => watchConditions({ monitor, platform: 'linux', run, send: (reading) => sent.push(reading) });

  it('sends both readings once the network was read, then each change', async () => {
    const watch = start();
    expect(sent).toEqual([]); // the network answer is not in yet
    await watch.refresh();
    expect(sent).toEqual([{ idle: { state: 'no', detail: null }, metered: { state: 'no', detail: null } }]);

    powerMonitor.idleState = 'locked';
    powerMonitor.emit('lock-screen');
    expect(sent.at(-1)?.idle).toEqual({ state: 'yes', detail: null });
    expect(sent).toHaveLength(2);
    // The same reading again is not sent again.
    powerMonitor.emit('unlock-screen');
    expect(sent).toHaveLength(2);
    watch.stop();
  });

  it('asks the network again when the computer wakes', async () => {
    const watch = start();
    await watch.refresh();
    const before = probes;
    answer = connected('yes');
    powerMonitor.emit('resume');
    await vi.waitFor(() => expect(sent.at(-1)?.metered).toEqual({ state: 'yes', detail: null }));
    expect(probes).toBe(before + 1);
    watch.stop();
  });

  it('reads the idle state every minute and sends it even unchanged; the network every five minutes', async () => {
    vi.useFakeTimers();
    const watch = start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    expect(probes).toBe(1);
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS);
    expect(sent).toHaveLength(2); // the same reading, for an engine that may have restarted
    powerMonitor.idleState = 'idle';
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS);
    expect(sent.at(-1)?.idle.state).toBe('yes');
    expect(probes).toBe(1);
    await vi.advanceTimersByTimeAsync(NETWORK_POLL_MS - 2 * IDLE_POLL_MS);
    expect(probes).toBe(2);
    watch.stop();
    const after = sent.length;
    await vi.advanceTimersByTimeAsync(NETWORK_POLL_MS);
    expect(sent).toHaveLength(after);
    expect(powerMonitor.listenerCount('lock-screen')).toBe(0);
    expect(powerMonitor.listenerCount('resume')).toBe(0);
  });

  it('sends "not reported" on macOS without running anything', async () => {
    const watch = watchConditions({
      monitor,
      platform: 'darwin',
      run: async () => {
        throw new Error('no command may run on macOS');
      },
      send: (reading) => sent.push(reading),
    });
    await watch.refresh();
    expect(sent.at(-1)?.metered).toEqual({
      state: 'unsupported',
      detail: 'macOS does not tell programs whether a connection is metered',
    });
    watch.stop();
  });
});
