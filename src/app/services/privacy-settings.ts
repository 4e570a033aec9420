/**
 * The privacy settings as `cairn privacy region|usage` and the app (`privacy.region.*`,
 * `usage.*`, `privacy.setSubProcessors`) change and show them: the chosen region (data stays in
 * it unless the user instructs otherwise), where usage statistics would go with the exact report
 * they would send (true buckets, one randomised sample, and the ε), and the sub-processors. Every change is audited by the settings store itself
 * (`settings.changed`).
 */

import type { PrivacyRecords, SubProcessor, UsagePayload } from '../privacy/index.js';
import type { RegionName } from '../privacy/regions.js';
import { USAGE_PRIVACY, type UsagePrivacy } from '../privacy/usage-payload.js';
import { type CatalogView, type StorageLocation, storageLocations } from './privacy-inventory.js';

export { REGIONS, type RegionName } from '../privacy/regions.js';

export interface UsagePreview {
  /** Consent to usage statistics is given: something is counted. */
  enabled: boolean;
  /** Where a payload would be sent; null: nowhere. */
  endpoint: string | null;
  /** This week's report with the true buckets (an empty week when nothing is counted). */
  payload: UsagePayload;
  /** One draw of the same report after randomised response: the form that is sent. */
  randomised: UsagePayload;
  /** How the counters are randomised (ε per counter and per report). */
  privacy: UsagePrivacy;
  /** Reports waiting in the outbox. */
  pending: number;
  /** The earliest time a waiting report may be sent, or null when none waits. */
  nextSendAt: string | null;
}

export function usagePreview(records: PrivacyRecords): UsagePreview {
  const pending = records.usage.pending();
  return {
    enabled: records.usage.enabled(),
    endpoint: records.settings.read().usageEndpoint,
    payload: records.usage.payload(),
    randomised: records.usage.randomisedSample(),
    privacy: USAGE_PRIVACY,
    pending: pending.length,
    nextSendAt: pending.map((e) => e.sendAfter).sort()[0] ?? null,
  };
}

/** Where usage statistics go (null: nowhere); returns the preview with the new address. */
export function setUsageEndpoint(records: PrivacyRecords, endpoint: string | null): UsagePreview {
  records.settings.update({ usageEndpoint: endpoint });
  return usagePreview(records);
}

/** The chosen region and every storage location with whether it lies outside it. */
export function regionSettings(
  records: PrivacyRecords,
  catalog: CatalogView,
): {
  chosen: RegionName | null;
  locations: StorageLocation[];
} {
  return { chosen: records.regions.chosen(), locations: storageLocations(records, catalog) };
}

/** Chooses the region (throws CairnError 'invalid-argument' for an unknown one). */
export function chooseRegion(records: PrivacyRecords, region: string): RegionName {
  return records.regions.choose(region);
}

export function setSubProcessors(records: PrivacyRecords, subProcessors: SubProcessor[]): SubProcessor[] {
  return records.settings.update({ subProcessors }).subProcessors;
}
