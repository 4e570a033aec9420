/**
 * Scheduled backups follow a pause set elsewhere: two handles on one data folder's catalog, the
 * owner's running the schedule and a guest's (as `cairn pause` opens it) pausing and resuming. The
 * owner notices within 30 seconds, re-plans and says so once per change, a pause that ends too.
 * Timers and clock are vitest's fake ones, moved by the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Catalog } from '../catalog/catalog.js';
import { pauseSources } from './pause.js';
import { PAUSE_CHECK_MS, ScheduledBackups } from './scheduled-backups.js';

const MIN = 60_000;

let dir: string;
let owner: Catalog;
let guest: Catalog | undefined;
let schedules: ScheduledBackups | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-scheduled-pause-'));
  owner = Catalog.open(dir);
});
afterEach(() => {
  schedules?.stop();
  guest?.close();
  owner.close();
  vi.useRealTimers();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A source backed up every hour whose last run was just now: its next run is in an hour. */
function hourlySource(): string {
  owner.addRepository({ id: 'r1', location: path.join(dir, 'repo'), label: 'Disk', region: 'this-device' });
  const source = owner.addSource({
    repositoryId: 'r1',
    path: path.join(dir, 'docs'),
    schedule: { schedule: { kind: 'interval', minutes: 60 }, requireAcPower: false },
  });
  owner.setSetting(`scheduler.lastRun.${source.id}`, new Date().toISOString());
  return String(source.id);
}

describe('ScheduledBackups and a pause set by another process', () => {
  it('re-reads the pause every 30 s: holds while paused until resumed, runs again once lifted', () => {
    const id = hourlySource();
    const run = vi.fn(async () => {});
    const changed = vi.fn();
    schedules = new ScheduledBackups(owner, run, undefined, () => true, { changed });
    const inAnHour = new Date(Date.now() + 60 * MIN);
    expect(schedules.next()).toEqual([{ sourceId: id, at: inAnHour, reason: 'scheduled' }]);

    guest = Catalog.open(dir, { guest: true });
    pauseSources(guest, { until: 'resumed' });
    vi.advanceTimersByTime(PAUSE_CHECK_MS - 1);
    expect(changed).not.toHaveBeenCalled();
    expect(schedules.next()[0]?.waitingFor).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(schedules.next()).toEqual([{ sourceId: id, at: inAnHour, reason: 'scheduled', waitingFor: 'resume' }]);

    // Held past its slot: nothing runs, and an unchanged pause is not announced again.
    vi.advanceTimersByTime(3 * 60 * MIN);
    expect(run).not.toHaveBeenCalled();
    expect(changed).toHaveBeenCalledTimes(1);

    // Lifted elsewhere: within 30 s the slot missed meanwhile runs, once.
    pauseSources(guest, { until: null });
    vi.advanceTimersByTime(PAUSE_CHECK_MS);
    expect(changed).toHaveBeenCalledTimes(2);
    // The catch-up run is due at once (its timer fires on the next tick).
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('notices a timed pause set elsewhere, and again when it ends', () => {
    const id = hourlySource();
    const changed = vi.fn();
    schedules = new ScheduledBackups(
      owner,
      async () => {},
      undefined,
      () => true,
      { changed },
    );
    guest = Catalog.open(dir, { guest: true });
    const until = new Date(Date.now() + 90 * MIN + 10_000);
    pauseSources(guest, { until: until.toISOString() });
    vi.advanceTimersByTime(PAUSE_CHECK_MS);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(schedules.next()).toEqual([{ sourceId: id, at: until, reason: 'catch-up' }]);
    // Its end is a change too (the tray and the Dashboard stop showing it), noticed at the next check.
    vi.advanceTimersByTime(90 * MIN - PAUSE_CHECK_MS);
    expect(changed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(PAUSE_CHECK_MS);
    expect(changed).toHaveBeenCalledTimes(2);
  });

  it('does not announce a change this process made itself (the handler refreshed and announced it)', () => {
    hourlySource();
    const changed = vi.fn();
    schedules = new ScheduledBackups(
      owner,
      async () => {},
      undefined,
      () => true,
      { changed },
    );
    pauseSources(owner, { until: 'resumed' });
    schedules.refresh();
    vi.advanceTimersByTime(2 * PAUSE_CHECK_MS);
    expect(changed).not.toHaveBeenCalled();
    expect(schedules.next()[0]?.waitingFor).toBe('resume');
  });
});
