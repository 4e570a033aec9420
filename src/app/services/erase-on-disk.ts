/**
 * After an erasure, the file itself: when the erased path still exists on this computer, the next
 * backup of a folder that holds it would store it again without a word. So the erasure says so,
 * and (unless the user declines) adds the path to the excludes of the folders of that repository
 * in the app's catalog that hold it — through the same code as `sources.setExcludes`
 * (./source-excludes.ts). The exclude list then names the path: it is the user's own setting on
 * their own computer, and the notice says so. A folder backed up on its own at or below the path
 * cannot exclude itself; the notice asks to remove it instead.
 */
import fs from 'node:fs';
import { localPathOf } from '../../engine/util/paths.js';
import type { Catalog } from '../catalog/catalog.js';
import {
  type AuditWriter,
  exactExcludePattern,
  setSourceExcludes,
  sourcesHolding,
  sourcesInside,
} from './source-excludes.js';

export interface OnDisk {
  /** Whether the erased path still exists on this computer. */
  stillOnDisk: boolean;
  /** Whether the app's catalog (its backed-up folders) could be consulted. */
  catalogReachable: boolean;
  /** Folders of the repository that now exclude it. */
  excludedFrom: { id: number; path: string }[];
  /** Folders that hold it and were left as they are (the user declined the exclusion). */
  notExcludedFrom: { id: number; path: string }[];
  /** Ids of folders backed up on their own at or below the path (their paths name it). */
  foldersInside: number[];
}

export interface OnDiskOptions {
  catalog: Catalog | undefined;
  /** Add the exclusion (the default the app and the CLI offer). */
  exclude: boolean;
  /** The erasure request, named in the exclusion's audit entry instead of the pattern. */
  requestId: string;
  audit: AuditWriter;
}

/** Looks for `repoPath` on disk and excludes it as `options` say; see the module comment. */
export function onDiskAfterErasure(repositoryId: string, repoPath: string, options: OnDiskOptions): OnDisk {
  const onDisk: OnDisk = {
    stillOnDisk: fs.lstatSync(localPathOf(repoPath), { throwIfNoEntry: false }) !== undefined,
    catalogReachable: options.catalog !== undefined,
    excludedFrom: [],
    notExcludedFrom: [],
    foldersInside: [],
  };
  const { catalog } = options;
  if (!onDisk.stillOnDisk || !catalog) return onDisk;
  onDisk.foldersInside = sourcesInside(catalog, repositoryId, repoPath).map((s) => s.id);
  const pattern = exactExcludePattern(repoPath);
  for (const source of sourcesHolding(catalog, repositoryId, repoPath)) {
    const folder = { id: source.id, path: source.path };
    if (!options.exclude) onDisk.notExcludedFrom.push(folder);
    else {
      if (!source.excludes.includes(pattern)) {
        setSourceExcludes(catalog, source.id, [...source.excludes, pattern], options.audit, options.requestId);
      }
      onDisk.excludedFrom.push(folder);
    }
  }
  return onDisk;
}

/** What to tell the user about the path left on disk (it names the path: shown, never kept), or null. */
export function describeOnDisk(repoPath: string, onDisk: OnDisk): string | null {
  if (!onDisk.stillOnDisk) return null;
  const where = localPathOf(repoPath);
  const lines = [`${where} still exists on this computer.`];
  if (onDisk.excludedFrom.length > 0) {
    lines.push(
      `It is now excluded from the backups of ${onDisk.excludedFrom.map((f) => f.path).join(', ')}, so they do not store it again. That folder's exclude list names it: it is your own setting, kept on this computer only.`,
    );
  }
  if (onDisk.notExcludedFrom.length > 0) {
    lines.push(
      `The next backup of ${onDisk.notExcludedFrom.map((f) => f.path).join(', ')} stores it again: delete it, or exclude it there.`,
    );
  }
  if (onDisk.foldersInside.length > 0) {
    lines.push(
      `${onDisk.foldersInside.length} backed-up folder(s) are at or inside it and are backed up on their own: remove them from the backed-up folders, or the next backup stores them again.`,
    );
  }
  if (!onDisk.catalogReachable) {
    lines.push(
      'If a backup includes it, the next one stores it again: delete it, or exclude it from the backups that include it.',
    );
  } else if (onDisk.excludedFrom.length + onDisk.notExcludedFrom.length + onDisk.foldersInside.length === 0) {
    lines.push(
      'No folder the app backs up into this repository holds it; a backup you run by hand that includes it stores it again.',
    );
  }
  return lines.join(' ');
}
