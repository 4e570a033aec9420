/**
 * The tray shows the engine's one pause and keeps none of its own: the desktop shell runs over a
 * real engine host (temp data folder, real catalog) and the fake `electron`. A pause set through
 * the engine (as the Dashboard does), or by another process in the catalog (as `cairn pause`
 * does), shows in the tray from `app.status`; each choice of the tray's Pause submenu calls
 * `sources.pause` with the end it names, and Resume resumes.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { Catalog } from '../../src/app/catalog/catalog.js';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { pauseSources } from '../../src/app/host/pause.js';
import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineLike } from '../../src/main/engine-like.js';
import { formatUntil } from '../../src/main/tray.js';
import { repositoryWithSource, TestHost } from '../support/host.js';
import { flush, trayShellOptions } from './desktop-fixture.js';
import { resetFake, Tray } from './fake-electron.js';

const HOUR = 3_600_000;

let fixture: TestHost;
let host: EngineHost;
let home: string;
let shell: DesktopShell;
let sourceIds: number[];
/** Every call the shell made to the engine. */
let calls: Array<[string, unknown]>;
/** The shell's clock: the real time when the test started (the engine checks pauses against it). */
let t0: Date;

beforeEach(async () => {
  resetFake();
  fixture = await TestHost.open('tray-pause', { pauseCheckMs: 25 });
  host = fixture.host;
  const docs = path.join(fixture.tmp, 'docs');
  const photos = path.join(fixture.tmp, 'photos');
  await fs.mkdir(docs);
  await fs.mkdir(photos);
  const made = await repositoryWithSource(host, { location: path.join(fixture.tmp, 'disk'), source: docs });
  const second = await host.call('sources.add', { repositoryId: made.repositoryId, path: photos });
  sourceIds = [made.sourceId, second.id];
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-shell-pause-'));
  calls = [];
  const engine: EngineLike = {
    handle: (method, params) => {
      calls.push([method, params]);
      return host.handle(method, params);
    },
    subscribe: (listener) => host.subscribe(listener),
    close: () => host.close(),
  };
  t0 = new Date();
  shell = startDesktop({ ...trayShellOptions(home), engine, now: () => t0 });
  // The shell has read the status and its settings (reading them after quitting would fail).
  await vi.waitFor(() => expect(calls.map(([method]) => method)).toContain('settings.get'));
});

afterEach(async () => {
  shell.quit();
  await flush();
  await fixture.close();
  await fs.rm(home, { recursive: true, force: true });
});

const tray = () => {
  const t = Tray.instances[0];
  if (!t) throw new Error('no tray');
  return t;
};
const menu = () => tray().menu?.template ?? [];
const statusLine = () => menu()[0]?.label;
const pauseCalls = () => calls.filter(([method]) => method === 'sources.pause').map(([, params]) => params);
const click = (items: Array<Record<string, unknown>>, label: string) => {
  const item = items.find((entry) => entry.label === label);
  if (typeof item?.click !== 'function') throw new Error(`no menu item ${label}`);
  (item.click as () => void)();
};
const submenu = () => (menu().find((item) => item.label === 'Pause')?.submenu ?? []) as Array<Record<string, unknown>>;

/** The next `app.status` the host sends (the shell, subscribed first, has redrawn the tray by then). */
const nextStatus = () =>
  new Promise<void>((resolve) => {
    const off = host.subscribe((event) => {
      if (event.name === 'app.status') {
        off();
        resolve();
      }
    });
  });

describe('the tray and the engine’s pause', () => {
  it('shows a pause set through the engine, not the tray, and its end', async () => {
    expect(statusLine()).toBe('No backup yet');
    await host.call('sources.pause', { until: 'resumed' });
    expect(statusLine()).toBe('Paused until you resume');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-paused.png');
    expect(tray().tooltip).toBe('Cairn — Paused until you resume');
    expect(menu().map((item) => item.label)).toContain('Resume');

    const until = new Date(t0.getTime() + 2 * HOUR);
    await host.call('sources.pause', { until: until.toISOString(), sourceIds: [sourceIds[0] ?? 0] });
    expect(statusLine()).toBe('Paused until you resume');
    await host.call('sources.pause', { until: until.toISOString() });
    expect(statusLine()).toBe(`Paused until ${formatUntil(until, t0)}`);

    await host.call('sources.pause', { until: null });
    expect(statusLine()).toBe('No backup yet');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-idle.png');
    expect(menu().map((item) => item.label)).not.toContain('Resume');
    // None of it went through the tray.
    expect(pauseCalls()).toEqual([]);
  });

  it('follows a pause another process wrote to the catalog (as cairn pause does)', async () => {
    const guest = Catalog.open(fixture.dataDir, { guest: true });
    try {
      const until = new Date(t0.getTime() + 3 * HOUR);
      let shown = nextStatus();
      pauseSources(guest, { until: until.toISOString(), sourceIds: [sourceIds[1] ?? 0] });
      await shown;
      expect(statusLine()).toBe(`Some folders paused until ${formatUntil(until, t0)}`);
      expect(tray().image.path).toBe('/opt/Cairn/icons/tray-paused.png');

      shown = nextStatus();
      pauseSources(guest, { until: null });
      await shown;
      expect(statusLine()).toBe('No backup yet');
    } finally {
      guest.close();
    }
    expect(pauseCalls()).toEqual([]);
  });

  it('passes each choice of the Pause submenu to sources.pause with its end, and Resume resumes', async () => {
    const tomorrow8 = new Date(t0);
    tomorrow8.setDate(tomorrow8.getDate() + 1);
    tomorrow8.setHours(8, 0, 0, 0);
    const expected: Array<[string, string | null, string]> = [
      ['For 1 hour', new Date(t0.getTime() + HOUR).toISOString(), ''],
      ['For 4 hours', new Date(t0.getTime() + 4 * HOUR).toISOString(), ''],
      ['Until tomorrow 08:00', tomorrow8.toISOString(), ''],
      ['For 1 week', new Date(t0.getTime() + 7 * 24 * HOUR).toISOString(), ''],
      ['Until I resume', 'resumed', 'Paused until you resume'],
    ];
    expect(submenu().map((item) => item.label)).toEqual(expected.map(([label]) => label));
    for (const [label, until, line] of expected) {
      click(submenu(), label);
      await flush();
      expect(pauseCalls().at(-1)).toEqual({ until });
      expect(statusLine()).toBe(line || `Paused until ${formatUntil(new Date(until ?? ''), t0)}`);
    }
    // The engine holds each end as given.
    expect((await host.call('sources.list', {})).map((s) => s.pausedUntilResumed)).toEqual([true, true]);

    click(menu(), 'Resume');
    await flush();
    expect(pauseCalls().at(-1)).toEqual({ until: null });
    expect(statusLine()).toBe('No backup yet');
    expect((await host.call('sources.list', {})).map((s) => [s.pausedUntil, s.pausedUntilResumed])).toEqual([
      [null, false],
      [null, false],
    ]);
  });
});
