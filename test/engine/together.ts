/**
 * Starts several real node processes and lets them go at the same instant, for the tests of what
 * happens when processes open the same files at once. Node takes a second or more to start (and
 * more under load), so a start time fixed in advance is unreliable: each process first loads what
 * it needs, then marks itself ready with a file and waits for a "go" file, which is created once
 * every process is ready (or has exited). The go file names a start time a little later, which
 * each process spins for: they leave the wait on the same clock tick, not on their next poll, so
 * the races under test (microseconds wide) really are run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `file://…/src` for the child scripts' imports of the engine's TypeScript sources (run with tsx). */
export const SRC_URL = pathToFileURL(path.join(ROOT, 'src')).href;

/**
 * The time between the starts of two rounds (`startRound(r)` in a script). A process still busy
 * with the previous round when the next starts joins it late: that round is then less of a race,
 * but what it asserts still holds.
 */
export const ROUND_MS = 300;

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A module to preload (`--import`) in a child: it marks the process ready and blocks until the
 * go file exists. `warmUp` is an expression awaited first (e.g. importing the modules under test),
 * so that loading them is not part of the race.
 */
export function gateModule(dir: string, warmUp = 'undefined'): string {
  const file = path.join(dir, `gate-${process.hrtime.bigint()}.mjs`);
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';
import path from 'node:path';
await (${warmUp});
const { CAIRN_TEST_READY_DIR: readyDir, CAIRN_TEST_GO_FILE: goFile } = process.env;
fs.writeFileSync(path.join(readyDir, String(process.pid)), '');
const sleep = new Int32Array(new SharedArrayBuffer(4));
while (!fs.existsSync(goFile)) Atomics.wait(sleep, 0, 0, 2);
const startAt = Number(fs.readFileSync(goFile, 'utf8'));
while (Date.now() < startAt) {}
// For scripts that race several rounds: round r starts at the same instant in every process.
globalThis.startRound = (r) => {
  const at = startAt + r * ${ROUND_MS};
  while (Date.now() < at) {}
};
`,
  );
  return file;
}

/**
 * Runs `count` node processes with `args(i)` (after `--import tsx --import <gate>`), releases them
 * together, and resolves with their exit codes and output.
 */
export async function runTogether(
  dir: string,
  count: number,
  args: (i: number) => string[],
  options: { warmUp?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ChildResult[]> {
  const stamp = `${process.hrtime.bigint()}`;
  const readyDir = path.join(dir, `ready-${stamp}`);
  const goFile = path.join(dir, `go-${stamp}`);
  fs.mkdirSync(readyDir);
  const gate = gateModule(dir, options.warmUp);
  const env = { ...(options.env ?? process.env), CAIRN_TEST_READY_DIR: readyDir, CAIRN_TEST_GO_FILE: goFile };
  let exited = 0;
  const children = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(gate).href, ...args(i)], {
      cwd: ROOT,
      env,
    });
    const result: ChildResult = { code: null, stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      result.stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      result.stderr += d;
    });
    const done = new Promise<ChildResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        exited++;
        result.code = code;
        resolve(result);
      });
    });
    return { child, done };
  });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (fs.readdirSync(readyDir).length + exited < count) {
    if (Date.now() > deadline) {
      for (const { child } of children) child.kill('SIGKILL');
      throw new Error(`the ${count} processes did not all start within the time allowed`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  // Long enough for every process to see the go file (each polls every 2 ms, some wait for a CPU).
  fs.writeFileSync(goFile, String(Date.now() + 250));
  return Promise.all(children.map((c) => c.done));
}

/** Writes a child script (an ES module; it may import the engine's .ts sources through SRC_URL). */
export function writeScript(dir: string, name: string, source: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}
