/**
 * The privacy methods: `privacy.*` (overview, regions, sub-processors, export, records of
 * processing, and erasure: of a path, of everything, with tombstones and receipts), `consent.*`,
 * `audit.*`, `incidents.*` and `usage.*`. The records' logic is in ../privacy-app.ts, erasure's
 * in ../erasure.ts.
 */
import { eraseAll, listReceipts, listTombstones, previewErasure, startErasePath } from '../erasure.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export type PrivacyDeps = Pick<
  HostServices,
  'dataDir' | 'catalog' | 'tasks' | 'repositories' | 'privacy' | 'schedules' | 'events'
>;

type PrivacyMethods =
  | Namespace<'privacy'>
  | Namespace<'consent'>
  | Namespace<'audit'>
  | Namespace<'incidents'>
  | Namespace<'usage'>;

export function privacyHandlers(deps: PrivacyDeps): Handlers<PrivacyMethods> {
  const { privacy } = deps;
  const records = privacy.records;
  return {
    'consent.list': async () => records.consent.list(),
    'consent.set': async (p) => privacy.setConsent(p),
    'audit.list': async (p) => records.audit.list({ limit: p.limit, before: p.before }),
    'audit.verify': async () => records.audit.verify(),
    'incidents.list': async (p) => records.incidents.list({ openOnly: p.openOnly }),
    'incidents.open': async (p) => privacy.openIncident(p),
    'incidents.close': async (p) => privacy.closeIncident(p),
    'privacy.overview': async () => privacy.overview(),
    'privacy.setSubProcessors': async (p) => privacy.setSubProcessors(p),
    'privacy.region.get': async () => privacy.regionSettings(),
    'privacy.region.set': async (p) => privacy.chooseRegion(p),
    'usage.preview': async () => privacy.usagePreview(),
    'usage.setEndpoint': async (p) => privacy.setUsageEndpoint(p),
    'privacy.export': (p) => privacy.export(p),
    'privacy.record': () => privacy.processingRecord(),
    'privacy.erasePath': (p) => startErasePath(deps, p),
    'privacy.erasePreview': (p) => previewErasure(deps, p),
    'privacy.eraseAll': (p) => eraseAll(deps, p),
    'privacy.tombstones': (p) => listTombstones(deps.dataDir, p),
    'privacy.receipts': () => listReceipts(deps.dataDir),
  };
}
