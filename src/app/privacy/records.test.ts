/**
 * The privacy records over real files in a temp data folder: consent ledger (notice version and
 * SHA-256, defaults private, every change audited, a retired purpose's records still readable;
 * usage statistics have their own suite, usage-stats.test.ts), incidents
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
    expect(states).toEqual({ backup: true, 'usage-statistics': false });
    expect(records.consent.records()).toEqual([]);
  });

  it('keeps the records of a retired purpose readable, without giving it a state or accepting it again', () => {
    const old = {
      purpose: 'product-news',
      noticeVersion: 1,
      noticeSha256: 'a'.repeat(64),
      given: true,
      at: '2025-01-01T00:00:00.000Z',
      via: 'app',
    };
    fs.writeFileSync(records.consent.file, `${JSON.stringify(old)}\n`);
    records.consent.set('usage-statistics', true, 'cli');
    expect(records.consent.records().map((r) => r.purpose)).toEqual(['product-news', 'usage-statistics']);
    expect(records.consent.records()[0]).toEqual(old);
    expect(records.consent.list().map((s) => s.purpose)).toEqual(['backup', 'usage-statistics']);
    expect(() => records.consent.set('product-news', true, 'app')).toThrow(/unknown purpose/);
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
    expect(record.recipients.map((r) => r.name)).toEqual(['this computer / your drive', '<b>Hoster</b>']);
    expect(record.retention[0]?.timeLimit).toContain('one per month for 12 month(s)');
    expect(record.security.encryption).toContain('AES-256-GCM');
    expect(record.purposes.map((p) => [p.purpose, p.given])).toEqual([
      ['backup', true],
      ['usage-statistics', false],
    ]);
    const html = processingRecordHtml(record);
    expect(html).toContain('&lt;b&gt;Hoster&lt;/b&gt;');
    expect(html).toContain('NAS &lt;script&gt;');
    expect(html).not.toContain('<script');
  });
});
