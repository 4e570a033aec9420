import { describe, expect, it } from 'vitest';
import { deadlineLeft } from './clock.js';

const now = new Date('2026-11-26T12:00:00Z');

describe('deadlineLeft', () => {
  it('words the hours and minutes left', () => {
    expect(deadlineLeft('2026-11-29T11:30:00Z', now)).toEqual({
      text: '71 h 30 min left',
      urgent: false,
      overdue: false,
    });
  });
  it('is urgent in the last 12 hours and counts minutes at the end', () => {
    expect(deadlineLeft('2026-11-26T23:00:00Z', now)).toEqual({
      text: '11 h 0 min left',
      urgent: true,
      overdue: false,
    });
    expect(deadlineLeft('2026-11-26T12:05:30Z', now).text).toBe('5 min left');
  });
  it('says how far past the deadline it is', () => {
    expect(deadlineLeft('2026-11-26T09:15:00Z', now)).toEqual({
      text: 'overdue by 2 h 45 min',
      urgent: true,
      overdue: true,
    });
  });
  it('does not invent a time for a bad date', () => {
    expect(deadlineLeft('not a date', now).text).toBe('deadline unknown');
  });
});
