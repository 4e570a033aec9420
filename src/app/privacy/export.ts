/**
 * The privacy export (GDPR Art. 15 and 20): one ZIP of everything the app holds about the user —
 * settings, storage locations with regions, sources, schedules, retention policies, the consent
 * ledger, the audit trail (verbatim, so it can be verified again), incidents, the requests
 * register, task history, usage counters, the records of processing, and for each unlocked
 * repository the list of recovery points with their file index (metadata only, never file
 * contents). JSON, with CSV for tables, a README explaining each file, and manifest.json +
 * SHA256SUMS with the SHA-256 of every file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { walk } from '../../engine/browse/walk.js';
import { CairnError } from '../../engine/errors.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { AuditEntry, AuditVerifyResult } from './audit-trail.js';
import type { LedgerRecord } from './consent-ledger.js';
import { sha256Hex, writeFileAtomic } from './files.js';
import type { IncidentView } from './incidents.js';
import { buildProcessingRecord, type PrivacyInventory, processingRecordHtml } from './processing-record.js';
import type { RequestView } from './requests.js';
import type { UsageExport } from './usage-stats.js';
import { buildZip, type ZipInput } from './zip.js';

export interface RecoveryPointsExport {
  repositoryId: string;
  label: string;
  snapshots: {
    id: string;
    time: string;
    hostname: string;
    username: string;
    paths: string[];
    tags: string[];
    partial: boolean;
    /** Restricted (GDPR Art. 18): listed, but its file index is not exported. */
    frozen: boolean;
    totalFiles: number;
    totalBytes: number;
  }[];
  /** snapshot id → its entries (metadata only). */
  fileIndex: Map<string, { path: string; type: string; size: number | null; mtime: string; mode: string }[]>;
}

export interface ExportInput {
  inventory: PrivacyInventory;
  audit: { entries: AuditEntry[]; rawJsonl: string; verification: AuditVerifyResult };
  consent: LedgerRecord[];
  incidents: IncidentView[];
  /** The requests register (Art. 12); absent in exports made by callers that do not keep one. */
  requests?: RequestView[];
  tasks: unknown[];
  usage: UsageExport & { endpoint: string | null };
  recoveryPoints: RecoveryPointsExport[];
  now?: Date;
}

export interface ExportResult {
  path: string;
  bytes: number;
  files: { name: string; bytes: number; sha256: string }[];
}

/** One CSV field: quoted when needed, and never starting like a spreadsheet formula. */
function csvField(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Reads every recovery point of an open repository and its file index (metadata only). Frozen
 * points (`frozen`: their ids) are listed but their file index is withheld: a restricted point
 * is not exported until it is unfrozen.
 */
export async function collectRecoveryPoints(
  repo: Repository,
  label: string,
  frozen: ReadonlySet<string> = new Set(),
): Promise<RecoveryPointsExport> {
  await repo.loadIndex();
  const snapshots = await repo.listSnapshots();
  const fileIndex: RecoveryPointsExport['fileIndex'] = new Map();
  for (const s of snapshots) {
    if (frozen.has(s.id)) continue;
    const rows: { path: string; type: string; size: number | null; mtime: string; mode: string }[] = [];
    for await (const e of walk(repo, s.tree, '/')) {
      rows.push({
        path: e.path,
        type: e.node.type,
        size: e.node.type === 'file' ? (e.node.size ?? 0) : null,
        mtime: new Date(e.node.mtime).toISOString(),
        mode: (e.node.mode & 0o7777).toString(8).padStart(4, '0'),
      });
    }
    fileIndex.set(s.id, rows);
  }
  return {
    repositoryId: repo.config.id,
    label,
    snapshots: snapshots.map((s) => ({
      id: s.id,
      time: s.time,
      hostname: s.hostname,
      username: s.username,
      paths: s.paths,
      tags: s.tags,
      partial: s.partial,
      frozen: frozen.has(s.id),
      totalFiles: s.summary.totalFiles,
      totalBytes: s.summary.totalBytes,
    })),
    fileIndex,
  };
}

const README = (
  files: { name: string; about: string }[],
  generatedAt: string,
  version: string,
) => `Cairn — export of everything this app holds about you
Generated ${generatedAt} by Cairn ${version} (GDPR Art. 15 access, Art. 20 portability).

Every file below is plain JSON, JSON lines or CSV (UTF-8, comma-separated, first row a header).
manifest.json and SHA256SUMS give the SHA-256 of every other file; check them with
"sha256sum -c SHA256SUMS". Your backed-up files themselves are not in this archive (they stay
encrypted in your storage location); to get them as plain files, restore the latest recovery
point to a folder ("Export my files" in the app, or "cairn restore latest --target DIR").

Files:
${files.map((f) => `  ${f.name}\n      ${f.about}`).join('\n')}
`;

/** The files of the export, in order (without README, manifest and sums). */
export function exportFiles(input: ExportInput): { name: string; about: string; data: string }[] {
  const now = input.now ?? new Date();
  const inv = input.inventory;
  const record = buildProcessingRecord(inv, now);
  const files: { name: string; about: string; data: string }[] = [];
  const add = (name: string, about: string, data: string) => files.push({ name, about, data });
  add(
    'settings.json',
    'Privacy settings (chosen region, sub-processors, statistics address), app version and data folder.',
    json({ appVersion: inv.appVersion, dataDir: inv.dataDir, privacy: inv.settings }),
  );
  add(
    'storage-locations.json',
    'Every storage location (repository) with its declared region.',
    json(inv.repositories),
  );
  add(
    'storage-locations.csv',
    'The same as a table.',
    toCsv(
      ['repository_id', 'label', 'location', 'region', 'last_backup_at'],
      inv.repositories.map((r) => [r.id, r.label, r.location, r.region, r.lastBackupAt]),
    ),
  );
  add('sources.json', 'The folders you chose to back up, their excludes and schedules.', json(inv.sources));
  add(
    'sources.csv',
    'The same as a table.',
    toCsv(
      ['source_id', 'repository_id', 'path', 'excludes', 'schedule'],
      inv.sources.map((s) => [s.id, s.repositoryId, s.path, s.excludes.join(' '), s.schedule]),
    ),
  );
  add(
    'schedules.json',
    'When each folder is backed up on its own (null: only by hand).',
    json(inv.sources.map((s) => ({ sourceId: s.id, path: s.path, schedule: s.schedule }))),
  );
  add('retention-policies.json', 'The retention policy of each repository.', json(inv.retention));
  add(
    'consent-ledger.json',
    'Every consent given or withdrawn: purpose, notice version and SHA-256, when, how.',
    json(input.consent),
  );
  add(
    'consent-ledger.csv',
    'The same as a table.',
    toCsv(
      ['at', 'purpose', 'given', 'notice_version', 'notice_sha256', 'via'],
      input.consent.map((c) => [c.at, c.purpose, c.given, c.noticeVersion, c.noticeSha256, c.via]),
    ),
  );
  add('consent-state.json', 'The current state of each purpose and the notice text it refers to.', json(inv.consent));
  add(
    'audit-trail.jsonl',
    'The audit trail exactly as stored: hash-chained entries (see docs/privacy.md to verify it).',
    input.audit.rawJsonl,
  );
  add(
    'audit-trail.csv',
    'The audit trail as a table.',
    toCsv(
      ['seq', 'at', 'actor', 'action', 'details', 'hash'],
      input.audit.entries.map((e) => [e.seq, e.at, e.actor, e.action, e.details, e.hash]),
    ),
  );
  add(
    'audit-verification.json',
    'The result of verifying the audit trail when this export was made.',
    json(input.audit.verification),
  );
  add(
    'incidents.json',
    'The incident register (integrity failures and incidents opened by hand).',
    json(input.incidents),
  );
  add(
    'incidents.csv',
    'The same as a table.',
    toCsv(
      [
        'id',
        'kind',
        'title',
        'status',
        'detected_at',
        'aware_at',
        'notify_by',
        'notification',
        'encrypted_under_secret_keys',
        'measures',
      ],
      input.incidents.map((i) => [
        i.id,
        i.kind,
        i.title,
        i.status,
        i.detectedAt,
        i.awareAt,
        i.notifyBy,
        i.notification,
        i.encryptedUnderSecretKeys,
        i.measures.join('; '),
      ]),
    ),
  );
  add(
    'task-history.json',
    'Backups, restores, checks and clean-ups the app ran, with their outcome.',
    json(input.tasks),
  );
  add(
    'task-history.csv',
    'The same as a table.',
    toCsv(
      ['id', 'kind', 'status', 'repository_id', 'created_at', 'finished_at', 'error'],
      (input.tasks as Record<string, unknown>[]).map((t) => [
        t.id,
        t.kind,
        t.status,
        t.repositoryId,
        t.createdAt,
        t.finishedAt,
        t.error,
      ]),
    ),
  );
  add(
    'usage-statistics.json',
    "Usage statistics: this week's counts, the randomised reports waiting to be sent with their send times, the weeks already sent, and the address they go to (empty unless you gave consent).",
    json(input.usage),
  );
  if (input.requests) {
    add(
      'requests.json',
      'The requests register (Art. 12): requests about personal data, their deadlines, status and what was done.',
      json(input.requests),
    );
    add(
      'requests.csv',
      'The same as a table.',
      toCsv(
        ['id', 'kind', 'requester', 'received_on', 'due_on', 'extended', 'status', 'outcome', 'closed_at', 'links'],
        input.requests.map((q) => [
          q.id,
          q.kind,
          q.requester,
          q.receivedOn,
          q.dueOn,
          q.extension?.reason ?? '',
          q.overdue ? 'open (overdue)' : q.status,
          q.outcome,
          q.closedAt,
          q.links.map((l) => l.kind).join(' '),
        ]),
      ),
    );
  }
  add('records-of-processing.json', 'Records of processing (Art. 30) generated from the configuration.', json(record));
  add('records-of-processing.html', 'The same as a printable page.', processingRecordHtml(record));
  for (const rp of input.recoveryPoints) {
    const dir = `recovery-points/${rp.repositoryId.slice(0, 16)}`;
    add(`${dir}/recovery-points.json`, `Recovery points of "${rp.label}".`, json(rp.snapshots));
    add(
      `${dir}/recovery-points.csv`,
      'The same as a table.',
      toCsv(
        ['id', 'time', 'hostname', 'username', 'paths', 'tags', 'partial', 'frozen', 'total_files', 'total_bytes'],
        rp.snapshots.map((s) => [
          s.id,
          s.time,
          s.hostname,
          s.username,
          s.paths.join(' '),
          s.tags.join(' '),
          s.partial,
          s.frozen,
          s.totalFiles,
          s.totalBytes,
        ]),
      ),
    );
    for (const s of rp.snapshots) {
      if (s.frozen) continue; // restricted (Art. 18): listed in recovery-points.csv, no file index
      const rows = rp.fileIndex.get(s.id) ?? [];
      add(
        `${dir}/${s.id.slice(0, 16)}/file-index.csv`,
        `File index of recovery point ${s.id.slice(0, 8)} (${s.time}): metadata only.`,
        toCsv(
          ['path', 'type', 'size', 'mtime', 'mode'],
          rows.map((r) => [r.path, r.type, r.size, r.mtime, r.mode]),
        ),
      );
    }
  }
  return files;
}

/** Builds the export and writes it to `out` (a new file; an existing one is never replaced). */
export function writePrivacyExport(out: string, input: ExportInput): ExportResult {
  if (!path.isAbsolute(out))
    throw new CairnError('invalid-argument', `the export file must be an absolute path (got "${out}")`);
  if (!out.toLowerCase().endsWith('.zip'))
    throw new CairnError('invalid-argument', 'the export file name must end in .zip');
  if (fs.existsSync(out)) throw new CairnError('invalid-argument', `${out} already exists: choose another name`);
  if (!fs.existsSync(path.dirname(out)))
    throw new CairnError('not-found', `the folder ${path.dirname(out)} does not exist`);
  const now = input.now ?? new Date();
  const files = exportFiles({ ...input, now });
  const readme = README(
    [
      { name: 'README.txt', about: 'This file.' },
      {
        name: 'manifest.json',
        about: 'Name, size and SHA-256 of every file in this archive (except itself and SHA256SUMS).',
      },
      { name: 'SHA256SUMS', about: 'The same sums in the format of sha256sum.' },
      ...files,
    ],
    now.toISOString(),
    input.inventory.appVersion,
  );
  const content: ZipInput[] = [
    { name: 'README.txt', data: readme },
    ...files.map((f) => ({ name: f.name, data: f.data })),
  ];
  const listed = content.map((f) => {
    const bytes = Buffer.from(f.data as string, 'utf8');
    return { name: f.name, bytes: bytes.length, sha256: sha256Hex(bytes) };
  });
  const manifest = json({ generatedAt: now.toISOString(), appVersion: input.inventory.appVersion, files: listed });
  const sums = listed.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  const zip = buildZip(
    [...content, { name: 'manifest.json', data: manifest }, { name: 'SHA256SUMS', data: sums }],
    now,
  );
  const flag = fs.openSync(out, 'wx', 0o600); // claims the name; the content arrives atomically
  fs.closeSync(flag);
  try {
    writeFileAtomic(out, zip);
  } catch (err) {
    fs.rmSync(out, { force: true });
    throw err;
  }
  return { path: out, bytes: zip.length, files: listed };
}
