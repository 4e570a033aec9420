/**
 * The journal benchmark of `npm run bench`: a tree of many small files (default 100,000),
 * backed up once by restic and by Cairn; then, per rep, restic's no-change backup is timed, and
 * Cairn's backup after 10 files changed under a running `cairn watch` (a journal backup) is timed
 * in the same run. Also measured: Cairn's full-rescan no-change backup, the watcher's time to
 * ready and its memory (VmHWM), and the peak RSS of the journal backup.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const PASSWORD = 'bench-password-1';

function run(command, args, env, cwd) {
  const timed = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { env, cwd, encoding: 'utf8' });
  if (timed.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${timed.status}):\n${timed.stderr.slice(-2000)}`);
  const last = timed.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, rssKib] = last.split(' ').map(Number);
  return { wallS: wall, rssMib: rssKib / 1024, stdout: timed.stdout };
}

/** Lists the regular files of `dir` (sorted), to pick the ones each rep changes. */
function listFiles(dir) {
  const out = spawnSync('find', [dir, '-type', 'f', '-size', '-64k'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.stdout.split('\n').filter(Boolean).sort();
}

function vm(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Starts `cairn watch DIR`; resolves once it printed `watching N paths`. */
function startWatch(cairn, dir, env) {
  const started = Date.now();
  const child = spawn(cairn[0], [...cairn.slice(1), 'watch', '--verbose', dir], { env });
  let journaled = 0;
  child.stderr.setEncoding('utf8').on('data', (d) => {
    for (const m of d.matchAll(/journaled (\d+) change/g)) journaled += Number(m[1]);
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = /^watching (\d+) paths$/.exec(line.trim());
      if (!m) reject(new Error(`cairn watch printed ${JSON.stringify(line)}`));
      else
        resolve({
          child,
          paths: Number(m[1]),
          readyS: (Date.now() - started) / 1000,
          journaled: () => journaled,
        });
    });
    child.once('exit', (code) => reject(new Error(`cairn watch exited (${code})`)));
  });
}

async function waitFor(predicate, what) {
  for (let i = 0; i < 600; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : Number.NaN;
};

/**
 * Runs the benchmark; returns medians and per-rep figures. `cairn` is the command (array) that
 * runs Cairn's CLI; `makeDataset` the generator script.
 */
export async function runJournalBench({ work, files, reps, cairn, makeDataset, log }) {
  const data = path.join(work, `journal-data-${files}`);
  if (!existsSync(path.join(data, '.complete'))) {
    rmSync(data, { recursive: true, force: true });
    log(`generating a ${files}-file tree in ${data}`);
    const sizeMib = String(Math.max(64, Math.round(files / 400)));
    const gen = spawnSync(
      process.execPath,
      [makeDataset, 'generate', data, '--seed', '7', '--size-mib', sizeMib, '--files', String(files)],
      { stdio: 'inherit' },
    );
    if (gen.status !== 0) throw new Error('make-dataset.mjs generate failed');
    appendFileSync(path.join(data, '.complete'), '');
  }
  const fileList = listFiles(data).filter((f) => !f.endsWith('.complete'));
  const scratch = path.join(work, 'journal-run');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const env = { ...process.env, RESTIC_PASSWORD: PASSWORD, CAIRN_PASSWORD: PASSWORD };
  delete env.CAIRN_REPOSITORY;
  delete env.CAIRN_DATA_DIR;
  const resticRepo = path.join(scratch, 'restic-repo');
  const resticCache = path.join(scratch, 'restic-cache');
  const cairnRepo = path.join(scratch, 'cairn-repo');
  const cairnData = path.join(scratch, 'cairn-data');
  const restic = (...args) => run('restic', ['--repo', resticRepo, '--cache-dir', resticCache, '-q', ...args], env);
  const ours = (command, ...args) =>
    run(cairn[0], [...cairn.slice(1), command, '--repo', cairnRepo, '--data-dir', cairnData, ...args], env);

  log('journal bench: restic init + initial backup');
  restic('init');
  restic('backup', data);
  log('journal bench: cairn init + initial backup');
  ours('init', '-q');
  ours('backup', '-q', data);

  const resticNoChange = [];
  const oursRescan = [];
  for (let rep = 0; rep < reps; rep++) {
    resticNoChange.push(restic('backup', data).wallS);
    oursRescan.push(ours('backup', '-q', '--rescan', data).wallS);
  }
  log(`journal bench: starting cairn watch on ${fileList.length} files`);
  const watch = await startWatch(cairn, data, { ...env, CAIRN_DATA_DIR: cairnData });
  const watcherRss = vm(watch.child.pid, 'VmRSS');
  const journal = [];
  const journalRss = [];
  let usedJournal = true;
  try {
    // One backup while the watcher is ready, so the next ones may trust its journal.
    ours('backup', '-q', data);
    for (let rep = 0; rep < reps; rep++) {
      const before = watch.journaled();
      for (let i = 0; i < 10; i++) {
        const f = fileList[(rep * 7919 + i * 104729) % fileList.length];
        appendFileSync(f, `journal bench rep ${rep} change ${i}\n`);
      }
      await waitFor(() => watch.journaled() - before >= 10, 'the watcher to journal 10 changes');
      await new Promise((r) => setTimeout(r, 400)); // let the last coalesced events reach the journal
      const r = ours('backup', '--json', data);
      const result = JSON.parse(r.stdout);
      usedJournal &&= result.journal?.used === true;
      journal.push(r.wallS);
      journalRss.push(r.rssMib);
    }
  } finally {
    const watcherHwm = vm(watch.child.pid, 'VmHWM');
    watch.child.kill('SIGINT');
    await new Promise((r) => watch.child.once('exit', r));
    watch.watcherHwm = watcherHwm;
  }
  // The last journal backup restores byte-identical to the tree it was made of.
  log('journal bench: restoring the last journal backup and comparing it with the source');
  const restoreTarget = path.join(scratch, 'restored');
  ours('restore', 'latest', '-q', '--target', restoreTarget);
  const compare = spawnSync('diff', ['-r', '-q', '--no-dereference', data, path.join(restoreTarget, data)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const restoreMatches = compare.status === 0;
  if (!restoreMatches) log(`the restore differs from the source:\n${compare.stdout.slice(0, 2000)}`);
  const journalBytes = ['journal.sqlite', 'journal.sqlite-wal']
    .map((f) => path.join(cairnData, f))
    .filter((f) => existsSync(f))
    .reduce((sum, f) => sum + statSync(f).size, 0);
  rmSync(scratch, { recursive: true, force: true });
  const result = {
    journalMib: journalBytes / 1024 ** 2,
    restoreMatches,
    files: fileList.length,
    watchedPaths: watch.paths,
    reps,
    resticNoChangeS: median(resticNoChange),
    oursRescanS: median(oursRescan),
    oursJournalS: median(journal),
    ratio: median(journal) / median(resticNoChange),
    usedJournal,
    watcherReadyS: watch.readyS,
    watcherRssMib: watcherRss,
    watcherPeakMib: watch.watcherHwm,
    journalBackupPeakRssMib: Math.max(...journalRss),
    perRep: { resticNoChange, oursRescan, journal },
  };
  return result;
}

/** A Markdown table padded the way the formatter writes it (so the report passes lint as generated). */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** The Markdown block for docs/performance.md. */
export function renderJournalReport(r, { date, machine, command }) {
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const verdict = r.usedJournal && r.restoreMatches && r.ratio <= 0.2 ? 'met' : 'NOT met';
  return `### Journal backups (${r.files.toLocaleString('en')} files)

Measured ${date} on ${machine} with \`${command}\`, ${r.reps} rep(s), medians.

${markdownTable(
  ['measurement', 'seconds'],
  [
    ['restic no-change backup', f(r.resticNoChangeS)],
    ['Cairn no-change backup, full rescan (`--rescan`)', f(r.oursRescanS)],
    ['Cairn backup after 10 files changed, with `cairn watch` running (journal)', f(r.oursJournalS)],
  ],
)}

- Journal backup / restic no-change backup: **${f(r.ratio)}×** (target ≤ 0.2×, goal 0.1×): ${verdict}${r.usedJournal ? '' : ' — a backup did not use the journal'}.
- Watcher (\`cairn watch\`, chokidar) over ${r.watchedPaths.toLocaleString('en')} paths: ready in ${f(r.watcherReadyS, 1)} s, RSS ${f(r.watcherRssMib, 0)} MiB when ready, peak ${f(r.watcherPeakMib, 0)} MiB.
- The last journal backup, restored with \`cairn restore latest\`, ${r.restoreMatches ? 'matched the source byte for byte (`diff -r`)' : '**differed from the source**'}.
- Peak RSS of a journal backup: ${f(r.journalBackupPeakRssMib, 0)} MiB. The journal database (changes, backup marks, per-folder counts) on disk: ${f(r.journalMib, 1)} MiB.
- Per rep (s): restic no-change ${r.perRep.resticNoChange.map((x) => f(x)).join(', ')}; Cairn rescan ${r.perRep.oursRescan.map((x) => f(x)).join(', ')}; Cairn journal ${r.perRep.journal.map((x) => f(x)).join(', ')}.
`;
}

export const JOURNAL_START = '<!-- bench-journal:start -->';
export const JOURNAL_END = '<!-- bench-journal:end -->';

/** `existing` with the journal block replaced by `block` (appended when there is none yet). */
export function spliceJournalReport(existing, block) {
  const body = `${JOURNAL_START}\n\n${block.trimEnd()}\n\n${JOURNAL_END}\n`;
  const text = existing ?? '# Cairn performance\n';
  const start = text.indexOf(JOURNAL_START);
  const end = text.indexOf(JOURNAL_END);
  if (start === -1 || end === -1 || end < start) return `${text.replace(/\n*$/, '\n')}\n${body}`;
  return `${text.slice(0, start)}${body}${text.slice(end + JOURNAL_END.length).replace(/^\n/, '')}`;
}
