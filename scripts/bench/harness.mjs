/**
 * Runs ../shared/bench/anchors.sh with Cairn's command templates, and digs a failed step's output out
 * of the harness's tools.log. The harness prints one row per finished step, so its stdout is passed
 * through as progress; its stderr is passed through and kept for the error report.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Quotes a path for the bash command lines anchors.sh runs. */
export function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * The BENCH_OURS_* templates for Cairn. {SRC} is the dataset copy's name relative to the backup's
 * cwd; Cairn records absolute paths and restores a file to <target>/<absolute source path>, so the
 * restored tree the harness compares with {SRCABS} is {DST}{SRCABS}.
 */
export function oursTemplates(nodePath, cairnBin) {
  const cairn = `${shellQuote(nodePath)} ${shellQuote(cairnBin)}`;
  return {
    BENCH_OURS_INIT: `${cairn} init -q --repo {REPO} --data-dir {CACHE}`,
    BENCH_OURS_BACKUP: `${cairn} backup -q --repo {REPO} --data-dir {CACHE} {SRC}`,
    BENCH_OURS_RESTORE: `${cairn} restore latest -q --repo {REPO} --data-dir {CACHE} --target {DST}`,
    BENCH_OURS_RESTORED: '{DST}{SRCABS}',
    BENCH_OURS_VERSION: `${cairn} --version`,
  };
}

/** Environment for the harness: the templates, one password for every tool, no stray Cairn settings. */
export function harnessEnv(baseEnv, templates) {
  const env = { ...baseEnv, ...templates };
  env.BENCH_PASSWORD = baseEnv.BENCH_PASSWORD || 'bench-password-1';
  env.CAIRN_PASSWORD = env.BENCH_PASSWORD;
  delete env.CAIRN_REPOSITORY;
  delete env.CAIRN_DATA_DIR;
  delete env.CAIRN_PASSWORD_FILE;
  return env;
}

/** Runs anchors.sh; resolves to { code, stderr } once it exits. */
export function runAnchors({ anchors, tools, reps, workDir, outDir, dataset, env }) {
  const args = [anchors, '-t', tools.join(' '), '-r', String(reps), '-w', workDir, '-o', outDir, dataset];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => reject(new Error(`could not start bash ${anchors}: ${error.message}`)));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), signal, stderr }));
  });
}

/**
 * The last `maxLines` lines tools.log holds for one tool and rep (the harness writes a
 * "== rep N tool T" line before each), or '' when there are none.
 */
export function toolLogSection(logText, tool, rep, maxLines = 25) {
  const lines = logText.split('\n');
  const start = lines.indexOf(`== rep ${rep} tool ${tool}`);
  if (start === -1) return '';
  let end = lines.findIndex((line, i) => i > start && line.startsWith('== rep '));
  if (end === -1) end = lines.length;
  const section = lines.slice(start + 1, end).filter((line) => line.trim() !== '');
  return section.slice(-maxLines).join('\n');
}

/** tools.log's text, or '' when the harness did not write one. */
export function readToolsLog(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
