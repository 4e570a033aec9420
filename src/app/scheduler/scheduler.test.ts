// Daily times are local time; the tests pin the zone to UTC so they mean the same everywhere
// (no module reads the zone at import time, so setting it here is early enough).
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { CairnError } from '../../engine/errors.js';
import { MAX_TIMER_MS, type ScheduledSource, Scheduler, type SchedulerEvent } from './scheduler.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date('2024-03-01T12:00:00Z');

type Call = { id: string; at: Date; finish: (error?: Error) => void };

/** A Scheduler on a fake clock whose runs finish when the test says (or at once, if `autoFinish`). */
function setup(options: { autoFinish?: 'succeed' | 'fail'; retry?: { baseMs: number; maxMs: number } } = {}) {
  const clock = new FakeClock(T0);
  const calls: Call[] = [];
  const events: SchedulerEvent[] = [];
  let changes = 0;
  const scheduler = new Scheduler({
    now: clock.now,
    setTimer: clock.setTimer,
    run: (id) =>
      new Promise<void>((resolve, reject) => {
        const finish = (error?: Error) => (error ? reject(error) : resolve());
        calls.push({ id, at: clock.now(), finish });
        if (options.autoFinish === 'succeed') finish();
        if (options.autoFinish === 'fail') finish(new Error('destination offline'));
      }),
    onChange: () => {
      changes++;
    },
    onEvent: (event) => events.push(event),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const startedAt = (id?: string) =>
    calls.filter((c) => id === undefined || c.id === id).map((c) => c.at.toISOString());
  return { clock, calls, events, scheduler, startedAt, changes: () => changes };
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('Scheduler: regular runs', () => {
  it('runs an interval source at once when it never ran, then every N minutes', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([{ id: 'docs', schedule: { kind: 'interval', minutes: 30 } }]);
    expect(scheduler.next()).toEqual([{ sourceId: 'docs', at: T0, reason: 'scheduled' }]);
    await clock.advance(95 * MIN);
    expect(startedAt()).toEqual([
      iso(T0.getTime()),
      iso(T0.getTime() + 30 * MIN),
      iso(T0.getTime() + 60 * MIN),
      iso(T0.getTime() + 90 * MIN),
    ]);
    expect(scheduler.next()).toEqual([
      { sourceId: 'docs', at: new Date(T0.getTime() + 120 * MIN), reason: 'scheduled' },
    ]);
  });

  it('runs a daily source at its listed local times only', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([{ id: 'photos', schedule: { kind: 'daily', times: ['02:00', '14:30'] } }]);
    expect(scheduler.next()[0]?.at).toEqual(new Date('2024-03-01T14:30:00Z'));
    await clock.advance(26 * HOUR);
    expect(startedAt()).toEqual(['2024-03-01T14:30:00.000Z', '2024-03-02T02:00:00.000Z']);
    expect(scheduler.next()[0]).toEqual({
      sourceId: 'photos',
      at: new Date('2024-03-02T14:30:00Z'),
      reason: 'scheduled',
    });
  });

  it('runs a cron source at croner’s times, and keeps one timer for the earliest source', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([
      { id: 'mail', schedule: { kind: 'cron', expression: '0 */4 * * *' } },
      { id: 'code', schedule: { kind: 'daily', times: ['13:00'] }, lastRunAt: new Date('2024-03-01T11:00:00Z') },
    ]);
    expect(clock.pendingTimers).toBe(1);
    expect(scheduler.next().map((n) => [n.sourceId, n.at.toISOString()])).toEqual([
      ['code', '2024-03-01T13:00:00.000Z'],
      ['mail', '2024-03-01T16:00:00.000Z'],
    ]);
    await clock.advance(9 * HOUR);
    expect(startedAt('mail')).toEqual(['2024-03-01T16:00:00.000Z', '2024-03-01T20:00:00.000Z']);
    expect(startedAt('code')).toEqual(['2024-03-01T13:00:00.000Z']);
    expect(clock.pendingTimers).toBe(1);
  });

  it('never sleeps longer than MAX_TIMER_MS, yet runs only when due', async () => {
    const clock = new FakeClock(T0);
    const delays: number[] = [];
    const runs: string[] = [];
    const scheduler = new Scheduler({
      now: clock.now,
      setTimer: (ms, fn) => {
        delays.push(ms);
        return clock.setTimer(ms, fn);
      },
      run: async () => {
        runs.push(clock.now().toISOString());
      },
    });
    scheduler.setSources([{ id: 'a', schedule: { kind: 'daily', times: ['17:30'] } }]);
    expect(delays).toEqual([MAX_TIMER_MS]);
    await clock.advance(5 * HOUR);
    expect(runs).toEqual([]);
    await clock.advance(30 * MIN);
    expect(delays.slice(0, 6)).toEqual([HOUR, HOUR, HOUR, HOUR, HOUR, 30 * MIN]); // the last hop lands on 17:30
    expect(runs).toEqual(['2024-03-01T17:30:00.000Z']);
  });

  it('rejects invalid schedules and repeated ids, naming the source, without changing anything', () => {
    const { scheduler } = setup();
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 60 } }]);
    const bad: ScheduledSource[] = [{ id: 'b', schedule: { kind: 'interval', minutes: 1 } }];
    expect(() => scheduler.setSources(bad)).toThrow(CairnError);
    expect(() => scheduler.setSources(bad)).toThrow(/schedule of source "b": .*at least 5 minutes/);
    const twice: ScheduledSource[] = [
      { id: 'a', schedule: { kind: 'interval', minutes: 60 } },
      { id: 'a', schedule: { kind: 'interval', minutes: 60 } },
    ];
    expect(() => scheduler.setSources(twice)).toThrow(/source "a" is listed twice/);
    expect(scheduler.next().map((n) => n.sourceId)).toEqual(['a']);
  });
});

describe('Scheduler: catch-up', () => {
  it('at start, runs a source whose slot was missed once, now, then resumes its schedule', async () => {
    const { clock, scheduler, startedAt, events } = setup({ autoFinish: 'succeed' });
    // Last ran two days ago: two 02:00 slots were missed while the app was closed.
    scheduler.setSources([
      { id: 'docs', schedule: { kind: 'daily', times: ['02:00'] }, lastRunAt: new Date('2024-02-28T02:00:00Z') },
    ]);
    expect(scheduler.next()).toEqual([{ sourceId: 'docs', at: T0, reason: 'catch-up' }]);
    await clock.advance(HOUR);
    expect(startedAt()).toEqual([T0.toISOString()]);
    expect(events[0]).toEqual({ type: 'run-started', sourceId: 'docs', at: T0, reason: 'catch-up' });
    expect(scheduler.next()).toEqual([{ sourceId: 'docs', at: new Date('2024-03-02T02:00:00Z'), reason: 'scheduled' }]);
  });

  it('does not catch up a daily or cron source that never ran; it waits for its first slot', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([{ id: 'docs', schedule: { kind: 'daily', times: ['02:00'] } }]);
    await clock.advance(HOUR);
    expect(startedAt()).toEqual([]);
    expect(scheduler.next()[0]?.at).toEqual(new Date('2024-03-02T02:00:00Z'));
  });

  it('after a sleep across two slots, runs exactly once on resume', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([
      { id: 'docs', schedule: { kind: 'interval', minutes: 60 }, lastRunAt: new Date(T0.getTime() - 10 * MIN) },
    ]);
    await clock.advance(10 * MIN); // not yet due (due at T0 + 50m)
    scheduler.setPower({ onBattery: false, suspended: true });
    expect(clock.pendingTimers).toBe(0);
    clock.sleep(3 * HOUR); // slots at +50m, +1h50m, +2h50m all pass while asleep
    expect(startedAt()).toEqual([]);
    scheduler.setPower({ onBattery: false, suspended: false });
    const resumedAt = clock.now();
    expect(scheduler.next()).toEqual([{ sourceId: 'docs', at: resumedAt, reason: 'catch-up' }]);
    await clock.advance(59 * MIN);
    expect(startedAt()).toEqual([resumedAt.toISOString()]);
    await clock.advance(MIN);
    expect(startedAt()).toEqual([resumedAt.toISOString(), iso(resumedAt.getTime() + HOUR)]);
  });
});

describe('Scheduler: one run per source at a time', () => {
  it('skips a slot that comes due while the previous run is still going, and logs why', async () => {
    const { clock, calls, scheduler, events, startedAt } = setup();
    scheduler.setSources([
      { id: 'big', schedule: { kind: 'interval', minutes: 30 } },
      { id: 'small', schedule: { kind: 'interval', minutes: 30 } },
    ]);
    await clock.advance(0);
    expect(startedAt()).toEqual([T0.toISOString(), T0.toISOString()]);
    calls.find((c) => c.id === 'small')!.finish();
    await clock.advance(45 * MIN); // 'big' still running at T0+30m
    expect(startedAt('big')).toEqual([T0.toISOString()]);
    expect(startedAt('small')).toEqual([T0.toISOString(), iso(T0.getTime() + 30 * MIN)]);
    expect(events).toContainEqual({
      type: 'run-skipped',
      sourceId: 'big',
      at: new Date(T0.getTime() + 30 * MIN),
      reason: 'already-running',
    });
    expect(scheduler.runningSources().sort()).toEqual(['big', 'small']);
    calls[0]!.finish(); // 'big' finishes at T0+45m; the skipped slot is not made up for
    await clock.advance(0);
    expect(scheduler.next().find((n) => n.sourceId === 'big')).toEqual({
      sourceId: 'big',
      at: new Date(T0.getTime() + 60 * MIN),
      reason: 'scheduled',
    });
    await clock.advance(14 * MIN);
    expect(startedAt('big')).toEqual([T0.toISOString()]);
  });

  it('keeps a run in flight across setSources and does not start a second one', async () => {
    const { clock, calls, scheduler, events, startedAt } = setup();
    const sources: ScheduledSource[] = [{ id: 'a', schedule: { kind: 'interval', minutes: 5 } }];
    scheduler.setSources(sources);
    await clock.advance(0);
    scheduler.setSources([]);
    scheduler.setSources(sources);
    await clock.advance(0);
    await clock.advance(5 * MIN);
    expect(startedAt()).toEqual([T0.toISOString()]);
    // The re-added source never ran as far as the scheduler knows, so it is due at once: skipped,
    // as is its next slot 5 minutes later.
    const skipped = events.filter((e) => e.type === 'run-skipped').map((e) => e.at.toISOString());
    expect(skipped).toEqual([T0.toISOString(), iso(T0.getTime() + 5 * MIN)]);
    calls[0]!.finish();
    await clock.advance(5 * MIN);
    expect(startedAt()).toHaveLength(2);
  });
});

describe('Scheduler: retry with backoff', () => {
  it('retries after 1m, 2m, 4m … capped at maxMs, and resets after a success', async () => {
    const { clock, calls, scheduler, events } = setup({ retry: { baseMs: MIN, maxMs: 8 * MIN } });
    scheduler.setSources([
      { id: 'a', schedule: { kind: 'daily', times: ['12:00'] }, lastRunAt: new Date('2024-02-29T12:00:00Z') },
    ]);
    const gaps: number[] = [];
    const reasons: string[] = [];
    // Fail 6 times in a row: each run fails the moment it starts.
    for (let i = 0; i < 6; i++) {
      await clock.advance(0);
      const call = calls[i]!;
      if (i > 0) gaps.push((call.at.getTime() - calls[i - 1]!.at.getTime()) / MIN);
      call.finish(new Error('destination offline'));
      await clock.advance(0);
      const next = scheduler.next()[0]!;
      reasons.push(next.reason);
      await clock.advance(next.at.getTime() - clock.time);
    }
    expect(gaps).toEqual([1, 2, 4, 8, 8]);
    expect(reasons.every((r) => r === 'retry')).toBe(true);
    const failures = events.filter((e) => e.type === 'run-failed');
    expect(failures.map((e) => e.type === 'run-failed' && e.failures)).toEqual([1, 2, 3, 4, 5, 6]);
    // The 7th attempt succeeds; the next failure backs off from 1m again.
    calls[6]!.finish();
    await clock.advance(0);
    expect(scheduler.next()[0]).toEqual({ sourceId: 'a', at: new Date('2024-03-02T12:00:00Z'), reason: 'scheduled' });
    await clock.advance(new Date('2024-03-02T12:00:00Z').getTime() - clock.time);
    calls[7]!.finish(new Error('destination offline'));
    await clock.advance(0);
    expect(scheduler.next()[0]).toEqual({ sourceId: 'a', at: new Date(clock.time + MIN), reason: 'retry' });
  });

  it('stops retrying when the next regular slot comes first', async () => {
    const { clock, scheduler, startedAt, events } = setup({ autoFinish: 'fail' });
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 10 } }]);
    await clock.advance(40 * MIN);
    // T0 (fail) → retry +1m → +2m → +4m → +8m; then the 16m retry loses to the regular slot
    // 10 minutes after the last start, and so does every longer one.
    const offsets = startedAt().map((t) => (new Date(t).getTime() - T0.getTime()) / MIN);
    expect(offsets).toEqual([0, 1, 3, 7, 15, 25, 35]);
    const reasons = events.filter((e) => e.type === 'run-started').map((e) => e.type === 'run-started' && e.reason);
    expect(reasons).toEqual(['scheduled', 'retry', 'retry', 'retry', 'retry', 'scheduled', 'scheduled']);
  });

  it('treats a run that throws synchronously as a failure', async () => {
    const clock = new FakeClock(T0);
    const events: SchedulerEvent[] = [];
    const scheduler = new Scheduler({
      now: clock.now,
      setTimer: clock.setTimer,
      run: () => {
        throw new Error('boom');
      },
      onEvent: (e) => events.push(e),
    });
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 60 } }]);
    await clock.advance(0);
    expect(events.map((e) => e.type)).toEqual(['run-started', 'run-failed']);
    expect(scheduler.next()[0]).toEqual({ sourceId: 'a', at: new Date(T0.getTime() + MIN), reason: 'retry' });
  });

  it('rejects a nonsensical retry policy', () => {
    const clock = new FakeClock(T0);
    expect(
      () =>
        new Scheduler({
          now: clock.now,
          setTimer: clock.setTimer,
          run: async () => {},
          retry: { baseMs: 0, maxMs: 1 },
        }),
    ).toThrow(/baseMs > 0/);
  });
});

describe('Scheduler: conditions', () => {
  it('holds back requireAcPower sources while on battery and runs them when AC returns', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setPower({ onBattery: true, suspended: false });
    scheduler.setSources([
      { id: 'ac', schedule: { kind: 'interval', minutes: 60 }, requireAcPower: true, lastRunAt: T0 },
      { id: 'any', schedule: { kind: 'interval', minutes: 60 }, lastRunAt: T0 },
    ]);
    await clock.advance(90 * MIN);
    expect(startedAt('ac')).toEqual([]);
    expect(startedAt('any')).toEqual([iso(T0.getTime() + HOUR)]);
    expect(scheduler.next().find((n) => n.sourceId === 'ac')).toEqual({
      sourceId: 'ac',
      at: new Date(T0.getTime() + HOUR),
      reason: 'scheduled',
      waitingFor: 'ac-power',
    });
    scheduler.setPower({ onBattery: false, suspended: false });
    expect(scheduler.next().find((n) => n.sourceId === 'ac')).toEqual({
      sourceId: 'ac',
      at: clock.now(),
      reason: 'catch-up',
    });
    await clock.advance(0);
    expect(startedAt('ac')).toEqual([iso(T0.getTime() + 90 * MIN)]);
  });

  it('does not wait for AC power when the source does not require it or when not due', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([
      { id: 'ac', schedule: { kind: 'interval', minutes: 60 }, requireAcPower: true, lastRunAt: T0 },
    ]);
    scheduler.setPower({ onBattery: true, suspended: false });
    await clock.advance(30 * MIN);
    scheduler.setPower({ onBattery: false, suspended: false });
    await clock.advance(0);
    expect(startedAt()).toEqual([]); // not due yet: nothing to catch up
    await clock.advance(30 * MIN);
    expect(startedAt()).toEqual([iso(T0.getTime() + HOUR)]);
  });

  it('delays a paused source until pausedUntil, then runs the missed slot once', async () => {
    const { clock, scheduler, startedAt, events } = setup({ autoFinish: 'succeed' });
    const pausedUntil = new Date(T0.getTime() + 3 * HOUR);
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 60 }, lastRunAt: T0, pausedUntil }]);
    expect(scheduler.next()).toEqual([{ sourceId: 'a', at: pausedUntil, reason: 'catch-up' }]);
    await clock.advance(3 * HOUR - 1);
    expect(startedAt()).toEqual([]);
    await clock.advance(1);
    expect(startedAt()).toEqual([pausedUntil.toISOString()]);
    expect(events[0]).toMatchObject({ type: 'run-started', reason: 'catch-up' });
    await clock.advance(HOUR);
    expect(startedAt()).toHaveLength(2);
  });

  it('ignores a pausedUntil in the past', async () => {
    const { clock, scheduler, startedAt } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([
      {
        id: 'a',
        schedule: { kind: 'interval', minutes: 60 },
        lastRunAt: T0,
        pausedUntil: new Date(T0.getTime() - HOUR),
      },
    ]);
    await clock.advance(HOUR);
    expect(startedAt()).toEqual([iso(T0.getTime() + HOUR)]);
  });

  it('holds a source paused until resumed however long, then runs the missed slot once', async () => {
    const { clock, scheduler, startedAt, events } = setup({ autoFinish: 'succeed' });
    const a = { id: 'a', schedule: { kind: 'interval', minutes: 60 } as const, lastRunAt: T0 };
    scheduler.setSources([{ ...a, pausedUntilResumed: true }]);
    expect(scheduler.next()).toEqual([
      { sourceId: 'a', at: new Date(T0.getTime() + HOUR), reason: 'scheduled', waitingFor: 'resume' },
    ]);
    await clock.advance(30 * 24 * HOUR);
    expect(startedAt()).toEqual([]);
    // Resumed: the slots missed meanwhile run once, now, then the schedule goes on.
    scheduler.setSources([a]);
    await clock.advance(0);
    expect(startedAt()).toEqual([iso(T0.getTime() + 30 * 24 * HOUR)]);
    expect(events[0]).toMatchObject({ type: 'run-started', reason: 'catch-up' });
    await clock.advance(HOUR);
    expect(startedAt()).toHaveLength(2);
  });

  it('runs nothing while suspended and re-arms on resume', async () => {
    const { clock, scheduler, startedAt, changes } = setup({ autoFinish: 'succeed' });
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 60 }, lastRunAt: T0 }]);
    scheduler.setPower({ onBattery: false, suspended: true });
    const before = changes();
    // Even if the host fires timers while suspended, nothing runs.
    await clock.advance(2 * HOUR);
    expect(startedAt()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    scheduler.setPower({ onBattery: false, suspended: false });
    expect(changes()).toBeGreaterThan(before);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(0);
    expect(startedAt()).toEqual([iso(T0.getTime() + 2 * HOUR)]);
  });
});

describe('Scheduler: stop', () => {
  it('cancels the timer, starts nothing afterwards, and still records a run in flight', async () => {
    const { clock, calls, scheduler, startedAt, events } = setup();
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 10 } }]);
    await clock.advance(0);
    expect(startedAt()).toHaveLength(1);
    scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
    calls[0]!.finish(new Error('interrupted'));
    await clock.advance(0);
    expect(events.map((e) => e.type)).toEqual(['run-started', 'run-failed']);
    scheduler.setPower({ onBattery: false, suspended: false });
    scheduler.setSources([{ id: 'a', schedule: { kind: 'interval', minutes: 10 } }]);
    await clock.advance(HOUR);
    expect(startedAt()).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
