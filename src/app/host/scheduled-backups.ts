/**
 * Runs the sources' scheduled backups: feeds the catalog's sources (schedule, pause, battery
 * condition, last run) to the Scheduler with real timers, starts each due backup as an ordinary
 * task and waits for it (a failed or refused backup is retried with backoff by the Scheduler),
 * remembers each source's last run in the catalog, and takes power state from the desktop app, and
 * whether the computer is idle and its connection metered (machine-conditions.ts).
 * The sources' pause is re-read from the catalog every 30 s too, so a pause another process set or
 * lifted (`cairn pause` beside the app or `cairn serve`) holds here without a restart.
 */
import type { MachineConditionsValue } from '../../contract/conditions.js';
import type { Catalog, SourceRecord } from '../catalog/catalog.js';
import type { JsonObject } from '../catalog/records.js';
import { type Schedule, validateSchedule } from '../scheduler/schedule.js';
import { type PlannedRun, type ScheduledSource, Scheduler, type WaitingCondition } from '../scheduler/scheduler.js';
import { machineState, waitingNow } from './machine-conditions.js';
import { sourcePause } from './pause.js';

/** How a schedule is kept in the catalog's `sources.schedule` column. */
export interface StoredSchedule {
  schedule: Schedule;
  requireAcPower: boolean;
}

export function readStoredSchedule(value: JsonObject | null): StoredSchedule | null {
  if (!value || typeof value !== 'object' || !('schedule' in value)) return null;
  const stored = value as unknown as StoredSchedule;
  try {
    validateSchedule(stored.schedule);
  } catch {
    return null; // written by a newer Cairn or damaged: not scheduled, shown as such
  }
  return { schedule: stored.schedule, requireAcPower: stored.requireAcPower === true };
}

const lastRunKey = (sourceId: number) => `scheduler.lastRun.${sourceId}`;

/** How often the sources' pause is re-read from the catalog for a change another process made. */
export const PAUSE_CHECK_MS = 30_000;

export interface PauseCheck {
  /** Default PAUSE_CHECK_MS. */
  everyMs?: number;
  /** Told when the pause changed other than through this process (another process, or it ended). */
  changed?: () => void;
}

/** The sources' pause as it holds now, to notice a change. */
function pauseSignature(sources: SourceRecord[]): string {
  const now = new Date();
  return JSON.stringify(sources.map((s) => [s.id, sourcePause(s, now)]));
}

export class ScheduledBackups {
  private readonly scheduler: Scheduler;
  private readonly pauseTimer: ReturnType<typeof setInterval>;
  private pauseSeen = '';
  /** The desktop app's last reading of the machine; null until one came (never, under `cairn serve`). */
  private reported: MachineConditionsValue | null = null;
  private waitingSeen = '';
  private waitingChanged: (() => void) | undefined;

  constructor(
    private readonly catalog: Catalog,
    /** Starts a backup of one source and resolves when it succeeded; rejects when it failed. */
    runBackup: (sourceId: number) => Promise<void>,
    onChange?: () => void,
    /** False while the user has withdrawn the backup purpose: nothing is scheduled. */
    private readonly allowed: () => boolean = () => true,
    private readonly pauseCheck: PauseCheck = {},
  ) {
    this.scheduler = new Scheduler({
      now: () => new Date(),
      setTimer: (ms, fn) => {
        const timer = setTimeout(fn, ms);
        timer.unref?.();
        return () => clearTimeout(timer);
      },
      run: (id) => runBackup(Number(id)),
      onChange: () => {
        onChange?.();
        this.planChanged();
      },
      onEvent: (event) => {
        if (event.type === 'run-started')
          this.catalog.setSetting(lastRunKey(Number(event.sourceId)), event.at.toISOString());
      },
    });
    this.refresh();
    this.pauseTimer = setInterval(() => {
      try {
        this.checkPause();
      } catch {
        // The catalog was busy in another process: the next check reads it again.
      }
    }, pauseCheck.everyMs ?? PAUSE_CHECK_MS);
    this.pauseTimer.unref?.();
  }

  /** Re-reads the sources from the catalog (after any change to a source or its schedule). */
  refresh(): void {
    const all = this.catalog.listSources();
    this.pauseSeen = pauseSignature(all);
    const sources: ScheduledSource[] = [];
    for (const source of this.allowed() ? all : []) {
      const stored = readStoredSchedule(source.schedule);
      if (!stored) continue;
      const lastRun = this.catalog.getSetting<string | null>(lastRunKey(source.id), null);
      sources.push({
        id: String(source.id),
        schedule: stored.schedule,
        requireAcPower: stored.requireAcPower,
        onlyWhenIdle: source.onlyWhenIdle,
        avoidMeteredNetwork: source.avoidMeteredNetwork,
        ...(lastRun ? { lastRunAt: new Date(lastRun) } : {}),
        ...(source.pausedUntil ? { pausedUntil: new Date(source.pausedUntil) } : {}),
        ...(source.pausedUntilResumed ? { pausedUntilResumed: true } : {}),
      });
    }
    this.scheduler.setSources(sources);
  }

  /**
   * Re-reads the sources' pause from the catalog; when it changed since this process last read it
   * (another process paused or resumed, or a pause ended), refreshes the schedule and tells
   * `changed`. Returns whether it changed.
   */
  checkPause(): boolean {
    if (pauseSignature(this.catalog.listSources()) === this.pauseSeen) return false;
    this.refresh();
    this.pauseCheck.changed?.();
    return true;
  }

  setPower(state: { onBattery: boolean; suspended: boolean }): void {
    this.scheduler.setPower(state);
  }

  /** The desktop app's reading of the machine; the schedule changes only when what it obeys does. */
  setConditions(conditions: MachineConditionsValue): void {
    const before = this.reported ? machineState(this.reported) : null;
    const after = machineState(conditions);
    this.reported = conditions;
    if (before?.idle !== after.idle || before?.metered !== after.metered) this.scheduler.setMachine(after);
  }

  /** The last reading of the machine, or null when nothing reports it. */
  conditions(): MachineConditionsValue | null {
    return this.reported;
  }

  /** What due scheduled runs wait for now (AC power, the computer left idle, an unmetered connection). */
  waiting(): WaitingCondition[] {
    return waitingNow(this.scheduler.next(), new Date());
  }

  /** Tells `listener` each time waiting() changes (the tray shows it from `app.status`). */
  onWaitingChanged(listener: () => void): void {
    this.waitingChanged = listener;
  }

  private planChanged(): void {
    const seen = this.waiting().join(',');
    if (seen === this.waitingSeen) return;
    this.waitingSeen = seen;
    this.waitingChanged?.();
  }

  next(): PlannedRun[] {
    return this.scheduler.next();
  }

  stop(): void {
    clearInterval(this.pauseTimer);
    this.scheduler.stop();
  }
}
