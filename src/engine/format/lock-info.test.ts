/**
 * Tests for parseLockInfo: the locks Cairn writes pass; a lock that could never go stale or
 * would pass the liveness probe for a process group (pid 0 or negative) is refused as damaged.
 */
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import type { LockInfo } from '../repo/lock.js';
import { parseLockInfo } from './lock-info.js';

const lock: LockInfo = {
  time: '2026-11-26T12:00:00.000Z',
  refreshed: '2026-11-26T12:05:00.000Z',
  hostname: 'host',
  pid: 4242,
  exclusive: false,
  operation: 'backup',
};

describe('parseLockInfo', () => {
  it('returns a lock as written unchanged, also with fields it does not know', () => {
    expect(parseLockInfo(lock, 'lock 1')).toBe(lock);
    const later = { ...lock, session: 'abc' };
    expect(parseLockInfo(later, 'lock 1')).toBe(later);
  });

  it('refuses what is not a lock document', () => {
    for (const value of [null, [], 'lock', 1]) {
      expect(() => parseLockInfo(value, 'lock 2')).toThrow('lock 2 is not a lock document');
    }
  });

  const cases: [string, unknown][] = [
    ['pid', 0],
    ['pid', -1],
    ['pid', 1.5],
    ['pid', '4242'],
    ['pid', 2 ** 31],
    ['refreshed', 'never'],
    ['refreshed', 0],
    ['time', null],
    ['hostname', 5],
    ['hostname', 'h'.repeat(1025)],
    ['exclusive', 'yes'],
    ['operation', undefined],
  ];
  for (const [field, value] of cases) {
    it(`refuses ${field} = ${JSON.stringify(value) ?? 'undefined'}`, () => {
      const doc = { ...lock, [field]: value };
      expect(() => parseLockInfo(doc, 'lock 3')).toThrow(IntegrityError);
      expect(() => parseLockInfo(doc, 'lock 3')).toThrow(
        'lock 3 is malformed: its holder, times or kind are missing or invalid',
      );
    });
  }
});
