/**
 * Tests for the benchmark script's helpers (scripts/bench/*.mjs): option parsing, reading the
 * harness's results.tsv, medians and target verdicts, the generated report and its splicing into
 * docs/performance.md, Cairn's command templates, and dataset generation and reuse.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDataset } from '../scripts/bench/dataset.mjs';
import { harnessEnv, oursTemplates, shellQuote, toolLogSection } from '../scripts/bench/harness.mjs';
import { parseBenchArgs, UsageError } from '../scripts/bench/options.mjs';
import type { ReportRun } from '../scripts/bench/report.mjs';
import { END_MARKER, parseHarnessHeader, renderReport, START_MARKER, spliceReport } from '../scripts/bench/report.mjs';
import type { ResultRow } from '../scripts/bench/results.mjs';
import { evaluateTargets, findFailures, median, parseResultsTsv, summarize } from '../scripts/bench/results.mjs';

const HEADER = 'dataset\ttool\trep\tstep\twall_s\tuser_s\tsys_s\tmaxrss_mib\trepo_mib\tdata_mib\tMBps\tnote';
const MAKE_DATASET = fileURLToPath(new URL('../../shared/bench/make-dataset.mjs', import.meta.url));

/** One results.tsv line; `wall` doubles as the source of MB/s for a 100 MB dataset. */
function line(tool: string, rep: number, step: string, wall: number, rss: number, repo: string, note = 'rc=0'): string {
  const mbps = (100 / wall).toFixed(1);
  return ['ds', tool, rep, step, wall, wall / 2, 0.1, rss, repo, '95.4', mbps, note].join('\t');
}

/** A complete run for one tool and rep with the given timings. */
function toolRun(
  tool: string,
  rep: number,
  t: { backup: number; nochange: number; restore: number; repo: number; rss: number },
) {
  return [
    line(tool, rep, 'warm-read-cat', 0.1, 3, '', 'page-cache read of source (find|xargs cat)'),
    line(tool, rep, 'init', 0.5, 50, '0.1'),
    line(tool, rep, 'backup-initial', t.backup, t.rss, String(t.repo)),
    line(tool, rep, 'backup-nochange', t.nochange, t.rss - 10, String(t.repo)),
    line(tool, rep, 'backup-mutated', t.nochange + 0.2, t.rss - 5, String(t.repo + 1)),
    line(tool, rep, 'restore', t.restore, t.rss - 20, String(t.repo + 1), 'rc=0 verify=OK files=10/10 diff_s=0.1'),
  ];
}

function tsv(lines: string[]): string {
  return `${[HEADER, ...lines].join('\n')}\n`;
}

describe('parseBenchArgs', () => {
  it('has the documented defaults', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({ sizeMib: 1024, reps: 3, seed: 1, work: '/tmp/cairn-bench', tools: null, write: true });
    expect(o.out).toBeNull();
  });

  it('reads both --name value and --name=value, after a leading --', () => {
    const o = parseBenchArgs(['--', '--size-mib', '256', '--reps=5', '--tools', 'restic, ours', '--no-write']);
    expect(o).toMatchObject({ sizeMib: 256, reps: 5, tools: ['restic', 'ours'], write: false });
  });

  it('rejects bad numbers, unknown tools and options, and missing values with a usage error', () => {
    expect(() => parseBenchArgs(['--reps', '0'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--size-mib', '1.5'])).toThrow(/whole number/);
    expect(() => parseBenchArgs(['--tools', 'restic rsync'])).toThrow(/unknown tool "rsync"/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option "--fast"/);
    expect(() => parseBenchArgs(['--work'])).toThrow(/--work needs a value/);
    expect(() => parseBenchArgs(['--out', '--no-write'])).toThrow(/--out needs a value/);
  });
});

describe('results.tsv', () => {
  it('parses rows, exit codes and the restore verdict; a failed timing becomes null', () => {
    const rows = parseResultsTsv(
      tsv([
        line('ours', 1, 'backup-initial', 2, 200, '40'),
        [
          'ds',
          'ours',
          '1',
          'restore',
          'Command',
          'exited',
          'with',
          'NaN',
          '40',
          '95.4',
          '',
          'rc=1 verify=FAIL(3 diffs)',
        ].join('\t'),
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      tool: 'ours',
      rep: 1,
      step: 'backup-initial',
      wall: 2,
      mbps: 50,
      rc: 0,
      verify: null,
    });
    expect(rows[1]).toMatchObject({ wall: null, user: null, rc: 1, verify: 'FAIL' });
  });

  it('refuses a file that is not the harness output', () => {
    expect(() => parseResultsTsv('a\tb\n1\t2\n')).toThrow(/anchors.sh header/);
  });

  it('takes medians of the numbers only, averaging the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5])).toBe(5);
    expect(median([null])).toBeNull();
  });

  it('reports failed, mismatched and missing steps', () => {
    const lines = toolRun('ours', 1, { backup: 2, nochange: 1, restore: 2, repo: 40, rss: 200 });
    lines[3] = line('ours', 1, 'backup-nochange', 1, 190, '40', 'rc=3');
    lines[5] = line('ours', 1, 'restore', 2, 180, '41', 'rc=0 verify=FAIL(0 diffs) files=0/10');
    const failures = findFailures(parseResultsTsv(tsv(lines)), ['ours'], 2);
    const text = failures.map((f) => `${f.tool}/${f.rep}/${f.step}: ${f.message}`);
    expect(text).toContain('ours/1/backup-nochange: exited with status 3');
    expect(text.some((t) => t.startsWith('ours/1/restore: no restored files where the harness looked'))).toBe(true);
    expect(text.filter((t) => t.startsWith('ours/2/'))).toHaveLength(6);
    expect(failures).toHaveLength(8);
  });

  it('finds nothing wrong in a complete, successful run', () => {
    const rows = parseResultsTsv(tsv(toolRun('ours', 1, { backup: 2, nochange: 1, restore: 2, repo: 40, rss: 200 })));
    expect(findFailures(rows, ['ours'], 1)).toEqual([]);
  });
});

describe('summarize and evaluateTargets', () => {
  function runRows(): ResultRow[] {
    return parseResultsTsv(
      tsv([
        ...toolRun('restic', 1, { backup: 4, nochange: 2, restore: 2, repo: 100, rss: 100 }),
        ...toolRun('ours', 1, { backup: 2, nochange: 1, restore: 1, repo: 104, rss: 250 }),
        ...toolRun('restic', 2, { backup: 5, nochange: 2.2, restore: 2, repo: 100, rss: 110 }),
        ...toolRun('ours', 2, { backup: 2.5, nochange: 3, restore: 4, repo: 104, rss: 320 }),
        ...toolRun('restic', 3, { backup: 4.5, nochange: 2.1, restore: 2, repo: 100, rss: 105 }),
        ...toolRun('ours', 3, { backup: 2.2, nochange: 1.5, restore: 1, repo: 104, rss: 260 }),
      ]),
    );
  }

  it('takes the median per tool and step, with the wall-time range', () => {
    const s = summarize(runRows());
    expect(s.ours?.['backup-initial']).toMatchObject({ reps: 3, wall: 2.2, wallMin: 2, wallMax: 2.5 });
    expect(s.ours?.['backup-initial']?.mbps).toBeCloseTo(45.5, 1);
    expect(s.restic?.['backup-nochange']?.wall).toBe(2.1);
    expect(s.ours?.restore?.repoMib).toBe(105);
  });

  it('computes each target from the medians and judges it', () => {
    const rows = runRows();
    const targets = Object.fromEntries(evaluateTargets(summarize(rows), rows).map((t) => [t.id, t]));
    // backup MB/s: ours median 100/2.2 = 45.5, restic 100/4.5 = 22.2 -> 2.05x >= 1.5
    expect(targets['backup-throughput']?.value).toBeCloseTo(45.5 / 22.2, 2);
    expect(targets['backup-throughput']?.met).toBe(true);
    // restore MB/s: ours median 100, restic 50 -> 2.0x
    expect(targets['restore-throughput']?.value).toBeCloseTo(2, 5);
    expect(targets['restore-throughput']?.met).toBe(true);
    // no-change: ours median 1.5 s vs restic 2.1 s -> 0.71 <= 1
    expect(targets['nochange-time']?.value).toBeCloseTo(1.5 / 2.1, 5);
    expect(targets['nochange-time']?.met).toBe(true);
    // repo: 105 / 101 = 1.0396 <= 1.05
    expect(targets['repo-size']?.value).toBeCloseTo(105 / 101, 5);
    expect(targets['repo-size']?.met).toBe(true);
    // peak RSS is the highest of all reps (320 in rep 2), not the median: not met
    expect(targets['peak-rss']?.value).toBe(320);
    expect(targets['peak-rss']?.met).toBe(false);
    expect(targets['peak-rss']?.goal).toBe('≤ 300 MiB');
    expect(targets['backup-throughput']?.goal).toBe('≥ 1.50');
  });

  it('leaves the ratios undecided without restic but still judges the peak RSS', () => {
    const rows = runRows().filter((r) => r.tool === 'ours');
    const targets = evaluateTargets(summarize(rows), rows);
    expect(targets.filter((t) => t.relative).every((t) => t.value === null && t.met === null)).toBe(true);
    expect(targets.find((t) => t.id === 'peak-rss')?.met).toBe(false);
  });
});

describe('report', () => {
  function sampleRun(sizeMib: number): ReportRun {
    const rows = parseResultsTsv(
      tsv([
        ...toolRun('restic', 1, { backup: 4, nochange: 2, restore: 2, repo: 100, rss: 100 }),
        ...toolRun('ours', 1, { backup: 3, nochange: 3, restore: 1, repo: 120, rss: 250 }),
      ]),
    );
    const summary = summarize(rows);
    return {
      date: '2026-11-26T18:00:00.000Z',
      command: 'npm run bench',
      durationS: 300,
      machine: {
        os: 'Linux 6 x86_64',
        cpu: 'Test CPU',
        cores: 2,
        memoryGiB: 24,
        node: 'v20.20.2',
        restic: 'restic 0.14.0',
        cairn: 'cairn 0.1.0',
      },
      loadAtStart: 0.2,
      workFs: 'ext4 on /dev/vda',
      dataset: { dir: '/tmp/d', files: 10, bytes: 100e6, hash: 'ab'.repeat(32), seed: 1, sizeMib },
      tools: ['restic', 'ours'],
      reps: 1,
      summary,
      targets: evaluateTargets(summary, rows),
      catMbps: 2700,
      mutation: 'round=1: 5 edited',
      toolVersions: { restic: 'restic 0.14.0 (repo v2, compression auto=zstd)' },
      resultsDir: '/tmp/r',
    };
  }

  it('renders the machine, the medians and a verdict per target between the markers', () => {
    const block = renderReport(sampleRun(1024));
    expect(block.startsWith(`${START_MARKER}\n`)).toBe(true);
    expect(block.trimEnd().endsWith(END_MARKER)).toBe(true);
    expect(block).toContain('- CPU: Test CPU, 2 cores');
    expect(block).toContain('| initial backup | Cairn | 3.00 | 33.3 |');
    expect(block).toMatch(
      /\| Restore throughput, Cairn \/ restic \| ≥ 1\.00 \| 100\.0 MB\/s \| 50\.0 MB\/s \| 2\.00× \| \*\*met\*\* \|/,
    );
    expect(block).toMatch(
      /\| No-change backup time, Cairn \/ restic \| ≤ 1\.00 \| 3\.00 s \| 2\.00 s \| 1\.50× \| \*\*not met\*\* \|/,
    );
    expect(block).toContain('npm run bench -- --size-mib 1024 --reps 3');
    expect(block).not.toContain('indicative');
    expect(block).toContain('- Load average (1 min) before the run: 0.20\n');
  });

  it('warns when the machine was already busy', () => {
    const block = renderReport({ ...sampleRun(1024), loadAtStart: 1.5 });
    expect(block).toContain('before the run: 1.50 — **the machine was busy with other work; expect noisy figures**');
  });

  it('marks verdicts from a smaller dataset as indicative', () => {
    const block = renderReport(sampleRun(256));
    expect(block).toContain('this run used the 256 MiB one,\nso the verdicts below are indicative only');
    expect(block).toContain('**not met** (at 256 MiB)');
  });

  it('creates the file with an intro, and replaces only the generated block later', () => {
    const first = spliceReport(null, `${START_MARKER}\nold\n${END_MARKER}\n`);
    expect(first.startsWith('# Cairn performance')).toBe(true);
    const edited = `${first}\n## Notes by hand\n\nkeep me\n`;
    const second = spliceReport(edited, `${START_MARKER}\nnew\n${END_MARKER}\n`);
    expect(second).toContain('new');
    expect(second).not.toContain('old');
    expect(second).toContain('# Cairn performance');
    expect(second).toContain('## Notes by hand\n\nkeep me\n');
  });

  it('appends the block to a file without markers and refuses broken markers', () => {
    const block = `${START_MARKER}\nx\n${END_MARKER}\n`;
    expect(spliceReport('# Mine\n\ntext\n', block)).toBe(`# Mine\n\ntext\n\n${block}`);
    expect(() => spliceReport(`${END_MARKER}\n${START_MARKER}\n`, block)).toThrow(/broken bench block/);
    expect(() => spliceReport(`${block}${block}`, block)).toThrow(/more than one bench block/);
  });

  it('reads the work file system, the mutation and tool versions from the harness header', () => {
    const header = parseHarnessHeader(
      [
        '# anchors: dataset /d (10 files, 1.0 MiB), reps=1, 2026-11-26T18:00:00Z',
        '# host: 2 cores, 23 GiB RAM, AMD EPYC, 6.1, workdir fs: ext4 on /dev/vda',
        '# mutate: node make-dataset.mjs mutate {SRCABS}',
        '# restic: restic 0.14.0 (repo v2, compression auto=zstd) ',
        '# restic: mutated /w/run-restic/src/d round=1: of 10 files: 1 edited',
        '# ours: cairn 0.1.0 ',
      ].join('\n'),
    );
    expect(header).toEqual({
      workFs: 'ext4 on /dev/vda',
      mutation: 'round=1: of 10 files: 1 edited',
      toolVersions: { restic: 'restic 0.14.0 (repo v2, compression auto=zstd)', ours: 'cairn 0.1.0' },
    });
  });
});

describe('harness glue', () => {
  it('builds Cairn templates whose restored tree is the target plus the absolute source path', () => {
    const t = oursTemplates('/usr/bin/node', '/my repo/bin/cairn.mjs');
    expect(t.BENCH_OURS_BACKUP).toBe(
      "/usr/bin/node '/my repo/bin/cairn.mjs' backup -q --repo {REPO} --data-dir {CACHE} {SRC}",
    );
    expect(t.BENCH_OURS_RESTORE).toContain('restore latest -q --repo {REPO} --data-dir {CACHE} --target {DST}');
    expect(t.BENCH_OURS_RESTORED).toBe('{DST}{SRCABS}');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('gives Cairn the harness password and drops stray Cairn settings', () => {
    const env = harnessEnv(
      { BENCH_PASSWORD: 'pw', CAIRN_REPOSITORY: '/elsewhere', PATH: '/bin' },
      { BENCH_OURS_INIT: 'x' },
    );
    expect(env).toMatchObject({ BENCH_PASSWORD: 'pw', CAIRN_PASSWORD: 'pw', BENCH_OURS_INIT: 'x', PATH: '/bin' });
    expect(env.CAIRN_REPOSITORY).toBeUndefined();
    expect(harnessEnv({}, {}).CAIRN_PASSWORD).toBe('bench-password-1');
  });

  it("picks one tool's and rep's output out of tools.log", () => {
    const log = [
      '== rep 1 tool restic',
      'r1',
      '== rep 1 tool ours',
      'o1 a',
      '',
      'o1 b',
      '== rep 2 tool restic',
      'r2',
    ].join('\n');
    expect(toolLogSection(log, 'ours', 1)).toBe('o1 a\no1 b');
    expect(toolLogSection(log, 'restic', 2)).toBe('r2');
    expect(toolLogSection(log, 'ours', 1, 1)).toBe('o1 b');
    expect(toolLogSection(log, 'ours', 2)).toBe('');
  });
});

describe.skipIf(!existsSync(MAKE_DATASET))('ensureDataset', () => {
  let work: string;
  const messages: string[] = [];
  const log = (m: string) => messages.push(m);

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'cairn-bench-test-'));
    messages.length = 0;
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('generates once, reuses an unchanged dataset and regenerates a modified one', async () => {
    const first = ensureDataset({ makeDataset: MAKE_DATASET, work, sizeMib: 1, seed: 1, log });
    expect(first.generated).toBe(true);
    expect(first.dir).toBe(path.join(work, 'data-1'));
    expect(first.files).toBeGreaterThan(0);
    const record = JSON.parse(await readFile(path.join(work, 'data-1.manifest.json'), 'utf8'));
    expect(record).toMatchObject({ seed: 1, sizeMib: 1 });

    const second = ensureDataset({ makeDataset: MAKE_DATASET, work, sizeMib: 1, seed: 1, log });
    expect(second.generated).toBe(false);
    expect(second.hash).toBe(first.hash);

    await appendFile(path.join(first.dir, 'extra.txt'), 'not part of the dataset');
    const third = ensureDataset({ makeDataset: MAKE_DATASET, work, sizeMib: 1, seed: 1, log });
    expect(third.generated).toBe(true);
    expect(third.hash).toBe(first.hash);
    expect(existsSync(path.join(first.dir, 'extra.txt'))).toBe(false);
  });

  it('regenerates a folder it did not make for this seed', async () => {
    ensureDataset({ makeDataset: MAKE_DATASET, work, sizeMib: 1, seed: 1, log });
    await writeFile(path.join(work, 'data-1.manifest.json'), JSON.stringify({ seed: 2, sizeMib: 1, manifest: 'x' }));
    const again = ensureDataset({ makeDataset: MAKE_DATASET, work, sizeMib: 1, seed: 1, log });
    expect(again.generated).toBe(true);
    expect(messages.some((m) => m.includes('was not made for seed 1'))).toBe(true);
  });
});
