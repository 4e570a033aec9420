/**
 * The privacy records over real files in a temp data folder: consent ledger (notice version and
 * SHA-256, defaults private, every change audited), usage statistics (nothing without consent,
 * buckets only, withdrawal deletes counters and outbox, sending only with an endpoint), incidents
 * (72-hour deadline, deduplication, closing needs measures), region pinning (refusal without an
 * instruction, the instruction audited) and the records of processing (escaped HTML).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from './files.js';
import { openIncidentForOpenFailure, openIncidentsForProblems } from './incidents.js';
import {
  buildProcessingRecord,
  noticeFor,
  openPrivacyRecords,
  type PrivacyRecords,
  processingRecordHtml,
} from './index.js';
import { osFamily } from './usage-stats.js';

let dataDir: string;
let clock: Date;
let records: PrivacyRecords;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-privacy-'));
  clock = new Date('2026-03-01T10:00:00.000Z');
  records = openPrivacyRecords(dataDir, 'app', { now: () => clock, appVersion: '9.9.9' });
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const actions = () => records.audit.entries().map((e) => e.action);

describe('consent ledger', () => {
  it('is private by default: optional purposes are off until given', () => {
    const states = Object.fromEntries(records.consent.list().map((s) => [s.purpose, s.given]));
    expect(states).toEqual({ backup: true, 'usage-statistics': false, 'product-news': false });
    expect(records.consent.records()).toEqual([]);
  });

  it('records purpose, notice version and SHA-256, given/withdrawn, time and channel; each change audited', () => {
    const notice = noticeFor('usage-statistics');
    expect(notice.sha256).toBe(sha256Hex(notice.text));
    records.consent.set('usage-statistics', true, 'cli');
    clock = new Date('2026-03-02T10:00:00.000Z');
    records.consent.set('usage-statistics', false, 'app');
    expect(records.consent.records()).toEqual([
      {
        purpose: 'usage-statistics',
        noticeVersion: notice.version,
        noticeSha256: notice.sha256,
        given: true,
        at: '2026-03-01T10:00:00.000Z',
        via: 'cli',
      },
      {
        purpose: 'usage-statistics',
        noticeVersion: notice.version,
        noticeSha256: notice.sha256,
        given: false,
        at: '2026-03-02T10:00:00.000Z',
        via: 'app',
      },
    ]);
    expect(records.consent.isGiven('usage-statistics')).toBe(false);
    expect(actions()).toEqual(['consent.given', 'consent.withdrawn']);
    expect(records.audit.entries()[0]?.details).toMatchObject({
      purpose: 'usage-statistics',
      noticeSha256: notice.sha256,
    });
    // another process (a CLI) sees the same ledger
    expect(openPrivacyRecords(dataDir, 'cli').consent.state('usage-statistics').last?.given).toBe(false);
  });

  it('refuses unknown purposes', () => {
    expect(() => records.consent.set('marketing', true, 'app')).toThrow(/unknown purpose/);
  });
});

describe('usage statistics', () => {
  it('counts nothing without consent', () => {
    records.usage.recordBackup(5000);
    records.usage.recordRestore();
    expect(records.usage.preview()).toBeNull();
    expect(fs.existsSync(records.usage.file)).toBe(false);
  });

  it('keeps only anonymous aggregates, shows the exact payload, and withdrawal deletes counters and outbox', async () => {
    records.consent.set('usage-statistics', true, 'app');
    records.usage.recordBackup(10);
    records.usage.recordBackup(50 * 2 ** 20);
    records.usage.recordBackup(3 * 2 ** 30);
    records.usage.recordRestore();
    const payload = records.usage.preview();
    expect(payload).toEqual({
      schema: 1,
      appVersion: '9.9.9',
      osFamily: osFamily(),
      period: { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T10:00:00.000Z' },
      backups: 3,
      restores: 1,
      backupSizeBuckets: { '<1MiB': 1, '1-100MiB': 1, '1-10GiB': 1 },
    });
    const stored = fs.readFileSync(records.usage.file, 'utf8');
    expect(stored).not.toContain(dataDir);
    expect(stored).not.toContain(os.hostname());

    const queued = records.usage.queue();
    expect(queued && JSON.parse(fs.readFileSync(queued, 'utf8'))).toEqual(payload);
    expect(records.usage.pending()).toHaveLength(1);
    // no endpoint configured: nothing is sent, and the fetch is never called
    let calls = 0;
    const fakeFetch = (async () => {
      calls++;
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    expect(await records.usage.send(fakeFetch)).toBe(0);
    expect(calls).toBe(0);
    // with an endpoint, the outbox is posted and emptied
    records.settings.update({ usageEndpoint: 'https://stats.example.invalid/v1' });
    expect(await records.usage.send(fakeFetch)).toBe(1);
    expect(calls).toBe(1);
    expect(records.usage.pending()).toHaveLength(0);

    records.usage.recordBackup(10);
    records.usage.queue();
    records.usage.recordBackup(10);
    expect(records.usage.pending()).toHaveLength(1);
    records.consent.set('usage-statistics', false, 'app');
    records.usage.discard();
    expect(records.usage.pending()).toEqual([]);
    expect(records.usage.preview()).toBeNull();
    records.usage.recordBackup(10);
    expect(records.usage.preview()).toBeNull();
  });

  it('refuses a statistics address that is not https', () => {
    expect(() => records.settings.update({ usageEndpoint: 'http://stats.example.com/' })).toThrow(/https/);
  });
});

describe('incident register', () => {
  it('opens with a 72-hour deadline, counts down, deduplicates findings, and closes only with measures', () => {
    const repo = { id: 'r1', label: 'Disk' };
    const [first] = openIncidentsForProblems(
      records.incidents,
      repo,
      [{ object: 'pack 1234', message: 'missing: 3 blobs it held are lost' }],
      'a check',
    );
    expect(first).toMatchObject({
      kind: 'missing-data',
      status: 'open',
      repositoryId: 'r1',
      detectedAt: '2026-03-01T10:00:00.000Z',
      notifyBy: '2026-03-04T10:00:00.000Z',
      hoursLeft: 72,
      notification: 'not-assessed',
      encryptedUnderSecretKeys: true,
    });
    clock = new Date('2026-03-02T12:00:00.000Z');
    openIncidentsForProblems(records.incidents, repo, [{ object: 'pack 5678', message: 'missing' }], 'verification');
    openIncidentsForProblems(
      records.incidents,
      repo,
      [{ object: 'pack 9abc', message: 'its content does not match its name' }],
      'verification',
    );
    const open = records.incidents.list({ openOnly: true });
    expect(open.map((i) => i.kind).sort()).toEqual(['authentication-failure', 'missing-data']);
    const missing = open.find((i) => i.kind === 'missing-data');
    expect(missing?.findings).toHaveLength(2);
    expect(missing?.hoursLeft).toBe(46);

    expect(() => records.incidents.update(missing?.id as string, { close: true })).toThrow(/measures/);
    const closed = records.incidents.update(missing?.id as string, {
      close: true,
      measures: ['restored the pack from the second copy'],
      notification: 'not-required',
    });
    expect(closed).toMatchObject({ status: 'closed', hoursLeft: null, closedAt: '2026-03-02T12:00:00.000Z' });
    expect(records.incidents.list({ openOnly: true })).toHaveLength(1);
    expect(actions()).toEqual(['incident.opened', 'incident.finding', 'incident.opened', 'incident.closed']);
  });

  it('opens on integrity failures when opening a repository, not on a wrong password', () => {
    const repo = { id: null, label: '/mnt/x', location: '/mnt/x' };
    const wrong = Object.assign(new Error('wrong password (no key slot matches)'), { code: 'wrong-password' });
    expect(openIncidentForOpenFailure(records.incidents, repo, wrong)).toBeUndefined();
    const config = Object.assign(new Error('the repository config failed authentication'), { code: 'integrity' });
    expect(openIncidentForOpenFailure(records.incidents, repo, config)?.kind).toBe('config-changed');
    const slot = Object.assign(new Error('wrong password, or the matching key slot is damaged'), { code: 'integrity' });
    expect(openIncidentForOpenFailure(records.incidents, repo, slot)?.kind).toBe('unknown-key-slot');
  });
});

describe('region pinning', () => {
  it('refuses another region without an instruction, and audits the instruction', () => {
    const target = { location: '/mnt/usb', operation: 'init' };
    records.regions.authorize('US', target); // nothing chosen yet: nothing pinned
    records.regions.choose('EU');
    expect(() => records.regions.authorize('US', target)).toThrow(/chosen region is EU/);
    records.regions.authorize('EU', target);
    records.regions.authorize('US', target, 'copy for the US office, approved by the DPO');
    const last = records.audit.entries().at(-1);
    expect(last).toMatchObject({
      action: 'region.instruction',
      details: { from: 'EU', to: 'US', instruction: 'copy for the US office, approved by the DPO' },
    });
    expect(() => records.regions.choose('Mars')).toThrow(/unknown region/);
  });

  it('records each storage location with its region once', () => {
    records.regions.record({ location: '/a', repositoryId: 'r', region: 'EU', via: 'cli' });
    records.regions.record({ location: '/a', repositoryId: 'r', region: 'EU', via: 'app' });
    expect(records.regions.locations()).toMatchObject([{ location: '/a', region: 'EU', via: 'cli' }]);
    expect(actions().filter((a) => a === 'location.added')).toHaveLength(1);
  });
});

describe('records of processing', () => {
  it('lists purposes, recipients, regions, time limits and security, and escapes the HTML', () => {
    records.settings.update({ subProcessors: [{ name: '<b>Hoster</b>', role: 'object storage', region: 'EU' }] });
    const record = buildProcessingRecord({
      appVersion: '9.9.9',
      dataDir,
      repositories: [{ id: 'r1', label: 'NAS <script>', location: '/mnt/nas', region: 'EU', lastBackupAt: null }],
      sources: [{ id: 1, repositoryId: 'r1', path: '/home/me', excludes: [], schedule: null }],
      retention: [{ repositoryId: 'r1', policy: { daily: 7, monthly: 12 }, prune: true }],
      settings: records.settings.read(),
      consent: records.consent.list(),
    });
    expect(record.recipients.map((r) => r.name)).toEqual(['/mnt/nas', '<b>Hoster</b>']);
    expect(record.retention[0]?.timeLimit).toContain('one per month for 12 month(s)');
    expect(record.security.encryption).toContain('AES-256-GCM');
    expect(record.purposes.map((p) => [p.purpose, p.given])).toEqual([
      ['backup', true],
      ['usage-statistics', false],
      ['product-news', false],
    ]);
    const html = processingRecordHtml(record);
    expect(html).toContain('&lt;b&gt;Hoster&lt;/b&gt;');
    expect(html).toContain('NAS &lt;script&gt;');
    expect(html).not.toContain('<script');
  });
});
