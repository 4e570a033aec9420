import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from './units.js';

describe('formatBytes', () => {
  it('words sizes in binary units, as the CLI and other backup tools print them', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1500)).toBe('1.46 KiB');
    expect(formatBytes(600 * 1024)).toBe('600.0 KiB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250.0 MiB');
    expect(formatBytes(3.2 * 1024 ** 4)).toBe('3.20 TiB');
  });

  it('moves to the next unit rather than printing 1024 of one', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.00 MiB');
    expect(formatBytes(1023.99 * 1024)).toBe('1.00 MiB');
    expect(formatBytes(1000 * 1024)).toBe('1000 KiB');
  });

  it('says so for a size it cannot word', () => {
    expect(formatBytes(Number.NaN)).toBe('an unknown size');
    expect(formatBytes(-1)).toBe('an unknown size');
  });

  it('words a rate per second', () => {
    expect(formatRate(12.3 * 1024 ** 2)).toBe('12.3 MiB/s');
  });
});
