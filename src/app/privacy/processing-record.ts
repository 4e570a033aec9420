/**
 * Records of processing activities (GDPR Art. 30), generated from the configuration: the
 * controller and DPO contact the user entered, purposes (with their consent state), data
 * categories, data subjects, recipients (each storage location's operator, derived from its
 * location by ./location-operator.ts; the sub-processors the user lists; the alert webhook's host
 * while one is set; the usage-statistics receiver while consent is given and an address is set),
 * locations with their regions and any instruction to store outside the chosen region, retention
 * time limits (from the policies), and security measures (algorithms, key slots). As JSON and as a
 * self-contained printable HTML page (every value escaped; no scripts, no external resources).
 */
import { ALGORITHMS_V1, ALGORITHMS_V2 } from '../../engine/format/config.js';
import type { RetentionPolicy } from '../retention/policy.js';
import type { ConsentState } from './consent-ledger.js';
import type { ControllerDetails } from './controller.js';
import { locationOperator } from './location-operator.js';
import { RECORD_STYLE } from './record-style.js';
import { outsideChosenRegion } from './regions.js';
import type { PrivacySettings } from './settings.js';

export interface InventoryRepository {
  id: string;
  label: string;
  location: string;
  region: string;
  lastBackupAt: string | null;
  /** Key slots when the repository was open while the record was made. */
  keySlots?: { id: string; label: string; created: string; kdf: string }[];
  /** The user's instruction to store there although it lies outside the chosen region. */
  transferInstruction?: { instruction: string; at: string } | null;
  /** When an instruction for this location was last revoked. */
  instructionRevokedAt?: string | null;
}

/** What the app holds, gathered by the caller (engine host or CLI) for the records and the export. */
export interface PrivacyInventory {
  appVersion: string;
  dataDir: string;
  repositories: InventoryRepository[];
  sources: { id: number; repositoryId: string; path: string; excludes: string[]; schedule: unknown }[];
  retention: { repositoryId: string; policy: RetentionPolicy; prune: boolean }[];
  settings: PrivacySettings;
  consent: ConsentState[];
  /** The alert webhook's host and declared region while one is set (app setting; never its address). */
  alertReceiver?: { host: string; region: string | null } | null;
  /** The controller's name and contact and the DPO's contact, as the user entered them. */
  controller?: ControllerDetails;
}

export interface ProcessingRecord {
  generatedAt: string;
  controller: {
    name: string | null;
    contact: string | null;
    dpoContact: string | null;
    /** What the records say when the user has not entered the controller's details yet. */
    note: string;
  };
  purposes: { purpose: string; title: string; legalBasis: string; given: boolean; since: string | null }[];
  dataSubjects: string[];
  dataCategories: string[];
  recipients: { name: string; role: string; region: string }[];
  chosenRegion: string | null;
  locations: {
    repository: string;
    location: string;
    region: string;
    outsideChosenRegion: boolean;
    /** The instruction to store there outside the chosen region (null: none given, or revoked). */
    transferInstruction: { instruction: string; at: string } | null;
    instructionRevokedAt: string | null;
  }[];
  retention: { repository: string; policy: RetentionPolicy | null; timeLimit: string }[];
  security: {
    encryption: string;
    keyDerivation: string;
    blobIds: string;
    objectNames: string;
    compression: string;
    keys: string;
    keySlots: { repository: string; slots: { id: string; label: string; created: string; kdf: string }[] | null }[];
  };
  sources: { repository: string; path: string; excludes: string[] }[];
}

const LEGAL_BASIS: Record<string, string> = {
  backup: 'Art. 6(1)(b)/(f): the backup service the user set up (consent ledger records it)',
  'usage-statistics': 'Art. 6(1)(a): consent',
};

/** What the alert webhook sends, as the records of processing describe it. */
export const ALERT_CONTENT =
  'a short message after each backup and when a check finds damage (repository name, outcome, counts, a one-line reason; no file names, paths or credentials)';

/** What the usage-statistics receiver gets, as the records of processing describe it. */
export const USAGE_CONTENT =
  'one report a week, as the Privacy screen shows it before consent: the ISO week, app version (major.minor), operating-system family and three counters in coarse buckets, each randomised (local differential privacy, ε = ln 3 per counter); no identifier, file names, paths or credentials';

/** The host of the usage-statistics address, or the address itself when it is not a URL. */
function receiverHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

/** The longest time a policy keeps a recovery point, in words. */
export function describeRetention(policy: RetentionPolicy | null): string {
  if (!policy) return 'no retention policy: recovery points are kept until the user removes or erases them';
  const spans: string[] = [];
  if (policy.within) spans.push(`everything from the last ${policy.within} before the newest recovery point`);
  if (policy.hourly) spans.push(`one per hour for ${policy.hourly} hour(s)`);
  if (policy.daily) spans.push(`one per day for ${policy.daily} day(s)`);
  if (policy.weekly) spans.push(`one per week for ${policy.weekly} week(s)`);
  if (policy.monthly) spans.push(`one per month for ${policy.monthly} month(s)`);
  if (policy.yearly) spans.push(`one per year for ${policy.yearly} year(s)`);
  if (policy.last) spans.push(`the ${policy.last} newest`);
  if (policy.tags?.length) spans.push(`recovery points tagged ${policy.tags.join(', ')} without a time limit`);
  return `${spans.join('; ')}; the newest recovery point is always kept`;
}

export function buildProcessingRecord(inv: PrivacyInventory, now: Date = new Date()): ProcessingRecord {
  const chosen = inv.settings.region;
  const label = (id: string) => inv.repositories.find((r) => r.id === id)?.label ?? id.slice(0, 8);
  const statistics = inv.consent.find((c) => c.purpose === 'usage-statistics')?.given
    ? inv.settings.usageEndpoint
    : null;
  return {
    generatedAt: now.toISOString(),
    controller: {
      name: inv.controller?.name ?? null,
      contact: inv.controller?.contact ?? null,
      dpoContact: inv.controller?.dpoContact ?? null,
      note: inv.controller?.name
        ? 'entered by the user of this Cairn installation'
        : 'not entered yet: the user of this Cairn installation (set it under Privacy → Records, or with "cairn privacy controller")',
    },
    purposes: inv.consent.map((c) => ({
      purpose: c.purpose,
      title: c.title,
      legalBasis: LEGAL_BASIS[c.purpose] ?? 'consent',
      given: c.given,
      since: c.last?.at ?? null,
    })),
    dataSubjects: ['the user', 'any person whose data is in the folders the user chose to back up'],
    dataCategories: [
      'content of the files in the chosen folders (encrypted)',
      'file metadata: paths, names, sizes, modification times, permissions (encrypted)',
      'host and user name of the computer, recorded in each recovery point (encrypted)',
      'app records kept on this computer: settings, consent ledger, audit trail, incidents, task history',
    ],
    recipients: [
      ...inv.repositories.map((r) => {
        const operator = locationOperator(r.location);
        return {
          name: operator.name,
          role:
            operator.kind === 'local'
              ? `storage of "${r.label}" at ${r.location}, under your own control (encrypted data only)`
              : `processor: storage of "${r.label}" at ${r.location} (receives encrypted data only)`,
          region: r.region,
        };
      }),
      ...inv.settings.subProcessors.map((s) => ({ name: s.name, role: `sub-processor: ${s.role}`, region: s.region })),
      ...(inv.alertReceiver
        ? [
            {
              name: inv.alertReceiver.host,
              role: `alert receiver: ${ALERT_CONTENT}`,
              region: inv.alertReceiver.region ?? 'unknown',
            },
          ]
        : []),
      ...(statistics
        ? [{ name: receiverHost(statistics), role: `usage-statistics receiver: ${USAGE_CONTENT}`, region: 'unknown' }]
        : []),
    ],
    chosenRegion: chosen,
    locations: inv.repositories.map((r) => ({
      repository: r.label,
      location: r.location,
      region: r.region,
      outsideChosenRegion: outsideChosenRegion(r.region, chosen),
      transferInstruction: outsideChosenRegion(r.region, chosen) ? (r.transferInstruction ?? null) : null,
      instructionRevokedAt: r.instructionRevokedAt ?? null,
    })),
    retention: inv.repositories.map((r) => {
      const stored = inv.retention.find((x) => x.repositoryId === r.id);
      return {
        repository: r.label,
        policy: stored?.policy ?? null,
        timeLimit: describeRetention(stored?.policy ?? null),
      };
    }),
    security: {
      encryption: `${ALGORITHMS_V1.encryption.toUpperCase()} on this computer before storage, a fresh nonce per object`,
      keyDerivation: `${ALGORITHMS_V2.keyDerivation} (${ALGORITHMS_V1.keyDerivation} in repositories of format version 1): each password (key slot) wraps the repository's master keys; each slot below names its own`,
      blobIds: `${ALGORITHMS_V1.blobId} under a secret key (content is not identifiable from ids)`,
      objectNames: `${ALGORITHMS_V1.objectName} of the stored bytes (tampering is detected)`,
      compression: ALGORITHMS_V1.compression,
      keys: 'random master keys per repository, never shared between repositories, never leaving this computer',
      keySlots: inv.repositories.map((r) => ({ repository: r.label, slots: r.keySlots ?? null })),
    },
    sources: inv.sources.map((s) => ({ repository: label(s.repositoryId), path: s.path, excludes: s.excludes })),
  };
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function table(header: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The record as a printable, self-contained HTML page. */
export function processingRecordHtml(record: ProcessingRecord): string {
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Records of processing — Cairn</title>
<style>${RECORD_STYLE}</style>
</head>
<body>
<h1>Records of processing activities (GDPR Art. 30)</h1>
<p>Generated ${escapeHtml(record.generatedAt)} by Cairn from its configuration.</p>
<h2>Controller</h2>
${table(
  ['Item', 'Detail'],
  [
    ['Name', record.controller.name ?? record.controller.note],
    ['Contact', record.controller.contact ?? '—'],
    ['Data protection officer', record.controller.dpoContact ?? 'none designated'],
  ],
)}
<h2>Purposes</h2>
${table(
  ['Purpose', 'Legal basis', 'Status', 'Since'],
  record.purposes.map((p) => [p.title, p.legalBasis, p.given ? 'given' : 'not given / withdrawn', p.since ?? '—']),
)}
<h2>Data subjects</h2>
${list(record.dataSubjects)}
<h2>Categories of personal data</h2>
${list(record.dataCategories)}
<h2>Recipients</h2>
${table(
  ['Name', 'Role', 'Region'],
  record.recipients.map((r) => [r.name, r.role, r.region]),
)}
<h2>Locations and regions</h2>
<p>Chosen region (the documented instruction): ${escapeHtml(record.chosenRegion ?? 'none chosen')}</p>
${table(
  ['Repository', 'Location', 'Region', 'Outside the chosen region', 'Instruction to store there'],
  record.locations.map((l) => [
    l.repository,
    l.location,
    l.region,
    l.outsideChosenRegion ? 'yes' : 'no',
    l.transferInstruction
      ? `${l.transferInstruction.instruction} (given ${l.transferInstruction.at})`
      : l.outsideChosenRegion
        ? `none${l.instructionRevokedAt ? ` (revoked ${l.instructionRevokedAt})` : ''}`
        : '—',
  ]),
)}
<h2>Time limits for erasure</h2>
${table(
  ['Repository', 'Time limit'],
  record.retention.map((r) => [r.repository, r.timeLimit]),
)}
<h2>Security measures (Art. 32)</h2>
${table(
  ['Measure', 'Detail'],
  [
    ['Encryption', record.security.encryption],
    ['Key derivation', record.security.keyDerivation],
    ['Blob ids', record.security.blobIds],
    ['Object names', record.security.objectNames],
    ['Compression', record.security.compression],
    ['Keys', record.security.keys],
  ],
)}
${table(
  ['Repository', 'Key slots'],
  record.security.keySlots.map((k) => [
    k.repository,
    k.slots
      ? k.slots.map((s) => `${s.id.slice(0, 8)} ${s.label} (${s.kdf}, ${s.created})`).join('; ')
      : 'not read (repository locked)',
  ]),
)}
<h2>Folders backed up</h2>
${table(
  ['Repository', 'Folder', 'Excluded'],
  record.sources.map((s) => [s.repository, s.path, s.excludes.join(', ')]),
)}
</body>
</html>
`;
}
