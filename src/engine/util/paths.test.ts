/** toRepoPath on POSIX: the shortcut for paths that are already normal must agree with path.posix.resolve. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRepoPath } from './paths.js';

describe('toRepoPath (posix)', () => {
  it('gives what path.posix.resolve gives, for normal and odd paths alike', () => {
    const samples = [
      '/',
      '/a',
      '/home/me/docs',
      '/home/me/docs/',
      '//home',
      '/home//me',
      '/home/./me',
      '/home/me/.',
      '/home/me/..',
      '/home/../etc',
      '/a/.hidden',
      '/a/..b/c.',
      '/a/b../c',
      '/a/.../b',
      '/.',
      '/..',
      'relative/path',
      './x',
      '../x',
      '',
      '/naïve/日本/file name.txt',
    ];
    for (const p of samples) expect(toRepoPath(p, 'linux'), JSON.stringify(p)).toBe(path.posix.resolve(p));
  });
});
