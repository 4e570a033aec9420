import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './output.js';

const MiB = 1024 * 1024;

/** A reporter on a clock the test moves, writing into `lines`. */
function reporter(mode: 'tty' | 'json') {
  let now = 0;
  const lines: string[] = [];
  const progress = new ProgressReporter(
    mode,
    'backing up',
    () => now,
    (text) => lines.push(text),
  );
  return { progress, lines, advance: (ms: number) => (now += ms) };
}

describe('ProgressReporter', () => {
  it('says on a terminal what a first backup counted so far, then files and bytes of the totals and the time left', () => {
    const { progress, lines, advance } = reporter('tty');
    progress.update({ files: 10, bytes: 0, counting: { files: 300, bytes: 90 * MiB } });
    expect(lines.at(-1)).toMatch(/^\rbacking up: 10 files, 0 bytes \(0 bytes\/s; counting files… 300 so far\)/);
    for (let s = 1; s <= 4; s++) {
      advance(1000);
      progress.update({ files: 10 * s, bytes: 10 * s * MiB, totalBytes: 100 * MiB, filesTotal: 500 });
    }
    // Estimated after three seconds of measurement past the first report: (100 - done) MiB at 10 MiB/s.
    expect(lines.at(-1)).toMatch(
      /^\rbacking up 40%: 40 of 500 files, 40.0 MiB of 100.0 MiB \(10.0 MiB\/s, ETA 6.0 s\)/,
    );
    expect(lines.at(-2)).toMatch(
      /^\rbacking up 30%: 30 of 500 files, 30.0 MiB of 100.0 MiB \(10.0 MiB\/s, ETA 7.0 s\)/,
    );
    expect(lines.at(-3)).toMatch(
      /^\rbacking up 20%: 20 of 500 files, 20.0 MiB of 100.0 MiB \(10.0 MiB\/s, ETA estimating…\)/,
    );
    progress.done();
    expect(lines.at(-1)).toBe('\r\x1b[K');
  });

  it('writes the totals, the count so far and the estimate in --json progress lines', () => {
    const { progress, lines, advance } = reporter('json');
    progress.update({ files: 1, bytes: 0, counting: { files: 7, bytes: 700 } });
    advance(1000);
    progress.update({ files: 2, bytes: 5 * MiB, totalBytes: 50 * MiB, filesTotal: 9 });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        type: 'progress',
        files: 1,
        filesTotal: null,
        bytes: 0,
        totalBytes: null,
        counting: { files: 7, bytes: 700 },
        etaSeconds: null,
        bytesPerSecond: 0,
      },
      {
        type: 'progress',
        files: 2,
        filesTotal: 9,
        bytes: 5 * MiB,
        totalBytes: 50 * MiB,
        counting: null,
        etaSeconds: null,
        bytesPerSecond: 5 * MiB,
      },
    ]);
  });
});
