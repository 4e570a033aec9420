/**
 * Runs the sources' scheduled backups: feeds the catalog's sources (schedule, pause, battery
 * condition, last run) to the Scheduler with real timers, starts each due backup as an ordinary
 * task and waits for it (a failed or refused backup is retried with backoff by the Scheduler),
 * remembers each source's last run in the catalog, and takes power state from the desktop app.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { JsonObject } from '../catalog/records.js';
import { type Schedule, validateSchedule } from '../scheduler/schedule.js';
import { type PlannedRun, type ScheduledSource, Scheduler } from '../scheduler/scheduler.js';

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

export class ScheduledBackups {
  private readonly scheduler: Scheduler;

  constructor(
    private readonly catalog: Catalog,
    /** Starts a backup of one source and resolves when it succeeded; rejects when it failed. */
    runBackup: (sourceId: number) => Promise<void>,
    onChange?: () => void,
    /** False while the user has withdrawn the backup purpose: nothing is scheduled. */
    private readonly allowed: () => boolean = () => true,
  ) {
    this.scheduler = new Scheduler({
      now: () => new Date(),
      setTimer: (ms, fn) => {
        const timer = setTimeout(fn, ms);
        timer.unref?.();
        return () => clearTimeout(timer);
      },
      run: (id) => runBackup(Number(id)),
      onChange,
      onEvent: (event) => {
        if (event.type === 'run-started')
          this.catalog.setSetting(lastRunKey(Number(event.sourceId)), event.at.toISOString());
      },
    });
    this.refresh();
  }

  /** Re-reads the sources from the catalog (after any change to a source or its schedule). */
  refresh(): void {
    const sources: ScheduledSource[] = [];
    for (const source of this.allowed() ? this.catalog.listSources() : []) {
      const stored = readStoredSchedule(source.schedule);
      if (!stored) continue;
      const lastRun = this.catalog.getSetting<string | null>(lastRunKey(source.id), null);
      sources.push({
        id: String(source.id),
        schedule: stored.schedule,
        requireAcPower: stored.requireAcPower,
        ...(lastRun ? { lastRunAt: new Date(lastRun) } : {}),
        ...(source.pausedUntil ? { pausedUntil: new Date(source.pausedUntil) } : {}),
      });
    }
    this.scheduler.setSources(sources);
  }

  setPower(state: { onBattery: boolean; suspended: boolean }): void {
    this.scheduler.setPower(state);
  }

  next(): PlannedRun[] {
    return this.scheduler.next();
  }

  stop(): void {
    this.scheduler.stop();
  }
}
