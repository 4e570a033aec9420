/**
 * The records a controller keeps, through the contract with a real EngineHost, catalog, local
 * repositories and data folder, on an injected clock: the controller's details (validated, audited
 * without their values) in the records of processing; the recipients naming each location's
 * operator; the instruction to store outside the chosen region given at set-up, revoked and given
 * again from the app (each audited, each shown in the records); and the requests register — its
 * deadline, overdue as the clock moves, a link to a real export, closing — and the export holding
 * the register.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { readZip } from '../../src/app/privacy/zip.js';
import { createRepository, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let now: number;

beforeEach(async () => {
  now = Date.parse('2026-01-31T12:00:00.000Z');
  fixture = await TestHost.open('records-requests', { clock: () => now });
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

async function audit() {
  return (await host.call('audit.list', { limit: 1000 })).reverse();
}

type Record = {
  controller: { name: string | null; contact: string | null; dpoContact: string | null };
  recipients: { name: string; role: string; region: string }[];
  locations: {
    repository: string;
    outsideChosenRegion: boolean;
    transferInstruction: { instruction: string } | null;
    instructionRevokedAt: string | null;
  }[];
};
const processing = async () => (await host.call('privacy.record', {})).json as unknown as Record;

describe('records of processing, complete', () => {
  it('holds the controller and DPO contact the user set, audited without their values', async () => {
    await expect(host.call('controller.set', { name: 'Muster GmbH' })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining("controller's contact"),
    });
    expect(await host.call('controller.get', {})).toMatchObject({ name: null, contact: null });
    const saved = await host.call('controller.set', {
      name: 'Muster GmbH',
      contact: 'Hauptstraße 1, 10115 Berlin; privacy@muster.example',
      dpoContact: 'dpo@muster.example',
    });
    expect(saved).toMatchObject({
      name: 'Muster GmbH',
      dpoContact: 'dpo@muster.example',
      updatedAt: '2026-01-31T12:00:00.000Z',
    });
    const record = await processing();
    expect(record.controller).toMatchObject({
      name: 'Muster GmbH',
      contact: 'Hauptstraße 1, 10115 Berlin; privacy@muster.example',
      dpoContact: 'dpo@muster.example',
    });
    expect((await host.call('privacy.record', {})).html).toContain('dpo@muster.example');

    await host.call('controller.set', { dpoContact: null });
    expect((await processing()).controller.dpoContact).toBeNull();
    const changes = (await audit()).filter((e) => e.action === 'controller.changed');
    expect(changes.map((e) => e.details.changed)).toEqual([['name', 'contact', 'dpoContact'], ['dpoContact']]);
    expect(JSON.stringify(changes)).not.toContain('Muster');
  });

  it('names the operator of a local repository as a recipient, with its region', async () => {
    const repo = await createRepository(host, { location: path.join(tmp, 'usb'), label: 'USB', region: 'EU' });
    const record = await processing();
    expect(record.recipients).toContainEqual({
      name: 'this computer / your drive',
      role: expect.stringContaining(`"USB" at ${repo.location}`),
      region: 'EU',
    });
  });

  it('the instruction to store outside the chosen region: given at set-up, revoked and given again, each audited and in the records', async () => {
    await host.call('privacy.region.set', { region: 'EU' });
    const eu = await createRepository(host, { location: path.join(tmp, 'eu'), label: 'EU disk', region: 'EU' });
    const us = await createRepository(host, {
      location: path.join(tmp, 'us'),
      label: 'US copy',
      region: 'US',
      allowRegionTransfer: 'offsite copy at our US office',
    });
    expect(await host.call('transfers.get', { repositoryId: us.id })).toMatchObject({
      outsideChosenRegion: true,
      chosenRegion: 'EU',
      instruction: 'offsite copy at our US office',
    });
    let record = await processing();
    expect(record.locations.find((l) => l.repository === 'US copy')).toMatchObject({
      outsideChosenRegion: true,
      transferInstruction: { instruction: 'offsite copy at our US office' },
    });

    now += 60_000;
    const revoked = await host.call('transfers.revoke', { repositoryId: us.id });
    expect(revoked).toMatchObject({ instruction: null, revokedAt: '2026-01-31T12:01:00.000Z' });
    record = await processing();
    expect(record.locations.find((l) => l.repository === 'US copy')).toMatchObject({
      transferInstruction: null,
      instructionRevokedAt: '2026-01-31T12:01:00.000Z',
    });
    await expect(host.call('transfers.revoke', { repositoryId: us.id })).rejects.toMatchObject({
      code: 'invalid-argument',
    });

    const given = await host.call('transfers.instruct', {
      repositoryId: us.id,
      instruction: 'contract renewed 2026-02',
    });
    expect(given).toMatchObject({ instruction: 'contract renewed 2026-02', instructedAt: '2026-01-31T12:01:00.000Z' });
    expect((await processing()).locations.find((l) => l.repository === 'US copy')?.transferInstruction).toMatchObject({
      instruction: 'contract renewed 2026-02',
    });
    // Inside the chosen region there is nothing to instruct.
    await expect(host.call('transfers.instruct', { repositoryId: eu.id, instruction: 'x' })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('no instruction is needed'),
    });
    await expect(host.call('transfers.get', { repositoryId: 'nope' })).rejects.toMatchObject({ code: 'not-found' });

    const trail = (await audit()).filter((e) => e.action.startsWith('region.instruction'));
    expect(trail.map((e) => [e.action, e.details.operation ?? null, e.details.instruction ?? null])).toEqual([
      ['region.instruction', 'repo.create', 'offsite copy at our US office'],
      ['region.instruction.revoked', null, null],
      ['region.instruction', 'instruct', 'contract renewed 2026-02'],
    ]);
    expect((await host.call('audit.verify', {})).ok).toBe(true);
  });
});

describe('requests register through the contract', () => {
  it('records a request due in a month, shows it overdue as time passes, links an export, and exports the register', async () => {
    const added = await host.call('requests.add', { kind: 'access', requester: 'customer 1042' });
    expect(added).toMatchObject({ receivedOn: '2026-01-31', dueOn: '2026-02-28', overdue: false, daysLeft: 28 });
    await expect(host.call('requests.add', { kind: 'access', requester: ' ' })).rejects.toMatchObject({
      code: 'invalid-request',
    });

    now = Date.parse('2026-03-02T12:00:00.000Z');
    const listed = await host.call('requests.list', {});
    expect(listed.summary).toEqual({ open: 1, overdue: 1, nextDue: '2026-02-28' });
    expect(listed.requests[0]).toMatchObject({ id: added.id, overdue: true, daysLeft: -2 });
    // The Dashboard's verdict hears of it through app.status.
    expect((await host.call('app.status', {})).overdueRequests).toBe(1);
    await expect(host.call('requests.extend', { id: added.id, reason: 'too late now' })).rejects.toMatchObject({
      code: 'invalid-argument',
    });

    const out = path.join(tmp, 'access-1042.zip');
    await host.call('privacy.export', { out });
    const linked = await host.call('requests.link', { id: added.id, link: { kind: 'export', file: out } });
    expect(linked.links).toMatchObject([{ kind: 'export', file: out }]);
    const done = await host.call('requests.close', { id: added.id, status: 'done', outcome: 'export sent' });
    expect(done).toMatchObject({ status: 'done', overdue: false, closedAt: '2026-03-02T12:00:00.000Z' });
    expect((await host.call('requests.list', { openOnly: true })).summary).toEqual({
      open: 0,
      overdue: 0,
      nextDue: null,
    });
    expect((await host.call('app.status', {})).overdueRequests).toBe(0);

    const second = path.join(tmp, 'after.zip');
    await host.call('privacy.export', { out: second });
    const files = readZip(await fs.readFile(second));
    const register = JSON.parse(files.get('requests.json')?.toString() ?? '[]') as { id: string; status: string }[];
    expect(register).toMatchObject([{ id: added.id, status: 'done', requester: 'customer 1042' }]);
    expect(files.get('requests.csv')?.toString()).toContain(`${added.id},access,customer 1042,2026-01-31,2026-02-28`);

    const actions = (await audit()).map((e) => e.action).filter((a) => a.startsWith('request.'));
    expect(actions).toEqual(['request.recorded', 'request.linked', 'request.done']);
  });
});
