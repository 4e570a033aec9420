/**
 * `cairn serve --password-file FILE | --password-command CMD`: for a machine nobody sits at (a NAS,
 * a server run as a service), the repositories of the catalog are unlocked at start with the
 * password, through the contract like any other unlock, so scheduled backups run without anyone
 * typing. A repository the password does not open stays locked and is named; nothing fails.
 * The password is read once (password.ts: the same sources as every command, without the prompt),
 * kept only for these calls, and never printed.
 */
import type { EngineHost } from '../app/host/engine-host.js';

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
