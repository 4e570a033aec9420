/**
 * `cairn pause` and `cairn resume` end to end, from source, on a real app data folder that a
 * running engine host owns (as the desktop app or `cairn serve` would): the command changes the
 * pause in the catalog beside it, and the host follows without a restart — its `app.status` event
 * and its scheduler. What the command prints (text and --json) says which folders wait and until
 * when; bad input gets one clear line, and the usage exit code for a usage mistake.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import type { EventPayload } from '../../src/contract/events.js';
import { cairn, json, type Run } from '../support/cli.js';
import { repositoryWithSource, TestHost } from '../support/host.js';

type AppStatus = EventPayload<'app.status'>;
interface Folder {
  id: number;
  repositoryId: string;
  repository: string;
  path: string;
  pausedUntil: string | null;
  pausedUntilResumed: boolean;
  state: string;
}
interface Report {
  changed: number[];
  pause: AppStatus['pause'];
  folders: Folder[];
}

const HOUR = 3_600_000;

let fixture: TestHost;
let host: EngineHost;
let folders: { docs: string; photos: string; music: string };
let ids: { docs: number; photos: number; music: number };
let disk: { id: string; location: string };

const run = (args: string[]): Run => cairn(args, { dataDir: fixture.dataDir });

/** The next `app.status` event the host sends that `test` accepts. */
function statusWhere(test: (status: AppStatus) => boolean): Promise<AppStatus> {
  return new Promise((resolve) => {
    const off = host.subscribe((event) => {
      if (event.name === 'app.status' && test(event.payload)) {
        off();
        resolve(event.payload);
      }
    });
  });
}

beforeAll(async () => {
  // The host re-reads the pause often here, so the test need not wait the 30 s of the app.
  fixture = await TestHost.open('cli-pause', { pauseCheckMs: 50 });
  host = fixture.host;
  folders = {
    docs: path.join(fixture.tmp, 'docs'),
    photos: path.join(fixture.tmp, 'photos'),
    music: path.join(fixture.tmp, 'music'),
  };
  for (const folder of Object.values(folders)) await fs.mkdir(folder);
  const location = path.join(fixture.tmp, 'disk');
  const a = await repositoryWithSource(host, { location, label: 'Disk', source: folders.docs });
  const photos = await host.call('sources.add', { repositoryId: a.repositoryId, path: folders.photos });
  const b = await repositoryWithSource(host, {
    location: path.join(fixture.tmp, 'nas'),
    label: 'NAS',
    source: folders.music,
  });
  disk = { id: a.repositoryId, location };
  ids = { docs: a.sourceId, photos: photos.id, music: b.sourceId };
  // Docs is backed up hourly and ran just now: its next run is an hour away.
  host.catalog.setSetting(`scheduler.lastRun.${ids.docs}`, new Date().toISOString());
  await host.call('sources.setSchedule', { id: ids.docs, schedule: { kind: 'interval', minutes: 60 } });
});

afterAll(() => fixture?.close());

describe('cairn pause and resume beside the running app', () => {
  it('pause --for 4h holds every folder; the host sends the pause in app.status', async () => {
    const picked = statusWhere((s) => s.pause?.folders === 'all');
    const before = Date.now();
    const r = run(['pause', '--for', '4h']);
    const after = Date.now();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Paused the scheduled backups of 3 folders until \d{4}-\d{2}-\d{2} \d{2}:\d{2}\.\n/);
    for (const folder of Object.values(folders)) {
      expect(r.stdout).toMatch(
        new RegExp(`${folder}\\s+(Disk|NAS)\\s+paused until \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}`),
      );
    }
    expect(r.stdout).toContain('"Back up now" and "cairn backup" are never held back.');

    const status = await picked;
    const until = Date.parse(status.pause?.until ?? '');
    expect(until).toBeGreaterThanOrEqual(before + 4 * HOUR);
    expect(until).toBeLessThanOrEqual(after + 4 * HOUR);
    const sources = await host.call('sources.list', {});
    expect(sources.map((s) => s.pausedUntil)).toEqual([status.pause?.until, status.pause?.until, status.pause?.until]);
  });

  it('pause --until-resumed of one folder of one repository (by location), as JSON; the scheduler holds it', async () => {
    const picked = statusWhere((s) => s.pause?.until === null);
    const r = run(['pause', '--until-resumed', '--repo', disk.location, '--folder', folders.docs, '--json']);
    expect(r.status).toBe(0);
    const out = json<Report>(r);
    expect(out.changed).toEqual([ids.docs]);
    expect(out.pause).toEqual({ until: null, folders: 'all' });
    expect(out.folders.find((f) => f.id === ids.docs)).toEqual({
      id: ids.docs,
      repositoryId: disk.id,
      repository: 'Disk',
      path: folders.docs,
      pausedUntil: null,
      pausedUntilResumed: true,
      state: 'paused until you resume',
    });
    expect(out.folders.find((f) => f.id === ids.music)).toMatchObject({ repository: 'NAS', pausedUntilResumed: false });

    expect((await picked).pause).toEqual({ until: null, folders: 'all' });
    // The host's scheduler re-read it too: docs' next run waits for someone to resume it.
    const [planned] = await host.call('schedule.next', {});
    expect(planned).toMatchObject({ sourceId: ids.docs, waitingFor: 'resume' });
    const docs = (await host.call('sources.list', {})).find((s) => s.id === ids.docs);
    expect(docs).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });
  });

  it('resume --folder lets one folder run again; resume lets them all; the host follows', async () => {
    const some = statusWhere((s) => s.pause?.folders === 'some');
    const one = run(['resume', '--folder', folders.photos]);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^Resumed the scheduled backups of 1 folder\.\n/);
    expect(one.stdout).toMatch(new RegExp(`${folders.photos}\\s+Disk\\s+run as scheduled`));
    expect(one.stdout).toMatch(new RegExp(`${folders.docs}\\s+Disk\\s+paused until you resume`));
    expect((await some).pause).toEqual({ until: null, folders: 'some' });

    const none = statusWhere((s) => !s.pause);
    const all = run(['resume', '--json']);
    expect(all.status).toBe(0);
    const out = json<Report>(all);
    expect(out.changed).toEqual([ids.docs, ids.photos, ids.music]);
    expect(out.pause).toBeNull();
    expect(out.folders.map((f) => f.state)).toEqual(['run as scheduled', 'run as scheduled', 'run as scheduled']);
    await none;
    const [planned] = await host.call('schedule.next', {});
    expect(planned).toMatchObject({ sourceId: ids.docs, waitingFor: null, reason: 'scheduled' });
  });

  it('explains bad input in one line and changes nothing', async () => {
    const failing = (args: string[], status: number, message: RegExp, dataDir = fixture.dataDir) => {
      const r = cairn(args, { dataDir });
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr).toMatch(message);
    };
    failing(
      ['pause'],
      2,
      /cairn pause: say how long: --for DURATION, --until TIME or --until-resumed\nusage: cairn pause/,
    );
    failing(['pause', '--for', '1h', '--until-resumed'], 2, /give only one of --for, --until and --until-resumed/);
    failing(['pause', '--for', 'soon'], 1, /^cairn pause: --for takes a duration such as 30m, 1h, 4h, 1d or 1w/);
    failing(['pause', '--until', 'noon'], 1, /^cairn pause: --until takes a time such as 14:30, tomorrow/);
    failing(['pause', '--until', '2099-01-01 10:00'], 1, /a pause can last at most 366 days/);
    const elsewhere = path.join(fixture.tmp, 'elsewhere');
    failing(
      ['pause', '--for', '1h', '--folder', elsewhere],
      1,
      new RegExp(`the app does not back up ${elsewhere} \\(its folders: `),
    );
    failing(['resume', '--repo', 'nope'], 1, /the app has no repository "nope"; it has "Disk" \(/);
    const empty = path.join(fixture.tmp, 'no-app-here');
    failing(['pause', '--for', '1h'], 1, /there is no app catalog in .*no-app-here/, empty);
    await expect(fs.stat(empty)).rejects.toThrow();

    const sources = await host.call('sources.list', {});
    expect(sources.map((s) => [s.pausedUntil, s.pausedUntilResumed])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
    const help = run(['help']);
    expect(help.stdout).toMatch(/\n {2}pause +pause scheduled backups for a time, until a time or until resumed/);
    expect(help.stdout).toMatch(/\n {2}resume +let paused scheduled backups run again/);
  });
});
