/**
 * The requests register (GDPR Art. 12) over real files in a temp data folder, on an injected
 * clock: the one-month deadline by the calendar rule (31 January → last day of February), the
 * extension to three months (once, with a reason, within the first month), overdue detection as
 * the clock moves, closing as done or refused (a reason required), links to a real export ZIP,
 * an erasure receipt (by hash, never the path) and a frozen point, persistence across reopening,
 * and an audit entry per change that never names the requester.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErasureRecords } from '../../src/app/privacy/erasure/records.js';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import { addMonths, daysBetween } from '../../src/app/privacy/requests-dates.js';
import { FrozenPoints } from '../../src/app/privacy/restriction/frozen.js';
import { buildZip } from '../../src/app/privacy/zip.js';
import { linkRequest } from '../../src/app/services/requests.js';

let dataDir: string;
let clock: Date;
let records: PrivacyRecords;

const open = () => openPrivacyRecords(dataDir, 'app', { now: () => clock, appVersion: '9.9.9' });

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-requests-'));
  // Midday UTC: the same calendar day in every time zone the tests may run in.
  clock = new Date('2026-01-31T12:00:00.000Z');
  records = open();
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('deadlines', () => {
  it('counts a month to the same day, or the last day of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-15', 1)).toBe('2026-02-15');
    expect(addMonths('2026-12-31', 1)).toBe('2027-01-31');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-01-31', 3)).toBe('2026-04-30');
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
    expect(() => addMonths('2026-02-30', 1)).toThrow(/not a date/);
  });

  it('a request received on 31 January is due on 28 February, and overdue from 1 March', () => {
    const r = records.requests.add({ kind: 'access', requester: 'customer 1042' });
    expect(r).toMatchObject({ receivedOn: '2026-01-31', dueOn: '2026-02-28', status: 'open', overdue: false });
    expect(r.daysLeft).toBe(28);
    clock = new Date('2026-02-28T12:00:00.000Z');
    expect(records.requests.get(r.id)).toMatchObject({ overdue: false, daysLeft: 0 });
    clock = new Date('2026-03-01T12:00:00.000Z');
    expect(records.requests.get(r.id)).toMatchObject({ overdue: true, daysLeft: -1 });
    // Closed, it is no longer overdue.
    records.requests.close(r.id, 'done', 'export sent by post');
    expect(records.requests.get(r.id)).toMatchObject({ status: 'done', overdue: false, daysLeft: null });
  });

  it('refuses a date to come, a date that is none, an unknown kind and an empty reference', () => {
    expect(() => records.requests.add({ kind: 'access', requester: 'A', receivedOn: '2026-02-01' })).toThrow(
      /after today/,
    );
    expect(() => records.requests.add({ kind: 'access', requester: 'A', receivedOn: '31.01.2026' })).toThrow(
      /YYYY-MM-DD/,
    );
    expect(() => records.requests.add({ kind: 'deletion', requester: 'A' })).toThrow(/unknown kind of request/);
    expect(() => records.requests.add({ kind: 'erasure', requester: '  ' })).toThrow(/reference to who made/);
    expect(records.requests.list()).toEqual([]);
  });
});

describe('extension and closing', () => {
  it('extends once to three months from receipt, with a reason, only within the first month', () => {
    const r = records.requests.add({ kind: 'portability', requester: 'J. D.', receivedOn: '2026-01-10' });
    expect(() => records.requests.extend(r.id, ' ')).toThrow(/reason for the extension/);
    const extended = records.requests.extend(r.id, 'many requests this month');
    expect(extended).toMatchObject({ dueOn: '2026-04-10', extension: { reason: 'many requests this month' } });
    expect(() => records.requests.extend(r.id, 'again')).toThrow(/already extended/);

    const late = records.requests.add({ kind: 'access', requester: 'K', receivedOn: '2025-12-01' });
    expect(late.overdue).toBe(true); // due 2026-01-01
    expect(() => records.requests.extend(late.id, 'too late')).toThrow(/within the first month/);
  });

  it('a refusal needs its reason; a closed request cannot be closed or extended again', () => {
    const r = records.requests.add({ kind: 'objection', requester: 'M' });
    expect(() => records.requests.close(r.id, 'refused', '')).toThrow(/reason for refusing/);
    const refused = records.requests.close(r.id, 'refused', 'manifestly unfounded: repeated request (Art. 12(5))');
    expect(refused).toMatchObject({ status: 'refused', outcome: expect.stringContaining('manifestly unfounded') });
    expect(() => records.requests.close(r.id, 'done')).toThrow(/already refused/);
    expect(() => records.requests.extend(r.id, 'x')).toThrow(/only an open request/);
  });

  it('lists open requests first, soonest deadline first; persists; audits without the requester', () => {
    const a = records.requests.add({ kind: 'access', requester: 'Alice Example', receivedOn: '2026-01-20' });
    const b = records.requests.add({ kind: 'erasure', requester: 'Bob Example', receivedOn: '2026-01-05' });
    const c = records.requests.add({ kind: 'rectification', requester: 'Carol Example', receivedOn: '2026-01-25' });
    records.requests.close(c.id, 'done');
    records.requests.extend(a.id, 'complex request');
    const again = open(); // another process, reading the same files
    expect(again.requests.list().map((r) => r.id)).toEqual([b.id, a.id, c.id]);
    expect(again.requests.list({ openOnly: true }).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(again.requests.get(a.id.slice(0, 12)).requester).toBe('Alice Example');

    const entries = records.audit.entries().filter((e) => e.action.startsWith('request.'));
    expect(entries.map((e) => e.action)).toEqual([
      'request.recorded',
      'request.recorded',
      'request.recorded',
      'request.done',
      'request.extended',
    ]);
    expect(entries[0]?.details).toMatchObject({ id: a.id, kind: 'access', dueOn: '2026-02-20' });
    const trail = fs.readFileSync(records.audit.file, 'utf8');
    for (const name of ['Alice', 'Bob', 'Carol']) expect(trail).not.toContain(name);
    expect(records.audit.verify().ok).toBe(true);
  });

  it('a damaged register is an error, not an empty list', () => {
    fs.writeFileSync(records.requests.file, '{"version":1,"requests":');
    expect(() => records.requests.list()).toThrow(/not valid JSON/);
  });
});

describe('links', () => {
  it('links an export ZIP by its SHA-256, an erasure by its receipt hash, a freeze by its point', () => {
    const r = records.requests.add({ kind: 'erasure', requester: 'customer 7' });

    const zip = path.join(dataDir, 'export-for-customer-7.zip');
    fs.writeFileSync(zip, buildZip([{ name: 'manifest.json', data: '{}' }], clock));
    const notExport = path.join(dataDir, 'notes.zip');
    fs.writeFileSync(notExport, buildZip([{ name: 'notes.txt', data: 'x' }], clock));
    expect(() => linkRequest(records, dataDir, r.id, { kind: 'export', file: notExport })).toThrow(
      /not a Cairn export/,
    );
    expect(() => linkRequest(records, dataDir, r.id, { kind: 'export', file: 'relative.zip' })).toThrow(
      /absolute path/,
    );
    const exported = linkRequest(records, dataDir, r.id, { kind: 'export', file: zip });
    expect(exported.links[0]).toMatchObject({ kind: 'export', file: zip, bytes: fs.statSync(zip).size });
    expect(exported.links[0]).toHaveProperty('sha256', expect.stringMatching(/^[0-9a-f]{64}$/));
    expect(() => linkRequest(records, dataDir, r.id, { kind: 'export', file: zip })).toThrow(/already linked/);

    const pathHash = 'ab'.repeat(32);
    new ErasureRecords(dataDir).writeReceipt({
      version: 1,
      request: 'erase-20260131T110000Z-1a2b3c4d',
      kind: 'erase-path',
      scope: { repositoryId: 'repo-1', repositoryLocation: '/mnt/nas', pathHash },
      requestedAt: '2026-01-31T11:00:00.000Z',
      physicallyDeletedAt: '2026-01-31T11:01:00.000Z',
    });
    expect(() => linkRequest(records, dataDir, r.id, { kind: 'erasure', request: 'erase-2025' })).toThrow(
      /no erasure receipt/,
    );
    const erased = linkRequest(records, dataDir, r.id, { kind: 'erasure', request: 'erase-20260131T110000Z' });
    expect(erased.links[1]).toMatchObject({
      kind: 'erasure',
      request: 'erase-20260131T110000Z-1a2b3c4d',
      pathHash,
      completedAt: '2026-01-31T11:01:00.000Z',
    });

    const frozen = new FrozenPoints(dataDir);
    const snapshotId = 'f00dcafe'.repeat(8);
    expect(() =>
      linkRequest(records, dataDir, r.id, { kind: 'freeze', repositoryId: 'repo-1', snapshotId: 'f00dcafe' }),
    ).toThrow(/never frozen/);
    frozen.freeze('repo-1', snapshotId, 'restriction requested by customer 7', clock);
    frozen.unfreeze('repo-1', snapshotId, clock); // lifted since: still linkable from the freeze log
    const restricted = linkRequest(records, dataDir, r.id, { kind: 'freeze', snapshotId: 'f00dcafe' });
    expect(restricted.links[2]).toMatchObject({ kind: 'freeze', repositoryId: 'repo-1', snapshotId });

    expect(
      records.audit
        .entries()
        .filter((e) => e.action === 'request.linked')
        .map((e) => e.details.link),
    ).toEqual(['export', 'erasure', 'freeze']);
    expect(fs.readFileSync(records.audit.file, 'utf8')).not.toContain('customer-7');
  });

  it('an unknown request is named before anything is looked for', () => {
    expect(() => linkRequest(records, dataDir, 'nope', { kind: 'erasure', request: 'x' })).toThrow(/no request nope/);
  });
});
