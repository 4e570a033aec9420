/**
 * The machine conditions through the contract: a folder's "only when idle" and "not on a metered
 * connection" are kept in the catalog, the desktop's readings (`app.setConditions`) hold a due
 * scheduled backup back with the reason in `schedule.next` and `app.status`, and the backup runs
 * once the condition clears. With nothing reporting (as under `cairn serve`) the conditions are
 * unknown and hold nothing back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineConditionsValue } from '../../src/contract/conditions.js';
import { repositoryWithSource, TestHost } from '../support/host.js';

let fixture: TestHost;

beforeEach(async () => {
  fixture = await TestHost.open('schedule-conditions');
});
afterEach(() => fixture?.close());

async function scheduledSource(conditions: { onlyWhenIdle?: boolean; avoidMeteredNetwork?: boolean }) {
  const src = path.join(fixture.tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'a.txt'), 'held back');
  const { repositoryId, sourceId } = await repositoryWithSource(fixture.host, {
    location: path.join(fixture.tmp, 'repo'),
    source: src,
  });
  // A folder that never ran on a schedule is due at once.
  const source = await fixture.host.call('sources.setSchedule', {
    id: sourceId,
    schedule: { kind: 'interval', minutes: 60 },
    ...conditions,
  });
  return { repositoryId, sourceId, source };
}

const reading = (state: 'yes' | 'no' | 'unknown' | 'unsupported', detail: string | null = null) => ({
  state,
  detail,
});

async function backupTasks(): Promise<string[]> {
  const tasks = await fixture.host.call('tasks.list', {});
  return tasks.filter((t) => t.kind === 'backup').map((t) => t.status);
}

describe('scheduled backups and machine conditions', () => {
  it('reports no conditions until the desktop sends them, then the last reading', async () => {
    const { host } = fixture;
    expect(await host.call('schedule.conditions', {})).toBeNull();
    const conditions: MachineConditionsValue = {
      idle: reading('no'),
      metered: reading('unsupported', 'macOS does not tell programs whether a connection is metered'),
    };
    await host.call('app.setConditions', conditions);
    expect(await host.call('schedule.conditions', {})).toEqual(conditions);
    await expect(host.handle('app.setConditions', { idle: reading('no') })).rejects.toMatchObject({
      code: 'invalid-request',
    });
  });

  it('keeps both conditions with the folder, off unless set, across a restart', async () => {
    const { sourceId, source } = await scheduledSource({ onlyWhenIdle: true, avoidMeteredNetwork: true });
    expect(source).toMatchObject({ onlyWhenIdle: true, avoidMeteredNetwork: true, requireAcPower: false });
    const host = await fixture.reopen();
    const [listed] = await host.call('sources.list', {});
    expect(listed).toMatchObject({ id: sourceId, onlyWhenIdle: true, avoidMeteredNetwork: true });
    const cleared = await host.call('sources.setSchedule', { id: sourceId, schedule: null });
    expect(cleared).toMatchObject({ schedule: null, onlyWhenIdle: false, avoidMeteredNetwork: false });
  });

  it('holds a due backup on a metered connection, says so, and runs it once the connection is not metered', async () => {
    const { host } = fixture;
    const statuses: unknown[] = [];
    const unsubscribe = host.subscribe((event) => {
      if (event.name === 'app.status') statuses.push(event.payload);
    });
    await host.call('app.setConditions', { idle: reading('yes'), metered: reading('yes') });
    const { repositoryId, sourceId } = await scheduledSource({ avoidMeteredNetwork: true });
    const [planned] = await host.call('schedule.next', {});
    expect(planned).toMatchObject({ sourceId, waitingFor: 'unmetered-network' });
    expect((await host.call('app.status', {})).scheduleWaiting).toEqual(['unmetered-network']);
    // Held by the plan itself, so nothing started.
    expect(await backupTasks()).toEqual([]);

    await host.call('app.setConditions', { idle: reading('yes'), metered: reading('no', null) });
    await vi.waitFor(async () => expect(await backupTasks()).toEqual(['succeeded']), { timeout: 20_000 });
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(1);
    expect((await host.call('app.status', {})).scheduleWaiting).toEqual([]);
    // The tray heard both: the wait, and its end.
    const waiting = statuses.map((s) => (s as { scheduleWaiting?: string[] }).scheduleWaiting);
    expect(waiting).toContainEqual(['unmetered-network']);
    expect(waiting.at(-1)).toEqual([]);
    unsubscribe();
  });

  it('holds a due backup while the computer is in use', async () => {
    const { host } = fixture;
    await host.call('app.setConditions', { idle: reading('no'), metered: reading('no') });
    const { sourceId } = await scheduledSource({ onlyWhenIdle: true });
    expect((await host.call('schedule.next', {}))[0]).toMatchObject({ sourceId, waitingFor: 'idle' });
    expect((await host.call('app.status', {})).scheduleWaiting).toEqual(['idle']);
    expect(await backupTasks()).toEqual([]);
    await host.call('app.setConditions', { idle: reading('yes'), metered: reading('no') });
    await vi.waitFor(async () => expect(await backupTasks()).toEqual(['succeeded']), { timeout: 20_000 });
  });

  it('holds nothing back when the readings are unknown or unsupported', async () => {
    const { host } = fixture;
    await host.call('app.setConditions', {
      idle: reading('unknown', 'the system did not say'),
      metered: reading('unknown', 'nmcli is not installed'),
    });
    await scheduledSource({ onlyWhenIdle: true, avoidMeteredNetwork: true });
    expect((await host.call('app.status', {})).scheduleWaiting).toEqual([]);
    await vi.waitFor(async () => expect(await backupTasks()).toEqual(['succeeded']), { timeout: 20_000 });
  });
});
