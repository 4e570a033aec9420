// The Scheduler's machine conditions: "only when idle" and "not on a metered connection" hold a
// due run back, release it when they clear (a slot missed meanwhile runs once), and an unknown
// reading holds nothing back. On a fake clock whose time moves only when the test says.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { type MachineState, type ScheduledSource, Scheduler } from './scheduler.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date('2024-03-01T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** A Scheduler whose runs succeed at once, recording when each source started. */
function setup() {
  const clock = new FakeClock(T0);
  const starts: { id: string; at: string; reason: string }[] = [];
  let changes = 0;
  const scheduler = new Scheduler({
    now: clock.now,
    setTimer: clock.setTimer,
    run: async () => {},
    onChange: () => {
      changes++;
    },
    onEvent: (event) => {
      if (event.type === 'run-started')
        starts.push({ id: event.sourceId, at: event.at.toISOString(), reason: event.reason });
    },
  });
  const startedAt = (id: string) => starts.filter((s) => s.id === id).map((s) => s.at);
  const planOf = (id: string) => scheduler.next().find((run) => run.sourceId === id);
  return { clock, scheduler, starts, startedAt, planOf, changes: () => changes };
}

const hourly = (id: string, extra: Partial<ScheduledSource> = {}): ScheduledSource => ({
  id,
  schedule: { kind: 'interval', minutes: 60 },
  lastRunAt: T0,
  ...extra,
});

const machine = (idle: boolean | null, metered: boolean | null): MachineState => ({ idle, metered });

describe('Scheduler: not on a metered connection', () => {
  it('holds a due run while metered, then runs the slots missed meanwhile once', async () => {
    const { clock, scheduler, startedAt, planOf, starts } = setup();
    scheduler.setMachine(machine(null, true));
    scheduler.setSources([hourly('metered', { avoidMeteredNetwork: true }), hourly('any')]);
    // Not due yet: the plan shows its time, not a wait.
    expect(planOf('metered')).toEqual({ sourceId: 'metered', at: new Date(T0.getTime() + HOUR), reason: 'scheduled' });
    await clock.advance(150 * MIN); // slots at +1h and +2h pass while metered
    expect(startedAt('metered')).toEqual([]);
    expect(startedAt('any')).toEqual([iso(T0.getTime() + HOUR), iso(T0.getTime() + 2 * HOUR)]);
    expect(planOf('metered')).toEqual({
      sourceId: 'metered',
      at: new Date(T0.getTime() + HOUR),
      reason: 'scheduled',
      waitingFor: 'unmetered-network',
    });

    scheduler.setMachine(machine(null, false));
    expect(planOf('metered')).toEqual({ sourceId: 'metered', at: clock.now(), reason: 'catch-up' });
    await clock.advance(0);
    expect(startedAt('metered')).toEqual([iso(T0.getTime() + 150 * MIN)]);
    expect(starts.at(-1)?.reason).toBe('catch-up');
    // Once, not once per missed slot: the next run is an hour after the catch-up.
    await clock.advance(59 * MIN);
    expect(startedAt('metered')).toHaveLength(1);
    await clock.advance(MIN);
    expect(startedAt('metered')).toEqual([iso(T0.getTime() + 150 * MIN), iso(T0.getTime() + 210 * MIN)]);
  });

  it('holds a run that comes due after the connection turned metered (checked when the timer fires)', async () => {
    const { clock, scheduler, startedAt, planOf } = setup();
    scheduler.setSources([hourly('a', { avoidMeteredNetwork: true })]);
    await clock.advance(30 * MIN);
    scheduler.setMachine(machine(null, true));
    await clock.advance(30 * MIN);
    expect(startedAt('a')).toEqual([]);
    expect(planOf('a')?.waitingFor).toBe('unmetered-network');
    // Nothing to wake for while held: the release re-arms.
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('Scheduler: only when the computer is idle', () => {
  it('waits once due while the computer is in use, and runs when it is left idle', async () => {
    const { clock, scheduler, startedAt, planOf } = setup();
    scheduler.setMachine(machine(false, null));
    scheduler.setSources([hourly('idle', { onlyWhenIdle: true }), hourly('any')]);
    expect(planOf('idle')?.waitingFor).toBeUndefined();
    await clock.advance(HOUR + 20 * MIN);
    expect(startedAt('idle')).toEqual([]);
    expect(startedAt('any')).toEqual([iso(T0.getTime() + HOUR)]);
    expect(planOf('idle')).toEqual({
      sourceId: 'idle',
      at: new Date(T0.getTime() + HOUR),
      reason: 'scheduled',
      waitingFor: 'idle',
    });
    scheduler.setMachine(machine(true, null));
    await clock.advance(0);
    expect(startedAt('idle')).toEqual([iso(T0.getTime() + HOUR + 20 * MIN)]);
    // Back in use: the next slot waits again, the run that started is not affected.
    scheduler.setMachine(machine(false, null));
    await clock.advance(HOUR);
    expect(startedAt('idle')).toHaveLength(1);
    expect(planOf('idle')?.waitingFor).toBe('idle');
  });

  it('runs at its time when the computer is idle then', async () => {
    const { clock, scheduler, startedAt } = setup();
    scheduler.setMachine(machine(true, false));
    scheduler.setSources([hourly('a', { onlyWhenIdle: true, avoidMeteredNetwork: true })]);
    await clock.advance(HOUR);
    expect(startedAt('a')).toEqual([iso(T0.getTime() + HOUR)]);
  });
});

describe('Scheduler: machine conditions together and unknown', () => {
  it('holds nothing back while a condition cannot be read', async () => {
    const { clock, scheduler, startedAt } = setup();
    scheduler.setMachine(machine(null, null));
    scheduler.setSources([hourly('a', { onlyWhenIdle: true, avoidMeteredNetwork: true })]);
    await clock.advance(HOUR);
    expect(startedAt('a')).toEqual([iso(T0.getTime() + HOUR)]);
  });

  it('names the metered connection first, then the computer in use, and runs when both clear', async () => {
    const { clock, scheduler, startedAt, planOf } = setup();
    scheduler.setMachine(machine(false, true));
    scheduler.setSources([hourly('a', { onlyWhenIdle: true, avoidMeteredNetwork: true })]);
    await clock.advance(HOUR);
    expect(planOf('a')?.waitingFor).toBe('unmetered-network');
    scheduler.setMachine(machine(false, false));
    expect(planOf('a')?.waitingFor).toBe('idle');
    await clock.advance(0);
    expect(startedAt('a')).toEqual([]);
    scheduler.setMachine(machine(true, false));
    await clock.advance(0);
    expect(startedAt('a')).toEqual([iso(T0.getTime() + HOUR)]);
  });

  it('wakes when a run held for AC power comes due, so listeners learn it is waiting now', async () => {
    const { clock, scheduler, startedAt, changes } = setup();
    scheduler.setPower({ onBattery: true, suspended: false });
    scheduler.setSources([hourly('ac', { requireAcPower: true })]);
    expect(clock.pendingTimers).toBe(1);
    const before = changes();
    await clock.advance(HOUR);
    expect(changes()).toBeGreaterThan(before);
    expect(startedAt('ac')).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
