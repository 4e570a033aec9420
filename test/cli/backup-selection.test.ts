/**
 * The selection options of `cairn backup`: --iexclude patterns (made case-insensitive in the
 * exclude syntax and judged by the engine's real rules), --exclude-file / --iexclude-file,
 * --files-from (-verbatim, -raw), and --one-file-system against a real second file system
 * (/dev/shm is a tmpfs mounted inside /dev on Linux; skipped with the reason where it is not).
 */
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupSelection, listLines } from '../../src/cli/backup-selection.js';
import { ignoreCasePattern } from '../../src/cli/ignore-case-pattern.js';
import { ExcludeRules } from '../../src/engine/backup/excludes.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { cairn, json } from '../support/cli.js';

const PW = 'selection password';
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('backup-selection');
});

afterAll(async () => {
  await removeDir(dir);
});

function excluded(patterns: string[], file: string, isDir = false): boolean {
  return ExcludeRules.fromPatterns(patterns).isExcluded(file, isDir);
}

describe('--iexclude patterns', () => {
  it('match upper and lower case alike, in letters, escapes, classes and ranges', () => {
    const jpg = ignoreCasePattern('*.jpg');
    expect(jpg).toBe('*.[jJ][pP][gG]');
    expect(excluded([jpg], '/a/B.JPG')).toBe(true);
    expect(excluded([jpg], '/a/x.Jpg')).toBe(true);
    expect(excluded([jpg], '/a/x.png')).toBe(false);
    expect(excluded([ignoreCasePattern('[a-c]*.TXT')], '/q/B1.txt')).toBe(true);
    expect(excluded([ignoreCasePattern('[a-c]*.TXT')], '/q/d1.txt')).toBe(false);
    expect(excluded([ignoreCasePattern('[!x]y')], '/q/Xy')).toBe(false);
    expect(excluded([ignoreCasePattern('\\D?')], '/q/d1')).toBe(true);
    expect(excluded([ignoreCasePattern('[[:lower:]]x')], '/q/AX')).toBe(true);
    expect(excluded([ignoreCasePattern('/Tmp/**')], '/tmp/a/b')).toBe(true);
    expect(excluded([ignoreCasePattern('/Tmp/**')], '/var/tmp/a')).toBe(false);
    // A re-include keeps working, case-insensitively too.
    expect(excluded([jpg, ignoreCasePattern('!KEEP.jpg')], '/a/keep.JPG')).toBe(false);
    // Plain --exclude stays case-sensitive.
    expect(excluded(['*.jpg'], '/a/B.JPG')).toBe(false);
  });
});

describe('list files', () => {
  it('skip blank lines and # comments (trimmed); verbatim and raw lists keep names as written', async () => {
    expect(listLines('\uFEFF# c\n\n  *.tmp  \r\ncache/\n#x\n')).toEqual(['*.tmp', 'cache/']);
    const plain = path.join(dir, 'plain.txt');
    const verbatim = path.join(dir, 'verbatim.txt');
    const raw = path.join(dir, 'raw.bin');
    const excludes = path.join(dir, 'excludes.txt');
    await fs.writeFile(plain, '# the sources\n/srv/a\n\n  b  \n');
    await fs.writeFile(verbatim, '#hash-name\ntrailing \n\n');
    await fs.writeFile(raw, 'one\0two\nlines\0');
    await fs.writeFile(excludes, '# build output\n*.o\n');
    const s = backupSelection(
      {
        'files-from': [plain],
        'files-from-verbatim': [verbatim],
        'files-from-raw': [raw],
        exclude: ['*.tmp'],
        'exclude-file': [excludes],
        iexclude: ['*.BAK'],
        'one-file-system': true,
      },
      ['named'],
    );
    expect(s.paths).toEqual(['named', '/srv/a', 'b', '#hash-name', 'trailing ', 'one', 'two\nlines']);
    expect(s.excludes).toEqual(['*.tmp', '*.o', '*.[Bb][Aa][Kk]']);
    expect(s.oneFileSystem).toBe(true);
    expect(() => backupSelection({ 'exclude-file': [path.join(dir, 'nope')] }, [])).toThrow(
      `--exclude-file: cannot read ${path.join(dir, 'nope')}: it does not exist`,
    );
  });
});

describe('cairn backup with selection options', () => {
  it('stores what --files-from lists, without what --exclude-file and --iexclude leave out', async () => {
    const repo = path.join(dir, 'repo');
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'Build'), { recursive: true });
    await fs.mkdir(path.join(dir, 'other'));
    for (const f of ['keep.txt', 'Photo.JPG', 'Build/out.o', 'notes.md']) await fs.writeFile(path.join(src, f), f);
    await fs.writeFile(path.join(dir, 'other', 'not-listed.txt'), 'x');
    await fs.writeFile(path.join(dir, 'list.txt'), `# what to back up\n${src}\n`);
    await fs.writeFile(path.join(dir, 'ex.txt'), '# objects\n*.o\n');
    expect(cairn(['init', '--repo', repo], { password: PW }).status).toBe(0);
    const b = cairn(
      [
        'backup',
        '--repo',
        repo,
        '--files-from',
        path.join(dir, 'list.txt'),
        '--exclude-file',
        path.join(dir, 'ex.txt'),
        '--iexclude',
        '*.jpg',
      ],
      { password: PW },
    );
    expect(b.status, b.stderr).toBe(0);
    const ls = cairn(['ls', 'latest', src, '--repo', repo, '--json'], { password: PW });
    const paths = json<{ entries: { path: string }[] }>(ls).entries.map((e) => path.relative(src, e.path));
    expect(paths.sort()).toEqual(['Build', 'keep.txt', 'notes.md']);
  }, 60_000);

  const devShm = (() => {
    try {
      return statSync('/dev/shm').dev !== statSync('/dev').dev;
    } catch {
      return false;
    }
  })();
  if (!devShm) console.log('skipping the --one-file-system backup: /dev/shm is not a file system of its own here');

  it.runIf(devShm)(
    '--one-file-system does not cross into /dev/shm below /dev, and names it',
    async () => {
      const repo = path.join(dir, 'repo-x');
      const mine = await fs.mkdtemp('/dev/shm/cairn-x-');
      try {
        await fs.writeFile(path.join(mine, 'on-tmpfs.txt'), 'tmpfs');
        expect(cairn(['init', '--repo', repo], { password: PW }).status).toBe(0);
        // Without -x: the folder on the other file system is stored (the rest of /dev/shm is excluded).
        const crossing = cairn(['backup', '--repo', repo, '--json', '-e', '/dev/shm/*', '-e', `!${mine}`, '/dev'], {
          password: PW,
        });
        expect(crossing.status, crossing.stderr).toBe(0);
        const all = cairn(['ls', 'latest', '/dev/shm', '--repo', repo, '--json'], { password: PW });
        expect(json<{ entries: { path: string }[] }>(all).entries.map((e) => e.path)).toContain(
          path.join(mine, 'on-tmpfs.txt'),
        );
        const x = cairn(['backup', '--repo', repo, '--json', '-x', '/dev'], { password: PW });
        expect(x.status, x.stderr).toBe(0);
        expect(x.stderr).toContain(
          '"/dev/shm: on another file system (a mount point), not backed up: one file system only"',
        );
        const after = cairn(['ls', 'latest', '/dev', '--repo', repo, '--json'], { password: PW });
        const stored = json<{ entries: { path: string }[] }>(after).entries.map((e) => e.path);
        expect(stored).toContain('/dev/null');
        expect(stored.filter((p) => p.startsWith('/dev/shm'))).toEqual([]);
      } finally {
        await fs.rm(mine, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
