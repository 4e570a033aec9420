/**
 * Exclude rules for the backup walker: command-line `--exclude` patterns, `.cairnignore` files
 * (gitignore syntax) and CACHEDIR.TAG cache directories.
 *
 * Pattern syntax (both sources): `*` matches any run of characters except `/`, `?` one character
 * except `/`, `[...]` a character class (`[a-z]`, `[!a-z]` or `[^a-z]` negated, `[:alpha:]`-style
 * POSIX classes, never `/`), `\x` the character x. `**` as a whole path segment matches across
 * directories: leading `**\/` any leading directories, trailing `/**` everything inside, middle
 * `/**\/` zero or more directories; other `**` act like `*`. A trailing `/` makes a rule match
 * directories only; a leading `!` re-includes what earlier rules excluded (`\!` for a literal `!`).
 * Matching is case-sensitive.
 *
 * Command-line patterns: a pattern starting with `/` is matched against the entry's whole absolute
 * path; any other pattern matches at any depth, i.e. against any trailing run of path segments
 * (`node_modules`, `*.tmp`, `build/out`).
 *
 * `.cairnignore` lines: blank lines and lines starting with `#` are ignored (`\#` for a literal `#`),
 * trailing spaces are trimmed unless escaped (`\ `). A pattern with a `/` at its start or middle is
 * anchored to the directory holding the file; otherwise it matches at any depth below it. A line
 * that is not a valid pattern (an unclosed `[`, a trailing `\`) never matches and is reported in
 * `ExcludeRules.problems`, so one bad line cannot stop a backup.
 *
 * Precedence (as git): the last matching rule wins, where rules of deeper `.cairnignore` files come
 * after shallower ones, and all of them after the command-line patterns. `isExcluded` judges one
 * entry; the walker never descends into an excluded directory, so nothing below it can be
 * re-included.
 *
 * Cache directories: a directory holding a file `CACHEDIR.TAG` that starts with the 43-byte
 * signature of the Cache Directory Tagging Specification is excluded entirely (`isCacheDir`).
 */

import { open, readFile } from 'node:fs/promises';
import { CairnError } from '../errors.js';
import { toRepoPath } from '../util/paths.js';

export const IGNORE_FILE_NAME = '.cairnignore';
export const CACHEDIR_TAG_NAME = 'CACHEDIR.TAG';
export const CACHEDIR_TAG_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55';

interface Rule {
  /** The pattern as written (for messages). */
  source: string;
  regex: RegExp;
  negated: boolean;
  dirOnly: boolean;
}

/** The rules from one source, matched against paths relative to `base`. */
interface Level {
  /** Directory the rules are relative to, without a trailing '/' ('' for the filesystem root). */
  base: string;
  rules: Rule[];
}

/** An ignore-file line that is not a valid pattern. */
export interface IgnoreFileProblem {
  /** The `.cairnignore` file's path. */
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

class PatternError extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

function escapeRegexChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Translates a bracket expression starting at `pattern[i] === '['`; returns the regex and the index after `]`. */
function translateClass(pattern: string, i: number): { regex: string; next: number } {
  let j = i + 1;
  let negated = false;
  if (pattern[j] === '!' || pattern[j] === '^') {
    negated = true;
    j++;
  }
  let body = '';
  let first = true;
  for (;;) {
    const c = pattern[j];
    if (c === undefined) throw new PatternError('unclosed character class "["');
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && pattern[j + 1] === ':') {
      const close = pattern.indexOf(':]', j + 2);
      if (close !== -1) {
        const name = pattern.slice(j + 2, close);
        const cls = POSIX_CLASSES[name];
        if (cls === undefined) throw new PatternError(`unknown character class "[:${name}:]"`);
        body += cls;
        j = close + 2;
        continue;
      }
    }
    let literal: string;
    if (c === '\\') {
      const escaped = pattern[j + 1];
      if (escaped === undefined) throw new PatternError('unclosed character class "["');
      literal = escaped;
      j += 2;
    } else {
      literal = c;
      j += 1;
    }
    if (pattern[j] === '-' && pattern[j + 1] !== undefined && pattern[j + 1] !== ']') {
      // A range literal-literal.
      let hi = pattern[j + 1] as string;
      let after = j + 2;
      if (hi === '\\') {
        const escaped = pattern[j + 2];
        if (escaped === undefined) throw new PatternError('unclosed character class "["');
        hi = escaped;
        after = j + 3;
      }
      if (hi.codePointAt(0)! < literal.codePointAt(0)!) {
        throw new PatternError(`character range "${literal}-${hi}" is out of order`);
      }
      body += `${escapeRegexChar(literal)}-${escapeRegexChar(hi)}`;
      j = after;
      continue;
    }
    body += escapeRegexChar(literal);
  }
  // A class never matches '/': negated classes exclude it explicitly, and a '/' listed inside is dropped.
  const regex = negated ? `[^/${body}]` : `(?!/)[${body}]`;
  return { regex, next: j + 1 };
}

/** Translates one path segment (no '/') that is not exactly '**'. */
function translateSegment(segment: string): string {
  let out = '';
  let i = 0;
  while (i < segment.length) {
    const c = segment[i]!;
    if (c === '*') {
      while (segment[i] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const { regex, next } = translateClass(segment, i);
      out += regex;
      i = next;
    } else if (c === '\\') {
      const escaped = segment[i + 1];
      if (escaped === undefined) throw new PatternError('a pattern cannot end with an unescaped "\\"');
      out += escapeRegexChar(escaped);
      i += 2;
    } else {
      out += escapeRegexChar(c);
      i++;
    }
  }
  return out;
}

/** Splits on '/' that are not inside a bracket expression or escaped. */
function splitSegments(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      current += c + pattern[i + 1];
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']' && !/\[[!^]?$/.test(current)) inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '/') {
      segments.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  segments.push(current);
  return segments;
}

/**
 * Compiles a pattern body (no '!', no trailing '/', no leading '/') into a regex over a relative
 * path. `anchored`: the pattern must match from the first segment; otherwise at any depth.
 */
function compileBody(body: string, anchored: boolean): RegExp {
  const segments = splitSegments(body);
  let re = anchored ? '^' : '^(?:.*/)?';
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    const last = k === segments.length - 1;
    if (seg === '**') {
      if (last) {
        // Trailing '/**' (or a lone '**'): everything inside; a lone '**' matches everything.
        re += k === 0 ? '.*' : '.+';
      } else {
        // Leading '**/' or middle '/**/': zero or more directories.
        re += '(?:.*/)?';
      }
      continue;
    }
    re += translateSegment(seg);
    if (!last) re += '/';
  }
  re += '$';
  try {
    return new RegExp(re);
  } catch (err) {
    throw new PatternError(err instanceof Error ? err.message : String(err));
  }
}

/** Trims trailing spaces unless escaped with a backslash (git's rule). */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') {
    // Count the backslashes before this space: an odd number escapes it.
    let k = end - 2;
    let backslashes = 0;
    while (k >= 0 && line[k] === '\\') {
      backslashes++;
      k--;
    }
    if (backslashes % 2 === 1) break;
    end--;
  }
  return line.slice(0, end);
}

/**
 * Parses one pattern. `kind`: 'file' (gitignore anchoring: a '/' at start or middle anchors) or
 * 'cli' (a leading '/' anchors to the filesystem root; anything else matches at any depth).
 */
function parsePattern(text: string, kind: 'file' | 'cli'): Rule {
  let p = text;
  let negated = false;
  if (p.startsWith('!')) {
    negated = true;
    p = p.slice(1);
  }
  let dirOnly = false;
  if (p.endsWith('/') && !p.endsWith('\\/')) {
    dirOnly = true;
    p = p.replace(/\/+$/, '');
  }
  let anchored: boolean;
  if (p.startsWith('/')) {
    anchored = true;
    p = p.replace(/^\/+/, '');
  } else {
    anchored = kind === 'file' && splitSegments(p).length > 1;
  }
  if (p === '') throw new PatternError('the pattern matches nothing (it is empty)');
  return { source: text, regex: compileBody(p, anchored), negated, dirOnly };
}

function normalizeDir(dirAbsPath: string): string {
  return dirAbsPath.replace(/\/+$/, '');
}

/** The path of `absPath` relative to `base` ('' = root), or undefined when it is not strictly below it. */
function relativeTo(absPath: string, base: string): string | undefined {
  if (base === '') {
    const rel = absPath.replace(/^\/+/, '');
    return rel === '' ? undefined : rel;
  }
  if (absPath.length <= base.length + 1 || !absPath.startsWith(base) || absPath[base.length] !== '/') return undefined;
  return absPath.slice(base.length + 1);
}

export class ExcludeRules {
  /** Invalid lines of the `.cairnignore` file added last by `withIgnoreFile` (empty otherwise). */
  readonly problems: readonly IgnoreFileProblem[];
  private readonly levels: readonly Level[];

  private constructor(levels: readonly Level[], problems: readonly IgnoreFileProblem[]) {
    this.levels = levels;
    this.problems = problems;
  }

  /** Rules from command-line `--exclude` patterns. Throws CairnError('invalid-argument') on an invalid pattern. */
  static fromPatterns(patterns: string[]): ExcludeRules {
    const rules: Rule[] = [];
    for (const pattern of patterns) {
      try {
        rules.push(parsePattern(pattern, 'cli'));
      } catch (err) {
        if (err instanceof PatternError) {
          throw new CairnError('invalid-argument', `invalid exclude pattern "${pattern}": ${err.message}`);
        }
        throw err;
      }
    }
    return new ExcludeRules(rules.length > 0 ? [{ base: '', rules }] : [], []);
  }

  /**
   * Rules for a child directory: these rules plus those of its `.cairnignore` (text, undefined
   * when the directory has none). Invalid lines are skipped and listed in `problems`.
   */
  withIgnoreFile(dirAbsPath: string, ignoreFileText: string | undefined): ExcludeRules {
    if (ignoreFileText === undefined) return this.problems.length === 0 ? this : new ExcludeRules(this.levels, []);
    const base = normalizeDir(dirAbsPath);
    const file = `${base}/${IGNORE_FILE_NAME}`;
    const rules: Rule[] = [];
    const problems: IgnoreFileProblem[] = [];
    const lines = ignoreFileText.replace(/^\uFEFF/, '').split(/\r?\n/);
    lines.forEach((raw, index) => {
      if (raw === '' || raw.startsWith('#')) return;
      const line = trimTrailingSpaces(raw);
      if (line === '') return;
      try {
        rules.push(parsePattern(line, 'file'));
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        problems.push({ file, line: index + 1, message: `invalid pattern "${line}": ${err.message}` });
      }
    });
    if (rules.length === 0) return new ExcludeRules(this.levels, problems);
    return new ExcludeRules([...this.levels, { base, rules }], problems);
  }

  /** Whether the entry at `absPath` (absolute, '/'-separated) is excluded; `isDir` for directories. */
  isExcluded(absPath: string, isDir: boolean): boolean {
    const path = absPath.length > 1 ? absPath.replace(/\/+$/, '') : absPath;
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const level = this.levels[l]!;
      const rel = relativeTo(path, level.base);
      if (rel === undefined) continue;
      for (let r = level.rules.length - 1; r >= 0; r--) {
        const rule = level.rules[r]!;
        if (rule.dirOnly && !isDir) continue;
        if (rule.regex.test(rel)) return !rule.negated;
      }
    }
    return false;
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** The text of `dirAbsPath/.cairnignore`, or undefined when there is none (absent, or not a file). */
export async function readIgnoreFile(dirAbsPath: string): Promise<string | undefined> {
  try {
    return await readFile(`${normalizeDir(dirAbsPath)}/${IGNORE_FILE_NAME}`, 'utf8');
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw err;
  }
}

/**
 * The rules inside the folder `dirAbsPath` whose entries are `names`: the inherited rules plus
 * those of its `.cairnignore`, or undefined when it is a cache folder, skipped whole (a folder the
 * user named is never skipped). The backup walk and the quick count of its source both ask this,
 * so they agree on what a backup holds. Throws when the ignore file or the tag cannot be read.
 */
export async function rulesInside(
  dirAbsPath: string,
  names: readonly string[],
  inherited: ExcludeRules,
  isRoot: boolean,
): Promise<ExcludeRules | undefined> {
  if (!isRoot && names.includes(CACHEDIR_TAG_NAME) && (await isCacheDir(dirAbsPath))) return undefined;
  if (!names.includes(IGNORE_FILE_NAME)) return inherited;
  return inherited.withIgnoreFile(toRepoPath(dirAbsPath), await readIgnoreFile(dirAbsPath));
}

/** Whether `dirAbsPath` holds a CACHEDIR.TAG starting with the standard signature (reads at most 43 bytes). */
export async function isCacheDir(dirAbsPath: string): Promise<boolean> {
  const expected = Buffer.from(CACHEDIR_TAG_SIGNATURE, 'ascii');
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(`${normalizeDir(dirAbsPath)}/${CACHEDIR_TAG_NAME}`, 'r');
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    throw err;
  }
  try {
    const buf = Buffer.alloc(expected.length);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) return false;
      filled += bytesRead;
    }
    return buf.equals(expected);
  } catch (err) {
    if (errorCode(err) === 'EISDIR') return false;
    throw err;
  } finally {
    await handle.close();
  }
}
