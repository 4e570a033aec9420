#!/usr/bin/env node
/**
 * `npm run bench`: measures Cairn side by side with restic and records the result in docs/performance.md.
 *
 *   1. builds dist/ when it is missing or older than the sources (npm run build);
 *   2. generates the dataset WORK/data-<size> with ../shared/bench/make-dataset.mjs once, then reuses it;
 *   3. runs ../shared/bench/anchors.sh (init, initial / no-change / post-mutation backup, restore and
 *      byte-for-byte verify, per tool and rep, warm page cache) with Cairn's command templates;
 *   4. takes the median per tool and step over the reps, evaluates the performance targets
 *      (ratios to restic, Cairn's peak RSS) and writes them between the bench markers of the report;
 *   5. the journal part (bench/journal.mjs): journal backups of a many-file tree under `cairn watch`;
 *   6. the remote part (bench/remote.mjs): Cairn and restic over SFTP and S3, against an sshd and a
 *      Ceph RGW started on 127.0.0.1 for the run, with the requests counted by the servers.
 *   7. the index part (bench/index.mjs), opt-in with `--only index`: open time and memory of the
 *      index of synthetic repositories of millions of chunks.
 * `--only anchors|journal|remote|index` runs one part; each writes its own section of the report.
 *
 * A failed step (non-zero exit, a restore that differs from the source, a missing row) is printed
 * with the tool's output and makes the script exit 1 without touching the report.
 * Run `node scripts/bench.mjs --help` for the options.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDataset, ensureDataset } from './bench/dataset.mjs';
import { ensureBuilt } from './bench/ensure-build.mjs';
import { harnessEnv, oursTemplates, readToolsLog, runAnchors, toolLogSection } from './bench/harness.mjs';
import { renderIndexReport, runIndexBench, spliceIndexReport } from './bench/index.mjs';
import { renderJournalReport, runJournalBench, spliceJournalReport } from './bench/journal.mjs';
import { hasCommand, machineInfo } from './bench/machine.mjs';
import { HELP, parseBenchArgs, UsageError } from './bench/options.mjs';
import { renderRemoteReport, runRemoteBench, spliceRemoteReport } from './bench/remote.mjs';
import { parseHarnessHeader, renderReport, spliceReport } from './bench/report.mjs';
import { evaluateTargets, findFailures, median, parseResultsTsv, summarize } from './bench/results.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function log(message) {
  process.stdout.write(`bench: ${message}\n`);
}

/** A failure the user can act on: printed without a stack trace. */
class BenchError extends Error {}

function timestamp(date) {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The tools to run: --tools as given (each must be installed), else restic + Cairn, or Cairn alone. */
function chooseTools(requested) {
  if (requested) {
    for (const tool of requested) {
      if (tool !== 'ours' && !hasCommand(tool)) {
        throw new BenchError(
          `${tool} is not installed; install it with: apt-get install -y ${tool === 'borg' ? 'borgbackup' : tool}`,
        );
      }
    }
    return requested;
  }
  if (hasCommand('restic')) return ['restic', 'ours'];
  log('restic is not installed (apt-get install -y restic); measuring Cairn alone, so the ratio targets stay n/a');
  return ['ours'];
}

function checkPrerequisites(harness) {
  const anchors = path.join(harness, 'anchors.sh');
  const makeDataset = path.join(harness, 'make-dataset.mjs');
  for (const file of [anchors, makeDataset]) {
    if (!existsSync(file)) throw new BenchError(`${file} not found; point --harness at the folder holding anchors.sh`);
  }
  for (const [command, pkg] of [
    ['bash', 'bash'],
    ['diff', 'diffutils'],
    ['du', 'coreutils'],
  ]) {
    if (!hasCommand(command))
      throw new BenchError(`${command} is needed by anchors.sh; install it: apt-get install -y ${pkg}`);
  }
  if (!existsSync('/usr/bin/time')) {
    throw new BenchError('anchors.sh times each step with GNU /usr/bin/time; install it: apt-get install -y time');
  }
  return { anchors, makeDataset };
}

/** Prints every failed step with the tool's own output, from the harness's tools.log. */
function reportFailures(failures, outDir) {
  const toolsLog = readToolsLog(path.join(outDir, 'tools.log'));
  process.stderr.write(`\nbench: ${failures.length} step(s) failed; the report was not written.\n`);
  const shown = new Set();
  for (const f of failures) {
    process.stderr.write(`  - ${f.tool}, rep ${f.rep}, ${f.step}: ${f.message}\n`);
    const key = `${f.tool}/${f.rep}`;
    if (shown.has(key)) continue;
    shown.add(key);
    const section = toolLogSection(toolsLog, f.tool, f.rep);
    if (section)
      process.stderr.write(
        `    output of ${f.tool} in rep ${f.rep} (last lines of tools.log):\n${section.replace(/^/gm, '      | ')}\n`,
      );
    const diff = path.join(outDir, `diff-${f.tool}-${f.rep}.txt`);
    if (f.step === 'restore' && existsSync(diff)) process.stderr.write(`    differences: ${diff}\n`);
  }
  process.stderr.write(`  all results: ${outDir} (results.tsv, tools.log, summary.md)\n`);
}

async function main() {
  const started = Date.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const work = path.resolve(options.work);
  if (/\s/.test(work))
    throw new BenchError(`--work ${work} contains white space, which the harness's command lines cannot take`);
  const harness = path.resolve(options.harness ?? path.join(ROOT, '..', 'shared', 'bench'));
  const out = path.resolve(options.out ?? path.join(ROOT, 'docs', 'performance.md'));
  mkdirSync(work, { recursive: true });
  // The index part runs the TypeScript sources (tsx), and needs neither the harness nor a build.
  if (options.only === 'index') return indexPart({ options, work, out });
  const { anchors, makeDataset } = checkPrerequisites(harness);
  const tools = chooseTools(options.tools);

  ensureBuilt(ROOT, log);
  const runs = (part) => options.only === null || options.only === part;
  if (runs('anchors')) {
    const code = await anchorsPart({ options, work, out, anchors, makeDataset, tools, started, loadAtStart });
    if (code !== 0) return code;
  }
  if (runs('journal')) {
    if (!hasCommand('restic')) {
      log('restic is not installed (apt-get install -y restic); skipping the journal benchmark');
    } else {
      const result = await runJournalBench({
        work,
        files: options.journalFiles,
        reps: options.reps,
        cairn: [process.execPath, path.join(ROOT, 'bin', 'cairn.mjs')],
        makeDataset,
        log,
      });
      const m = machineInfo(ROOT);
      const block = renderJournalReport(result, {
        date: new Date().toISOString(),
        machine: `${m.cpu} (${m.cores} cores), ${m.memoryGiB.toFixed(1)} GiB, ${m.os}`,
        command: commandLine(),
      });
      process.stdout.write(`\n${block}`);
      if (options.write) {
        const existing = existsSync(out) ? readFileSync(out, 'utf8') : null;
        writeFileSync(out, spliceJournalReport(existing, block));
        log(`wrote the journal section of ${path.relative(process.cwd(), out) || out}`);
      }
    }
  }
  if (runs('remote')) await remotePart({ options, work, out, makeDataset, explicit: options.only === 'remote' });
  return 0;
}

/** The index at millions of chunks (scripts/bench/index.mjs). */
function indexPart({ options, work, out }) {
  const loadAtStart = os.loadavg()[0] ?? 0;
  let rows;
  try {
    rows = runIndexBench({ root: ROOT, work, sizes: options.indexChunks, reps: options.reps, log });
  } catch (error) {
    throw new BenchError(`the index benchmark failed; the report was not written.\n${error.message}`);
  }
  const m = machineInfo(ROOT);
  const block = renderIndexReport(rows, {
    date: new Date().toISOString(),
    machine: `${m.cpu} (${m.cores} cores), ${m.memoryGiB.toFixed(1)} GiB, ${m.os}, Node ${m.node}`,
    command: commandLine(),
    reps: options.reps,
    loadAtStart,
    cores: m.cores,
  });
  process.stdout.write(`\n${block}`);
  if (options.write) {
    const existing = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, spliceIndexReport(existing, block));
    log(`wrote the index section of ${path.relative(process.cwd(), out) || out}`);
  }
  return 0;
}

/** How this run was started, for the report. */
function commandLine() {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  return args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
}

/** What the remote part needs that is not installed, as apt packages; [] when all is there. */
function missingForRemote(backends) {
  const missing = [];
  if (!hasCommand('restic')) missing.push('restic');
  if (backends.includes('sftp') && !(existsSync('/usr/sbin/sshd') && hasCommand('ssh'))) missing.push('openssh-server');
  if (backends.includes('s3') && !hasCommand('radosgw')) missing.push('ceph-mon ceph-osd radosgw');
  return missing;
}

/**
 * Cairn and restic over SFTP and S3, against an sshd and a Ceph RGW started for the run
 * (scripts/bench/remote.mjs). Skipped with a note in a full run when a server or restic is
 * missing; `--only remote` fails instead.
 */
async function remotePart({ options, work, out, makeDataset, explicit }) {
  const loadAtStart = os.loadavg()[0] ?? 0;
  const missing = missingForRemote(options.remoteBackends);
  if (missing.length > 0) {
    const hint = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
    if (explicit) throw new BenchError(`the remote benchmark needs ${missing.join(', ')}: ${hint}`);
    log(`skipping the remote benchmark: it needs ${missing.join(', ')} (${hint})`);
    return;
  }
  let dataset;
  try {
    dataset = ensureDataset({ makeDataset, work, sizeMib: options.remoteSizeMib, seed: options.seed, log });
  } catch (error) {
    throw new BenchError(`could not prepare the dataset: ${error.message}`);
  }
  log(
    `remote bench: ${options.remoteBackends.join(' and ')}, ${options.reps} rep(s), dataset ${dataset.dir} ` +
      `(${dataset.files} files, ${(dataset.bytes / 1024 ** 2).toFixed(1)} MiB)`,
  );
  let result;
  try {
    result = await runRemoteBench({
      work,
      dataset,
      reps: options.reps,
      backends: options.remoteBackends,
      cairn: [process.execPath, path.join(ROOT, 'bin', 'cairn.mjs')],
      s3Script: path.join(ROOT, 'scripts', 's3-server.sh'),
      log,
    });
  } catch (error) {
    throw new BenchError(`the remote benchmark failed; the report was not written.\n${error.message}`);
  }
  const m = machineInfo(ROOT);
  const block = renderRemoteReport(result, {
    date: new Date().toISOString(),
    machine: `${m.cpu} (${m.cores} cores), ${m.memoryGiB.toFixed(1)} GiB, ${m.os}, Node ${m.node}`,
    command: commandLine(),
    loadAtStart,
    cores: m.cores,
    cairn: m.cairn,
  });
  process.stdout.write(`\n${block}`);
  if (options.write) {
    const existing = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, spliceRemoteReport(existing, block));
    log(`wrote the remote section of ${path.relative(process.cwd(), out) || out}`);
  }
}

/** The side-by-side anchors harness: initial / no-change / mutated backups and a restore per tool. */
async function anchorsPart({ options, work, out, anchors, makeDataset, tools, started, loadAtStart }) {
  let dataset;
  try {
    dataset = options.dataset
      ? describeDataset(makeDataset, path.resolve(options.dataset))
      : ensureDataset({ makeDataset, work, sizeMib: options.sizeMib, seed: options.seed, log });
  } catch (error) {
    throw new BenchError(`could not prepare the dataset: ${error.message}`);
  }
  log(`dataset: ${dataset.dir} (${dataset.files} files, ${(dataset.bytes / 1024 ** 2).toFixed(1)} MiB)`);

  const date = new Date();
  const outDir = path.join(work, `results-${timestamp(date)}`);
  const env = harnessEnv(process.env, oursTemplates(process.execPath, path.join(ROOT, 'bin', 'cairn.mjs')));
  log(`running anchors.sh: tools "${tools.join(' ')}", ${options.reps} rep(s); results in ${outDir}`);
  const run = await runAnchors({
    anchors,
    tools,
    reps: options.reps,
    workDir: path.join(work, 'work'),
    outDir,
    dataset: dataset.dir,
    env,
  });
  if (run.code !== 0) {
    throw new BenchError(
      `anchors.sh failed (exit ${run.code})${run.stderr.trim() ? `: ${run.stderr.trim()}` : ''}; see ${outDir}`,
    );
  }

  const resultsFile = path.join(outDir, 'results.tsv');
  if (!existsSync(resultsFile)) throw new BenchError(`anchors.sh wrote no ${resultsFile}`);
  const rows = parseResultsTsv(readFileSync(resultsFile, 'utf8'));
  const failures = findFailures(rows, tools, options.reps);
  if (run.stderr.includes('mutate failed')) {
    failures.push({
      tool: '(all)',
      rep: 0,
      step: 'mutate',
      message: 'make-dataset.mjs mutate failed, so post-mutation backups measured nothing',
    });
  }
  if (failures.length > 0) {
    reportFailures(failures, outDir);
    return 1;
  }

  const summary = summarize(rows);
  const header = parseHarnessHeader(readFileSync(path.join(outDir, 'header.txt'), 'utf8'));
  const catRows = rows.filter((r) => r.step === 'warm-read-cat').map((r) => r.mbps);
  const command = commandLine();
  const block = renderReport({
    date: date.toISOString(),
    command,
    durationS: (Date.now() - started) / 1000,
    machine: machineInfo(ROOT),
    loadAtStart,
    workFs: header.workFs,
    dataset,
    tools,
    reps: options.reps,
    summary,
    targets: evaluateTargets(summary, rows),
    catMbps: median(catRows),
    mutation: header.mutation,
    toolVersions: header.toolVersions,
    resultsDir: outDir,
  });
  process.stdout.write(`\n${block}`);
  if (options.write) {
    const existing = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, spliceReport(existing, block));
    log(`wrote ${out.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), out) : out}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) process.stderr.write(`bench: ${error.message}\n`);
    else if (error instanceof BenchError) process.stderr.write(`bench: ${error.message}\n`);
    else process.stderr.write(`bench: unexpected error: ${error.stack ?? error}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
