import { describe, expect, it } from 'vitest';
import { progressFacts } from './progress-facts.js';

const base = {
  files: 120,
  bytes: 12_000_000,
  totalBytes: null,
  etaSeconds: null,
  currentPath: null,
  bytesPerSecond: 4_000_000,
  filesTotal: null,
};

describe('progressFacts', () => {
  it('says how many files a first backup has counted while there is no total', () => {
    const facts = progressFacts({ ...base, counting: { files: 4321, bytes: 90_000_000 } });
    expect(facts.timeLeft).toBe(`counting files… (${(4321).toLocaleString()} so far)`);
    expect(facts).toMatchObject({ files: '120', data: '11.4 MiB', bar: null });
  });

  it('says "estimating…" with neither a count nor an estimate', () => {
    expect(progressFacts(base).timeLeft).toBe('estimating…');
    expect(progressFacts({ ...base, counting: null, totalBytes: 50_000_000 }).timeLeft).toBe('estimating…');
  });

  it('shows files and data of the totals, the time left, and a bar that never runs past its end', () => {
    const facts = progressFacts({ ...base, totalBytes: 50_000_000, filesTotal: 5000, etaSeconds: 42 });
    expect(facts).toEqual({
      files: `120 of about ${(5000).toLocaleString()}`,
      data: '11.4 MiB of 47.7 MiB',
      timeLeft: 'about 42 seconds left',
      bar: { value: 12_000_000, max: 50_000_000 },
    });
    expect(progressFacts({ ...base, bytes: 60_000_000, totalBytes: 50_000_000 }).bar).toEqual({
      value: 50_000_000,
      max: 50_000_000,
    });
  });
});
