/**
 * Tests for the remote part of the benchmark (scripts/bench/remote.mjs): counting requests in the
 * servers' logs, medians and ratios, the generated block and its splicing into docs/performance.md,
 * and the options that choose it. The servers and tools themselves run in `npm run bench -- --only remote`.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../scripts/bench/dataset.mjs';
import { parseBenchArgs, UsageError } from '../scripts/bench/options.mjs';
import type { RemoteRow } from '../scripts/bench/remote.mjs';
import {
  countRgwRequests,
  countSftpRequests,
  REMOTE_END,
  REMOTE_START,
  remoteRatios,
  renderRemoteReport,
  spliceRemoteReport,
  summarizeRemote,
} from '../scripts/bench/remote.mjs';

const SFTP_LOG = `session opened for local user root from [127.0.0.1]
received client version 3
debug1: request 1: limits
debug3: request 2: open flags 26
open "/r/data/.tmp-1" flags WRITE,CREATE,TRUNCATE mode 0600
debug1: request 2: sent handle handle 0
debug1: request 3: write "/r/data/.tmp-1" (handle 0) off 0 len 261120
debug3: request 3: sent status 0
sent status Success
debug1: request 4: write "/r/data/.tmp-1" (handle 0) off 261120 len 1000
debug3: request 5: close handle 0
debug1: request 6: readdir "/r/index" (handle 1)
debug3: request 7: rename
session closed for local user root from [127.0.0.1]
`;

const RGW_LOG = `2026-12-07T19:29:15.881+0000 7f 1 ====== starting new request req=0x1 =====
2026-12-07T19:29:15.885+0000 7f 1 beast: 0x7f2a082386e0: 127.0.0.1 - test [07/Dec/2026:19:29:15.881 +0000] "PUT /b/data/aa/aabb?x-id=PutObject HTTP/1.1" 200 0 - "aws-sdk-js" - latency=0.004s
2026-12-07T19:29:15.886+0000 7f 1 beast: 0x7f2a082386e1: 127.0.0.1 - test [07/Dec/2026:19:29:15.885 +0000] "GET /b/?list-type=2&prefix=index%2F HTTP/1.1" 200 543 - - - latency=0.0s
2026-12-07T19:29:15.887+0000 7f 1 beast: 0x7f2a082386e2: 127.0.0.1 - anonymous [07/Dec/2026:19:29:15.886 +0000] "HEAD /b/config HTTP/1.1" 404 0 - - - latency=0.0s
`;

const DATASET: Dataset = {
  dir: '/tmp/data-256',
  files: 5107,
  bytes: 256 * 1024 ** 2,
  hash: 'ab'.repeat(32),
  seed: 1,
  sizeMib: 256,
  generated: false,
};

function row(backend: string, tool: string, rep: number, step: string, wall: number, requests = 10): RemoteRow {
  return {
    backend,
    tool,
    rep,
    step,
    wall,
    user: wall / 2,
    sys: 0.1,
    rssMib: tool === 'ours' ? 200 + rep : 100,
    requests: { total: requests, byType: { write: requests - 2, open: 2 } },
  };
}

/** A complete run: restic takes 2 s per step, Cairn `oursWall`. */
function rows(oursWall: number): RemoteRow[] {
  const out: RemoteRow[] = [];
  for (const backend of ['sftp', 's3']) {
    for (let rep = 1; rep <= 3; rep++) {
      for (const step of ['init', 'backup-initial', 'backup-nochange', 'restore']) {
        out.push(row(backend, 'restic', rep, step, 2 + rep / 10, 100));
        out.push(row(backend, 'ours', rep, step, oursWall + rep / 10, 40));
      }
    }
  }
  return out;
}

describe('counting requests in the servers logs', () => {
  it('counts each SFTP request once by its arrival line, by type, and the sessions', () => {
    const counted = countSftpRequests(SFTP_LOG);
    expect(counted.total).toBe(7);
    expect(counted.byType).toEqual({ limits: 1, open: 1, write: 2, close: 1, readdir: 1, rename: 1 });
    expect([counted.opened, counted.closed]).toEqual([1, 1]);
  });

  it('counts RGW access lines by HTTP method, whatever their status', () => {
    expect(countRgwRequests(RGW_LOG)).toEqual({ total: 3, byType: { PUT: 1, GET: 1, HEAD: 1 } });
    expect(countRgwRequests('')).toEqual({ total: 0, byType: {} });
  });
});

describe('summarizeRemote and remoteRatios', () => {
  it('takes medians per backend, tool and step, with MB/s and requests per GiB of the dataset', () => {
    const summary = summarizeRemote(rows(1), DATASET.bytes);
    const s = summary.sftp?.ours?.['backup-initial'];
    expect(s).toMatchObject({ reps: 3, wall: 1.2, wallMin: 1.1, wallMax: 1.3, requests: 40, perGiB: 160 });
    expect(s?.mbps).toBeCloseTo(DATASET.bytes / 1e6 / 1.2, 5);
    expect(s?.byType).toEqual({ write: 38, open: 2 });
  });

  it('judges Cairn / restic throughput against the goal and the bar', () => {
    const verdicts = (oursWall: number) => remoteRatios(summarizeRemote(rows(oursWall), DATASET.bytes));
    const fast = verdicts(1.2);
    expect(fast).toHaveLength(6);
    expect(fast[0]).toMatchObject({ backend: 'sftp', step: 'backup-initial', verdict: 'goal' });
    expect(fast[0]?.ratio).toBeCloseTo(2.2 / 1.4, 5);
    expect(verdicts(1.8).every((v) => v.verdict === 'bar')).toBe(true);
    expect(verdicts(3).every((v) => v.verdict === 'below')).toBe(true);
    const alone = remoteRatios(
      summarizeRemote(
        rows(1).filter((r) => r.tool === 'ours'),
        DATASET.bytes,
      ),
    );
    expect(alone.every((v) => v.ratio === null && v.verdict === null)).toBe(true);
  });
});

describe('the remote report', () => {
  const result = () => {
    const all = rows(1.2);
    const summary = summarizeRemote(all, DATASET.bytes);
    return {
      dataset: DATASET,
      reps: 3,
      backends: ['sftp', 's3'],
      rows: all,
      summary,
      ratios: remoteRatios(summary),
      versions: {
        sshd: 'OpenSSH 9.2p1 sshd',
        ssh: '`ssh` (OpenSSH_9.2p1)',
        rgw: 'Ceph 16.2.15',
        restic: 'restic 0.14.0',
      },
    };
  };
  const meta = {
    date: '2026-12-07T20:00:00.000Z',
    machine: 'AMD EPYC (2 cores)',
    command: 'npm run bench -- --only remote',
    loadAtStart: 0.5,
    cores: 2,
    cairn: 'cairn 0.1.0, commit abc1234',
  };

  it('renders the figures, the verdicts, the peak RSS and the requests by type', () => {
    const block = renderRemoteReport(result(), meta);
    expect(block).toContain('### Remote storage: SFTP and S3 (256 MiB)');
    expect(block).toContain('| SFTP    | initial backup   | Cairn  | 1.40 (1.30–1.50)');
    expect(block).toContain('goal met (≥ 1.5×)');
    expect(block).toContain("Cairn's peak RSS (highest of all its steps and reps): SFTP 203 MiB, S3 203 MiB.");
    expect(block).toContain('write 152, open 8');
    expect(block).not.toContain('busy with other work');
    expect(renderRemoteReport(result(), { ...meta, loadAtStart: 1.5 })).toContain('busy with other work');
  });

  it('is spliced after the journal block, then replaced in place, leaving the rest alone', () => {
    const doc = '# Perf\n\n<!-- bench-journal:start -->\nJ\n<!-- bench-journal:end -->\n\n## Notes\n\nkept\n';
    const first = spliceRemoteReport(doc, 'first\n');
    expect(first).toBe(
      `# Perf\n\n<!-- bench-journal:start -->\nJ\n<!-- bench-journal:end -->\n\n${REMOTE_START}\n\nfirst\n\n${REMOTE_END}\n\n## Notes\n\nkept\n`,
    );
    const second = spliceRemoteReport(first, 'second\n');
    expect(second).toBe(first.replace('first', 'second'));
    expect(spliceRemoteReport('# Perf\n', 'x')).toBe(`# Perf\n\n${REMOTE_START}\n\nx\n\n${REMOTE_END}\n`);
    expect(() => spliceRemoteReport(`${REMOTE_END}\n${REMOTE_START}\n`, 'x')).toThrow(/broken remote block/);
  });
});

describe('options of the remote part', () => {
  it('is a part of its own with a 256 MiB dataset and both backends by default', () => {
    expect(parseBenchArgs([])).toMatchObject({ only: null, remoteSizeMib: 256, remoteBackends: ['sftp', 's3'] });
    expect(parseBenchArgs(['--only', 'remote', '--remote-backends', 's3, sftp', '--remote-size-mib=64'])).toMatchObject(
      {
        only: 'remote',
        remoteBackends: ['sftp', 's3'],
        remoteSizeMib: 64,
      },
    );
    expect(parseBenchArgs(['--remote-backends', 's3']).remoteBackends).toEqual(['s3']);
  });

  it('refuses unknown backends', () => {
    expect(() => parseBenchArgs(['--remote-backends', 'webdav'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--remote-backends', ','])).toThrow(/at least one/);
  });
});
