/**
 * The remote-storage benchmark of `npm run bench` (`--only remote`): Cairn and restic side by side
 * over SFTP and S3, against servers started on 127.0.0.1 for the run and stopped at its end (also
 * when it fails or is interrupted):
 *
 * - OpenSSH's sshd with throw-away host and user keys and a known_hosts file (as
 *   test/support/sshd.ts starts it), serving SFTP with `sftp-server -l DEBUG3`, whose log names
 *   every request it answers: that is where the SFTP requests are counted;
 * - a single-node Ceph RADOS Gateway from scripts/s3-server.sh, whose log has one access line per
 *   request (`beast: … "PUT /bucket/key HTTP/1.1" 200 …`): that is where the S3 requests are counted.
 *
 * Per rep and backend the two tools take turns, the one that went second going first in the next
 * rep; each does `init`, an initial backup of the dataset (page cache warmed first), a no-change
 * backup and `restore latest` into an empty folder, which is compared with the dataset byte for
 * byte. Every step is timed by GNU time (wall, CPU, peak RSS); the report shows medians.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const PASSWORD = 'bench-password-1';
const GiB = 1024 ** 3;
/** A step that takes longer than this is taken for hung. */
const STEP_TIMEOUT_MS = 30 * 60_000;

export const REMOTE_BACKENDS = ['sftp', 's3'];
export const REMOTE_TOOLS = ['restic', 'ours'];
export const REMOTE_STEPS = ['init', 'backup-initial', 'backup-nochange', 'restore'];
const STEP_NAMES = {
  init: 'init',
  'backup-initial': 'initial backup',
  'backup-nochange': 'no-change backup',
  restore: 'restore latest',
};
const TOOL_NAMES = { ours: 'Cairn', restic: 'restic' };
const BACKEND_NAMES = { sftp: 'SFTP', s3: 'S3' };

export const REMOTE_START = '<!-- bench-remote:start -->';
export const REMOTE_END = '<!-- bench-remote:end -->';

// ---------------------------------------------------------------------------------------------
// Counting requests in the servers' logs (pure)

/**
 * The SFTP requests in (a piece of) sftp-server's DEBUG3 log: it writes `request N: <type> …` when
 * a request arrives and `request N: sent …` when it answers, so each request is counted once by
 * its arrival line. Returns { total, byType, opened, closed }, where opened/closed count the
 * sessions that started and ended in the piece (a session's last lines are written as it ends).
 */
export function countSftpRequests(text) {
  const byType = {};
  let total = 0;
  let opened = 0;
  let closed = 0;
  for (const line of text.split('\n')) {
    const m = /^debug\d: request \d+: (\S+)/.exec(line);
    if (m) {
      const type = m[1];
      if (type === 'sent') continue;
      byType[type] = (byType[type] ?? 0) + 1;
      total++;
    } else if (line.startsWith('session opened for ')) opened++;
    else if (line.startsWith('session closed for ')) closed++;
  }
  return { total, byType, opened, closed };
}

/**
 * The S3 requests in (a piece of) RGW's log: one access line per request answered,
 * `beast: 0x…: 127.0.0.1 - USER [DATE] "METHOD /PATH HTTP/1.1" STATUS …`. Returns { total, byType }
 * with the HTTP method as the type (GET, PUT, HEAD, POST, DELETE).
 */
export function countRgwRequests(text) {
  const byType = {};
  let total = 0;
  for (const m of text.matchAll(/ beast: \S+ \S+ - \S+ \[[^\]]*\] "([A-Z]+) /g)) {
    const type = m[1];
    byType[type] = (byType[type] ?? 0) + 1;
    total++;
  }
  return { total, byType };
}

// ---------------------------------------------------------------------------------------------
// Medians and verdicts (pure)

export const median = (values) => {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Medians over reps: summary[backend][tool][step] = { reps, wall, wallMin, wallMax, cpu, mbps,
 * rssMib, requests, perGiB, byType } from rows { backend, tool, rep, step, wall, user, sys, rssMib,
 * requests: { total, byType } }; MB/s and requests per GiB are of the dataset's `bytes`.
 */
export function summarizeRemote(rows, bytes) {
  const groups = {};
  for (const row of rows) {
    groups[row.backend] ??= {};
    groups[row.backend][row.tool] ??= {};
    groups[row.backend][row.tool][row.step] ??= [];
    groups[row.backend][row.tool][row.step].push(row);
  }
  const summary = {};
  for (const [backend, tools] of Object.entries(groups)) {
    summary[backend] = {};
    for (const [tool, steps] of Object.entries(tools)) {
      summary[backend][tool] = {};
      for (const [step, group] of Object.entries(steps)) {
        const walls = group.map((r) => r.wall);
        const types = new Set(group.flatMap((r) => Object.keys(r.requests?.byType ?? {})));
        const byType = {};
        for (const type of types) byType[type] = median(group.map((r) => r.requests?.byType?.[type] ?? 0));
        const requests = median(group.map((r) => r.requests?.total ?? null));
        summary[backend][tool][step] = {
          reps: group.length,
          wall: median(walls),
          wallMin: Math.min(...walls),
          wallMax: Math.max(...walls),
          cpu: median(group.map((r) => r.user + r.sys)),
          mbps: median(walls.map((w) => bytes / 1e6 / w)),
          rssMib: median(group.map((r) => r.rssMib)),
          requests,
          perGiB: requests === null ? null : requests / (bytes / GiB),
          byType,
        };
      }
    }
  }
  return summary;
}

/** Cairn's highest peak RSS over every step and rep of a backend (MiB), or null. */
export function peakRssOf(rows, backend, tool = 'ours') {
  const values = rows.filter((r) => r.backend === backend && r.tool === tool).map((r) => r.rssMib);
  return values.length ? Math.max(...values) : null;
}

/** Goal and bar for a Cairn / restic throughput ratio. */
export const RATIO_GOAL = 1.5;
export const RATIO_BAR = 1.0;

/**
 * The throughput ratios Cairn / restic per backend and step (initial backup, no-change backup,
 * restore): [{ backend, step, ours, restic, ratio, verdict }] with verdict 'goal' (≥ 1.5×),
 * 'bar' (≥ 1.0×), 'below' or null when a tool is missing.
 */
export function remoteRatios(summary) {
  const out = [];
  for (const backend of Object.keys(summary)) {
    for (const step of ['backup-initial', 'backup-nochange', 'restore']) {
      const ours = summary[backend].ours?.[step]?.mbps ?? null;
      const restic = summary[backend].restic?.[step]?.mbps ?? null;
      const ratio = ours === null || restic === null || restic === 0 ? null : ours / restic;
      const verdict = ratio === null ? null : ratio >= RATIO_GOAL ? 'goal' : ratio >= RATIO_BAR ? 'bar' : 'below';
      out.push({ backend, step, ours, restic, ratio, verdict });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The report (pure)

/** A Markdown table padded the way the formatter writes it (so the report passes lint as generated). */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const fixed = (value, digits) => (value === null || value === undefined ? '–' : value.toFixed(digits));

/** "write 1,031, open 43, close 43" for the request types of a step, most frequent first. */
function breakdown(byType, perGiB) {
  const entries = Object.entries(byType)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return entries.map(([type, n]) => `${type} ${Math.round(n * perGiB).toLocaleString('en')}`).join(', ') || '–';
}

const VERDICT_TEXT = {
  goal: 'goal met (≥ 1.5×)',
  bar: 'bar met (≥ 1.0×), goal not',
  below: '**below the bar** (< 1.0×)',
};

/**
 * The Markdown block for docs/performance.md (without markers). `r` is what runRemoteBench
 * returns; `meta` = { date, machine, command, loadAtStart, cores, cairn (the build measured) }.
 */
export function renderRemoteReport(r, meta) {
  const gib = r.dataset.bytes / GiB;
  const results = [];
  for (const backend of r.backends) {
    for (const step of REMOTE_STEPS) {
      for (const tool of REMOTE_TOOLS) {
        const s = r.summary[backend]?.[tool]?.[step];
        if (!s) continue;
        const range = s.reps > 1 ? ` (${fixed(s.wallMin, 2)}–${fixed(s.wallMax, 2)})` : '';
        results.push([
          BACKEND_NAMES[backend],
          STEP_NAMES[step],
          TOOL_NAMES[tool],
          `${fixed(s.wall, 2)}${range}`,
          step === 'init' ? '–' : fixed(s.mbps, 1),
          fixed(s.cpu, 2),
          fixed(s.rssMib, 0),
          s.requests === null ? '–' : String(Math.round(s.requests)),
          step === 'init' || s.perGiB === null ? '–' : Math.round(s.perGiB).toLocaleString('en'),
        ]);
      }
    }
  }
  const ratios = r.ratios.map((x) => [
    BACKEND_NAMES[x.backend],
    STEP_NAMES[x.step],
    fixed(x.ours, 1),
    fixed(x.restic, 1),
    x.ratio === null ? '–' : `${x.ratio.toFixed(2)}×`,
    x.verdict === null ? 'n/a' : VERDICT_TEXT[x.verdict],
  ]);
  const kinds = [];
  for (const backend of r.backends) {
    for (const step of ['backup-initial', 'backup-nochange', 'restore']) {
      for (const tool of REMOTE_TOOLS) {
        const s = r.summary[backend]?.[tool]?.[step];
        if (!s) continue;
        kinds.push([BACKEND_NAMES[backend], STEP_NAMES[step], TOOL_NAMES[tool], breakdown(s.byType, 1 / gib)]);
      }
    }
  }
  const peak = r.backends.map((b) => `${BACKEND_NAMES[b]} ${fixed(peakRssOf(r.rows, b), 0)} MiB`).join(', ');
  const busy = meta.loadAtStart >= meta.cores / 2;
  const lines = [
    `### Remote storage: SFTP and S3 (${r.dataset.sizeMib ?? (r.dataset.bytes / 1024 ** 2).toFixed(0)} MiB)`,
    '',
    `Measured ${meta.date} on ${meta.machine} with \`${meta.command}\`, ${r.reps} rep(s), medians.`,
    `Load average (1 min) before the run: ${meta.loadAtStart.toFixed(2)}${busy ? ' — **the machine was busy with other work; expect noisy figures**' : ''}.`,
    '',
    `- Dataset: ${(r.dataset.bytes / 1024 ** 2).toFixed(1)} MiB in ${r.dataset.files.toLocaleString('en')} files, \`make-dataset.mjs generate --seed ${r.dataset.seed ?? '?'} --size-mib ${r.dataset.sizeMib ?? '?'}\` (content hash \`${r.dataset.hash.slice(0, 16)}…\`).`,
    `- Servers, on this machine over 127.0.0.1 (no network latency: what is measured is each tool's own work per request and byte, and the servers' work, on the same 2 cores): ${r.versions.sshd} with \`sftp-server -l DEBUG3\` (throw-away ed25519 keys), and ${r.versions.rgw} RGW from \`scripts/s3-server.sh\` (one monitor, one in-memory OSD).`,
    `- Tools: Cairn (${meta.cairn}); ${r.versions.restic}, with \`sftp.command\` running ${r.versions.ssh} and \`s3:http://…\`. Cairn: \`init --region EU\`, \`backup -q\`, \`restore latest -q\` with \`--sftp-identity\` / \`--sftp-known-hosts\` or AWS keys from the environment, default \`--connections 4\`; each tool gets a fresh data or cache folder per rep.`,
    '- Per rep and backend the tools take turns (the one that went second goes first in the next rep). Each: `init`, initial backup (page cache warmed by reading the dataset first), no-change backup, `restore latest` into an empty folder, then `diff -r` against the dataset: every restore in this run matched byte for byte. Timed by GNU `/usr/bin/time` after an untimed `sync`; MB/s = dataset bytes / wall seconds (10^6 B).',
    "- Requests are counted by the servers: SFTP requests in sftp-server's log (`request N: <type>` lines; writing the log costs the server a few µs per request, the same for both tools), S3 requests in RGW's access log (one line per HTTP request). Per GiB means per GiB of the dataset.",
    '',
    markdownTable(
      [
        'backend',
        'step',
        'tool',
        'wall s, median (min–max)',
        'MB/s',
        'CPU s',
        'peak RSS MiB',
        'requests',
        'requests / GiB',
      ],
      results,
    ),
    '',
    `Throughput, Cairn / restic (goal ≥ ${RATIO_GOAL.toFixed(1)}×, bar ≥ ${RATIO_BAR.toFixed(1)}×):`,
    '',
    markdownTable(['backend', 'step', 'Cairn MB/s', 'restic MB/s', 'Cairn / restic', 'verdict'], ratios),
    '',
    `Cairn's peak RSS (highest of all its steps and reps): ${peak}.`,
    '',
    'Requests per GiB of the dataset by type (medians):',
    '',
    markdownTable(['backend', 'step', 'tool', 'requests / GiB by type'], kinds),
    '',
    `Per rep (wall s, ${REMOTE_STEPS.map((s) => STEP_NAMES[s]).join(' / ')}): ${perRepText(r)}.`,
  ];
  return `${lines.join('\n')}\n`;
}

function perRepText(r) {
  const parts = [];
  for (const backend of r.backends) {
    for (const tool of REMOTE_TOOLS) {
      const reps = [];
      for (let rep = 1; rep <= r.reps; rep++) {
        const walls = REMOTE_STEPS.map(
          (step) =>
            r.rows.find((x) => x.backend === backend && x.tool === tool && x.rep === rep && x.step === step)?.wall,
        );
        if (walls.some((w) => w === undefined)) continue;
        reps.push(walls.map((w) => w.toFixed(2)).join('/'));
      }
      if (reps.length) parts.push(`${BACKEND_NAMES[backend]} ${TOOL_NAMES[tool]} ${reps.join(', ')}`);
    }
  }
  return parts.join('; ');
}

/** `existing` with the remote block replaced by `block` (appended when there is none yet). */
export function spliceRemoteReport(existing, block) {
  const body = `${REMOTE_START}\n\n${block.trimEnd()}\n\n${REMOTE_END}\n`;
  const text = existing ?? '# Cairn performance\n';
  const start = text.indexOf(REMOTE_START);
  const end = text.indexOf(REMOTE_END);
  if (start === -1 && end === -1) {
    // Right after the journal block when there is one, so the generated parts stay together.
    const journalEnd = '<!-- bench-journal:end -->';
    const at = text.indexOf(journalEnd);
    if (at !== -1) {
      const after = at + journalEnd.length;
      const rest = text.slice(after).replace(/^\n+/, '');
      return `${text.slice(0, after)}\n\n${body}${rest ? `\n${rest}` : ''}`;
    }
    return `${text.replace(/\n*$/, '\n')}\n${body}`;
  }
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`the report has a broken remote block: it needs one ${REMOTE_START} before ${REMOTE_END}`);
  }
  return `${text.slice(0, start)}${body}${text.slice(end + REMOTE_END.length).replace(/^\n/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// Servers

function listenAndClose(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/** A free port P with P+1 free too (RGW and its monitor), outside the OSD's range 6800-7300. */
async function freePortPair() {
  for (;;) {
    const port = await listenAndClose(0);
    if ((port + 1 >= 6800 && port <= 7300) || port >= 65534) continue;
    if ((await listenAndClose(port + 1).catch(() => 0)) === port + 1) return port;
  }
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (sshd's per-connection children outlive a killed listener). */
function descendants(pid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat = '';
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(name), ppid);
  }
  const found = [];
  const walk = (parent) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function runQuiet(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  return result.stdout;
}

/**
 * Starts OpenSSH's sshd on 127.0.0.1 (a free port) from `dir`: throw-away ed25519 host and user
 * keys, public-key login only, a known_hosts file, and SFTP by `sftp-server -l DEBUG3` whose log
 * (`dir/sftp.log`) names every request. Returns { port, user, identityFile, knownHostsFile,
 * sftpLog, pidFile, stop }.
 */
export async function startBenchSshd(dir) {
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/lib/openssh/sftp-server', '/usr/bin/ssh']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y openssh-server openssh-client`);
  }
  mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'host_ed25519_key');
  const identityFile = path.join(dir, 'user_ed25519_key');
  for (const key of [hostKey, identityFile]) {
    rmSync(key, { force: true });
    rmSync(`${key}.pub`, { force: true });
    runQuiet('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', path.basename(key), '-f', key]);
  }
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${identityFile}.pub`));
  const port = await listenAndClose(0);
  const pidFile = path.join(dir, 'sshd.pid');
  const config = path.join(dir, 'sshd_config');
  const log = path.join(dir, 'sshd.log');
  const sftpLog = path.join(dir, 'sftp.log');
  writeFileSync(sftpLog, '');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'MaxStartups 100',
      // sshd runs a subsystem command through the user's shell, so its stderr can go to a file:
      // sftp-server logs each request at DEBUG3 (internal-sftp would log to syslog only).
      `Subsystem sftp /usr/lib/openssh/sftp-server -e -l DEBUG3 2>>${sftpLog}`,
      '',
    ].join('\n'),
  );
  const publicHostKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHostsFile = path.join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${publicHostKey}\n`);
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation folder
  rmSync(pidFile, { force: true });
  const started = spawnSync('/usr/sbin/sshd', ['-f', config, '-E', log], { encoding: 'utf8' });
  if (started.status !== 0) {
    const logged = existsSync(log) ? readFileSync(log, 'utf8') : '';
    throw new Error(`sshd did not start: ${started.stderr.trim()}\n${logged}`);
  }
  const pidOf = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0);
  await waitFor('sshd to write its pid file', () => pidOf() > 0);
  await waitFor(`sshd to accept connections on port ${port}`, () => accepts(port));
  const listener = pidOf();
  const stop = async () => {
    if (!(listener > 0) || !isRunning(listener)) return;
    const all = [listener, ...descendants(listener)];
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await waitFor('sshd and its sessions to exit', () => all.every((p) => !isRunning(p)));
  };
  return { port, user: os.userInfo().username, identityFile, knownHostsFile, sftpLog, pidFile, stop };
}

/**
 * Starts the S3 server of scripts/s3-server.sh in `dir` on free ports. Returns { port, env
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), log (RGW's log file), stop }.
 */
export async function startBenchRgw(dir, script) {
  const missing = ['radosgw', 'ceph-mon', 'ceph-osd', 'radosgw-admin'].filter(
    (cmd) => spawnSync('bash', ['-c', `command -v ${cmd}`]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `the S3 part needs Ceph's RADOS Gateway (${missing.join(', ')} not found): apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const stop = async () => {
    spawnSync('bash', [script, 'stop', dir], { stdio: 'ignore' });
  };
  for (let attempt = 1; ; attempt++) {
    const port = await freePortPair();
    const started = spawnSync('bash', [script, 'start', dir, String(port)], { encoding: 'utf8', timeout: 180_000 });
    if (started.status === 0) {
      const env = {};
      for (const m of started.stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
      return { port, env, log: path.join(dir, 'log', 'client.rgw.a.log'), stop };
    }
    await stop();
    rmSync(dir, { recursive: true, force: true });
    // Another process may have taken the port between the check and RGW's bind: try another.
    if (attempt < 3 && /already in use/.test(started.stderr)) continue;
    throw new Error(`scripts/s3-server.sh start failed: ${(started.stderr || started.error?.message || '').trim()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Running the tools

/** Bytes of `file` from `offset` on (what a server logged since then). */
function readFrom(file, offset) {
  const size = statSync(file).size;
  if (size <= offset) return '';
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Runs a command; resolves { code, stdout, stderr }. */
function exec(command, args, { env, cwd, timeoutMs = STEP_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs `command args` under GNU time; returns { wall, user, sys, rssMib }; throws with the tool's output on failure. */
async function timed(label, command, args, env, scratch) {
  await exec('sync', []);
  const timeFile = path.join(scratch, 'time.txt');
  rmSync(timeFile, { force: true });
  const run = await exec('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', command, ...args], { env });
  if (run.code !== 0) {
    const output = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${label} failed (exit ${run.code}):\n${output.replace(/^/gm, '  | ')}`);
  }
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, rssKib] = last.split(' ').map(Number);
  return { wall, user, sys, rssMib: rssKib / 1024 };
}

/** Waits until what a server logged since `offset` holds every request of the step that just ended. */
async function settledCount(kind, file, offset) {
  if (kind === 'sftp') {
    // sftp-server writes "session closed" as it exits: wait for every session the step opened.
    let counted = countSftpRequests(readFrom(file, offset));
    for (let i = 0; i < 200 && counted.closed < counted.opened; i++) {
      await new Promise((r) => setTimeout(r, 25));
      counted = countSftpRequests(readFrom(file, offset));
    }
    return counted;
  }
  // RGW's log is written by a logging thread: wait until its access lines stop coming.
  let counted = countRgwRequests(readFrom(file, offset));
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const again = countRgwRequests(readFrom(file, offset));
    if (again.total === counted.total && i > 0) break;
    counted = again;
  }
  return counted;
}

/** Reads every file of `dir` once, so that a backup starts with a warm page cache. */
async function warmPageCache(dir) {
  await exec('bash', ['-c', 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', 'warm', dir]);
}

function firstLine(command, args) {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** The command lines of one tool on one backend. */
function toolCommands({ tool, backend, rep, servers, scratch, cairn }) {
  const state = path.join(scratch, `${tool}-${backend}-${rep}`);
  const { sshd, rgw } = servers;
  if (tool === 'ours') {
    const dataDir = path.join(state, 'data-dir');
    let repo;
    let extra = [];
    if (backend === 'sftp') {
      repo = `sftp://${sshd.user}@127.0.0.1:${sshd.port}${path.join(scratch, 'sftp-repos', `cairn-${rep}`)}`;
      extra = ['--sftp-identity', sshd.identityFile, '--sftp-known-hosts', sshd.knownHostsFile];
    } else {
      repo = `s3+http://127.0.0.1:${rgw.port}/cairn-${rep}`;
    }
    const base = (command, ...args) => [
      ...cairn.slice(1),
      command,
      '--repo',
      repo,
      '--data-dir',
      dataDir,
      ...extra,
      ...args,
    ];
    return {
      state,
      command: cairn[0],
      init: base('init', '-q', '--region', 'EU'),
      backup: (src) => base('backup', '-q', src),
      restore: (target) => base('restore', 'latest', '-q', '--target', target),
    };
  }
  const cache = path.join(state, 'cache');
  let repoArgs;
  if (backend === 'sftp') {
    const ssh = [
      'ssh -F /dev/null',
      `-i ${sshd.identityFile}`,
      '-o IdentitiesOnly=yes',
      `-o UserKnownHostsFile=${sshd.knownHostsFile}`,
      '-o StrictHostKeyChecking=yes -o BatchMode=yes',
      `-p ${sshd.port} ${sshd.user}@127.0.0.1 -s sftp`,
    ].join(' ');
    repoArgs = [
      '-r',
      `sftp:${sshd.user}@127.0.0.1:${path.join(scratch, 'sftp-repos', `restic-${rep}`)}`,
      '-o',
      `sftp.command=${ssh}`,
    ];
  } else {
    repoArgs = ['-r', `s3:http://127.0.0.1:${rgw.port}/restic-${rep}`];
  }
  const base = (...args) => [...repoArgs, '--cache-dir', cache, '-q', ...args];
  return {
    state,
    command: 'restic',
    init: base('init'),
    backup: (src) => base('backup', src),
    restore: (target) => base('restore', 'latest', '--target', target),
  };
}

/**
 * Runs the benchmark. `cairn` is the command (array) running Cairn's CLI; `dataset` what
 * ensureDataset returned; `s3Script` scripts/s3-server.sh. Returns { dataset, reps, backends, rows,
 * summary, ratios, versions }.
 */
export async function runRemoteBench({ work, dataset, reps, backends = REMOTE_BACKENDS, cairn, s3Script, log }) {
  if (/\s/.test(work)) throw new Error(`--work ${work} contains white space, which ssh's command line cannot take`);
  const scratch = path.join(work, 'remote-run');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(path.join(scratch, 'sftp-repos'), { recursive: true });
  const servers = {};
  const stopAll = async () => {
    await Promise.allSettled([servers.sshd?.stop(), servers.rgw?.stop()]);
  };
  // Interrupted (Ctrl+C): stop the servers before going.
  const onSignal = (signal) => {
    log(`${signal}: stopping the servers`);
    stopAll().finally(() => {
      rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Killed outright: a detached watchdog stops them once this process is gone.
  const watchdog = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"; ' +
        'p=$(cat "$4" 2>/dev/null) && [ -n "$p" ] && pkill -TERM -P "$p"; [ -n "$p" ] && kill "$p"',
      'watchdog',
      String(process.pid),
      s3Script,
      path.join(scratch, 'rgw'),
      path.join(scratch, 'sshd', 'sshd.pid'),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  try {
    if (backends.includes('sftp')) {
      log('remote bench: starting sshd');
      servers.sshd = await startBenchSshd(path.join(scratch, 'sshd'));
    }
    if (backends.includes('s3')) {
      log('remote bench: starting the S3 server (Ceph RGW)');
      servers.rgw = await startBenchRgw(path.join(scratch, 'rgw'), s3Script);
    }
    const env = { ...process.env, RESTIC_PASSWORD: PASSWORD, CAIRN_PASSWORD: PASSWORD, ...(servers.rgw?.env ?? {}) };
    for (const name of [
      'CAIRN_REPOSITORY',
      'CAIRN_DATA_DIR',
      'CAIRN_PASSWORD_FILE',
      'RESTIC_REPOSITORY',
      'AWS_PROFILE',
    ]) {
      delete env[name];
    }
    const rows = [];
    for (let rep = 1; rep <= reps; rep++) {
      for (const backend of backends) {
        const order = rep % 2 === 1 ? ['restic', 'ours'] : ['ours', 'restic'];
        for (const tool of order) {
          const where = `${TOOL_NAMES[tool]} over ${BACKEND_NAMES[backend]}, rep ${rep}/${reps}`;
          const cmds = toolCommands({ tool, backend, rep, servers, scratch, cairn });
          mkdirSync(cmds.state, { recursive: true });
          const logFile = backend === 'sftp' ? servers.sshd.sftpLog : servers.rgw.log;
          const target = path.join(cmds.state, 'restored');
          const step = async (name, args) => {
            const offset = statSync(logFile).size;
            const t = await timed(`${where}: ${STEP_NAMES[name]}`, cmds.command, args, env, scratch);
            const counted = await settledCount(backend, logFile, offset);
            const row = {
              backend,
              tool,
              rep,
              step: name,
              ...t,
              requests: { total: counted.total, byType: counted.byType },
            };
            rows.push(row);
            const mbps = name === 'init' ? '' : `, ${(dataset.bytes / 1e6 / t.wall).toFixed(1)} MB/s`;
            log(
              `${where}: ${STEP_NAMES[name]} ${t.wall.toFixed(2)} s${mbps}, ${t.rssMib.toFixed(0)} MiB, ${counted.total} requests`,
            );
          };
          await step('init', cmds.init);
          await warmPageCache(dataset.dir);
          await step('backup-initial', cmds.backup(dataset.dir));
          await step('backup-nochange', cmds.backup(dataset.dir));
          await step('restore', cmds.restore(target));
          const compare = await exec('diff', [
            '-r',
            '-q',
            '--no-dereference',
            dataset.dir,
            path.join(target, dataset.dir),
          ]);
          if (compare.code !== 0) {
            throw new Error(
              `${where}: the restored files differ from the dataset:\n${(compare.stdout + compare.stderr).slice(0, 2000)}`,
            );
          }
          // cmds.state (with the restored tree) stays until the run ends: on an ext4 without a
          // journal, as here, files created within seconds of a mass deletion step over each freed
          // inode in turn (ext4's recently_deleted), which made the next tool's restore spend
          // 1.2–5.2 s in the kernel depending on how soon it came.
        }
        // The SFTP repositories are plain folders here; S3's stay in the OSD's memory until the end.
        rmSync(path.join(scratch, 'sftp-repos', `cairn-${rep}`), { recursive: true, force: true });
        rmSync(path.join(scratch, 'sftp-repos', `restic-${rep}`), { recursive: true, force: true });
      }
    }
    const summary = summarizeRemote(rows, dataset.bytes);
    const versions = {
      sshd: `${firstLine('ssh', ['-V'])
        .replace(/[ ,].*/, '')
        .replace(/^OpenSSH_/, 'OpenSSH ')} sshd`,
      ssh: `\`ssh\` (${firstLine('ssh', ['-V']).replace(/[ ,].*/, '')})`,
      rgw: firstLine('radosgw', ['--version']).replace(/^ceph version (\S+).*$/, 'Ceph $1'),
      restic: firstLine('restic', ['version']).replace(/ compiled.*/, ''),
    };
    return { dataset, reps, backends, rows, summary, ratios: remoteRatios(summary), versions };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    log('remote bench: stopping the servers');
    await stopAll();
    try {
      process.kill(watchdog.pid);
    } catch {
      // already gone
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}
