/**
 * A backed-up folder's exclude patterns, changed one way for the app's `sources.setExcludes` and
 * for erasure, which excludes an erased path still on disk from the backups of the folders of
 * its repository that hold it. Blank patterns are dropped and each is kept once; the audit entry
 * names what was added and removed (never the whole list again, which would copy a pattern
 * naming an erased path into every later entry), and an erasure's entry names no pattern at all.
 */
import { CairnError } from '../../engine/errors.js';
import { toRepoPath } from '../../engine/util/paths.js';
import type { Catalog, SourceRecord } from '../catalog/catalog.js';
import type { AuditDetails } from '../privacy/audit-trail.js';

export type AuditWriter = (action: string, details: AuditDetails) => void;

/**
 * Replaces the excludes of source `id` and audits the change (`source.excludes-changed`);
 * `erasureRequest` marks a change made by that erasure, whose entry names no pattern.
 */
export function setSourceExcludes(
  catalog: Catalog,
  id: number,
  excludes: string[],
  audit: AuditWriter,
  erasureRequest?: string,
): SourceRecord {
  const source = catalog.getSource(id);
  if (!source) throw new CairnError('not-found', `there is no source ${id}`);
  const next = [...new Set(excludes.map((e) => e.trim()).filter((e) => e !== ''))];
  const updated = catalog.updateSource(id, { excludes: next });
  const added = next.filter((e) => !source.excludes.includes(e));
  const removed = source.excludes.filter((e) => !next.includes(e));
  audit('source.excludes-changed', {
    sourceId: updated.id,
    repositoryId: updated.repositoryId,
    path: updated.path,
    ...(erasureRequest === undefined
      ? { added, removed }
      : { addedForErasure: erasureRequest, patternsAdded: added.length }),
  });
  return updated;
}

/**
 * The exclude pattern that matches exactly `repoPath` (and so everything below it): the whole
 * absolute path, with the pattern syntax's special characters escaped (src/engine/backup/excludes.ts)
 * and a trailing blank kept as a one-character class, since patterns are trimmed.
 */
export function exactExcludePattern(repoPath: string): string {
  const escaped = repoPath.replace(/[\\*?[]/g, (c) => `\\${c}`);
  return escaped.replace(/\s$/, (c) => `[${c}]`);
}

/** The folders of a repository that `repoPath` lies strictly below (an exclude can cover it there). */
export function sourcesHolding(catalog: Catalog, repositoryId: string, repoPath: string): SourceRecord[] {
  return catalog.listSources(repositoryId).filter((s) => {
    const root = toRepoPath(s.path);
    return repoPath.startsWith(root === '/' ? '/' : `${root}/`) && repoPath !== root;
  });
}

/** The folders of a repository at or below `repoPath` (backed up as folders of their own). */
export function sourcesInside(catalog: Catalog, repositoryId: string, repoPath: string): SourceRecord[] {
  return catalog.listSources(repositoryId).filter((s) => {
    const root = toRepoPath(s.path);
    return root === repoPath || root.startsWith(`${repoPath}/`);
  });
}
