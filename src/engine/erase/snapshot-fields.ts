/**
 * The fields of a recovery point, besides its tree, that can name a path: `paths` (what was backed
 * up), `warnings` (entries that could not be read, by path) and `tags` (the user's words, which
 * may hold a path). An erasure drops from them whatever names the erased path or anything below
 * it (docs/repository-format.md §11): a backed-up path equal to or below it, and every warning or
 * tag that mentions such a path. A backed-up path above it stays.
 */
import type { Snapshot } from '../format/snapshot.js';
import type { ErasedPath } from './path-match.js';

/** What the backup keeps of its warnings (archiver.ts): more may have been left out. */
const MAX_WARNINGS = 1000;

export interface ScrubbedFields {
  paths: string[];
  warnings: string[];
  tags: string[];
  partial: boolean;
}

/** The erased path as `paths`, `warnings` or `tags` of `s` name it, or undefined when none does. */
export function erasedPathInFields(
  s: Pick<Snapshot, 'paths' | 'warnings' | 'tags'>,
  erased: ErasedPath,
): string | undefined {
  for (const p of s.paths) {
    const found = erased.erasedPrefixOf(p);
    if (found) return found;
  }
  for (const text of [...s.warnings, ...s.tags]) {
    const found = erased.mentionedIn(text);
    if (found) return found;
  }
  return undefined;
}

/**
 * `paths`, `warnings` and `tags` of `s` without anything that names the erased path. `partial`
 * stays true only while a warning says why (or while warnings beyond the kept ones may exist):
 * what could not be read below the erased path is erased too.
 */
export function scrubFields(
  s: Pick<Snapshot, 'paths' | 'warnings' | 'tags' | 'partial'>,
  erased: ErasedPath,
): ScrubbedFields {
  const warnings = s.warnings.filter((w) => erased.mentionedIn(w) === undefined);
  return {
    paths: s.paths.filter((p) => !erased.covers(p)),
    warnings,
    tags: s.tags.filter((t) => erased.mentionedIn(t) === undefined),
    partial: s.partial && (warnings.length > 0 || s.warnings.length >= MAX_WARNINGS),
  };
}
