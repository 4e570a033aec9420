/**
 * The Scheduler decides when each source's backup runs: regular slots from its Schedule, one
 * catch-up run for slots missed while the machine slept or the app was closed, retries with
 * exponential backoff after a failure, and the conditions that hold runs back (suspended, on
 * battery for sources that require AC power, paused until a time or until resumed). It never starts two runs of
 * the same source at once. Clock and timer are injected so the logic is deterministic in tests;
 * the desktop app feeds Electron's powerMonitor state in through setPower(). Two more conditions
 * hold a run back only once it is due (machine-conditions.ts): the computer in use for sources
 * that run only when idle, a metered connection for sources that avoid one (setMachine()).
 */
import { CairnError } from '../../engine/errors.js';
import { heldBy, type MachineState, UNKNOWN_MACHINE, type WaitingCondition } from './machine-conditions.js';
import { nextRun, type Schedule, validateSchedule } from './schedule.js';

export type { MachineState, WaitingCondition } from './machine-conditions.js';

export type ScheduledSource = {
  id: string;
  schedule: Schedule;
  /** Start of the source's last backup, as recorded by the app (survives restarts). */
  lastRunAt?: Date;
  /** No run starts before this time; a slot missed meanwhile runs once when the pause ends. */
  pausedUntil?: Date;
  /** No run starts until the pause is lifted (setSources without it); a slot missed meanwhile runs once then. */
  pausedUntilResumed?: boolean;
  /** While on battery the source waits; it runs when AC power returns if it became due. */
  requireAcPower?: boolean;
  /** Once due, the run waits while the computer is in use; it runs when the computer is left idle. */
  onlyWhenIdle?: boolean;
  /** Once due, the run waits while the connection is metered; it runs when that ends. */
  avoidMeteredNetwork?: boolean;
};

export type PowerState = { onBattery: boolean; suspended: boolean };

export type RunReason = 'scheduled' | 'catch-up' | 'retry';

export type PlannedRun = {
  sourceId: string;
  /** When the run starts (for a source waiting for AC power: when it became due). */
  at: Date;
  reason: RunReason;
  /** Set when the run is held back by a condition rather than by the clock. */
  waitingFor?: WaitingCondition | 'resume';
};

export type SchedulerEvent =
  | { type: 'run-started'; sourceId: string; at: Date; reason: RunReason }
  | { type: 'run-succeeded'; sourceId: string; at: Date }
  | { type: 'run-failed'; sourceId: string; at: Date; error: unknown; failures: number; retryAt: Date }
  | { type: 'run-skipped'; sourceId: string; at: Date; reason: 'already-running' };

export type RetryPolicy = { baseMs: number; maxMs: number };

export type SchedulerOptions = {
  now: () => Date;
  /** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. */
  setTimer: (ms: number, fn: () => void) => () => void;
  /** Runs one backup of the source; a rejection counts as a failure and schedules a retry. */
  run: (sourceId: string) => Promise<void>;
  /** Called whenever next() may have changed. */
  onChange?: () => void;
  /** Called for every start, success, failure and skipped run (for the activity log). */
  onEvent?: (event: SchedulerEvent) => void;
  retry?: RetryPolicy;
};

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxMs: 3_600_000 };

/**
 * The timer never sleeps longer than this, so a wall clock changed behind the scheduler's back
 * is noticed within the hour (and Node's 24.8-day setTimeout limit is never reached).
 */
export const MAX_TIMER_MS = 3_600_000;

type SourceState = {
  source: ScheduledSource;
  /** When the scheduler first saw the source: the reference for a source that never ran. */
  firstSeenAt: Date;
  /** The latest of lastRunAt, the start of our last attempt and the last skipped slot. */
  anchor?: Date;
  /** Consecutive failures since the last success. */
  failures: number;
  retryAt?: Date;
};

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

export class Scheduler {
  private readonly options: SchedulerOptions;
  private readonly retry: RetryPolicy;
  private readonly states = new Map<string, SourceState>();
  /** Kept apart from `states` so removing and re-adding a source cannot lose a run in flight. */
  private readonly running = new Set<string>();
  private plan: PlannedRun[] = [];
  private power: PowerState = { onBattery: false, suspended: false };
  private machine: MachineState = UNKNOWN_MACHINE;
  private cancelTimer: (() => void) | undefined;
  private stopped = false;

  constructor(options: SchedulerOptions) {
    const retry = options.retry ?? DEFAULT_RETRY;
    if (!(retry.baseMs > 0) || !(retry.maxMs >= retry.baseMs)) {
      throw new CairnError('invalid-argument', 'retry backoff needs baseMs > 0 and maxMs >= baseMs');
    }
    this.options = options;
    this.retry = retry;
  }

  /**
   * Replaces the list of scheduled sources. Sources already known keep their failures, retry and
   * running state. Sources whose slot was missed (per lastRunAt) are caught up once, now.
   * Throws a CairnError, changing nothing, when a schedule is invalid or an id repeats.
   */
  setSources(sources: ScheduledSource[]): void {
    const now = this.options.now();
    const ids = new Set<string>();
    for (const source of sources) {
      if (ids.has(source.id)) throw new CairnError('invalid-argument', `source "${source.id}" is listed twice`);
      ids.add(source.id);
      try {
        validateSchedule(source.schedule, now);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new CairnError('invalid-argument', `schedule of source "${source.id}": ${detail}`, { cause: err });
      }
    }
    for (const id of [...this.states.keys()]) if (!ids.has(id)) this.states.delete(id);
    for (const source of sources) {
      const known = this.states.get(source.id);
      if (known) {
        known.source = { ...source };
        known.anchor = later(known.anchor, source.lastRunAt);
      } else {
        this.states.set(source.id, { source: { ...source }, firstSeenAt: now, anchor: source.lastRunAt, failures: 0 });
      }
    }
    this.reschedule();
  }

  /** Feeds the power state (Electron powerMonitor: suspend/resume, on-battery/on-ac). */
  setPower(power: PowerState): void {
    this.power = { ...power };
    this.reschedule();
  }

  /** Feeds whether the computer is idle and its connection metered (null: cannot tell, holds nothing back). */
  setMachine(machine: MachineState): void {
    this.machine = { ...machine };
    this.reschedule();
  }

  /** The next run of every source, earliest first. */
  next(): PlannedRun[] {
    return this.plan.map((entry) => ({ ...entry, at: new Date(entry.at.getTime()) }));
  }

  /** Ids of sources whose backup is running now. */
  runningSources(): string[] {
    return [...this.running];
  }

  /** Cancels the timer; no run starts afterwards. Runs in flight finish and are recorded. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private emit(event: SchedulerEvent): void {
    this.options.onEvent?.(event);
  }

  private backoffMs(failures: number): number {
    const exponent = Math.min(failures - 1, 52);
    return Math.min(this.retry.baseMs * 2 ** exponent, this.retry.maxMs);
  }

  /** The next run of one source as seen at `now`. */
  private planFor(state: SourceState, now: Date): PlannedRun {
    const { source } = state;
    const regular = nextRun(source.schedule, state.anchor ?? state.firstSeenAt, state.anchor);
    let at = regular;
    let reason: RunReason = 'scheduled';
    if (state.retryAt && state.retryAt.getTime() < regular.getTime()) {
      at = state.retryAt;
      reason = 'retry';
    }
    if (source.pausedUntilResumed) return { sourceId: source.id, at, reason, waitingFor: 'resume' };
    if (source.pausedUntil && source.pausedUntil.getTime() > at.getTime()) {
      at = source.pausedUntil;
      if (reason === 'scheduled') reason = 'catch-up';
    }
    if (source.requireAcPower && this.power.onBattery) {
      return { sourceId: source.id, at, reason, waitingFor: 'ac-power' };
    }
    // The idle and metered conditions only matter once the run is due: the person looking at the
    // schedule is never idle, so "in use" for a run due tomorrow would say nothing.
    const held = at.getTime() <= now.getTime() ? heldBy(source, this.machine) : undefined;
    if (held) return { sourceId: source.id, at, reason, waitingFor: held };
    if (at.getTime() < now.getTime()) {
      at = now;
      if (reason === 'scheduled') reason = 'catch-up';
    }
    return { sourceId: source.id, at, reason };
  }

  /** Recomputes the plan, re-arms the single timer and tells the listener. */
  private reschedule(): void {
    const now = this.options.now();
    this.plan = [...this.states.values()]
      .map((state) => this.planFor(state, now))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    this.arm(now);
    this.options.onChange?.();
  }

  private arm(now: Date): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.stopped || this.power.suspended) return;
    // A held run whose time has not come yet gets a wake-up too, so listeners learn when it starts waiting.
    const first = this.plan.find((entry) => entry.waitingFor === undefined || entry.at.getTime() > now.getTime());
    if (!first) return;
    const delay = Math.min(Math.max(0, first.at.getTime() - now.getTime()), MAX_TIMER_MS);
    this.cancelTimer = this.options.setTimer(delay, () => {
      this.cancelTimer = undefined;
      this.fire();
    });
  }

  /** Timer callback: starts (or skips, when already running) every planned run that is due. */
  private fire(): void {
    if (this.stopped || this.power.suspended) return;
    const now = this.options.now();
    for (const entry of this.plan) {
      if (entry.waitingFor !== undefined || entry.at.getTime() > now.getTime()) continue;
      const state = this.states.get(entry.sourceId);
      if (!state) continue;
      // Came due since the plan was made while a condition holds it: reschedule() below marks it waiting.
      if (heldBy(state.source, this.machine)) continue;
      if (this.running.has(entry.sourceId)) {
        // The slot is consumed, not deferred: the next one is computed from here.
        state.anchor = later(state.anchor, now);
        this.emit({ type: 'run-skipped', sourceId: entry.sourceId, at: now, reason: 'already-running' });
      } else {
        this.start(state, entry.reason, now);
      }
    }
    this.reschedule();
  }

  private start(state: SourceState, reason: RunReason, now: Date): void {
    const id = state.source.id;
    state.anchor = later(state.anchor, now);
    state.retryAt = undefined;
    this.running.add(id);
    this.emit({ type: 'run-started', sourceId: id, at: now, reason });
    let promise: Promise<void>;
    try {
      promise = this.options.run(id);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      () => this.finish(id, undefined, false),
      (err: unknown) => this.finish(id, err, true),
    );
  }

  private finish(id: string, error: unknown, failed: boolean): void {
    this.running.delete(id);
    const now = this.options.now();
    const state = this.states.get(id);
    if (state) {
      if (failed) {
        state.failures += 1;
        state.retryAt = new Date(now.getTime() + this.backoffMs(state.failures));
        this.emit({
          type: 'run-failed',
          sourceId: id,
          at: now,
          error,
          failures: state.failures,
          retryAt: state.retryAt,
        });
      } else {
        state.failures = 0;
        state.retryAt = undefined;
        this.emit({ type: 'run-succeeded', sourceId: id, at: now });
      }
    }
    this.reschedule();
  }
}
