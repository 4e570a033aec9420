import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../when.js';
import { whenText } from './When.js';

describe('whenText', () => {
  const now = new Date('2026-12-08T12:00:00Z');
  it('is relative within the last week', () => {
    expect(whenText('2026-12-08T09:00:00Z', now)).toBe('3 hours ago');
    expect(whenText('2026-12-02T12:00:00Z', now)).toBe('6 days ago');
  });

  it('is the calendar time once a week old, or in the future', () => {
    expect(whenText('2026-11-30T12:00:00Z', now)).toBe(formatDateTime('2026-11-30T12:00:00Z'));
    expect(whenText('2026-12-09T12:00:00Z', now)).toBe(formatDateTime('2026-12-09T12:00:00Z'));
  });

  it('keeps an unreadable time as it was given', () => {
    expect(whenText('soon', now)).toBe('soon');
  });
});
