import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, formatEta } from './format.js';

describe('formatBytes', () => {
  it('words sizes in the binary units the command line uses', () => {
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250.0 MiB');
  });
});

describe('formatAge', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  it('says how long ago, in the largest sensible unit', () => {
    expect(formatAge('2026-11-26T11:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-11-26T11:59:00Z', now)).toBe('1 minute ago');
    expect(formatAge('2026-11-26T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatAge('2026-11-23T12:00:00Z', now)).toBe('3 days ago');
    expect(formatAge('not a date', now)).toBe('at an unknown time');
  });
});

describe('formatEta', () => {
  it('rounds to what a person can use', () => {
    expect(formatEta(0.2)).toBe('about 1 second left');
    expect(formatEta(42)).toBe('about 42 seconds left');
    expect(formatEta(600)).toBe('about 10 minutes left');
    expect(formatEta(7500)).toBe('about 2 h 5 min left');
  });
});
