/**
 * Runs `cairn` command-line processes for the torture run: to completion, or killed with SIGKILL
 * after a given delay (the process gets no chance to clean up, as with a power cut or the OOM
 * killer). Each process gets a clean environment: the repository, the app data folder and the
 * passwords through CAIRN_* variables, nothing inherited from the caller's CAIRN_* settings.
 */
import { spawn } from 'node:child_process';

/** A process that runs longer than this is reported as hung (and killed). */
const HUNG_MS = 5 * 60 * 1000;

export class Cairn {
  /**
   * @param {{ bin: string, repo: string, dataDir: string, cwd: string }} options
   */
  constructor(options) {
    this.bin = options.bin;
    this.repo = options.repo;
    this.dataDir = options.dataDir;
    this.cwd = options.cwd;
    /** Processes started, by command name. */
    this.started = new Map();
  }

  env(password, newPassword) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) env[k] = v;
    env.CAIRN_REPOSITORY = this.repo;
    env.CAIRN_DATA_DIR = this.dataDir;
    if (password !== undefined) env.CAIRN_PASSWORD = password;
    if (newPassword !== undefined) env.CAIRN_NEW_PASSWORD = newPassword;
    return env;
  }

  /**
   * Runs `cairn ARGS`; with `killAfterMs`, sends SIGKILL that long after the start unless the
   * process has ended by then. Resolves to the exit code or signal, the output, whether it was
   * killed, and the time it ran.
   * @param {string[]} args
   * @param {{ password?: string, newPassword?: string, killAfterMs?: number }} [options]
   */
  run(args, options = {}) {
    const name = args[0] === 'privacy' || args[0] === 'key' ? `${args[0]} ${args[1]}` : args[0];
    this.started.set(name, (this.started.get(name) ?? 0) + 1);
    const started = Date.now();
    const child = spawn(process.execPath, [this.bin, ...args], {
      cwd: this.cwd,
      env: this.env(options.password, options.newPassword),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    let killed = false;
    let hung = false;
    const killer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill('SIGKILL');
          }, options.killAfterMs);
    const watchdog = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HUNG_MS);
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(killer);
        clearTimeout(watchdog);
        resolve({
          code,
          signal,
          // A kill that came after the process had already exited is no kill.
          killed: killed && signal === 'SIGKILL',
          hung,
          stdout,
          stderr,
          ms: Date.now() - started,
        });
      });
    });
  }
}

/** The error message a `--json` command wrote to stderr, or its last stderr line. */
export function errorOf(result) {
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.reverse()) {
    try {
      const parsed = JSON.parse(line);
      if (parsed.type === 'error') return parsed.message;
    } catch {
      return line;
    }
  }
  return lines[0] ?? `exit code ${result.code ?? result.signal}`;
}

/** The JSON a `--json` command printed on stdout. */
export function jsonOf(result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`expected JSON on stdout (exit ${result.code}): ${result.stdout.slice(0, 300)} ${result.stderr}`);
  }
}
