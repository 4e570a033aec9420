/**
 * The privacy records through the contract with a real EngineHost, catalog, repository and data
 * folder: consent (withdrawing backup stops scheduled backups and offers erasure), region pinning
 * on repo.create, audit entries for settings, sources, schedules, retention, backups and restores,
 * incidents by hand and from a check finding a damaged pack (with the incidents.changed event),
 * the export ZIP, the records of processing, the overview and the usage payload preview.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EngineHost } from '../../src/app/host/engine-host.js';
import { readZip } from '../../src/app/privacy/zip.js';
import { ContractError } from '../../src/contract/errors.js';
import { flipByte, largestFile } from '../engine/helpers.js';
import { backUp, createRepository, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let src: string;
let events: EngineEvent[];

beforeEach(async () => {
  fixture = await TestHost.open('privacy-host');
  ({ tmp, host } = fixture);
  events = [];
  host.subscribe((e) => events.push(e));
  src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'secret.txt'), 'TOP SECRET content');
});
afterEach(() => fixture?.close());

async function repository(region: 'this-device' | 'EU' | 'US' = 'this-device') {
  return createRepository(host, { location: path.join(tmp, `repo-${region}`), region });
}

async function actions(): Promise<string[]> {
  return (await host.call('audit.list', { limit: 1000 })).map((e) => e.action).reverse();
}

describe('privacy through the contract', () => {
  it('consent: optional purposes off by default; withdrawing backup stops scheduled backups and offers erasure', async () => {
    const initial = await host.call('consent.list', {});
    expect(initial.map((c) => [c.purpose, c.given])).toEqual([
      ['backup', true],
      ['usage-statistics', false],
    ]);
    const repo = await repository();
    const source = await host.call('sources.add', { repositoryId: repo.id, path: src });
    await host.call('sources.setSchedule', { id: source.id, schedule: { kind: 'interval', minutes: 60 } });
    expect(await host.call('schedule.next', {})).toHaveLength(1);

    const withdrawn = await host.call('consent.set', { purpose: 'backup', given: false });
    expect(withdrawn).toMatchObject({ offerErasure: true, state: { given: false, last: { via: 'app' } } });
    expect(await host.call('schedule.next', {})).toEqual([]);
    const given = await host.call('consent.set', { purpose: 'backup', given: true });
    expect(given.offerErasure).toBe(false);
    expect(await host.call('schedule.next', {})).toHaveLength(1);

    expect(await actions()).toEqual([
      'location.added',
      'consent.given',
      'repository.created',
      'source.added',
      'schedule.changed',
      'consent.withdrawn',
      'consent.given',
    ]);
    expect((await host.call('audit.verify', {})).ok).toBe(true);
  });

  it('region pinning: repo.create outside the chosen region needs an explicit instruction, which is audited', async () => {
    await host.call('privacy.region.set', { region: 'EU' });
    await expect(repository('US')).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(fs.stat(path.join(tmp, 'repo-US'))).rejects.toThrow(); // nothing was written
    const us = await host.call('repo.create', {
      location: path.join(tmp, 'repo-US'),
      password: 'pw',
      label: 'US copy',
      region: 'US',
      allowRegionTransfer: 'copy for the US office',
    });
    const entries = await host.call('audit.list', {});
    expect(entries.find((e) => e.action === 'region.instruction')?.details).toMatchObject({
      operation: 'repo.create',
      from: 'EU',
      to: 'US',
      instruction: 'copy for the US office',
    });
    // A copy on this device sends the data to no one: it needs no instruction and is not outside.
    const local = await repository('this-device');
    const regions = await host.call('privacy.region.get', {});
    expect(regions).toMatchObject({ chosen: 'EU' });
    expect(regions.locations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ repositoryId: us.id, region: 'US', outsideChosenRegion: true }),
        expect.objectContaining({ repositoryId: local.id, region: 'this-device', outsideChosenRegion: false }),
      ]),
    );
  });

  it('audits retention changes, backups and restores, and counts them only with consent', async () => {
    const repo = await repository();
    await host.call('sources.add', { repositoryId: repo.id, path: src });
    await host.call('retention.set', { repositoryId: repo.id, policy: { daily: 7 } });
    await backUp(host, repo.id);
    expect((await host.call('usage.preview', {})).payload).toMatchObject({ backups: '0', restores: '0' });
    await host.call('consent.set', { purpose: 'usage-statistics', given: true });
    const snapshotId = await backUp(host, repo.id);
    const target = path.join(tmp, 'restored');
    const { taskId } = await host.call('restore.start', { repositoryId: repo.id, snapshotId, target });
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    const all = await host.call('audit.list', { limit: 1000 });
    const backups = all.filter((e) => e.action === 'backup.completed');
    expect(backups).toHaveLength(2);
    expect(backups.every((e) => typeof e.details.taskId === 'string')).toBe(true);
    const restores = all.filter((e) => e.action === 'restore.completed');
    expect(restores).toHaveLength(1);
    expect(restores[0]?.details).toMatchObject({ taskId, snapshotId, target });
    expect(all.find((e) => e.action === 'retention.changed')?.details).toMatchObject({ policy: { daily: 7 } });
    const usage = await host.call('usage.preview', {});
    expect(usage).toMatchObject({
      enabled: true,
      endpoint: null,
      pending: 0,
      payload: { backups: '1-5', restores: '1-5' },
      privacy: { epsilonPerCounter: Math.log(3) },
    });
    expect(JSON.stringify(usage)).not.toContain(tmp);
    const off = await host.call('consent.set', { purpose: 'usage-statistics', given: false });
    expect(off.message).toMatch(/deleted/);
    expect((await host.call('usage.preview', {})).payload).toMatchObject({ backups: '0', restores: '0' });
    const page = await host.call('audit.list', { limit: 2, before: all[0]?.seq });
    expect(page.map((e) => e.seq)).toEqual([(all[0]?.seq as number) - 1, (all[0]?.seq as number) - 2]);
  });

  it('incidents: by hand with the 72-hour clock, and on their own when a check finds a damaged pack', async () => {
    const manual = await host.call('incidents.open', { title: 'Backup disk lost on a train', measures: ['reported'] });
    expect(manual).toMatchObject({ kind: 'manual', status: 'open', notification: 'not-assessed' });
    expect(manual.hoursLeft).toBeGreaterThan(71.9);
    expect(events.filter((e) => e.name === 'incidents.changed').at(-1)?.payload).toHaveLength(1);
    const closed = await host.call('incidents.close', { id: manual.id, notification: 'not-required' });
    expect(closed.status).toBe('closed');
    expect(events.filter((e) => e.name === 'incidents.changed').at(-1)?.payload).toEqual([]);

    const repo = await repository();
    await host.call('sources.add', { repositoryId: repo.id, path: src });
    await backUp(host, repo.id);
    const { file } = await largestFile(path.join(tmp, 'repo-this-device', 'data'));
    await flipByte(file, 100);
    const { taskId } = await host.call('check.start', { repositoryId: repo.id, readData: true });
    expect((await host.tasks.settled(taskId)).status).toBe('failed');
    const open = await host.call('incidents.list', { openOnly: true });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      kind: 'authentication-failure',
      repositoryId: repo.id,
      encryptedUnderSecretKeys: true,
    });
    expect(events.filter((e) => e.name === 'incidents.changed').at(-1)?.payload).toHaveLength(1);
    expect((await host.call('privacy.overview', {})).openIncidents).toBe(1);
    await expect(host.call('incidents.close', { id: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('opening a repository whose config was changed opens an incident; a wrong password does not', async () => {
    const repo = await repository();
    await host.call('repo.lock', { repositoryId: repo.id });
    await expect(host.call('repo.unlock', { repositoryId: repo.id, password: 'wrong' })).rejects.toMatchObject({
      code: 'wrong-password',
    });
    expect(await host.call('incidents.list', {})).toEqual([]);
    const config = path.join(tmp, 'repo-this-device', 'config');
    const stat = await fs.stat(config);
    await flipByte(config, stat.size - 5);
    await expect(host.call('repo.unlock', { repositoryId: repo.id, password: 'pw' })).rejects.toMatchObject({
      code: 'integrity',
    });
    const incidents = await host.call('incidents.list', {});
    expect(incidents).toMatchObject([{ kind: 'config-changed', repositoryId: repo.id }]);
  });

  it('exports everything as a ZIP with a manifest, and the records of processing', async () => {
    await host.call('privacy.setSubProcessors', {
      subProcessors: [{ name: 'Example Storage GmbH', role: 'object storage', region: 'EU' }],
    });
    await host.call('consent.set', { purpose: 'usage-statistics', given: true });
    await host.call('usage.setEndpoint', { endpoint: 'https://stats.example.com/v2' });
    const repo = await repository();
    await host.call('sources.add', { repositoryId: repo.id, path: src });
    await host.call('retention.set', { repositoryId: repo.id, policy: { monthly: 6 } });
    const snapshotId = await backUp(host, repo.id);
    const out = path.join(tmp, 'export.zip');
    const result = await host.call('privacy.export', { out });
    expect(result).toMatchObject({ path: out, skippedLocked: [] });
    const files = readZip(await fs.readFile(out));
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '{}') as {
      files: { name: string; sha256: string }[];
    };
    expect(manifest.files.length).toBe(result.files.length);
    for (const f of manifest.files) {
      expect(
        crypto
          .createHash('sha256')
          .update(files.get(f.name) as Buffer)
          .digest('hex'),
      ).toBe(f.sha256);
    }
    // The statistics: this week's counts, the address, and the receiver among the recipients.
    expect(JSON.parse(files.get('usage-statistics.json')?.toString() ?? '{}')).toMatchObject({
      endpoint: 'https://stats.example.com/v2',
      counters: { backups: 1 },
      pending: [],
      sentWeeks: [],
    });
    const processing = JSON.parse(files.get('records-of-processing.json')?.toString() ?? '{}') as {
      recipients: { name: string; role: string }[];
    };
    expect(processing.recipients).toContainEqual(
      expect.objectContaining({
        name: 'stats.example.com',
        role: expect.stringContaining('usage-statistics receiver'),
      }),
    );
    const sources = JSON.parse(files.get('sources.json')?.toString() ?? '[]') as { path: string }[];
    expect(sources.map((s) => s.path)).toEqual([src]);
    const tasks = JSON.parse(files.get('task-history.json')?.toString() ?? '[]') as { kind: string }[];
    expect(tasks.map((t) => t.kind)).toContain('backup');
    const index = files
      .get(`recovery-points/${repo.id.slice(0, 16)}/${snapshotId.slice(0, 16)}/file-index.csv`)
      ?.toString();
    expect(index).toContain('/secret.txt,file,18,');
    for (const [name, bytes] of files) expect(bytes.includes(Buffer.from('TOP SECRET')), name).toBe(false);
    await expect(host.call('privacy.export', { out })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(host.call('privacy.export', { out: 'relative.zip' })).rejects.toBeInstanceOf(ContractError);

    // a locked repository is left out (and said so), unless asked for by id
    await host.call('repo.lock', { repositoryId: repo.id });
    const locked = await host.call('privacy.export', { out: path.join(tmp, 'locked.zip') });
    expect(locked.skippedLocked).toEqual([repo.id]);
    await expect(
      host.call('privacy.export', { out: path.join(tmp, 'x.zip'), repositoryId: repo.id }),
    ).rejects.toMatchObject({
      code: 'locked',
    });

    const record = await host.call('privacy.record', {});
    expect(record.html).toContain('Example Storage GmbH');
    expect(record.json).toMatchObject({ retention: [{ repository: 'Disk' }] });
    expect(JSON.stringify(record.json)).toContain('one per month for 6 month(s)');
    const overview = await host.call('privacy.overview', {});
    expect(overview).toMatchObject({
      chosenRegion: null,
      subProcessors: [{ name: 'Example Storage GmbH' }],
      audit: { intact: true },
      locations: [{ repositoryId: repo.id, region: 'this-device' }],
    });
    expect((await actions()).filter((a) => a === 'export.created')).toHaveLength(2);
  });
});
