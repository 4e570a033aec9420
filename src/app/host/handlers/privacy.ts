/**
 * The privacy methods: `privacy.*` (overview, regions, sub-processors, export, records of
 * processing, and erasure: of a path, of everything, with tombstones and receipts), `consent.*`,
 * `audit.*`, `incidents.*` and `usage.*`. Each calls the use case the CLI shares
 * (src/app/services) with the app's records; what only the app adds — events, scheduled backups
 * following consent — goes through ../privacy-app.ts, and erasure's tasks through ../erasure.ts.
 */
import type { Result } from '../../../contract/methods.js';
import { type AnchorRepository, listAuditEntries, verifyAuditTrail } from '../../services/audit.js';
import { listReceipts, listTombstones } from '../../services/erase.js';
import { exportPrivacyData } from '../../services/privacy-export.js';
import { privacyOverview, processingRecord } from '../../services/privacy-inventory.js';
import {
  chooseRegion,
  regionSettings,
  setSubProcessors,
  setUsageEndpoint,
  usagePreview,
} from '../../services/privacy-settings.js';
import { eraseAll, previewErasure, saveReceipt, startErasePath } from '../erasure.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export type PrivacyDeps = Pick<
  HostServices,
  | 'dataDir'
  | 'catalog'
  | 'tasks'
  | 'repositories'
  | 'storage'
  | 'privacy'
  | 'schedules'
  | 'events'
  | 'clock'
  | 'watching'
>;

type PrivacyMethods =
  | Namespace<'privacy'>
  | Namespace<'consent'>
  | Namespace<'audit'>
  | Namespace<'incidents'>
  | Namespace<'usage'>;

export function privacyHandlers(deps: PrivacyDeps): Handlers<PrivacyMethods> {
  const { privacy, catalog } = deps;
  const records = privacy.records;
  return {
    'consent.list': async () => records.consent.list(),
    'consent.set': async (p) => privacy.setConsent(p),
    'audit.list': async (p) => listAuditEntries(records, { limit: p.limit, before: p.before }),
    'audit.verify': () => verifyAuditTrail(records, unlockedAnchorRepositories(deps)),
    'incidents.list': async (p) => records.incidents.list({ openOnly: p.openOnly }),
    'incidents.open': async (p) => privacy.openIncident(p),
    'incidents.close': async (p) => privacy.closeIncident(p),
    'privacy.overview': () => privacyOverview(privacy.context()),
    'privacy.setSubProcessors': async (p) => setSubProcessors(records, p.subProcessors),
    'privacy.region.get': async () => regionSettings(records, catalog),
    'privacy.region.set': async (p) => {
      chooseRegion(records, p.region);
      return regionSettings(records, catalog);
    },
    'usage.preview': async () => usagePreview(records) as Result<'usage.preview'>,
    'usage.setEndpoint': async (p) => setUsageEndpoint(records, p.endpoint) as Result<'usage.setEndpoint'>,
    'privacy.export': (p) => exportPrivacyData(privacy.context(), { out: p.out, repositoryId: p.repositoryId }),
    'privacy.record': () => processingRecord(privacy.context()),
    'privacy.erasePath': (p) => startErasePath(deps, p),
    'privacy.erasePreview': (p) => previewErasure(deps, p),
    'privacy.saveReceipt': async (p) => saveReceipt(deps, p),
    'privacy.eraseAll': (p) => eraseAll(deps, p),
    'privacy.tombstones': async (p) => listTombstones(deps.dataDir, p.repositoryId),
    'privacy.receipts': async () => listReceipts(deps.dataDir) as Result<'privacy.receipts'>,
  };
}

/** Every unlocked repository, for the audit trail's anchors (a locked one cannot be read). */
function unlockedAnchorRepositories(deps: PrivacyDeps): AnchorRepository[] {
  const out: AnchorRepository[] = [];
  for (const id of deps.repositories.ids()) {
    const repo = deps.repositories.get(id);
    const record = deps.catalog.getRepository(id);
    if (!repo || repo.invalid || !record) continue;
    out.push({ id, label: record.label, keys: repo.keys, listSnapshots: () => repo.listSnapshots() });
  }
  return out;
}
