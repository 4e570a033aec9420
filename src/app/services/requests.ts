/**
 * The requests register (GDPR Art. 12) as `cairn privacy requests` and the app (`requests.*`) use
 * it: recording, extending, closing, and linking what was done for a request, found and checked
 * where it is kept — an export ZIP by its SHA-256 (it must be a Cairn export: its manifest is
 * read), an erasure by its receipt (the erased path only as the receipt's keyed hash, never by
 * name), a freeze by the frozen recovery point (frozen now, or in the freeze log). The register
 * itself (src/app/privacy/requests.ts) keeps the entries and audits each change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CairnError, describeError } from '../../engine/errors.js';
import { ErasureRecords } from '../privacy/erasure/records.js';
import { sha256Hex } from '../privacy/files.js';
import type { PrivacyRecords } from '../privacy/index.js';
import type { NewLink, RequestView } from '../privacy/requests.js';
import { FrozenPoints } from '../privacy/restriction/frozen.js';
import { readZip } from '../privacy/zip.js';

export {
  REQUEST_KINDS,
  REQUEST_STATUSES,
  type RequestKind,
  type RequestLink,
  type RequestView,
} from '../privacy/requests.js';

/** What to link: an export file, an erasure request id, or a frozen recovery point. */
export type LinkTarget =
  | { kind: 'export'; file: string }
  | { kind: 'erasure'; request: string }
  /** Without `repositoryId`, the point is looked for in every repository's freezes (ids are unique). */
  | { kind: 'freeze'; repositoryId?: string; snapshotId: string };

export interface RequestsSummary {
  open: number;
  overdue: number;
  /** The soonest deadline of an open request, if any. */
  nextDue: string | null;
}

export function requestsSummary(list: RequestView[]): RequestsSummary {
  const open = list.filter((r) => r.status === 'open');
  return {
    open: open.length,
    overdue: open.filter((r) => r.overdue).length,
    nextDue: open.map((r) => r.dueOn).sort()[0] ?? null,
  };
}

/** Finds and checks what `target` names (see the module comment). */
export function resolveLink(dataDir: string, target: LinkTarget): NewLink {
  switch (target.kind) {
    case 'export':
      return exportLink(target.file);
    case 'erasure':
      return erasureLink(dataDir, target.request);
    case 'freeze':
      return freezeLink(dataDir, target.repositoryId, target.snapshotId);
  }
}

/** Links what was done for request `id`; returns the request as it is now. */
export function linkRequest(records: PrivacyRecords, dataDir: string, id: string, target: LinkTarget): RequestView {
  records.requests.get(id); // an unknown request is named before the link is looked for
  return records.requests.link(id, resolveLink(dataDir, target));
}

function exportLink(file: string): NewLink {
  if (!path.isAbsolute(file))
    throw new CairnError('invalid-argument', `give the export file as an absolute path (got "${file}")`);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new CairnError('not-found', `cannot read the export ${file}: ${describeError(err)}`);
  }
  let isExport = false;
  try {
    isExport = readZip(data).has('manifest.json');
  } catch {
    isExport = false;
  }
  if (!isExport) throw new CairnError('invalid-argument', `${file} is not a Cairn export (no manifest.json in a ZIP)`);
  return { kind: 'export', file, sha256: sha256Hex(data), bytes: data.length };
}

function erasureLink(dataDir: string, request: string): NewLink {
  const wanted = request.trim();
  const found = wanted === '' ? [] : new ErasureRecords(dataDir).receipts().filter((r) => r.request.startsWith(wanted));
  if (found.length === 0) {
    throw new CairnError('not-found', `there is no erasure receipt ${request} (see "cairn privacy receipts")`);
  }
  if (found.length > 1)
    throw new CairnError('invalid-argument', `erasure request ${request} is ambiguous: give more of it`);
  const receipt = found[0] as (typeof found)[number];
  const scope = typeof receipt.scope === 'object' ? receipt.scope : null;
  const completed = receipt.physicallyDeletedAt; // when the data was physically deleted
  return {
    kind: 'erasure',
    request: receipt.request,
    pathHash: typeof scope?.pathHash === 'string' ? scope.pathHash : null,
    completedAt: typeof completed === 'string' ? completed : null,
  };
}

/**
 * A recovery point frozen now or once (the freeze log keeps every freeze, and the copy erasure
 * moved a freeze to), so a restriction lifted since can still be linked.
 */
function freezeLink(dataDir: string, repositoryId: string | undefined, snapshotId: string): NewLink {
  const wanted = snapshotId.trim();
  if (wanted.length < 4)
    throw new CairnError('invalid-argument', 'give at least 4 characters of the recovery point id');
  const candidates = new Map<string, { repositoryId: string; snapshotId: string; frozenAt: string }>();
  for (const e of new FrozenPoints(dataDir).log(repositoryId)) {
    const id = e.action === 'freeze' ? e.snapshotId : e.action === 'moved-by-erasure' ? e.to : undefined;
    if (!id?.startsWith(wanted)) continue;
    const known = candidates.get(`${e.repositoryId}/${id}`);
    candidates.set(`${e.repositoryId}/${id}`, {
      repositoryId: e.repositoryId,
      snapshotId: id,
      frozenAt: known?.frozenAt ?? e.at,
    });
  }
  if (candidates.size === 0) {
    throw new CairnError(
      'not-found',
      `recovery point ${wanted} was never frozen${repositoryId ? ' in that repository' : ''}: freeze it first`,
    );
  }
  if (candidates.size > 1)
    throw new CairnError('invalid-argument', `recovery point id ${wanted} is ambiguous: give more of it`);
  const [point] = [...candidates.values()] as [{ repositoryId: string; snapshotId: string; frozenAt: string }];
  return { kind: 'freeze', ...point };
}
