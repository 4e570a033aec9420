/**
 * Which paths an erasure covers, asked without needing the erased path's name: an `ErasedPath`
 * answers "is this path the erased one, or below it?" either from the name (a new erasure) or
 * from keyed hashes (a tombstone, docs/repository-format.md §13.2). A tombstone keeps one hash
 * per depth — the folders on the way, then the path — so finding the path in a tree reads only
 * the trees on the way, as a lookup by name does, and never needs the name itself.
 *
 * Also: the paths a free text mentions (a recovery point's warnings and tags), so that a text
 * naming the erased path or anything below it can be dropped by either kind of matcher.
 */
import { createHmac } from 'node:crypto';
import type { MasterKeys } from '../crypto/keys.js';
import { erasurePathKey } from '../crypto/subkeys.js';
import { normalizeRepoPath, repoPathComponents, toRepoPath } from '../util/paths.js';

/** The folders on the way to `repoPath`, then the path itself: `/a/b` → [`/a`, `/a/b`]. */
export function pathPrefixes(repoPath: string): string[] {
  const parts = repoPathComponents(repoPath);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** HMAC-SHA-256 of the path's UTF-8 bytes under the erasure path key, lower-case hex. */
export function erasurePathHash(key: Uint8Array, repoPath: string): string {
  return createHmac('sha256', key).update(repoPath, 'utf8').digest('hex');
}

/** The hashes a tombstone keeps: one per prefix of the path, outermost first, the path's own last. */
export function erasurePathHashes(key: Uint8Array, repoPath: string): string[] {
  return pathPrefixes(repoPath).map((p) => erasurePathHash(key, p));
}

/** Memoised answers per prefix: the same folders come up in every recovery point. */
const MEMO_LIMIT = 100_000;

export class ErasedPath {
  private readonly memo = new Map<string, boolean>();

  private constructor(
    /** How many components the erased path has. */
    readonly depth: number,
    private readonly prefixMatches: (prefix: string, depth: number) => boolean,
    /** The erased path when it was given by name (a new erasure); undefined for a tombstone. */
    readonly name: string | undefined,
  ) {}

  /** The erased path given by name (absolute, normalised: see `erasurePath`). */
  static named(repoPath: string): ErasedPath {
    const prefixes = pathPrefixes(repoPath);
    if (prefixes.length === 0) throw new Error('an erased path has at least one component');
    return new ErasedPath(prefixes.length, (prefix, depth) => prefixes[depth - 1] === prefix, repoPath);
  }

  /** The erased path known only by its hashes (`erasurePathHashes`) under the repository's key. */
  static hashed(keys: Pick<MasterKeys, 'idKey'>, hashes: readonly string[]): ErasedPath {
    if (hashes.length === 0) throw new Error('an erased path has at least one component');
    const key = erasurePathKey(keys);
    const wanted = [...hashes];
    return new ErasedPath(
      wanted.length,
      (prefix, depth) => wanted[depth - 1] === erasurePathHash(key, prefix),
      undefined,
    );
  }

  /** Whether `prefix`, a path of `depth` components (1 to `this.depth`), leads to or is the erased path. */
  isPrefix(prefix: string, depth: number): boolean {
    if (depth < 1 || depth > this.depth) return false;
    const memoKey = `${depth}\u0000${prefix}`;
    const known = this.memo.get(memoKey);
    if (known !== undefined) return known;
    const answer = this.prefixMatches(prefix, depth);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(memoKey, answer);
    return answer;
  }

  /** The erased path when `repoPath` is it or lies below it (read from `repoPath`), else undefined. */
  erasedPrefixOf(repoPath: string): string | undefined {
    const parts = repoPathComponents(repoPath);
    if (parts.length < this.depth) return undefined;
    const prefix = `/${parts.slice(0, this.depth).join('/')}`;
    return this.isPrefix(prefix, this.depth) ? prefix : undefined;
  }

  /** Whether `repoPath` is the erased path or lies below it (a path above it is not covered). */
  covers(repoPath: string): boolean {
    return this.erasedPrefixOf(repoPath) !== undefined;
  }

  /** The erased path when `text` mentions it or anything below it, else undefined. */
  mentionedIn(text: string): string | undefined {
    for (const candidate of pathsIn(text)) {
      const found = this.erasedPrefixOf(candidate);
      if (found) return found;
    }
    return undefined;
  }
}

/** Characters that may end a path in a message: a separator, quotes, punctuation, white space. */
const END = /[/\\:'"`,;)\]\s]/;
/** Characters after which a path may start (or the text's start). */
const BEFORE_START = /[\s'"`(=[,:]/;
const WINDOWS_START = /^[A-Za-z]:[\\/]/;

/**
 * Every absolute path `text` may mention, as a repository path: for each place a path can start
 * (`/`, or a drive such as `C:\`), every run up to a character that can end a path. A name with
 * spaces or colons is found whole, because every end is tried; a few extra candidates are harmless.
 */
export function pathsIn(text: string): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length; start++) {
    if (start > 0 && !BEFORE_START.test(text[start - 1] as string)) continue;
    const windows = WINDOWS_START.test(text.slice(start, start + 3));
    if (!windows && text[start] !== '/') continue;
    const from = windows ? start + 3 : start + 1;
    for (let end = from; end <= text.length; end++) {
      if (end < text.length && !END.test(text[end] as string)) continue;
      const raw = text.slice(start, end);
      out.push(windows ? toRepoPath(raw, 'win32') : normalizeRepoPath(raw));
    }
  }
  return out;
}
