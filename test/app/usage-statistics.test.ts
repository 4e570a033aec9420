/**
 * Usage statistics over real files in a temp data folder, with the clock and the randomness
 * injected: nothing counted without consent; one week's counts become one randomised report when
 * the week is over, queued with a send time drawn once within 72 hours after the week's end and
 * kept across a restart; a report is sent once (never before its time, never without consent or
 * address, never a second time for the same week), a failure leaves it queued; withdrawal deletes
 * what was not sent; payloads of the old format are deleted, never sent; the address is validated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import type { RandomInt } from '../../src/app/privacy/randomised-response.js';
import { weekEnd } from '../../src/app/privacy/usage-payload.js';
import { SEND_DELAY_MAX_MS, UsageStatistics } from '../../src/app/privacy/usage-stats.js';
import { seededRandomInt } from '../support/seeded-random.js';

const HOUR = 60 * 60 * 1000;
let dataDir: string;
let clock: Date;
let records: PrivacyRecords;

function usage(randomInt: RandomInt = seededRandomInt(1)): UsageStatistics {
  return new UsageStatistics(records.dir, records.consent, records.settings, '1.4.2', () => clock, randomInt);
}

interface Posted {
  url: string;
  init: RequestInit;
}
function recordingFetch(status = 204): { calls: Posted[]; fetch: typeof fetch } {
  const calls: Posted[] = [];
  const impl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(null, { status });
  }) as unknown as typeof fetch;
  return { calls, fetch: impl };
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-usage-'));
  clock = new Date('2026-12-02T10:00:00.000Z'); // Wednesday of 2026-W49
  records = openPrivacyRecords(dataDir, 'app', { now: () => clock });
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('usage statistics', () => {
  it('counts and queues nothing without consent', () => {
    const u = usage();
    u.recordBackup(5000);
    u.recordRestore();
    clock = new Date('2026-12-09T10:00:00.000Z');
    expect(u.rollOver()).toBeNull();
    expect(fs.existsSync(u.file)).toBe(false);
    expect(u.pending()).toEqual([]);
    // What a report looks like is still shown: an empty week.
    expect(u.payload()).toMatchObject({ week: '2026-W50', backups: '0', restores: '0', largestBackup: 'none' });
  });

  it("keeps one week's counts and shows them as buckets, with nothing identifying stored", () => {
    records.consent.set('usage-statistics', true, 'app');
    const u = usage();
    for (let i = 0; i < 7; i++) u.recordBackup(50 * 2 ** 20);
    u.recordBackup(3 * 2 ** 30);
    u.recordRestore();
    expect(u.counters()).toEqual({ week: '2026-W49', backups: 8, restores: 1, largestBackupBytes: 3 * 2 ** 30 });
    expect(u.payload()).toEqual({
      schema: 2,
      week: '2026-W49',
      appVersion: '1.4',
      osFamily: expect.any(String),
      backups: '6-20',
      restores: '1-5',
      largestBackup: '1-10GiB',
    });
    const stored = fs.readFileSync(u.file, 'utf8');
    expect(stored).not.toContain(dataDir);
    expect(stored).not.toContain(os.hostname());
  });

  it('queues a finished week once, randomised, with a send time drawn within 72 hours after its end and kept', () => {
    records.consent.set('usage-statistics', true, 'app');
    const draws: number[] = [];
    // The delay draw gives 12,345 s; every counter's draw gives 3, the first draw that is not the truth.
    const u = usage((max) => {
      draws.push(max);
      return max === SEND_DELAY_MAX_MS / 1000 + 1 ? 12_345 : 3;
    });
    u.recordBackup(10);
    expect(u.rollOver()).toBeNull(); // the week is not over
    clock = new Date('2026-12-07T00:00:00.000Z'); // the week ends
    const entry = u.rollOver();
    expect(entry?.week).toBe('2026-W49');
    expect(entry?.sendAfter).toBe(new Date(weekEnd('2026-W49').getTime() + 12_345_000).toISOString());
    expect(draws).toContain(72 * 3600 + 1);
    // Queued randomised: the true 1-5 / 0 / <1MiB each became another bucket.
    expect(entry?.payload).toEqual({
      schema: 2,
      week: '2026-W49',
      appVersion: '1.4',
      osFamily: expect.any(String),
      backups: '0',
      restores: '1-5',
      largestBackup: 'none',
    });
    // The next week is counted from now on, empty.
    expect(u.counters()).toEqual({ week: '2026-W50', backups: 0, restores: 0, largestBackupBytes: null });
    // A restart with other randomness neither requeues nor rerolls the time or the payload.
    const again = usage(seededRandomInt(99));
    expect(again.rollOver()).toBeNull();
    expect(again.pending()).toEqual([entry]);
  });

  it('waits from now, not from the week end, when the app was not running when the week ended', () => {
    records.consent.set('usage-statistics', true, 'app');
    const u = usage(() => 0);
    u.recordRestore();
    clock = new Date('2026-12-30T09:00:00.000Z');
    expect(u.rollOver()?.sendAfter).toBe('2026-12-30T09:00:00.000Z');
  });

  it('sends a report once, only when due, with consent and an address, and the payload alone', async () => {
    records.consent.set('usage-statistics', true, 'app');
    const u = usage(seededRandomInt(11));
    u.recordBackup(10);
    clock = new Date('2026-12-07T00:30:00.000Z');
    const entry = u.rollOver();
    if (!entry) throw new Error('nothing queued');
    const ok = recordingFetch();

    clock = new Date(Date.parse(entry.sendAfter) - 1000);
    expect(await u.send(ok.fetch)).toBe(0); // no address
    records.settings.update({ usageEndpoint: 'https://stats.example.invalid/v2' });
    expect(await u.send(ok.fetch)).toBe(0); // not yet due
    expect(ok.calls).toEqual([]);

    clock = new Date(entry.sendAfter);
    records.consent.set('usage-statistics', false, 'app');
    expect(await u.send(ok.fetch)).toBe(0); // consent withdrawn (and the report deleted with it below)
    records.consent.set('usage-statistics', true, 'app');
    expect(await u.send(ok.fetch)).toBe(1);
    expect(ok.calls).toHaveLength(1);
    const call = ok.calls[0] as Posted;
    expect(call.url).toBe('https://stats.example.invalid/v2');
    expect(call.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(call.init.credentials).toBe('omit');
    expect(JSON.parse(call.init.body as string)).toEqual(entry.payload);
    expect(u.pending()).toEqual([]);
    expect(u.outbox.sentWeeks()).toEqual(['2026-W49']);

    // The same week counted again (a clock set back) is never queued or sent a second time.
    fs.writeFileSync(u.file, JSON.stringify({ week: '2026-W49', backups: 3, restores: 0, largestBackupBytes: 1 }));
    expect(u.rollOver()).toBeNull();
    expect(await u.send(ok.fetch)).toBe(0);
    expect(ok.calls).toHaveLength(1);
  });

  it('a failed send leaves the report queued for the next try', async () => {
    records.consent.set('usage-statistics', true, 'app');
    records.settings.update({ usageEndpoint: 'https://stats.example.invalid/v2' });
    const u = usage(() => 0);
    u.recordBackup(10);
    clock = new Date('2026-12-08T00:00:00.000Z');
    u.rollOver();
    const failing = recordingFetch(503);
    await expect(u.send(failing.fetch)).rejects.toThrow(/503/);
    expect(u.pending()).toHaveLength(1);
    clock = new Date(clock.getTime() + HOUR);
    expect(await u.send(recordingFetch().fetch)).toBe(1);
    expect(u.pending()).toEqual([]);
  });

  it('withdrawal deletes the counters and every unsent report', () => {
    records.consent.set('usage-statistics', true, 'app');
    const u = usage();
    u.recordBackup(10);
    clock = new Date('2026-12-08T00:00:00.000Z');
    u.rollOver();
    u.recordBackup(10);
    expect(u.pending()).toHaveLength(1);
    records.consent.set('usage-statistics', false, 'app');
    u.discard();
    expect(u.pending()).toEqual([]);
    expect(u.counters()).toBeNull();
    u.recordBackup(10);
    expect(u.counters()).toBeNull();
  });

  it('deletes counters and payloads of the old format (exact counts, timestamps) without sending them', async () => {
    records.consent.set('usage-statistics', true, 'app');
    records.settings.update({ usageEndpoint: 'https://stats.example.invalid/v2' });
    const u = usage();
    fs.mkdirSync(u.outbox.dir, { recursive: true });
    const old = path.join(u.outbox.dir, '2026-11-20T10-00-00-000Z.json');
    fs.writeFileSync(old, JSON.stringify({ schema: 1, backups: 12, period: { from: 'x', to: 'y' } }));
    fs.writeFileSync(u.file, JSON.stringify({ since: '2026-11-01T00:00:00.000Z', backups: 12, restores: 1 }));
    expect(u.counters()).toBeNull();
    u.rollOver();
    expect(fs.existsSync(old)).toBe(false);
    expect(u.counters()?.week).toBe('2026-W49');
    const sink = recordingFetch();
    expect(await u.send(sink.fetch)).toBe(0);
    expect(sink.calls).toEqual([]);
  });
});

describe('the statistics address', () => {
  it('accepts https, and http only on 127.0.0.1 or localhost', () => {
    for (const ok of ['https://stats.example.com/v2', 'http://127.0.0.1:8080/u', 'http://localhost:9000/']) {
      expect(records.settings.update({ usageEndpoint: ok }).usageEndpoint).toBe(ok);
    }
    for (const [bad, why] of [
      ['http://stats.example.com/', /https/],
      ['ftp://stats.example.com/', /https/],
      ['not an address', /not a web address/],
      ['https://me:secret@stats.example.com/', /user name or password/],
    ] as const) {
      expect(() => records.settings.update({ usageEndpoint: bad })).toThrow(why);
    }
    expect(records.settings.update({ usageEndpoint: null }).usageEndpoint).toBeNull();
  });
});
