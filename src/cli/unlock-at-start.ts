/**
 * `cairn serve --password-file FILE | --password-command CMD`: for a machine nobody sits at (a NAS,
 * a server run as a service), the repositories of the catalog are unlocked at start with the
 * password, through the contract like any other unlock, so scheduled backups run without anyone
 * typing. A repository the password does not open stays locked and is named; nothing fails.
 * The password is read once, kept only for these calls, and never printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CairnError } from '../app/errors.js';
import type { EngineHost } from '../app/host/engine-host.js';
import { passwordFromFile, readPassword } from './password.js';

const run = promisify(execFile);

/** Where the start-up password comes from; undefined: serve starts with every repository locked. */
export type StartupPassword = { file: string } | { command: string };

/** The password a file holds or a command prints (its first line, as `restic --password-command`). */
export async function readStartupPassword(source: StartupPassword): Promise<string> {
  if ('file' in source) return readPassword({ env: '', file: source.file }, '');
  let stdout: string;
  try {
    ({ stdout } = await run('/bin/sh', ['-c', source.command], { timeout: 60_000, maxBuffer: 64 * 1024 }));
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? `: ${e.stderr.trim().split('\n')[0]}` : '';
    throw new CairnError('invalid-argument', `the password command failed (exit ${String(e.code ?? '?')})${detail}`);
  }
  const password = passwordFromFile(stdout.split('\n')[0] ?? '');
  if (password === '') throw new CairnError('invalid-argument', 'the password command printed no password');
  return password;
}

export interface UnlockReport {
  unlocked: string[];
  /** Repositories left locked, each with the reason. */
  locked: { label: string; reason: string }[];
}

/** Unlocks every repository of the catalog that `password` opens. */
export async function unlockAll(host: EngineHost, password: string): Promise<UnlockReport> {
  const repositories = (await host.handle('repo.list', {})) as { id: string; label: string; unlocked: boolean }[];
  const report: UnlockReport = { unlocked: [], locked: [] };
  for (const repository of repositories) {
    if (repository.unlocked) {
      report.unlocked.push(repository.label);
      continue;
    }
    try {
      await host.handle('repo.unlock', { repositoryId: repository.id, password });
      report.unlocked.push(repository.label);
    } catch (err) {
      report.locked.push({ label: repository.label, reason: (err as Error).message });
    }
  }
  return report;
}
