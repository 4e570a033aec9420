/**
 * What Cairn holds about the user, as the privacy export, the records of processing (Art. 30)
 * and the app's privacy overview all describe it, for `cairn privacy export|record` and the app
 * alike: the storage locations with their declared regions (the catalog's and those the privacy
 * records know, each once), the repositories (with the key slots of those open now), sources,
 * retention, privacy settings and consent; and the overview the app's Privacy screen shows. The
 * catalog is optional: the CLI passes EMPTY_CATALOG when it has none or another process owns it.
 */

import path from 'node:path';
import type { Repository } from '../../engine/repo/repository.js';
import type { Catalog } from '../catalog/catalog.js';
import {
  buildProcessingRecord,
  type PrivacyInventory,
  type PrivacyRecords,
  processingRecordHtml,
} from '../privacy/index.js';
import { outsideChosenRegion, type RegionName } from '../privacy/regions.js';
import type { RepositoryRecords } from './repository-records.js';
import { readRetention } from './retention-settings.js';
import { webhookRecipient } from './webhook-settings.js';

/** What the privacy side reads from the catalog. */
export type CatalogView = Pick<
  Catalog,
  'listRepositories' | 'getRepository' | 'listSources' | 'listTasks' | 'getSetting'
>;

/** A catalog with nothing in it, for a process that has none. */
export const EMPTY_CATALOG: CatalogView = {
  listRepositories: () => [],
  getRepository: () => undefined,
  listSources: () => [],
  listTasks: () => [],
  getSetting: <T>(_key: string, fallback: T) => fallback,
};

/** A repository opened outside the catalog (the CLI's --repo), to include in records and exports. */
export interface ExtraRepository {
  repo: Repository;
  label: string;
  region: string;
}

/** Where the privacy use cases read and record. */
export interface PrivacyContext {
  dataDir: string;
  appVersion: string;
  /** The privacy records, and how an entry that cannot be written is reported. */
  records: RepositoryRecords;
  catalog: CatalogView;
  /** The open (unlocked) repository with this id, if any. */
  openRepository(id: string): Repository | undefined;
}

export interface StorageLocation {
  repositoryId: string;
  label: string;
  location: string;
  region: RegionName;
  outsideChosenRegion: boolean;
}

/** The catalog's repositories plus the locations the privacy records know (e.g. from the CLI), each once. */
export function storageLocations(records: PrivacyRecords, catalog: CatalogView): StorageLocation[] {
  const chosen = records.regions.chosen();
  const out: StorageLocation[] = [];
  const seen = new Set<string>();
  const add = (repositoryId: string, label: string, location: string, region: string) => {
    const key = `${repositoryId}\0${location}`;
    if (seen.has(key)) return;
    seen.add(key);
    // Regions are checked when recorded; one written by a newer Cairn is passed on as it is.
    const name = region as RegionName;
    out.push({ repositoryId, label, location, region: name, outsideChosenRegion: outsideChosenRegion(name, chosen) });
  };
  for (const repo of catalog.listRepositories()) add(repo.id, repo.label, repo.location, repo.region);
  for (const l of records.regions.locations()) {
    add(l.repositoryId, path.basename(l.location) || l.location, l.location, l.region);
  }
  return out;
}

/** What is held, from the catalog and the privacy records (key slots of open and `extra` repositories). */
export async function privacyInventory(ctx: PrivacyContext, extra: ExtraRepository[] = []): Promise<PrivacyInventory> {
  const records = ctx.records.privacy();
  const chosen = records.regions.chosen();
  const locations = storageLocations(records, ctx.catalog);
  for (const x of extra) {
    if (locations.some((l) => l.repositoryId === x.repo.config.id && l.location === x.repo.location)) continue;
    const region = x.region as RegionName;
    locations.push({
      repositoryId: x.repo.config.id,
      label: x.label,
      location: x.repo.location,
      region,
      outsideChosenRegion: outsideChosenRegion(region, chosen),
    });
  }
  const repositories: PrivacyInventory['repositories'] = [];
  const declared = records.regions.locations();
  for (const l of locations) {
    const known = declared.find((d) => d.repositoryId === l.repositoryId && d.location === l.location);
    const record = ctx.catalog.getRepository(l.repositoryId);
    const open = ctx.openRepository(l.repositoryId) ?? extra.find((x) => x.repo.config.id === l.repositoryId)?.repo;
    repositories.push({
      id: l.repositoryId,
      label: l.label,
      location: l.location,
      region: l.region,
      lastBackupAt: record?.lastBackupAt ?? null,
      transferInstruction: known?.instruction
        ? { instruction: known.instruction, at: known.instructedAt ?? known.declaredAt }
        : null,
      instructionRevokedAt: known?.revokedAt ?? null,
      ...(open
        ? { keySlots: (await open.listKeySlots()).map(({ id, label, created, kdf }) => ({ id, label, created, kdf })) }
        : {}),
    });
  }
  const retention: PrivacyInventory['retention'] = [];
  for (const repo of ctx.catalog.listRepositories()) {
    const stored = readRetention(ctx.catalog, repo.id);
    if (stored) retention.push({ repositoryId: repo.id, policy: stored.policy, prune: stored.prune });
  }
  return {
    appVersion: ctx.appVersion,
    dataDir: ctx.dataDir,
    repositories,
    sources: ctx.catalog.listSources().map((s) => ({
      id: s.id,
      repositoryId: s.repositoryId,
      path: s.path,
      excludes: s.excludes,
      schedule: s.schedule,
    })),
    retention,
    settings: records.settings.read(),
    consent: records.consent.list(),
    alertReceiver: webhookRecipient(ctx.catalog),
    controller: records.controller.read(),
  };
}

/** Records of processing (Art. 30) as JSON and a printable HTML page. */
export async function processingRecord(
  ctx: PrivacyContext,
  extra: ExtraRepository[] = [],
): Promise<{ json: Record<string, unknown>; html: string }> {
  const record = buildProcessingRecord(await privacyInventory(ctx, extra));
  return { json: record as unknown as Record<string, unknown>, html: processingRecordHtml(record) };
}

/** What the app holds, where and for how long, and the state of the records (`privacy.overview`). */
export async function privacyOverview(ctx: PrivacyContext) {
  const records = ctx.records.privacy();
  const inv = await privacyInventory(ctx);
  const record = buildProcessingRecord(inv);
  const verification = records.audit.verify();
  const privacyDir = records.dir;
  return {
    dataDir: ctx.dataDir,
    privacyDir,
    chosenRegion: records.regions.chosen(),
    held: [
      {
        category: 'your backed-up files and their metadata (encrypted)',
        where: inv.repositories.map((r) => `${r.location} (${r.region})`).join(', ') || 'nowhere yet',
        kept: 'until the retention policy removes a recovery point, or you erase it',
      },
      {
        category: 'settings, folders, schedules, retention policies, task history (cache)',
        where: path.join(ctx.dataDir, 'catalog.sqlite'),
        kept: 'while the app is installed; deleting it only costs a rescan',
      },
      {
        category: 'consent ledger, audit trail, incident register, storage locations, privacy settings',
        where: privacyDir,
        kept: 'while the app is installed (they prove what was agreed and done)',
      },
      {
        category: "usage statistics: this week's counts, randomised weekly reports waiting, the weeks sent",
        where: records.usage.enabled()
          ? `${records.usage.file}, ${records.usage.outbox.dir}`
          : 'not collected (no consent)',
        kept: 'counts until their week ends; a report until it is sent (within 72 hours after its week); both deleted at once when consent is withdrawn; the list of weeks sent (no counts) for two years',
      },
    ],
    locations: storageLocations(records, ctx.catalog),
    retention: inv.repositories.map((repo) => ({
      repositoryId: repo.id,
      label: repo.label,
      timeLimit: record.retention.find((x) => x.repository === repo.label)?.timeLimit ?? '',
    })),
    recipients: record.recipients,
    subProcessors: inv.settings.subProcessors,
    consent: inv.consent,
    openIncidents: records.incidents.list({ openOnly: true }).length,
    audit: { entries: verification.entries, intact: verification.ok },
  };
}
