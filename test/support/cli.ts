/**
 * Running the `cairn` command line in tests, one way for every suite: from source through tsx
 * (`cairn`, `cairnAsync`), or from a private bundled build of what ships (`privateBuild`). Each
 * process gets a clean environment: the CAIRN_* settings of the caller are dropped, and only the
 * password, data folder and repository the test names are set.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildPrivateCli } from '../../scripts/private-cli-build.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FROM_SOURCE = ['--import', 'tsx', 'src/cli/index.ts'];

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** What a `cairn` process is given through the environment. */
export interface CliEnv {
  password?: string;
  /** CAIRN_NEW_PASSWORD (key add, key passwd). */
  newPassword?: string;
  dataDir?: string;
  repository?: string;
  /** Any other variables (not CAIRN_* ones of the caller's shell). */
  extra?: Record<string, string>;
}

/** The caller's environment without its CAIRN_* settings, plus what `env` names. */
export function cliEnvironment(env: CliEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) out[k] = v;
  if (env.password !== undefined) out.CAIRN_PASSWORD = env.password;
  if (env.newPassword !== undefined) out.CAIRN_NEW_PASSWORD = env.newPassword;
  if (env.dataDir !== undefined) out.CAIRN_DATA_DIR = env.dataDir;
  if (env.repository !== undefined) out.CAIRN_REPOSITORY = env.repository;
  return { ...out, ...env.extra };
}

/** `cairn ARGS` from source, to completion. `bin` runs a private build instead. */
export function cairn(args: string[], env: CliEnv = {}, options: { bin?: string; timeoutMs?: number } = {}): Run {
  const command = options.bin ? [options.bin] : FROM_SOURCE;
  const r = spawnSync(process.execPath, [...command, ...args], {
    cwd: ROOT,
    env: cliEnvironment(env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `cairn ARGS` that must exit 0; throws with its output otherwise (vitest and Playwright alike). */
export function cairnOk(args: string[], env: CliEnv = {}, options: { bin?: string } = {}): Run {
  const r = cairn(args, env, options);
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * `cairn ARGS` in the background (the test's own event loop keeps running): the child, and its
 * outcome once it ends. `onLine` sees each line of stderr as it comes.
 */
export function cairnAsync(
  args: string[],
  env: CliEnv = {},
  options: { bin?: string; onLine?: (line: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<Run> } {
  const command = options.bin ? [options.bin] : FROM_SOURCE;
  const child = spawn(process.execPath, [...command, ...args], { cwd: ROOT, env: cliEnvironment(env) });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (!options.onLine) return;
    pending += d;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      options.onLine(pending.slice(0, nl), child);
      pending = pending.slice(nl + 1);
    }
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  return { child, done };
}

/** Parses a run's stdout as JSON, failing with its output when it is not. */
export function json<T = Record<string, unknown>>(r: Run): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.status}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/**
 * Builds the command line as `npm run build` does, into `dir` (not the shared dist/, which a
 * build elsewhere may rewrite meanwhile); returns the entry script to pass as `bin`.
 */
export async function privateBuild(dir: string): Promise<string> {
  return buildPrivateCli(ROOT, dir);
}
