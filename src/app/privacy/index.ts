/**
 * The privacy records' public API: `openPrivacyRecords(dataDir, actor)` gives the audit trail,
 * consent ledger, incident register, regions (locations + chosen region), usage statistics,
 * settings, the controller's details and the requests register, all kept as files in
 * `<dataDir>/privacy/` (never in the catalog, which is a cache).
 * Every object reads its files fresh on each call, so app and CLI processes see each other's
 * changes; appends are serialised by a cross-process lock. See docs/privacy.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROGRAM } from '../../engine/backup/archiver.js';
import { type AuditKeyChoice, auditKeySource } from './audit-key.js';
import { type Actor, AuditTrail } from './audit-trail.js';
import { ConsentLedger } from './consent-ledger.js';
import { ControllerStore } from './controller.js';
import { IncidentRegister } from './incidents.js';
import { Regions } from './regions.js';
import { RequestRegister } from './requests.js';
import { PrivacySettingsStore } from './settings.js';
import { UsageStatistics } from './usage-stats.js';

export const PRIVACY_DIR = 'privacy';

export interface PrivacyRecords {
  dir: string;
  actor: Actor;
  audit: AuditTrail;
  consent: ConsentLedger;
  controller: ControllerStore;
  incidents: IncidentRegister;
  requests: RequestRegister;
  regions: Regions;
  settings: PrivacySettingsStore;
  usage: UsageStatistics;
}

export function privacyDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), PRIVACY_DIR);
}

export function openPrivacyRecords(
  dataDir: string,
  actor: Actor,
  options: { now?: () => Date; appVersion?: string; auditKey?: AuditKeyChoice } = {},
): PrivacyRecords {
  const dir = privacyDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = options.now ?? (() => new Date());
  // Without a choice (the CLI, `cairn serve`) the trail keeps its key in the data folder.
  const audit = new AuditTrail(dir, actor, now, options.auditKey ? auditKeySource(dir, options.auditKey) : undefined);
  const settings = new PrivacySettingsStore(dir, audit);
  const consent = new ConsentLedger(dir, audit, now);
  return {
    dir,
    actor,
    audit,
    consent,
    controller: new ControllerStore(dir, audit, now),
    incidents: new IncidentRegister(dir, audit, now),
    requests: new RequestRegister(dir, audit, now),
    regions: new Regions(dir, audit, settings, now),
    settings,
    usage: new UsageStatistics(dir, consent, settings, options.appVersion ?? PROGRAM.replace(/^cairn\s+/, ''), now),
  };
}

export type { Actor, AuditEntry, AuditProblem, AuditVerifyResult } from './audit-trail.js';
export { AuditTrail } from './audit-trail.js';
export type { ConsentRecord, ConsentState } from './consent-ledger.js';
export type { ExportInput, ExportResult, RecoveryPointsExport } from './export.js';
export { collectRecoveryPoints, writePrivacyExport } from './export.js';
export type { Incident, IncidentKind, IncidentView, NotificationStatus } from './incidents.js';
export { classifyOpenFailure, classifyProblem, INCIDENT_KINDS, NOTIFICATION_STATUSES } from './incidents.js';
export { isPurpose, noticeFor, PURPOSES, type Purpose } from './notices.js';
export type { InventoryRepository, PrivacyInventory, ProcessingRecord } from './processing-record.js';
export { buildProcessingRecord, processingRecordHtml } from './processing-record.js';
export { isRegion, type LocationRecord, REGIONS, requireRegion } from './regions.js';
export type { PrivacySettings, SubProcessor } from './settings.js';
export type { UsagePayload } from './usage-payload.js';
