import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { CACHEDIR_TAG_SIGNATURE, ExcludeRules, IGNORE_FILE_NAME, isCacheDir, readIgnoreFile } from './excludes.js';

const ROOT = '/home/ann/proj';
const F = false; // a file
const D = true; // a directory

/** Rules of a single .cairnignore in ROOT. */
function ignoreAtRoot(text: string): ExcludeRules {
  return ExcludeRules.fromPatterns([]).withIgnoreFile(ROOT, text);
}

type Case = [pattern: string, relPath: string, isDir: boolean, excluded: boolean];

// The git documentation's gitignore examples, and the edges of each syntax element.
const GITIGNORE_CASES: Case[] = [
  // no slash: any depth, files and directories
  ['*.log', 'a.log', F, true],
  ['*.log', 'x/y/b.log', F, true],
  ['*.log', 'logs', D, false],
  ['*.log', 'a.log.txt', F, false],
  ['*.log', '.log', F, true],
  ['frotz', 'frotz', D, true],
  ['frotz', 'a/frotz', F, true],
  ['frotz', 'frotzy', F, false],
  // leading slash: anchored to the .cairnignore's directory
  ['/build', 'build', D, true],
  ['/build', 'build', F, true],
  ['/build', 'src/build', D, false],
  // a middle slash anchors too
  ['doc/frotz/', 'doc/frotz', D, true],
  ['doc/frotz/', 'a/doc/frotz', D, false],
  ['doc/*.txt', 'doc/notes.txt', F, true],
  ['doc/*.txt', 'doc/server/arch.txt', F, false],
  ['doc/*.txt', 'x/doc/notes.txt', F, false],
  ['foo/*', 'foo/test.json', F, true],
  ['foo/*', 'foo/bar', D, true],
  ['foo/*', 'foo/bar/hello.c', F, false],
  ['foo/*', 'foo', D, false],
  // trailing slash: directories only
  ['tmp/', 'tmp', D, true],
  ['tmp/', 'a/b/tmp', D, true],
  ['tmp/', 'tmp', F, false],
  ['tmp/', 'a/tmp', F, false],
  // ** forms
  ['**/foo', 'foo', F, true],
  ['**/foo', 'a/b/foo', D, true],
  ['**/foo', 'a/foox', F, false],
  ['**/foo/bar', 'foo/bar', F, true],
  ['**/foo/bar', 'x/y/foo/bar', F, true],
  ['**/foo/bar', 'x/foo/baz', F, false],
  ['abc/**', 'abc/x', F, true],
  ['abc/**', 'abc/x/y/z', F, true],
  ['abc/**', 'abc', D, false],
  ['abc/**', 'x/abc/y', F, false],
  ['a/**/b', 'a/b', F, true],
  ['a/**/b', 'a/x/b', F, true],
  ['a/**/b', 'a/x/y/b', D, true],
  ['a/**/b', 'a/xb', F, false],
  ['a/**/b', 'z/a/x/b', F, false],
  ['**', 'anything/at/all', F, true],
  ['a**b', 'axxb', F, true],
  ['a**b', 'ax/xb', F, false],
  // * and ? never cross '/'
  ['a*c', 'abbc', F, true],
  ['a*c', 'ab/c', F, false],
  ['a?c', 'abc', F, true],
  ['a?c', 'ac', F, false],
  ['x/a?c', 'x/a/c', F, false],
  // character classes
  ['[a-c].txt', 'b.txt', F, true],
  ['[a-c].txt', 'd.txt', F, false],
  ['[!a-c].txt', 'd.txt', F, true],
  ['[!a-c].txt', 'a.txt', F, false],
  ['[^a-c].txt', 'd.txt', F, true],
  ['[]x].txt', '].txt', F, true],
  ['[[:digit:]]*.bak', '7days.bak', F, true],
  ['[[:digit:]]*.bak', 'days.bak', F, false],
  ['x[!a]y', 'x/y', F, false],
  // escapes and trailing spaces
  ['\\#notes', '#notes', F, true],
  ['\\!important', '!important', F, true],
  ['\\*', '*', F, true],
  ['\\*', 'star', F, false],
  ['spaced   ', 'spaced', F, true],
  ['spaced\\ ', 'spaced ', F, true],
  ['spaced\\ ', 'spaced', F, false],
  // regex metacharacters are literal
  ['a.b(c)+', 'a.b(c)+', F, true],
  ['a.b(c)+', 'axb(c)+', F, false],
  // case-sensitive
  ['*.LOG', 'a.log', F, false],
];

describe('gitignore syntax in .cairnignore', () => {
  it.each(GITIGNORE_CASES)('%s on %s (dir: %s) → excluded %s', (pattern, rel, isDir, excluded) => {
    expect(ignoreAtRoot(pattern).isExcluded(`${ROOT}/${rel}`, isDir)).toBe(excluded);
  });

  it('ignores comments and blank lines, and reads CRLF files with a BOM', () => {
    const rules = ignoreAtRoot('\uFEFF# a comment\r\n\r\n   \r\n*.tmp\r\n#*.log\r\n');
    expect(rules.isExcluded(`${ROOT}/x.tmp`, F)).toBe(true);
    expect(rules.isExcluded(`${ROOT}/x.log`, F)).toBe(false);
    expect(rules.isExcluded(`${ROOT}/# a comment`, F)).toBe(false);
    expect(rules.problems).toEqual([]);
  });

  it('re-includes with ! and lets the last matching rule win', () => {
    const rules = ignoreAtRoot('*.log\n!important.log\n');
    expect(rules.isExcluded(`${ROOT}/debug.log`, F)).toBe(true);
    expect(rules.isExcluded(`${ROOT}/important.log`, F)).toBe(false);
    expect(rules.isExcluded(`${ROOT}/sub/important.log`, F)).toBe(false);
    const reversed = ignoreAtRoot('!important.log\n*.log\n');
    expect(reversed.isExcluded(`${ROOT}/important.log`, F)).toBe(true);
  });

  it('applies only below its own directory', () => {
    const rules = ignoreAtRoot('*\n');
    expect(rules.isExcluded(ROOT, D)).toBe(false);
    expect(rules.isExcluded('/home/ann/other', D)).toBe(false);
    expect(rules.isExcluded('/home/ann/projx/a', F)).toBe(false);
    expect(rules.isExcluded(`${ROOT}/a`, F)).toBe(true);
  });

  it('accepts a trailing slash on the directory and on the entry path', () => {
    const rules = ExcludeRules.fromPatterns([]).withIgnoreFile(`${ROOT}/`, '/build/\n');
    expect(rules.isExcluded(`${ROOT}/build/`, D)).toBe(true);
    expect(rules.isExcluded(`${ROOT}/build`, D)).toBe(true);
  });

  it('works for a .cairnignore at the filesystem root', () => {
    const rules = ExcludeRules.fromPatterns([]).withIgnoreFile('/', '/tmp\nvar/cache/\n');
    expect(rules.isExcluded('/tmp', D)).toBe(true);
    expect(rules.isExcluded('/home/tmp', D)).toBe(false);
    expect(rules.isExcluded('/var/cache', D)).toBe(true);
    expect(rules.isExcluded('/', D)).toBe(false);
  });

  it('skips invalid lines, reporting each with its line number', () => {
    const rules = ignoreAtRoot('*.tmp\n[abc\nfoo\\\n[z-a]\n[[:nope:]]\n!\n*.bak\n');
    expect(rules.isExcluded(`${ROOT}/a.tmp`, F)).toBe(true);
    expect(rules.isExcluded(`${ROOT}/a.bak`, F)).toBe(true);
    expect(rules.isExcluded(`${ROOT}/[abc`, F)).toBe(false);
    expect(rules.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(rules.problems[0]).toMatchObject({ file: `${ROOT}/${IGNORE_FILE_NAME}` });
    expect(rules.problems[0]?.message).toMatch(/unclosed character class/);
    expect(rules.problems[1]?.message).toMatch(/end with an unescaped/);
    expect(rules.problems[2]?.message).toMatch(/out of order/);
    expect(rules.problems[3]?.message).toMatch(/unknown character class/);
    // problems belong to the file just added, not to its children
    expect(rules.withIgnoreFile(`${ROOT}/sub`, undefined).problems).toEqual([]);
    expect(rules.withIgnoreFile(`${ROOT}/sub`, 'x\n').problems).toEqual([]);
  });
});

describe('nested .cairnignore precedence', () => {
  const top = ExcludeRules.fromPatterns(['*.iso', 'cache/']).withIgnoreFile(ROOT, '*.log\nbuild/\n!keep.iso\n');
  const sub = top.withIgnoreFile(`${ROOT}/pkg`, '!*.log\n/local\n');
  const deeper = sub.withIgnoreFile(`${ROOT}/pkg/inner`, 'x.log\n');

  it('inherits the parent rules', () => {
    expect(sub.isExcluded(`${ROOT}/pkg/build`, D)).toBe(true);
    expect(sub.isExcluded(`${ROOT}/pkg/disk.iso`, F)).toBe(true);
    expect(sub.isExcluded(`${ROOT}/pkg/cache`, D)).toBe(true);
  });

  it('lets deeper files override shallower files and command-line patterns', () => {
    expect(top.isExcluded(`${ROOT}/pkg/a.log`, F)).toBe(true);
    expect(sub.isExcluded(`${ROOT}/pkg/a.log`, F)).toBe(false);
    expect(sub.isExcluded(`${ROOT}/pkg/deep/a.log`, F)).toBe(false);
    expect(sub.isExcluded(`${ROOT}/a.log`, F)).toBe(true); // outside pkg: its rules do not apply
    expect(deeper.isExcluded(`${ROOT}/pkg/inner/x.log`, F)).toBe(true);
    expect(deeper.isExcluded(`${ROOT}/pkg/inner/y.log`, F)).toBe(false);
    expect(top.isExcluded(`${ROOT}/keep.iso`, F)).toBe(false);
    expect(top.isExcluded(`${ROOT}/other.iso`, F)).toBe(true);
  });

  it('anchors patterns to the directory of their own file', () => {
    expect(sub.isExcluded(`${ROOT}/pkg/local`, F)).toBe(true);
    expect(sub.isExcluded(`${ROOT}/local`, F)).toBe(false);
    expect(sub.isExcluded(`${ROOT}/pkg/x/local`, F)).toBe(false);
  });

  it('does not change the parent rules', () => {
    expect(top.isExcluded(`${ROOT}/pkg/local`, F)).toBe(false);
  });

  it('returns the same rules for a directory without an ignore file', () => {
    expect(top.withIgnoreFile(`${ROOT}/x`, undefined)).toBe(top);
  });
});

describe('command-line patterns', () => {
  it('match at any depth without a leading slash', () => {
    const rules = ExcludeRules.fromPatterns(['node_modules', '*.tmp', 'build/out', '.cache/']);
    expect(rules.isExcluded('/home/ann/proj/node_modules', D)).toBe(true);
    expect(rules.isExcluded('/node_modules', D)).toBe(true);
    expect(rules.isExcluded('/a/b.tmp', F)).toBe(true);
    expect(rules.isExcluded('/srv/x/build/out', D)).toBe(true);
    expect(rules.isExcluded('/srv/x/build/outer', D)).toBe(false);
    expect(rules.isExcluded('/srv/x/mybuild/out', D)).toBe(false);
    expect(rules.isExcluded('/home/ann/.cache', D)).toBe(true);
    expect(rules.isExcluded('/home/ann/.cache', F)).toBe(false);
    expect(rules.isExcluded('/home/ann/notes.txt', F)).toBe(false);
  });

  it('match whole absolute paths with a leading slash', () => {
    const rules = ExcludeRules.fromPatterns(['/home/*/Downloads', '/var/**/*.db']);
    expect(rules.isExcluded('/home/ann/Downloads', D)).toBe(true);
    expect(rules.isExcluded('/mnt/home/ann/Downloads', D)).toBe(false);
    expect(rules.isExcluded('/home/ann/x/Downloads', D)).toBe(false);
    expect(rules.isExcluded('/var/lib/app/data.db', F)).toBe(true);
    expect(rules.isExcluded('/opt/var/data.db', F)).toBe(false);
  });

  it('support negation, last pattern winning', () => {
    const rules = ExcludeRules.fromPatterns(['*.iso', '!keep.iso']);
    expect(rules.isExcluded('/a/disk.iso', F)).toBe(true);
    expect(rules.isExcluded('/a/keep.iso', F)).toBe(false);
  });

  it('treat converted Windows paths like any other', () => {
    const rules = ExcludeRules.fromPatterns(['/C:/Users/*/AppData', 'Temp']);
    expect(rules.isExcluded('C:/Users/ann/AppData', D)).toBe(true);
    expect(rules.isExcluded('C:/Windows/Temp', D)).toBe(true);
  });

  it('match nothing when there are none', () => {
    expect(ExcludeRules.fromPatterns([]).isExcluded('/a/b', F)).toBe(false);
  });

  it.each([
    ['[abc', /unclosed character class/],
    ['abc\\', /unescaped "\\"/],
    ['[z-a]', /out of order/],
    ['', /empty/],
    ['/', /empty/],
    ['!', /empty/],
  ])('reject %j with a clear message', (pattern, message) => {
    expect(() => ExcludeRules.fromPatterns(['ok', pattern])).toThrow(message);
    expect(() => ExcludeRules.fromPatterns([pattern])).toThrow(CairnError);
    expect(() => ExcludeRules.fromPatterns([pattern])).toThrow(`invalid exclude pattern "${pattern}"`);
  });
});

describe('files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-excludes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function makeDir(name: string, files: Record<string, string | Buffer>): Promise<string> {
    const path = join(dir, name);
    await mkdir(path, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
    return path;
  }

  it('isCacheDir recognises a valid tag, with or without more content', async () => {
    const exact = await makeDir('cache-exact', { 'CACHEDIR.TAG': CACHEDIR_TAG_SIGNATURE });
    const more = await makeDir('cache-more', {
      'CACHEDIR.TAG': `${CACHEDIR_TAG_SIGNATURE}\n# This file is a cache directory tag.\n`,
    });
    expect(await isCacheDir(exact)).toBe(true);
    expect(await isCacheDir(more)).toBe(true);
    expect(await isCacheDir(`${more}/`)).toBe(true);
  });

  it('isCacheDir rejects a wrong signature, a short file, a missing file and a tag that is a directory', async () => {
    const wrong = await makeDir('cache-wrong', { 'CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc56' });
    const short = await makeDir('cache-short', { 'CACHEDIR.TAG': CACHEDIR_TAG_SIGNATURE.slice(0, 42) });
    const none = await makeDir('cache-none', { 'other.txt': 'x' });
    const tagDir = await makeDir('cache-tagdir', {});
    await mkdir(join(tagDir, 'CACHEDIR.TAG'));
    expect(await isCacheDir(wrong)).toBe(false);
    expect(await isCacheDir(short)).toBe(false);
    expect(await isCacheDir(none)).toBe(false);
    expect(await isCacheDir(tagDir)).toBe(false);
    expect(await isCacheDir(join(dir, 'does-not-exist'))).toBe(false);
  });

  it('readIgnoreFile returns the text, or undefined when there is none', async () => {
    const withFile = await makeDir('ignore-yes', { [IGNORE_FILE_NAME]: '*.tmp\n' });
    const without = await makeDir('ignore-no', {});
    const asDir = await makeDir('ignore-dir', {});
    await mkdir(join(asDir, IGNORE_FILE_NAME));
    expect(await readIgnoreFile(withFile)).toBe('*.tmp\n');
    expect(await readIgnoreFile(without)).toBeUndefined();
    expect(await readIgnoreFile(asDir)).toBeUndefined();
  });

  it('readIgnoreFile rethrows other errors', async () => {
    const notADir = join(dir, 'plain-file');
    await writeFile(notADir, 'x');
    await expect(readIgnoreFile(notADir)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
