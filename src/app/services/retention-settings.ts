/**
 * Each repository's stored retention: its policy and whether to prune after applying it, kept in
 * the catalog's settings as `retention.<repositoryId>`. The app stores one per repository (the
 * CLI takes a policy from its --keep-* options instead); the privacy export and the records of
 * processing list them. Applying a policy is the forget use case (./forget.ts).
 */

import type { Catalog, JsonValue } from '../catalog/catalog.js';
import { type RetentionPolicy, validatePolicy } from '../retention/policy.js';
import { cleanPolicy } from './forget.js';

/** How a repository's retention is kept in the catalog's settings. */
export interface StoredRetention {
  policy: RetentionPolicy;
  /** Prune the data only the removed recovery points used, right after removing them. */
  prune: boolean;
}

const retentionKey = (repositoryId: string) => `retention.${repositoryId}`;

/** The repository's retention, or null when it has none (or the stored one is unreadable). */
export function readRetention(catalog: Pick<Catalog, 'getSetting'>, repositoryId: string): StoredRetention | null {
  const stored = catalog.getSetting<unknown>(retentionKey(repositoryId), null);
  if (!stored || typeof stored !== 'object' || !('policy' in stored)) return null;
  const { policy, prune: doPrune } = stored as { policy: RetentionPolicy; prune: unknown };
  try {
    validatePolicy(policy);
  } catch {
    return null; // written by a newer Cairn or damaged: treated as no policy, shown as such
  }
  return { policy: cleanPolicy(policy), prune: doPrune !== false };
}

/** Stores a valid policy (throws CairnError 'invalid-argument' otherwise); null removes it. */
export function writeRetention(
  catalog: Pick<Catalog, 'setSetting' | 'deleteSetting'>,
  repositoryId: string,
  retention: StoredRetention | null,
): void {
  if (!retention) {
    catalog.deleteSetting(retentionKey(repositoryId));
    return;
  }
  const policy = cleanPolicy(retention.policy);
  validatePolicy(policy);
  catalog.setSetting(retentionKey(repositoryId), { policy: policy as unknown as JsonValue, prune: retention.prune });
}
