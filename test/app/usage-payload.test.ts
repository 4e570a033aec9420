/**
 * The weekly usage report's shape: exactly seven keys and no identifier, counters only as buckets
 * (boundaries checked), the period as an ISO week (checked against known calendar dates and every
 * day of several years), the version as major.minor.
 */
import { describe, expect, it } from 'vitest';
import {
  COUNT_BUCKETS,
  coarseVersion,
  countBucket,
  isoWeek,
  osFamily,
  randomisedPayload,
  SIZE_BUCKETS,
  sizeBucket,
  truePayload,
  weekEnd,
} from '../../src/app/privacy/usage-payload.js';
import { seededRandomInt } from '../support/seeded-random.js';

const PAYLOAD_KEYS = ['appVersion', 'backups', 'largestBackup', 'osFamily', 'restores', 'schema', 'week'];

describe('usage report', () => {
  it('has exactly the documented keys, buckets as values, and no finer time than the week', () => {
    const counters = { week: '2026-W49', backups: 37, restores: 2, largestBackupBytes: 3 * 2 ** 30 };
    const payload = truePayload(counters, '1.4.2-beta.3', 'linux');
    expect(Object.keys(payload).sort()).toEqual(PAYLOAD_KEYS);
    expect(payload).toEqual({
      schema: 2,
      week: '2026-W49',
      appVersion: '1.4',
      osFamily: 'linux',
      backups: '21-100',
      restores: '1-5',
      largestBackup: '1-10GiB',
    });
    const random = seededRandomInt(3);
    for (let i = 0; i < 200; i++) {
      const sent = randomisedPayload(payload, random);
      expect(Object.keys(sent).sort()).toEqual(PAYLOAD_KEYS);
      expect(COUNT_BUCKETS).toContain(sent.backups);
      expect(COUNT_BUCKETS).toContain(sent.restores);
      expect(SIZE_BUCKETS).toContain(sent.largestBackup);
      expect({ week: sent.week, appVersion: sent.appVersion, osFamily: sent.osFamily, schema: sent.schema }).toEqual({
        week: '2026-W49',
        appVersion: '1.4',
        osFamily: 'linux',
        schema: 2,
      });
    }
  });

  it('puts counts and sizes in coarse buckets at their boundaries', () => {
    expect([0, 1, 5, 6, 20, 21, 100, 101, 5000].map(countBucket)).toEqual([
      '0',
      '1-5',
      '1-5',
      '6-20',
      '6-20',
      '21-100',
      '21-100',
      '>100',
      '>100',
    ]);
    expect(sizeBucket(null)).toBe('none');
    expect(sizeBucket(0)).toBe('<1MiB');
    expect(sizeBucket(2 ** 20 - 1)).toBe('<1MiB');
    expect(sizeBucket(2 ** 20)).toBe('1-100MiB');
    expect(sizeBucket(2 ** 30)).toBe('1-10GiB');
    expect(sizeBucket(100 * 2 ** 30)).toBe('>=100GiB');
  });

  it('names the ISO week in UTC, and a week ends on the next Monday at 00:00 UTC', () => {
    expect(isoWeek(new Date('2026-12-03T12:00:00Z'))).toBe('2026-W49');
    expect(isoWeek(new Date('2021-01-03T23:59:59Z'))).toBe('2020-W53');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    expect(weekEnd('2026-W49').toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(weekEnd('2020-W53').toISOString()).toBe('2021-01-04T00:00:00.000Z');
    const day = 24 * 60 * 60 * 1000;
    const wrong: string[] = [];
    for (let t = Date.UTC(2019, 11, 20); t < Date.UTC(2027, 0, 10); t += day / 2) {
      const week = isoWeek(new Date(t));
      const end = weekEnd(week).getTime();
      const ok =
        end > t && end - t <= 7 * day && isoWeek(new Date(end - 1)) === week && isoWeek(new Date(end)) !== week;
      if (!ok) wrong.push(new Date(t).toISOString());
    }
    expect(wrong).toEqual([]);
  });

  it('reports the version as major.minor and the OS as a family', () => {
    expect(coarseVersion('0.1.0')).toBe('0.1');
    expect(coarseVersion('v10.20.3-rc.1')).toBe('10.20');
    expect(coarseVersion('nightly')).toBe('unknown');
    expect(osFamily('win32')).toBe('windows');
    expect(osFamily('darwin')).toBe('macos');
    expect(osFamily('freebsd')).toBe('other');
  });
});
