#!/usr/bin/env node
/**
 * `npm test`: every check the project has, in order, with one summary at the end.
 *
 *   1. typecheck    tsc -p tsconfig.json --noEmit
 *   2. lint         biome check .
 *   3. layers       node scripts/lint-layers.mjs (dependency-cruiser: which layer may import which)
 *   4. unit         vitest run (JSON report in test-results/vitest.json)
 *   5. e2e          playwright test, when playwright.config.ts exists (JSON in test-results/playwright.json)
 *
 * Steps 1-3 count as one check each; vitest and Playwright count their tests from their JSON reports.
 * A failing step does not stop the later ones. The last line printed is `N passed, N failed`
 * (plus `, N skipped` when tests were skipped), which CI reads; the exit code is 1 if anything failed.
 *
 * Arguments go to vitest: `npm test -- src/engine/chunker` or `node scripts/test.mjs -- -t name`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'test-results');
const VITEST_JSON = path.join(RESULTS, 'vitest.json');
const PLAYWRIGHT_JSON = path.join(RESULTS, 'playwright.json');

const vitestArgs = process.argv.slice(2);
if (vitestArgs[0] === '--') vitestArgs.shift();

/** Runs a command with inherited output; resolves to its exit code (127 when it could not start). */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ...env },
      shell: process.platform === 'win32',
    });
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function bin(name) {
  return path.join(ROOT, 'node_modules', '.bin', name);
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** A step that passes or fails as a whole. */
async function singleCheck(command, args) {
  const code = await run(command, args);
  return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

/** Counts from vitest's JSON report; a file that failed to load, or a crash, counts as one failure. */
async function vitest() {
  rmSync(VITEST_JSON, { force: true });
  const code = await run(bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${path.relative(ROOT, VITEST_JSON)}`,
    ...vitestArgs,
  ]);
  const report = readJson(VITEST_JSON);
  if (!report) {
    console.error(`vitest wrote no report to ${path.relative(ROOT, VITEST_JSON)} (exit code ${code})`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    const anyTestFailed = (file.assertionResults ?? []).some((test) => test.status === 'failed');
    if (file.status === 'failed' && !anyTestFailed) {
      console.error(`vitest: ${path.relative(ROOT, file.name)} failed outside any test: ${file.message ?? ''}`);
      failed++;
    }
  }
  if (code !== 0 && failed === 0) {
    console.error(`vitest exited with code ${code} although no test failed (unhandled error?)`);
    failed = 1;
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Counts from Playwright's JSON report: flaky tests passed on retry and count as passed. */
async function playwright() {
  rmSync(PLAYWRIGHT_JSON, { force: true });
  const code = await run(bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON,
  });
  const stats = readJson(PLAYWRIGHT_JSON)?.stats;
  if (!stats) {
    console.error(`playwright wrote no report to ${path.relative(ROOT, PLAYWRIGHT_JSON)} (exit code ${code})`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  let failed = stats.unexpected ?? 0;
  if (code !== 0 && failed === 0) {
    console.error(`playwright exited with code ${code} although no test failed`);
    failed = 1;
  }
  return { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed, skipped: stats.skipped ?? 0 };
}

const steps = [
  {
    name: 'typecheck',
    command: 'npm run typecheck (engine/CLI/server, Electron main/preload, renderer)',
    run: () => singleCheck('npm', ['run', '--silent', 'typecheck']),
  },
  { name: 'lint', command: 'biome check .', run: () => singleCheck(bin('biome'), ['check', '.']) },
  {
    name: 'layers',
    command: 'node scripts/lint-layers.mjs',
    run: () => singleCheck(process.execPath, [path.join('scripts', 'lint-layers.mjs')]),
  },
  { name: 'unit', command: ['vitest run', ...vitestArgs].join(' '), run: vitest },
  {
    name: 'e2e',
    command: 'playwright test',
    run: () => {
      if (!existsSync(path.join(ROOT, 'playwright.config.ts'))) {
        console.log('no playwright.config.ts: no end-to-end tests to run yet');
        return null;
      }
      return playwright();
    },
  },
];

mkdirSync(RESULTS, { recursive: true });
const rows = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.command} ===`);
  const started = Date.now();
  const result = await step.run();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  rows.push({ name: step.name, result, seconds });
}

console.log('\n=== summary ===');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const { name, result, seconds } of rows) {
  if (!result) {
    console.log(`${name.padEnd(11)} skipped (not set up)`);
    continue;
  }
  total.passed += result.passed;
  total.failed += result.failed;
  total.skipped += result.skipped;
  const status = result.failed > 0 ? 'FAIL' : 'ok  ';
  const skipped = result.skipped > 0 ? `, ${result.skipped} skipped` : '';
  console.log(`${name.padEnd(11)} ${status} ${result.passed} passed, ${result.failed} failed${skipped} (${seconds} s)`);
}
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exitCode = total.failed > 0 ? 1 : 0;
