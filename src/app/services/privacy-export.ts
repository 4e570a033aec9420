/**
 * The privacy export (GDPR Art. 15 and 20) as `cairn privacy export` and the app ("Export my
 * data", `privacy.export`) run it: one new ZIP of everything Cairn holds (./privacy-inventory.ts),
 * the audit trail verbatim with its verification, consent, incidents, the requests register,
 * task history, usage statistics, and the recovery points of every open repository with their file index — never file
 * contents, and no file index of a frozen point (Art. 18). A repository that is not open is left
 * out and named in `skippedLocked`. The export is audited (`export.created`).
 */

import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { readIfExists } from '../privacy/files.js';
import {
  collectRecoveryPoints,
  type ExportResult,
  type RecoveryPointsExport,
  writePrivacyExport,
} from '../privacy/index.js';
import { FrozenPoints } from '../privacy/restriction/frozen.js';
import { type ExtraRepository, type PrivacyContext, privacyInventory } from './privacy-inventory.js';
import { appendAudit } from './repository-records.js';

export interface PrivacyExportRequest {
  /** The new ZIP file: an absolute path ending in .zip; an existing file is never replaced. */
  out: string;
  /** Only this catalog repository's recovery points (it must be open); otherwise every open one's. */
  repositoryId?: string;
  /** Repositories opened outside the catalog (the CLI's --repo), included with the open ones. */
  extra?: ExtraRepository[];
}

export interface PrivacyExportOutcome extends ExportResult {
  /** Catalog repositories whose recovery points are not in the export because they are not open. */
  skippedLocked: string[];
}

export async function exportPrivacyData(
  ctx: PrivacyContext,
  request: PrivacyExportRequest,
): Promise<PrivacyExportOutcome> {
  if (!path.isAbsolute(request.out)) {
    throw new CairnError('invalid-argument', `the export file must be an absolute path (got "${request.out}")`);
  }
  const extra = request.extra ?? [];
  const opened = (id: string) => ctx.openRepository(id) ?? extra.find((x) => x.repo.config.id === id)?.repo;
  const frozen = new FrozenPoints(ctx.dataDir);
  const wanted = request.repositoryId
    ? [ctx.catalog.getRepository(request.repositoryId) ?? notFound(request.repositoryId)]
    : ctx.catalog.listRepositories();
  const recoveryPoints: RecoveryPointsExport[] = [];
  const skippedLocked: string[] = [];
  for (const record of wanted) {
    const repo = opened(record.id);
    if (!repo) {
      if (request.repositoryId) {
        throw new CairnError('locked', `"${record.label}" is locked: unlock it to include its recovery points`);
      }
      skippedLocked.push(record.id);
      continue;
    }
    recoveryPoints.push(await collectRecoveryPoints(repo, record.label, frozen.ids(record.id)));
  }
  if (!request.repositoryId) {
    for (const x of extra) {
      if (wanted.some((r) => r.id === x.repo.config.id)) continue;
      recoveryPoints.push(await collectRecoveryPoints(x.repo, x.label, frozen.ids(x.repo.config.id)));
    }
  }
  const r = ctx.records.privacy();
  const result = writePrivacyExport(request.out, {
    inventory: await privacyInventory(ctx, extra),
    audit: { entries: r.audit.entries(), rawJsonl: readText(r.audit.file), verification: r.audit.verify() },
    consent: r.consent.records(),
    incidents: r.incidents.list(),
    requests: r.requests.list(),
    tasks: ctx.catalog.listTasks({ limit: 10_000 }),
    usage: { ...r.usage.export(), endpoint: r.settings.read().usageEndpoint },
    recoveryPoints,
  });
  appendAudit(ctx.records, 'export.created', { path: result.path, files: result.files.length, bytes: result.bytes });
  return { ...result, skippedLocked };
}

function notFound(id: string): never {
  throw new CairnError('not-found', `there is no repository ${id} in this app`);
}

function readText(file: string): string {
  return readIfExists(file) ?? '';
}
